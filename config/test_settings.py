"""Test settings: only what makes the suite faster or deterministic."""

import os
import re

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Test transactions roll back without signals: no host name kept across tests (a test turns it on).
TENANT_HOST_CACHE_SECONDS = 0

if not (env_str("CACHE_URL") or env_str("REDIS_URL")):  # noqa: F405
    # Without Redis, the suite (one process) keeps the cache in memory rather than in the
    # database cache of production: query-count tests count only the application's queries.
    # CI runs it against Redis (.ci/run), the shared cache of production.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # Each pytest-xdist worker gets its own Redis database (the fixtures empty the cache between
    # tests, and Redis empties a whole database): gw0 the URL's, gw1 the next one…
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    CACHES["default"]["LOCATION"] = re.sub(
        r"/(\d+)$",
        lambda match: f"/{int(match.group(1)) + int(_worker[2:] or 0)}",
        CACHES["default"]["LOCATION"],
    )
