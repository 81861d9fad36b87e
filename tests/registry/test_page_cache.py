"""Kept answers (registry.page_cache, issue 14): the explorer, a record's page and the benchmark
list are kept for anonymous visitors per version of the benchmark, a member's list of their
collectivité's use cases per version of its data. A kept answer is never stale after a write,
never served to someone it was not made for, and its forms keep working for each visitor."""

import re
import time

import pytest
from django.conf import settings
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from registry import report, services
from registry.models import SynonymGroup
from registry.vocabularies import Visibility
from tests.conftest import data_queries
from tests.factories import PublishedUseCaseFactory

TENANT_LIST = "/api/v1/use-cases/"


def _visitor() -> Client:
    """A new anonymous visitor (no cookie), whose forms are checked for CSRF like a browser's."""
    return Client(HTTP_HOST=settings.BASE_DOMAIN, enforce_csrf_checks=True)


def _hidden(page: bytes, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page.decode()).group(1)


def _queries(call) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    return response, data_queries(captured)


@pytest.fixture
def published(annecy):
    return PublishedUseCaseFactory(collectivite=annecy, title="Assistant des réponses aux usagers")


def test_the_explorer_is_kept_and_shows_a_new_publication_at_once(published, annecy, settings):
    settings.BENCHMARK_VERSION_SECONDS = 60  # a write of this process is seen at once anyway
    first = _visitor().get("/cas-d-usage/")
    assert first.status_code == 200 and "Assistant des réponses aux usagers" in first.text
    again, queries = _queries(lambda: _visitor().get("/cas-d-usage/"))
    assert again.status_code == 200 and again.text == first.text.replace(
        _hidden(first.content, "csrfmiddlewaretoken"), _hidden(again.content, "csrfmiddlewaretoken")
    )
    assert queries == []  # the benchmark's version as this process read it a moment ago
    PublishedUseCaseFactory(collectivite=annecy, title="Tri des courriers entrants")
    assert "Tri des courriers entrants" in _visitor().get("/cas-d-usage/").text


def test_another_process_publication_reaches_anonymous_visitors_once_the_second_is_over(
    published, annecy, people, client_for, settings, monkeypatch
):
    from registry import selectors

    settings.BENCHMARK_VERSION_SECONDS = 60
    assert "Assistant des réponses" in _visitor().get("/cas-d-usage/").text
    read = selectors.recent_benchmark_version()
    # Published through another process: this one still holds the version it read.
    PublishedUseCaseFactory(collectivite=annecy, title="Tri des courriers entrants")
    monkeypatch.setattr(selectors, "_recent_version", (time.monotonic() + 60, read))
    assert "Tri des courriers entrants" not in _visitor().get("/cas-d-usage/").text
    # Signed-in visitors always read the version itself.
    assert (
        "Tri des courriers entrants" in client_for(None, people["reader"]).get("/cas-d-usage/").text
    )
    monkeypatch.setattr(selectors, "_recent_version", (time.monotonic() - 1, read))  # time up
    assert "Tri des courriers entrants" in _visitor().get("/cas-d-usage/").text
    assert selectors.recent_benchmark_version() == selectors.benchmark_version() > read


def test_a_kept_page_gives_each_visitor_a_working_form(published, monkeypatch):
    path = f"/cas-d-usage/{published.public_id}/"
    first = _visitor().get(path)
    visitor = _visitor()
    page = visitor.get(path)
    assert page.status_code == 200
    # Their own CSRF token (with its cookie) and a signed time of their own visit.
    assert settings.CSRF_COOKIE_NAME in page.cookies
    token = _hidden(page.content, "csrfmiddlewaretoken")
    assert token != _hidden(first.content, "csrfmiddlewaretoken")
    started = _hidden(page.content, "started")
    salt = report.ErrorReportForm.signing_salt
    assert signing.loads(started, salt=salt) >= signing.loads(
        _hidden(first.content, "started"), salt=salt
    )
    # Sent at once, the robots' guard still refuses it; after the minimum time, it leaves.
    values = {"message": "Le nom de l'outil est faux.", "email": "", "website": ""}
    sent = {**values, "csrfmiddlewaretoken": token, "started": started}
    too_fast = visitor.post(f"{path}signaler/", sent)
    assert too_fast.status_code == 400 and "trop vite" in too_fast.text
    monkeypatch.setattr(report.ErrorReportForm, "min_fill_seconds", 0)
    assert visitor.post(f"{path}signaler/", sent).status_code == 302
    assert _visitor().post(f"{path}signaler/", sent).status_code == 403  # no cookie: CSRF


