"""The collectivité API (<slug>.<BASE_DOMAIN>/api/v1/use-cases/): roles, validation, publication."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from casestudies.models import UseCase, UseCaseEvent
from registry.models import BenchmarkEntry, Tool
from tests.conftest import data_queries
from tests.factories import DraftUseCaseFactory, PublishedUseCaseFactory, next_public_id

BASE = "/api/v1/use-cases/"
ROLES = ["anonymous", "reader", "contributor", "admin", "other", "curator"]


def _payload(**overrides):
    body = {
        "title": "Assistant de rédaction des comptes rendus",
        "summary": "Un assistant propose un premier jet des comptes rendus de réunion.",
        "ai_family": "generalist",
        "domains": ["administration-generale-et-assemblees"],
        "automation_level": "assistance",
        "status": "pilot",
        "personal_data": "no",
        "visibility": "public",
        "tools": [Tool.objects.get(slug="mistral").pk],
        "steps": [{"text": "Choisir l'outil"}, {"text": "Former les agents", "phase": "planning"}],
        "lessons": [{"category": "quality", "polarity": "difficulty", "text": "Relire toujours."}],
        "metrics": [{"name": "Temps gagné", "unit": "h/semaine", "value": "3.5"}],
    }
    body.update(overrides)
    return body


def _client(api_for, people, who, slug="grand-annecy"):
    return api_for(slug, None if who == "anonymous" else people[who])


# --- who gets what -----------------------------------------------------------------------------

EXPECTED_READ = {"anonymous": 404, "reader": 200, "contributor": 200, "admin": 200, "other": 404,
                 "curator": 404}  # fmt: skip
EXPECTED_CREATE = {"anonymous": 404, "reader": 403, "contributor": 201, "admin": 201, "other": 404,
                   "curator": 404}  # fmt: skip
EXPECTED_EDIT = {"anonymous": 404, "reader": 403, "contributor": 200, "admin": 200, "other": 404,
                 "curator": 404}  # fmt: skip
EXPECTED_ADMIN = {"anonymous": 404, "reader": 403, "contributor": 403, "admin": 200, "other": 404,
                  "curator": 404}  # fmt: skip


@pytest.mark.parametrize("who", ROLES)
def test_list_and_retrieve_by_role(api_for, people, annecy, who):
    use_case = PublishedUseCaseFactory(collectivite=annecy, title="Veille des marchés publics")
    client = _client(api_for, people, who)
    listed = client.get(BASE)
    assert listed.status_code == EXPECTED_READ[who]
    response = client.get(f"{BASE}{use_case.public_id}/")
    assert response.status_code == EXPECTED_READ[who]
    if EXPECTED_READ[who] == 200:
        assert response.json()["title"] == "Veille des marchés publics"
        assert use_case.public_id in {row["public_id"] for row in listed.json()["results"]}
    else:
        assert "marchés" not in response.content.decode()
        assert "marchés" not in listed.content.decode()


@pytest.mark.parametrize("who", ROLES)
def test_create_by_role(api_for, people, annecy, who):
    with tenant_context(annecy):
        before = UseCase.objects.count()
    response = _client(api_for, people, who).post(BASE, _payload(), format="json")
    assert response.status_code == EXPECTED_CREATE[who], response.content
    with tenant_context(annecy):
        assert UseCase.objects.count() == before + (1 if EXPECTED_CREATE[who] == 201 else 0)


@pytest.mark.parametrize("who", ROLES)
def test_edit_by_role(api_for, people, annecy, published_use_case, who):
    public_id = published_use_case.public_id
    client = _client(api_for, people, who)
    response = client.patch(f"{BASE}{public_id}/", {"status": "production"}, format="json")
    assert response.status_code == EXPECTED_EDIT[who]
    with tenant_context(annecy):
        status = UseCase.objects.get(public_id=public_id).status
    assert status == ("production" if EXPECTED_EDIT[who] == 200 else "pilot")


@pytest.mark.parametrize("who", ROLES)
def test_transitions_by_role_on_the_collectivite_api(api_for, people, annecy, who):
    """Members submit and withdraw (contributor, admin), unpublish and archive (admin); publishing
    is the curators' decision, refused here to everyone with a reason; others get 404."""
    client = _client(api_for, people, who)
    outsider = who in ("anonymous", "other", "curator")
    draft = DraftUseCaseFactory(collectivite=annecy).public_id
    published = PublishedUseCaseFactory(collectivite=annecy).public_id
    expected = {
        "submit": {"reader": 403, "contributor": 200, "admin": 200},
        "withdraw": {"reader": 403, "contributor": 200, "admin": 200},
        "publish": {"reader": 403, "contributor": 403, "admin": 403},
        "unpublish": {"reader": 403, "contributor": 403, "admin": 200},
        "archive": {"reader": 403, "contributor": 403, "admin": 204},
    }
    calls = [
        (
            "submit",
            lambda: client.post(f"{BASE}{draft}/submit/", {"message": "À relire"}, format="json"),
        ),
        ("withdraw", lambda: client.post(f"{BASE}{draft}/withdraw/", {}, format="json")),
        ("publish", lambda: client.post(f"{BASE}{published}/publish/", {}, format="json")),
        ("unpublish", lambda: client.post(f"{BASE}{published}/unpublish/", {}, format="json")),
        ("archive", lambda: client.delete(f"{BASE}{published}/")),
    ]
    for name, call in calls:
        response = call()
        assert response.status_code == (404 if outsider else expected[name][who]), name
        if response.status_code == 403:
            assert "refusée" in response.json()["detail"] or "rôle" in response.json()["detail"]
    with tenant_context(annecy):
        state = UseCase.objects.get(public_id=published).publication_state
    assert state == ("archived" if who == "admin" else "published")


