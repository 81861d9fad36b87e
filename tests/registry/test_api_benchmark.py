"""The federation API (<BASE_DOMAIN>/api/v1/): benchmark, stats, exports, catalogue, tokens."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from casestudies.models import UseCase
from registry.models import Tool
from tests.conftest import PASSWORD, data_queries
from tests.factories import DraftUseCaseFactory, PublishedUseCaseFactory

LIST = "/api/v1/benchmark/use-cases/"
STATS = "/api/v1/benchmark/stats/"
QUEUE = "/api/v1/benchmark/review-queue/"
ROLES = ["anonymous", "reader", "contributor", "admin", "other", "curator"]


def _client(api_for, people, who):
    return api_for(None, None if who == "anonymous" else people[who])


def _ids(response):
    return {row["public_id"] for row in response.json()["results"]}


@pytest.fixture
def shared(annecy, cdg74):
    """A `network` entry of the CDG74 and a private use case of Annecy, beside the seeded seven."""
    network = PublishedUseCaseFactory(
        collectivite=cdg74, title="Tri du courrier (réseau)", visibility="network"
    )
    private = DraftUseCaseFactory(collectivite=annecy, title="Projet confidentiel",
                                  visibility="private")  # fmt: skip
    return {"network": network.public_id, "private": private.public_id}


# --- visibility per role -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_benchmark_shows_public_to_all_and_network_to_members_and_curators(api_for, people,
                                                                           shared, who):  # fmt: skip
    public = PublishedUseCaseFactory(title="Cas ouvert à tous").public_id
    response = _client(api_for, people, who).get(LIST + "?page_size=100")
    assert response.status_code == 200
    ids = _ids(response)
    assert public in ids
    assert (shared["network"] in ids) == (who != "anonymous")
    assert shared["private"] not in ids
    detail = _client(api_for, people, who).get(f"{LIST}{shared['network']}/")
    assert detail.status_code == (404 if who == "anonymous" else 200)


def test_a_logged_in_user_without_membership_sees_only_public_entries(api_for, make_user, shared):
    loner = make_user("seul@nulle-part.test")
    assert shared["network"] not in _ids(api_for(None, loner).get(LIST + "?page_size=100"))


def test_private_use_cases_never_reach_the_benchmark_table(shared):
    from registry.models import BenchmarkEntry

    assert not BenchmarkEntry.objects.filter(public_id=shared["private"]).exists()


@pytest.mark.parametrize("who", ROLES)
def test_read_only_endpoints_answer_everyone_and_refuse_writes(api_for, people,
                                                               published_use_case, who):  # fmt: skip
    client = _client(api_for, people, who)
    for path in [LIST, STATS + "?by=status", "/api/v1/collectivites/", "/api/v1/tools/",
                 "/api/v1/benchmark/export.csv"]:  # fmt: skip
        assert client.get(path).status_code == 200, path
    assert client.post(LIST, {}, format="json").status_code == 405
    assert client.delete(f"{LIST}{published_use_case.public_id}/").status_code == 405
    assert client.get(f"{LIST}{published_use_case.public_id}/").status_code == 200


# --- filters and search ------------------------------------------------------------------------


def test_filters(api_for):
    client = api_for(None)
    get = lambda q: _ids(client.get(f"{LIST}?page_size=100&{q}"))  # noqa: E731
    assert get("collectivite=grand-annecy") == {"74-GRAND-ANNECY-0001"}
    assert get("collectivite_kind=cdg") == {"74-CDG74-0001"}
    assert get("domain=ressources-humaines") == {"74-CDG74-0001", "COLLECTIVITE-B-0001"}
    delibia = Tool.objects.get(slug="delibia").pk
    assert get(f"tool={delibia}") == {"COLLECTIVITE-A-0001", "EPCI-B-0001"}
    assert get("ai_family=business&status=pilot") == {
        "74-CDG74-0001",
        "74-GRAND-ANNECY-0001",
        "EPCI-B-0001",
    }
    assert get("status=idea&status=design") == {
        "74-FILIERE-0001",
        "EPCI-A-0001",
        "COLLECTIVITE-B-0001",
    }
    assert get("ai_act_risk=to_assess") and not get("ai_act_risk=high")
    assert get("personal_data=yes") == {"74-CDG74-0001"}
    assert get("automation_level=information") == {
        "74-GRAND-ANNECY-0001",
        "EPCI-A-0001",
        "COLLECTIVITE-B-0001",
    }
    # The guide's four anonymous bodies are not placed in a département.
    assert get("departement=74") == {"74-CDG74-0001", "74-FILIERE-0001", "74-GRAND-ANNECY-0001"}
    assert get("published_after=2000-01-01") and not get("published_before=2000-01-01")
    assert not get("technique=computer_vision")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=finished", "status"),
        ("domain=inconnu", "domain"),
        ("tool=abc", "tool"),
        ("collectivite_kind=village", "collectivite_kind"),
        ("population_band=huge", "population_band"),
        ("published_after=hier", "published_after"),
        ("ordering=secret", "ordering"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=999", "page"),
        ("page_size=101", "page_size"),
        ("page_size=0", "page_size"),
    ],
)
def test_bad_parameters_are_400_with_the_parameter_named(api_for, query, field):
    response = api_for(None).get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_search_is_french_and_accent_insensitive(api_for):
    client = api_for(None)
    get = lambda q: _ids(client.get(f"{LIST}?page_size=100&q={q}"))  # noqa: E731
    with_accents = get("Expérimentation")
    assert with_accents == get("experimentation") == get("EXPERIMENTATION")
    assert "74-CDG74-0001" in with_accents  # its step "Expérimentation"
    assert get("arrêtés de carrière") == {"74-CDG74-0001"}
    assert get("arretes carriere") == {"74-CDG74-0001"}
    assert get("collectivites") >= {"EPCI-A-0001"}  # "collectivités" in its steps
    assert get("Délib-IA") == {"COLLECTIVITE-A-0001", "EPCI-B-0001"}  # tool alias
    assert get("zzzz introuvable") == set()


def test_search_ranks_the_best_match_first(api_for, annecy):
    PublishedUseCaseFactory(
        collectivite=annecy,
        title="Juridique juridique",
        summary="Expertise juridique et veille juridique.",
    )
    results = api_for(None).get(f"{LIST}?q=juridique").json()["results"]
    assert results[0]["title"] == "Juridique juridique"


def test_pagination_shape(api_for):
    body = api_for(None).get(f"{LIST}?page_size=3&page=2&ordering=public_id").json()
    assert body["count"] == 7
    assert len(body["results"]) == 3
    assert "page=3" in body["next"] and "page_size=3" in body["next"]
    assert body["previous"]


def test_list_entries_carry_ids_of_collectivite_and_tools(api_for):
    entry = api_for(None).get(f"{LIST}74-CDG74-0001/").json()
    assert entry["collectivite"]["slug"] == "cdg74"
    assert {"siren", "insee_code", "departement", "kind", "population_band"} <= set(
        entry["collectivite"]
    )
    assert entry["tools"] == [
        {"id": Tool.objects.get(slug="whatsnext").pk, "slug": "whatsnext", "name": "Whatsnext",
         "kind": "business", "vendor": None}
    ]  # fmt: skip
    assert [s["text"] for s in entry["steps"]][3] == "Expérimentation"


def test_contact_email_is_shared_only_when_peers_may_ask(api_for, annecy, people,
                                                        published_use_case):  # fmt: skip
    public_id = published_use_case.public_id
    client = api_for("grand-annecy", people["admin"])
    curator = api_for(None, people["curator"])
    use_case = f"/api/v1/use-cases/{public_id}/"
    client.patch(
        use_case,
        {"contact_email": "juridique@annecy.test", "purpose": "Gagner du temps"},
        format="json",
    )
    client.post(f"{use_case}submit/", {"message": "Objectifs précisés"}, format="json")
    approved = curator.post(f"{QUEUE}{public_id}/approve/", {}, format="json")
    assert approved.status_code == 200, approved.json()
    entry = api_for(None).get(f"{LIST}{public_id}/").json()
    assert entry["contact_email"] == ""
    client.patch(use_case, {"peer_contact_ok": True}, format="json")
    client.post(f"{use_case}submit/", {"message": "Questions bienvenues"}, format="json")
    curator.post(f"{QUEUE}{public_id}/approve/", {}, format="json")
    assert api_for(None).get(f"{LIST}{public_id}/").json()["contact_email"] == ""
    member = api_for(None, people["other"]).get(f"{LIST}{public_id}/").json()
    assert member["contact_email"] == "juridique@annecy.test"
    # the public list and exports never carry it
    listed = api_for(None, people["other"]).get(LIST + "?collectivite=grand-annecy").json()
    assert next(r for r in listed["results"] if r["public_id"] == public_id)["contact_email"] == ""
    # withdrawing the consent applies at once, without waiting for a review
    client.patch(use_case, {"peer_contact_ok": False}, format="json")
    member = api_for(None, people["other"]).get(f"{LIST}{public_id}/").json()
    assert member["contact_email"] == ""


# --- stats -------------------------------------------------------------------------------------


def test_stats_by_one_and_two_dimensions(api_for):
    client = api_for(None)
    by_status = client.get(f"{STATS}?by=status").json()
    assert by_status["total"] == 7
    assert {r["status"]: r["count"] for r in by_status["results"]} == {
        "pilot": 4,
        "idea": 2,
        "design": 1,
    }
    cross = client.get(f"{STATS}?by=domain&by=status").json()["results"]
    assert {"domain": "ressources-humaines", "status": "pilot", "count": 1} in cross
    assert {"domain": "ressources-humaines", "status": "idea", "count": 1} in cross
    # an entry with two domains counts under each
    assert sum(r["count"] for r in cross) == 8
    tools = client.get(f"{STATS}?by=tool").json()["results"]
    assert {"tool": Tool.objects.get(slug="delibia").pk, "count": 2} in tools


def test_stats_honour_the_filters(api_for):
    body = api_for(None).get(f"{STATS}?by=status&ai_family=business").json()
    assert body["total"] == 3
    assert body["results"] == [{"status": "pilot", "count": 3}]


@pytest.mark.parametrize("query", ["", "by=colour", "by=status&by=status", "by=a&by=b&by=c"])
def test_stats_need_one_or_two_known_dimensions(api_for, query):
    response = api_for(None).get(f"{STATS}?{query}")
    assert response.status_code == 400
    assert "by" in response.json()


# --- exports -----------------------------------------------------------------------------------


def test_csv_export_opens_in_a_french_spreadsheet_and_parses_back(api_for):
    response = api_for(None).get("/api/v1/benchmark/export.csv?status=pilot")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = response.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert {row["public_id"] for row in rows} == {
        "74-CDG74-0001",
        "74-GRAND-ANNECY-0001",
        "COLLECTIVITE-A-0001",
        "EPCI-B-0001",
    }
    cdg = next(row for row in rows if row["public_id"] == "74-CDG74-0001")
    assert cdg["collectivite_slug"] == "cdg74"
    assert cdg["tool_ids"] == str(Tool.objects.get(slug="whatsnext").pk)
    assert cdg["tool_names"] == "Whatsnext"
    assert cdg["status_label"] == "Expérimentation"
    assert (cdg["status_nl"], cdg["status_uk"], cdg["status_us"], cdg["status_eu"]) == (
        "In gebruik",
        "Beta/Pilot",
        "Pilot",
        "Pilot",
    )
    assert {"siren", "insee_code"} <= set(cdg)


def test_csv_export_with_comma_separator(api_for):
    raw = api_for(None).get("/api/v1/benchmark/export.csv?sep=,").getvalue().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert len(rows) == 7 and rows[0]["public_id"]
    assert api_for(None).get("/api/v1/benchmark/export.csv?sep=|").status_code == 400


def test_xlsx_export_parses_back(api_for, annecy):
    use_case = PublishedUseCaseFactory(collectivite=annecy, tool_slugs=["claude"])
    claude = Tool.objects.get(slug="claude").pk
    response = api_for(None).get(
        f"/api/v1/benchmark/export.xlsx?collectivite=grand-annecy&tool={claude}"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.getvalue()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert row["public_id"] == use_case.public_id
    assert row["title"] == use_case.title
    assert row["tool_names"] == "Claude"
    assert row["tool_ids"] == str(claude)


def test_json_export_parses_back_with_full_entries(api_for, people, shared):
    anonymous = json.loads(api_for(None).get("/api/v1/benchmark/export.json").getvalue())
    assert len(anonymous) == 7
    assert all(entry["public_id"] and entry["collectivite"]["slug"] for entry in anonymous)
    member = json.loads(
        api_for(None, people["reader"]).get("/api/v1/benchmark/export.json").getvalue()
    )
    assert shared["network"] in {entry["public_id"] for entry in member}


def test_unknown_export_format_is_404(api_for):
    assert api_for(None).get("/api/v1/benchmark/export.pdf").status_code == 404


# --- catalogue and collectivités ---------------------------------------------------------------


def test_collectivites_with_their_published_counts(api_for, people, shared):
    rows = api_for(None).get("/api/v1/collectivites/").json()["results"]
    counts = {row["slug"]: row["published_count"] for row in rows}
    assert counts["cdg74"] == 1 and counts["grand-annecy"] == 1 and len(counts) == 7
    rows = api_for(None, people["reader"]).get("/api/v1/collectivites/").json()["results"]
    assert {row["slug"]: row["published_count"] for row in rows}["cdg74"] == 2


def test_tools_with_how_many_collectivites_use_them_by_status(api_for, annecy):
    PublishedUseCaseFactory(
        collectivite=annecy,
        title="Autre usage de Delibia",
        tool_slugs=["delibia"],
        status="production",
    )
    rows = {row["slug"]: row for row in api_for(None).get("/api/v1/tools/").json()["results"]}
    assert rows["delibia"]["collectivites_count"] == 3
    assert rows["delibia"]["by_status"] == {"pilot": 2, "production": 1}
    assert rows["claude"]["collectivites_count"] == 0
    assert "Délib-IA" in rows["delibia"]["aliases"]


# --- auth, caching, throttling, queries ---------------------------------------------------------


def test_token_from_email_and_password(api_for, people, shared):
    client = api_for(None)
    response = client.post("/api/v1/auth/token/",
                           {"email": "LECTEUR@annecy.test", "password": PASSWORD}, format="json")  # fmt: skip
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert shared["network"] in _ids(client.get(LIST + "?page_size=100"))


def test_conditional_get_with_etag(api_for, annecy):
    client = api_for(None)
    first = client.get(f"{LIST}?status=pilot")
    etag = first["ETag"]
    assert client.get(f"{LIST}?status=pilot", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(f"{LIST}?status=idea", HTTP_IF_NONE_MATCH=etag).status_code == 200
    stats = client.get(f"{STATS}?by=status")
    assert client.get(f"{STATS}?by=status", HTTP_IF_NONE_MATCH=stats["ETag"]).status_code == 304
    PublishedUseCaseFactory(collectivite=annecy, title="Nouveau cas", status="pilot")
    assert client.get(f"{LIST}?status=pilot", HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert client.get(f"{STATS}?by=status", HTTP_IF_NONE_MATCH=stats["ETag"]).status_code == 200


def test_etag_differs_between_anonymous_and_member(api_for, people):
    anonymous = api_for(None).get(LIST)["ETag"]
    member = api_for(None, people["reader"]).get(LIST)["ETag"]
    assert anonymous != member


def test_anonymous_callers_are_throttled(api_for, settings):
    from rest_framework.throttling import AnonRateThrottle

    rates = {**AnonRateThrottle.THROTTLE_RATES, "anon": "3/min"}
    original = AnonRateThrottle.THROTTLE_RATES
    AnonRateThrottle.THROTTLE_RATES = rates
    try:
        client = api_for(None)
        codes = [client.get("/api/v1/tools/").status_code for _ in range(4)]
    finally:
        AnonRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 200, 429]


@pytest.fixture
def anon_rate_3_per_minute():
    from rest_framework.throttling import AnonRateThrottle

    original = AnonRateThrottle.THROTTLE_RATES
    AnonRateThrottle.THROTTLE_RATES = {**original, "anon": "3/min"}
    yield
    AnonRateThrottle.THROTTLE_RATES = original


def test_anonymous_list_is_throttled_when_served_from_the_kept_page(
    api_for, annecy, anon_rate_3_per_minute
):
    PublishedUseCaseFactory(collectivite=annecy, title="Cas gardé")
    client = api_for(None)
    responses = [client.get(LIST) for _ in range(4)]
    # The 2nd and 3rd come from the kept page (one Redis round trip with the counter).
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[1].content == responses[0].content
    assert "Retry-After" in responses[3]


def test_anonymous_revalidations_and_members_keep_their_own_throttles(
    api_for, annecy, people, anon_rate_3_per_minute
):
    PublishedUseCaseFactory(collectivite=annecy, title="Cas gardé")
    client = api_for(None)
    etag = client.get(LIST)["ETag"]
    codes = [client.get(LIST, HTTP_IF_NONE_MATCH=etag).status_code for _ in range(3)]
    assert codes == [304, 304, 429]
    # A member is counted by the user rate (1200/min), not the anonymous one.
    member = api_for(None, people["reader"])
    assert [member.get(LIST).status_code for _ in range(4)] == [200] * 4


def test_callers_that_take_anything_get_json_and_browsers_the_browsable_api(api_for):
    client = api_for(None)
    for accept in (None, "*/*", "application/json"):
        headers = {"HTTP_ACCEPT": accept} if accept else {}
        response = client.get(LIST, **headers)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json", accept
    browser = client.get(LIST, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert browser["Content-Type"].startswith("text/html")
    assert client.get(LIST + "?format=api", HTTP_ACCEPT="*/*")["Content-Type"].startswith(
        "text/html"
    )
    assert client.get(LIST, HTTP_ACCEPT="image/png").status_code == 406


def test_benchmark_list_query_count_does_not_grow_with_page_size(api_for, annecy):
    for index in range(5):
        PublishedUseCaseFactory(collectivite=annecy, title=f"Cas {index}", tool_slugs=["mistral"])
    client = api_for(None)
    # The synonym list is read once into the shared cache, then by every request from there.
    client.get(f"{LIST}?q=synonymes")
    counts = []
    for size in (1, 12):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{LIST}?page_size={size}&q=cas")
        assert response.status_code == 200
        counts.append(len(data_queries(queries)))
    assert counts[0] == counts[1] <= 3, counts  # version (ETag), count, page


@pytest.mark.parametrize("path", ["/api/v1/collectivites/", "/api/v1/tools/",
                                  STATS + "?by=domain&by=status"])  # fmt: skip
def test_other_lists_make_a_constant_number_of_queries(api_for, annecy, path):
    client = api_for(None)
    with CaptureQueriesContext(connection) as before:
        client.get(path)
    for index in range(4):
        PublishedUseCaseFactory(
            collectivite=annecy,
            title=f"Cas {index}",
            tool_slugs=["claude"],
            domain_codes=["finances"],
        )
    with CaptureQueriesContext(connection) as after:
        client.get(path)
    assert len(data_queries(before)) == len(data_queries(after))


def test_the_benchmark_never_reads_a_collectivite_schema(api_for):
    with CaptureQueriesContext(connection) as queries:
        for path in [LIST + "?q=juridique", STATS + "?by=tool", "/api/v1/benchmark/export.csv",
                     "/api/v1/tools/", "/api/v1/collectivites/"]:  # fmt: skip
            api_for(None).get(path)
    sql = " ".join(query["sql"] for query in queries)
    assert "casestudies_" not in sql
    assert connection.schema_name == "public"


def test_use_case_table_is_untouched_by_benchmark_reads(api_for, annecy):
    def state():
        with tenant_context(annecy):
            return list(UseCase.objects.order_by("pk").values_list("pk", "updated_at"))

    before = state()
    assert before
    for path in [LIST, f"{LIST}?q=juridique", STATS + "?by=status", "/api/v1/benchmark/export.csv",
                 "/api/v1/benchmark/export.xlsx", "/api/v1/benchmark/export.json"]:  # fmt: skip
        assert api_for(None).get(path).status_code == 200, path
    assert state() == before


@pytest.mark.parametrize("query", ["domain=zzz", "tool=abc", "tool=9223372036854775808",
                                   "domain=%00", "collectivite=%00", "departement=%00"])  # fmt: skip
def test_bad_filters_are_400_on_the_explorer_and_the_api(client_for, api_for, query):
    assert client_for(None).get(f"/cas-d-usage/?{query}").status_code == 400
    assert api_for(None).get(f"/api/v1/benchmark/use-cases/?{query}").status_code == 400
    assert api_for(None).get(f"/api/v1/benchmark/stats/?by=status&{query}").status_code == 400
    assert api_for(None).get(f"/api/v1/benchmark/export.csv?{query}").status_code == 400


@pytest.mark.parametrize("path", ["/api/v1/benchmark/use-cases/NOPE/",
                                  "/api/v1/benchmark/review-queue/nope/"])  # fmt: skip
def test_unknown_ids_on_the_api_are_json_404s(api_for, people, path):
    response = api_for(None, people["curator"]).get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_exported_text_never_runs_as_a_formula(api_for, people, annecy, published_use_case):
    public_id = published_use_case.public_id
    client = api_for("grand-annecy", people["admin"])
    client.patch(f"/api/v1/use-cases/{public_id}/",
                 {"summary": '=HYPERLINK("http://evil.example","clic")'}, format="json")  # fmt: skip
    client.post(f"/api/v1/use-cases/{public_id}/submit/", {"message": "x"}, format="json")
    api_for(None, people["curator"]).post(f"{QUEUE}{public_id}/approve/", {}, format="json")
    raw = api_for(None).get("/api/v1/benchmark/export.csv?collectivite=grand-annecy").getvalue()
    rows = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";")
    row = next(row for row in rows if row["public_id"] == public_id)
    assert row["summary"] == '\'=HYPERLINK("http://evil.example","clic")'
    xlsx = api_for(None).get("/api/v1/benchmark/export.xlsx?collectivite=grand-annecy").getvalue()
    sheet = load_workbook(io.BytesIO(xlsx)).active
    header = [cell.value for cell in sheet[1]]
    line = next(
        index
        for index in range(2, sheet.max_row + 1)
        if sheet.cell(row=index, column=header.index("public_id") + 1).value == public_id
    )
    cell = sheet.cell(row=line, column=header.index("summary") + 1)
    assert cell.data_type == "s" and cell.value.startswith("'=")