def test_signed_in_visitors_never_get_the_anonymous_page(client_for, people, annecy, published):
    network = PublishedUseCaseFactory(
        collectivite=annecy, title="Cas réservé au réseau", visibility=Visibility.NETWORK
    )
    assert network.title not in _visitor().get("/cas-d-usage/").text
    assert network.title in client_for(None, people["curator"]).get("/cas-d-usage/").text
    assert network.title in client_for(None, people["reader"]).get("/cas-d-usage/").text
    # A visitor with a session cookie (even an empty one) is answered for themselves.
    with_session = _visitor()
    with_session.cookies[settings.SESSION_COOKIE_NAME] = "anything"
    _response, queries = _queries(lambda: with_session.get("/cas-d-usage/"))
    assert len(queries) > 1
    assert network.title not in _visitor().get("/cas-d-usage/").text


def test_the_benchmark_list_is_kept_per_version(api_for, annecy, published, settings):
    settings.BENCHMARK_VERSION_SECONDS = 60
    first = api_for(None).get("/api/v1/benchmark/use-cases/")
    again, queries = _queries(lambda: api_for(None).get("/api/v1/benchmark/use-cases/"))
    assert again.json() == first.json() and again["ETag"] == first["ETag"]
    assert queries == []  # the version as this process read it a moment ago
    PublishedUseCaseFactory(collectivite=annecy, title="Tri des courriers entrants")
    titles = [row["title"] for row in api_for(None).get("/api/v1/benchmark/use-cases/").json()[
        "results"
    ]]  # fmt: skip
    assert "Tri des courriers entrants" in titles


def test_a_kept_member_list_is_for_members_only(api_for, people, published):
    member = api_for("grand-annecy", people["reader"])
    assert member.get(TENANT_LIST).status_code == 200
    assert member.get(TENANT_LIST).status_code == 200  # kept
    assert api_for("grand-annecy").get(TENANT_LIST).status_code == 404  # reveals nothing
    assert api_for("grand-annecy", people["other"]).get(TENANT_LIST).status_code == 404
    # The CDG74's own list is not the Grand Annecy's, though both were asked the same address.
    cdg74_list = api_for("cdg74", people["other"]).get(TENANT_LIST).json()
    assert published.public_id not in [row["public_id"] for row in cdg74_list["results"]]


def test_a_kept_member_list_still_counts_the_members_throttle(api_for, people, published):
    from rest_framework.throttling import UserRateThrottle

    original = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = {**original, "user": "3/min"}
    try:
        member = api_for("grand-annecy", people["reader"])
        codes = [member.get(TENANT_LIST).status_code for _ in range(4)]  # 2nd and 3rd kept
        refused = member.get(TENANT_LIST)
        other = api_for("cdg74", people["other"]).get(TENANT_LIST).status_code
    finally:
        UserRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 200, 429]
    assert refused.status_code == 429 and "Retry-After" in refused
    assert other == 200  # counted per account