def test_a_member_of_another_collectivite_cannot_reach_it_through_their_own_host(
    api_for, people, published_use_case
):
    public_id = published_use_case.public_id
    assert api_for("grand-annecy", people["admin"]).get(f"{BASE}{public_id}/").status_code == 200
    response = api_for("cdg74", people["other"]).get(f"{BASE}{public_id}/")
    assert response.status_code == 404


def test_token_authentication_works_on_the_collectivite_api(api_for, people):
    from tests.conftest import PASSWORD

    client = api_for("grand-annecy")
    token = client.post(
        "/api/v1/auth/token/", {"email": "lecteur@annecy.test", "password": PASSWORD}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(BASE).status_code == 200
    other = api_for("cdg74")
    other.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert other.get(BASE).status_code == 404


# --- writes ------------------------------------------------------------------------------------


def test_create_writes_children_atomically_and_returns_them(api_for, people, annecy):
    public_id = next_public_id(annecy)
    response = api_for("grand-annecy", people["contributor"]).post(BASE, _payload(), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["public_id"] == public_id
    assert [s["text"] for s in body["steps"]] == ["Choisir l'outil", "Former les agents"]
    assert [s["position"] for s in body["steps"]] == [1, 2]
    assert body["lessons"][0]["category"] == "quality"
    assert body["metrics"][0]["value"] == "3.50"
    assert body["tools"][0]["slug"] == "mistral"
    assert body["publication_state"] == "draft"
    with tenant_context(annecy):
        assert UseCaseEvent.objects.get(use_case__public_id=public_id).action == "created"


def test_put_replaces_and_patch_changes_only_what_is_sent(api_for, people, annecy):
    client = api_for("grand-annecy", people["contributor"])
    public_id = client.post(BASE, _payload(), format="json").json()["public_id"]
    response = client.patch(
        f"{BASE}{public_id}/", {"steps": [{"text": "Seule étape"}]}, format="json"
    )
    assert response.status_code == 200
    assert [s["text"] for s in response.json()["steps"]] == ["Seule étape"]
    assert response.json()["lessons"][0]["text"] == "Relire toujours."
    response = client.put(f"{BASE}{public_id}/", _payload(title="Nouveau titre", lessons=[]),
                          format="json")  # fmt: skip
    assert response.status_code == 200
    assert response.json()["title"] == "Nouveau titre"
    assert response.json()["lessons"] == []
    missing = client.put(f"{BASE}{public_id}/", {"title": "Sans le reste"}, format="json")
    assert missing.status_code == 400
    assert {"summary", "ai_family", "domains", "status"} <= set(missing.json())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "finished"}, "status"),
        ({"ai_family": 3}, "ai_family"),
        ({"domains": ["inconnu"]}, "domains"),
        ({"domains": []}, "domains"),
        ({"tools": [999999]}, "tools"),
        ({"title": "x" * 121}, "title"),
        ({"summary": "x" * 401}, "summary"),
        ({"techniques": ["telepathy"]}, "techniques"),
        ({"satisfaction": 9}, "satisfaction"),
        ({"steps": [{"text": ""}]}, "steps"),
        ({"steps": "pas une liste"}, "steps"),
        ({"contact_email": "pas-une-adresse"}, "contact_email"),
        ({"started_on": "26/11/2026"}, "started_on"),
        ({"titel": "faute de frappe"}, "titel"),
    ],
)
def test_invalid_input_is_a_400_naming_the_field_and_writes_nothing(api_for, people, annecy, body,
                                                                     field):  # fmt: skip
    with tenant_context(annecy):
        before = UseCase.objects.count()
    response = api_for("grand-annecy", people["contributor"]).post(BASE, _payload(**body),
                                                                   format="json")  # fmt: skip
    assert response.status_code == 400
    assert field in response.json(), response.json()
    with tenant_context(annecy):
        assert UseCase.objects.count() == before


