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

# The suite runs on one database even with DATABASE_REPLICA_URL set: a test's data lives in its
# transaction, which a second connection (the replica alias, even as a test mirror) cannot see.
# The routing is tested by tests/test_replica.py (its decisions) and tests/reliability/replica.py
# (a real primary + streaming replica).
if DATABASES.pop("replica", None):  # noqa: F405
    DATABASE_ROUTERS = [r for r in DATABASE_ROUTERS if r != "config.replica.ReplicaRouter"]  # noqa: F405
    MIDDLEWARE = [m for m in MIDDLEWARE if m != "config.replica.ReplicaMiddleware"]  # noqa: F405
