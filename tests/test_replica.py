"""The replica's routing (config/replica.py) without a replica: the decisions of the router and
the middleware. The real primary + replica pair is tests/reliability/replica.py."""

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve

from accounts.models import User
from config import replica
from knowledge.models import Article
from registry.models import BenchmarkEntry

PUBLIC = "config.urls_public"


@pytest.fixture
def usable(monkeypatch):
    monkeypatch.setattr(replica, "_replica_usable", lambda: True)


def _request(method="get", path="/cas-d-usage/", **extra):
    request = getattr(RequestFactory(), method)(path, **extra)
    request.collectivite = None
    request.resolver_match = resolve(path.split("?")[0], urlconf=PUBLIC)
    return request


def _serve(request, view=None):
    """The middleware around a view, as Django's handler calls them; returns (response, the
    databases the view's reads of a public model and of an account would use)."""
    seen = {}

    def default_view(request):
        seen["public"] = replica.ReplicaRouter().db_for_read(BenchmarkEntry)
        seen["account"] = replica.ReplicaRouter().db_for_read(User)
        return HttpResponse("ok")

    view = view or default_view
    middleware = None

    def get_response(request):
        middleware.process_view(request, view, (), {})
        try:
            return view(request)
        except Exception as exception:
            response = middleware.process_exception(request, exception)
            if response is None:
                raise
            return response

    middleware = replica.ReplicaMiddleware(get_response)
    return middleware(request), seen


def test_router_reads_the_primary_outside_a_routed_request():
    router = replica.ReplicaRouter()
    assert router.db_for_read(BenchmarkEntry) == "default"
    assert router.db_for_write(Article) == "default"
    assert router.allow_migrate("replica", "registry") is False
    assert router.allow_migrate("default", "registry") is None


def test_public_read_goes_to_the_replica_accounts_never(usable):
    _response, seen = _serve(_request())
    assert seen == {"public": "replica", "account": "default"}
    assert replica.current_target() == "default"  # reset after the request


@pytest.mark.parametrize(
    "path", ["/api/v1/benchmark/use-cases/", "/tableau-de-bord/", "/connaissances/"]
)
def test_routed_views(usable, path):
    assert _serve(_request(path=path))[1]["public"] == "replica"


@pytest.mark.parametrize("path", ["/api/v1/collectivites/", "/compte/connexion/", "/"])
def test_other_views_read_the_primary(usable, path):
    assert _serve(_request(path=path))[1]["public"] == "default"


def test_tenant_site_reads_the_primary(usable):
    request = _request()
    request.collectivite = object()
    assert _serve(request)[1]["public"] == "default"


def test_a_write_in_the_request_switches_to_the_primary(usable):
    def view(request):
        router = replica.ReplicaRouter()
        before = router.db_for_read(Article)
        router.db_for_write(Article)
        return HttpResponse(f"{before},{router.db_for_read(Article)}")

    response, _seen = _serve(_request(), view)
    assert response.content == b"replica,default"


def test_a_writer_is_pinned_to_the_primary_by_cookie(usable, settings):
    settings.REPLICA_PIN_SECONDS = 12
    response, _seen = _serve(_request("post", "/api/v1/knowledge/articles/"))
    cookie = response.cookies[replica.PIN_COOKIE]
    assert cookie["max-age"] == 12 and cookie["httponly"]
    pinned = _request()
    pinned.COOKIES[replica.PIN_COOKIE] = "1"
    assert _serve(pinned)[1]["public"] == "default"


def test_a_token_client_is_pinned_by_the_shared_cache(usable):
    auth = {"HTTP_AUTHORIZATION": "Token abc"}
    _serve(_request("patch", "/api/v1/knowledge/articles/x/", **auth))
    assert _serve(_request(path="/api/v1/knowledge/articles/x/", **auth))[1]["public"] == "default"
    other = {"HTTP_AUTHORIZATION": "Token other"}
    assert _serve(_request(path="/api/v1/knowledge/articles/", **other))[1]["public"] == "replica"


def test_replica_unreachable_reads_the_primary(monkeypatch):
    monkeypatch.setattr(replica, "_replica_usable", lambda: False)
    assert _serve(_request())[1]["public"] == "default"


def test_replica_failing_mid_view_runs_it_again_on_the_primary(usable, monkeypatch):
    monkeypatch.setattr(replica, "_mark_replica_down", lambda: None)
    calls = []

    def view(request):
        database = replica.ReplicaRouter().db_for_read(Article)
        calls.append(database)
        if database == "replica":
            raise OperationalError("the replica is gone")
        return HttpResponse("ok")

    request = _request()
    request.resolver_match.func = view
    response, _seen = _serve(request, view)
    assert response.status_code == 200 and calls == ["replica", "default"]