def test_malformed_json_is_a_400(api_for, people):
    response = api_for("grand-annecy", people["contributor"]).post(
        BASE, "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()


def test_service_rule_errors_come_back_as_400_with_the_field(api_for, people, annecy):
    client = api_for("grand-annecy", people["admin"])
    public_id = DraftUseCaseFactory(collectivite=annecy, visibility="private").public_id
    response = client.post(f"{BASE}{public_id}/submit/", {"message": "Voici"}, format="json")
    assert response.status_code == 400
    assert "visibility" in response.json()
    response = client.post(f"{BASE}{public_id}/submit/", {}, format="json")
    assert response.status_code == 400
    assert "message" in response.json()


def test_archived_use_case_cannot_be_edited(api_for, people, published_use_case):
    public_id = published_use_case.public_id
    client = api_for("grand-annecy", people["admin"])
    assert client.delete(f"{BASE}{public_id}/").status_code == 204
    response = client.patch(f"{BASE}{public_id}/", {"status": "production"}, format="json")
    assert response.status_code == 400
    assert "archivé" in response.content.decode()


# --- the benchmark follows at once ---------------------------------------------------------------


def test_approval_and_unpublication_are_reflected_in_the_benchmark_at_once(api_for, people,
                                                                           annecy):  # fmt: skip
    admin = api_for("grand-annecy", people["admin"])
    curator = api_for(None, people["curator"])
    public_id = DraftUseCaseFactory(collectivite=annecy, title="Traduction des courriers").public_id
    benchmark = api_for(None)

    def titles():
        return [r["title"] for r in benchmark.get("/api/v1/benchmark/use-cases/").json()["results"]]

    assert "Traduction des courriers" not in titles()
    assert (
        admin.post(f"{BASE}{public_id}/submit/", {"message": "Prêt"}, format="json").status_code
        == 200
    )
    assert "Traduction des courriers" not in titles()
    approve = curator.post(
        f"/api/v1/benchmark/review-queue/{public_id}/approve/", {}, format="json"
    )
    assert approve.status_code == 200, approve.content
    assert "Traduction des courriers" in titles()
    assert BenchmarkEntry.objects.get(public_id=public_id).collectivite.slug == "grand-annecy"
    assert admin.post(f"{BASE}{public_id}/unpublish/", {}, format="json").status_code == 200
    assert "Traduction des courriers" not in titles()
    assert not BenchmarkEntry.objects.filter(public_id=public_id).exists()


def test_archiving_removes_the_benchmark_entry(api_for, people, published_use_case):
    public_id = published_use_case.public_id
    assert BenchmarkEntry.objects.filter(public_id=public_id).exists()
    assert api_for("grand-annecy", people["admin"]).delete(f"{BASE}{public_id}/").status_code == 204
    assert not BenchmarkEntry.objects.filter(public_id=public_id).exists()


def test_a_failed_benchmark_write_rolls_the_publication_back(people, annecy, monkeypatch):
    from casestudies import services
    from registry import services as registry_services

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(registry_services, "benchmark_entry_write", broken)
    use_case = DraftUseCaseFactory(collectivite=annecy)
    with tenant_context(annecy):
        services.usecase_submit(use_case=use_case, actor=None, message="test")
        with pytest.raises(RuntimeError):
            services.usecase_approve(use_case=use_case, actor=None)
        use_case.refresh_from_db()
        assert use_case.publication_state == "submitted"
        assert not UseCaseEvent.objects.filter(use_case=use_case, action="published").exists()


# --- filters and queries -----------------------------------------------------------------------


def test_filters_on_vocabularies_dates_and_search(api_for, people, annecy):
    client = api_for("grand-annecy", people["contributor"])
    reports = DraftUseCaseFactory(
        collectivite=annecy, title="Assistant de rédaction des comptes rendus", status="production",
        started_on="2025-03-01", domain_codes=["administration-generale-et-assemblees"],
        tool_slugs=["mistral"],
    ).public_id  # fmt: skip
    budget = DraftUseCaseFactory(
        collectivite=annecy, title="Prévision budgétaire", status="design",
        domain_codes=["finances"], tool_slugs=["claude"],
    ).public_id  # fmt: skip
    get = lambda q: [r["public_id"] for r in client.get(f"{BASE}?{q}").json()["results"]]  # noqa: E731
    assert get("status=production") == [reports]
    assert get("status=production&status=design") == [reports, budget]
    assert get("domain=finances") == [budget]
    assert get(f"tool={Tool.objects.get(slug='claude').pk}") == [budget]
    assert get("started_after=2025-01-01") == [reports]
    assert get("search=comptes rendus") == [reports]
    assert get("ordering=-public_id&status=production&status=design") == [budget, reports]
    assert client.get(f"{BASE}?status=finished").status_code == 400
    assert client.get(f"{BASE}?started_after=hier").status_code == 400


def test_list_makes_the_same_number_of_queries_whatever_the_page_size(api_for, people, annecy):
    client = api_for("grand-annecy", people["contributor"])
    for index in range(6):
        DraftUseCaseFactory(
            collectivite=annecy, title=f"Cas {index}", tool_slugs=["mistral"], steps=["Un", "Deux"]
        )
    counts = []
    for size in (1, 7):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{BASE}?page_size={size}")
        assert len(response.json()["results"]) == size
        counts.append(len(data_queries(queries)))
    assert counts[0] == counts[1], counts


def test_a_get_body_can_be_put_back_unchanged(api_for, people, annecy):
    public_id = PublishedUseCaseFactory(
        collectivite=annecy, tool_slugs=["lexisnexis"], steps=["Cadrage", "Test"]
    ).public_id
    client = api_for("grand-annecy", people["contributor"])
    body = client.get(f"{BASE}{public_id}/").json()
    body["domains"] = [d["code"] for d in body["domains"]]
    body["tools"] = [t["id"] for t in body["tools"]]
    response = client.put(f"{BASE}{public_id}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == body["title"]


def test_partner_collectivites_are_written_and_published(api_for, people):
    client = api_for("grand-annecy", people["contributor"])
    created = client.post(BASE, _payload(partner_collectivites=["epci-a", "cdg74"]), format="json")
    assert created.status_code == 201
    assert sorted(created.json()["partner_collectivites"]) == ["cdg74", "epci-a"]
    itself = client.post(BASE, _payload(partner_collectivites=["grand-annecy"]), format="json")
    assert itself.status_code == 400 and "partner_collectivites" in itself.json()
    unknown = client.post(BASE, _payload(partner_collectivites=["nulle-part"]), format="json")
    assert unknown.status_code == 400 and "partner_collectivites" in unknown.json()


def test_costs_and_impact_assessments_are_written_and_shown_publicly_once_published(
    api_for, people
):
    client = api_for("grand-annecy", people["admin"])
    body = _payload(
        costs=[{"kind": "annual_licence", "amount": "4800.00", "period": "2025"}],
        impact_assessments=[{"type": "dpia", "status": "done", "date": "2025-01-15"}],
    )
    created = client.post(BASE, body, format="json")
    assert created.status_code == 201, created.json()
    public_id = created.json()["public_id"]
    assert created.json()["costs"] == [
        {"kind": "annual_licence", "amount": "4800.00", "period": "2025", "funding_source": ""}
    ]
    bad = client.post(BASE, _payload(costs=[{"kind": "bribe", "amount": "-1"}]), format="json")
    assert bad.status_code == 400 and "costs" in bad.json()
    client.post(f"{BASE}{public_id}/submit/", {"message": "Coûts"}, format="json")
    api_for(None, people["curator"]).post(
        f"/api/v1/benchmark/review-queue/{public_id}/approve/", {}, format="json"
    )
    entry = api_for(None).get(f"/api/v1/benchmark/use-cases/{public_id}/").json()
    assert entry["costs"][0]["amount"] == "4800.00"
    assert entry["impact_assessments"][0]["type"] == "dpia"


def test_dates_before_the_start_are_refused(api_for, people, draft_use_case):
    response = api_for("grand-annecy", people["contributor"]).patch(
        f"/api/v1/use-cases/{draft_use_case.public_id}/",
        {"started_on": "2024-01-01", "production_on": "2023-01-01"}, format="json",
    )  # fmt: skip
    assert response.status_code == 400 and "production_on" in response.json()