def test_a_token_caller_is_checked_with_one_query(api_for, people, published):
    token = Token.objects.create(user=people["reader"])
    client = api_for("grand-annecy")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(TENANT_LIST).status_code == 200
    response, queries = _queries(lambda: client.get(TENANT_LIST))
    assert response.status_code == 200
    # Host, token with the caller's role here, the collectivité's data version.
    assert len(queries) <= 3, queries
    stranger = Token.objects.create(user=people["other"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {stranger.key}")
    assert client.get(TENANT_LIST).status_code == 404


def test_the_same_collectivite_again_keeps_its_search_path_and_another_gets_its_own(
    api_for, people, published, settings
):
    """config/database/base.py: no `SET search_path` when the connection is already on the
    collectivité's schema, one in every other case."""
    settings.TENANT_HOST_CACHE_SECONDS = 30  # as in production: no host lookup on public between

    def listed(client):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(TENANT_LIST)
        assert response.status_code == 200
        sets = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SET search_")]
        with connection.connection.cursor() as raw:  # the server's, not the backend's record
            raw.execute("SELECT current_setting('search_path')")
            assert raw.fetchone()[0] == ", ".join(connection.search_path_set_schemas)
        return [row["public_id"] for row in response.json()["results"]], sets

    annecy = api_for("grand-annecy", people["reader"])
    cdg74 = api_for("cdg74", people["other"])
    assert published.public_id in listed(annecy)[0]
    ids, sets = listed(annecy)
    assert published.public_id in ids and sets == []  # the connection is still on its schema
    ids, sets = listed(cdg74)
    assert published.public_id not in ids and sets[-1] == 'SET search_path = "cdg74","public"'
    ids, sets = listed(annecy)
    assert published.public_id in ids and sets == ['SET search_path = "grand_annecy","public"']
    assert _visitor().get("/cas-d-usage/").status_code == 200  # the public site in between
    ids, sets = listed(annecy)
    assert published.public_id in ids and len(sets) == 1
    assert listed(annecy)[1] == []
    # A rolled-back savepoint may have undone the SET: set again.
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        connection.set_schema("cdg74")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")  # SET search_path = cdg74 inside the savepoint
        raise RuntimeError
    ids, sets = listed(annecy)
    assert published.public_id in ids and len(sets) == 1


def test_a_reopened_connection_sets_its_search_path_again(db):
    from django.db import connections

    wrapper = connections.create_connection("default")  # a connection of its own, outside tests'

    def sets():
        wrapper.set_schema_to_public()
        with CaptureQueriesContext(wrapper) as captured, wrapper.cursor() as cursor:
            cursor.execute("SELECT current_setting('search_path')")
            assert cursor.fetchone()[0] == "public"
        return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SET search_")]

    try:
        assert sets() == ['SET search_path = "public"']
        assert sets() == []  # still on it
        wrapper.close()
        assert sets() == ['SET search_path = "public"']  # a new connection carries nothing
    finally:
        wrapper.close()


def test_a_kept_search_follows_the_synonym_list(published, people):
    """A curator's new synonym changes the answer of a search already kept."""
    assert (
        "Assistant des réponses aux usagers" not in _visitor().get("/cas-d-usage/?q=zorglub").text
    )
    services.synonym_group_save(SynonymGroup(terms=["zorglub", "usagers"]), actor=people["curator"])
    assert "Assistant des réponses aux usagers" in _visitor().get("/cas-d-usage/?q=zorglub").text


def test_refresh_renews_only_the_per_visitor_fields(rf, monkeypatch):
    from registry import page_cache

    monkeypatch.setattr(page_cache, "signed_now", lambda salt: f"signé-{salt}")
    page = (
        b'<input type="hidden" name="csrfmiddlewaretoken" value="ancien">'
        b'<input name="q" value="csrfmiddlewaretoken">'
        b'<input name="signal-started" value="1700000000">'
        b'<p>data-x="started" value="pas un champ"</p>'
        b'<input type="hidden" name="csrfmiddlewaretoken" value="ancien2">'
    )
    request = rf.get("/")
    fresh = page_cache.refresh(request, page, "signalement")
    tokens = re.findall(rb'name="csrfmiddlewaretoken" value="([^"]*)"', fresh)
    assert len(tokens) == 2 and tokens[0] == tokens[1] and b"ancien" not in tokens[0]
    assert b'name="signal-started" value="sign\xc3\xa9-signalement"' in fresh
    assert b'<input name="q" value="csrfmiddlewaretoken">' in fresh
    assert b'data-x="started" value="pas un champ"' in fresh
    # Without a spam-guarded form, the signed time stays as kept.
    assert b'name="signal-started" value="1700000000"' in page_cache.refresh(request, page, None)
    assert page_cache.refresh(request, b'{"name": "x"}', None) == b'{"name": "x"}'
