"""Shared fixtures. The guide's collectivités (and their schemas) are created once per session;
every test then runs in a transaction that is rolled back."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import Role
from registry.models import Collectivite
from tests.factories import (
    PASSWORD,
    DraftUseCaseFactory,
    PublishedUseCaseFactory,
    SubmittedUseCaseFactory,
    UserFactory,
)

__all__ = ["PASSWORD", "data_queries", "host_of"]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under pytest-xdist (`-n 2`, as `make test` runs): each test goes to whichever worker is
    free (every worker has its own test database, `test_<name>_gw0`…, seeded once), except the
    browser tests, which all go to one worker: one live server and one Chromium, set up once.

    (`--dist loadgroup` with `xdist_group` marks would do the same, but xdist 3.8 renames node ids
    through `item._nodeid`, which pytest 9 no longer reads: the groups are silently ignored.)"""
    if config.getoption("dist") != "load":  # another --dist was asked for: xdist's own
        return None
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerForTheBrowser(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "tests/browser" if nodeid.startswith("tests/browser/") else nodeid

    return OneWorkerForTheBrowser(config, log)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from casestudies.seed import seed

    with django_db_blocker.unblock():
        # Without the shipped directory (38,980 entries): the directory's tests load small ones.
        # Nor the shipped public source (1,616 records): the sources' tests import their own.
        seed(demo=False, directory=False, sources=False)
        connection.set_schema_to_public()


@pytest.fixture(scope="session", autouse=True)
def _no_collected_static_files(tmp_path_factory):
    """The test process serves no static file, so STATIC_ROOT is an empty folder: otherwise
    whitenoise indexes var/static (700 files) each time a test client starts, and may meet
    files that the browser tests' server is collecting at the same time in another xdist
    worker (FileNotFoundError)."""
    collected = settings.STATIC_ROOT
    settings.STATIC_ROOT = tmp_path_factory.mktemp("static-root")
    yield
    settings.STATIC_ROOT = collected


@pytest.fixture(autouse=True)
def _public_schema(db):
    # The connection keeps the last request's schema between tests: start each one in public.
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


def host_of(slug: str | None) -> str:
    return settings.BASE_DOMAIN if slug is None else f"{slug}.{settings.BASE_DOMAIN}"


@pytest.fixture
def annecy(db) -> Collectivite:
    return Collectivite.objects.get(slug="grand-annecy")


@pytest.fixture
def cdg74(db) -> Collectivite:
    return Collectivite.objects.get(slug="cdg74")


@pytest.fixture
def make_user(db):
    def make(email: str, *, collectivite=None, role=Role.READER, curator=False, superuser=False):
        return UserFactory(
            email=email,
            collectivite=collectivite,
            role=role,
            is_curator=curator,
            is_superuser=superuser,
        )

    return make


@pytest.fixture
def client_for():
    """A test client on a host (None = public site), logged in as `user` when given."""

    def make(slug: str | None, user=None) -> Client:
        client = Client(HTTP_HOST=host_of(slug))
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def in_tenant():
    return tenant_context


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttling counters live in the cache: each test starts with none. The version this
    # process keeps for anonymous visitors is forgotten too (a rolled-back test's version).
    from django.core.cache import cache

    from registry.selectors import forget_recent_benchmark_version

    cache.clear()
    forget_recent_benchmark_version()
    yield
    cache.clear()
    forget_recent_benchmark_version()


@pytest.fixture
def api_for():
    """A DRF client on a host (None = public site), authenticated as `user` when given."""
    from rest_framework.test import APIClient

    def make(slug: str | None, user=None) -> APIClient:
        client = APIClient(HTTP_HOST=host_of(slug))
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def people(make_user, annecy, cdg74):
    """Everyone of the access matrix, around the Grand Annecy."""
    return {
        "reader": make_user("lecteur@annecy.test", collectivite=annecy, role=Role.READER),
        "contributor": make_user("contrib@annecy.test", collectivite=annecy, role=Role.CONTRIBUTOR),
        "admin": make_user("admin@annecy.test", collectivite=annecy, role=Role.ADMIN),
        "other": make_user("agent@cdg74.test", collectivite=cdg74, role=Role.ADMIN),
        "curator": make_user("curateur@cdg74.test", curator=True),
    }


# --- use cases of the Grand Annecy, one of each state (tests.factories for others) ---------------


@pytest.fixture
def draft_use_case(annecy):
    return DraftUseCaseFactory(collectivite=annecy)


@pytest.fixture
def submitted_use_case(annecy):
    return SubmittedUseCaseFactory(collectivite=annecy)


@pytest.fixture
def published_use_case(annecy):
    return PublishedUseCaseFactory(collectivite=annecy)


def data_queries(captured) -> list[str]:
    """Queries of a CaptureQueriesContext, without django-tenants' `SET search_path` (issued
    only when the schema changed since the previous statement)."""
    return [
        q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET search_path")
    ]
