"""The cache is shared by every process and every host (issue 10, shared cache)."""

import os

import pytest
from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django_tenants.utils import tenant_context

from config.settings import _cache_from_url


def test_keys_do_not_depend_on_the_hosts_tenant(annecy, cdg74):
    public_key = cache.make_key("throttle_anon_127.0.0.1")
    with tenant_context(annecy):
        annecy_key = cache.make_key("throttle_anon_127.0.0.1")
        cache.set("shared-probe", "vu depuis grand-annecy")
    with tenant_context(cdg74):
        assert cache.get("shared-probe") == "vu depuis grand-annecy"
    assert public_key == annecy_key
    assert "grand_annecy" not in annecy_key
    # Production settings, whatever the suite's cache: no key function adding the schema.
    from config import settings as production

    assert "KEY_FUNCTION" not in production.CACHES["default"]


def test_cache_url_selects_redis_or_the_database():
    assert _cache_from_url("redis://127.0.0.1:6379/5") == {
        "BACKEND": "config.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/5",
    }
    database = _cache_from_url("")
    assert database["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert database["LOCATION"] == "django_cache"
    with pytest.raises(ImproperlyConfigured):
        _cache_from_url("memcached://x")


@pytest.mark.skipif(
    not os.environ.get("CACHE_URL"), reason="CACHE_URL unset: the suite's cache is in memory"
)
def test_ci_runs_the_suite_against_the_shared_redis_cache():
    from django.core.cache import caches

    assert caches["default"].__class__.__name__ == "RedisCache"


def test_migrate_creates_the_database_cache_table_in_the_public_schema():
    assert connection.schema_name == "public"
    database_cache = DatabaseCache("django_cache", {})
    database_cache.set("probe", 42)
    assert database_cache.get("probe") == 42


@pytest.mark.skipif(
    not os.environ.get("CACHE_URL", "").startswith("redis"), reason="needs the shared Redis"
)
def test_the_throttle_counter_counts_and_always_expires():
    key = "throttle-probe:" + os.urandom(4).hex()
    assert [cache.count_in_window(key, 30) for _ in range(3)] == [1, 2, 3]
    client = cache._cache.get_client(write=True)  # this worker's Redis database
    # A counter never lives without its expiry (INCR and EXPIRE in one script).
    assert 0 < client.ttl(cache.make_key(key)) <= 30
    client.delete(cache.make_key(key))
    assert cache.count_in_window(key, 30) == 1
    client.delete(cache.make_key(key))


@pytest.mark.skipif(
    not os.environ.get("CACHE_URL", "").startswith("redis"), reason="needs the shared Redis"
)
def test_count_and_get_counts_and_reads_in_one_script():
    counter = "throttle-probe:" + os.urandom(4).hex()
    page = "page-probe:" + os.urandom(4).hex()
    assert cache.count_and_get(counter, 30, page) == (1, None)
    cache.set(page, (200, [("Content-Type", "application/json")], b"{}"), 30)
    assert cache.count_and_get(counter, 30, page) == (
        2,
        (200, [("Content-Type", "application/json")], b"{}"),
    )
    assert cache.count_and_get(counter, 30, page, default="absent")[0] == 3
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_key(counter)) <= 30
    client.delete(cache.make_key(counter), cache.make_key(page))
    assert cache.count_and_get(counter, 30, page, default="absent") == (1, "absent")
    # Redis restarted (its scripts lost): still counted, once.
    client.script_flush()
    assert cache.count_and_get(counter, 30, page, default="absent") == (2, "absent")
    assert int(client.get(cache.make_key(counter))) == 2
    client.delete(cache.make_key(counter))
