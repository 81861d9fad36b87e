"""Curators' side of the benchmark: the review queue, decisions, annotations, unpublication."""

import pytest
from django_tenants.utils import tenant_context

from casestudies.models import UseCaseEvent
from registry.models import BenchmarkEntry, BenchmarkEntryEvent, Submission
from tests.factories import DraftUseCaseFactory

QUEUE = "/api/v1/benchmark/review-queue/"
BASE = "/api/v1/use-cases/"
LIST = "/api/v1/benchmark/use-cases/"


def _titles(api_for, who=None):
    rows = api_for(None, who).get(f"{LIST}?page_size=100").json()["results"]
    return {row["public_id"]: row["title"] for row in rows}


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("reader", 403), ("admin", 403),
                                             ("other", 403), ("curator", 200)])  # fmt: skip
def test_review_queue_is_for_curators(api_for, people, who, status):
    client = api_for(None, None if who == "anonymous" else people[who])
    assert client.get(QUEUE).status_code == status


def test_queue_shows_completeness_and_what_is_missing(api_for, people, annecy):
    public_id = DraftUseCaseFactory(
        collectivite=annecy,
        summary="Un agent conversationnel répond aux questions simples des usagers.",
        tool_slugs=["mistral"],
        steps=["Cadrage", "Test"],
    ).public_id
    api_for("grand-annecy", people["admin"]).post(f"{BASE}{public_id}/submit/",
                                                  {"message": "Svp"}, format="json")  # fmt: skip
    row = api_for(None, people["curator"]).get(f"{QUEUE}{public_id}/").json()
    missing = {item["field"] for item in row["missing"]}
    assert missing == {
        "context", "purpose", "department_service", "representative", "techniques",
        "audiences", "method_phase", "started_on", "ai_act_risk", "hosting", "human_oversight",
        "risks_and_mitigations", "lessons", "metrics", "training_done", "users_count_band",
    }  # fmt: skip
    # what is there: title 8, summary of 40 characters or more 10, tools 8, domains 5, steps 7
    assert row["completeness"] == 38
    assert {item["field"]: item["weight"] for item in row["missing"]}["lessons"] == 7
    # a new use case: every field is new in the difference
    assert {change["field"] for change in row["changes"]} >= {"title", "summary", "steps"}
    detail = api_for("grand-annecy", people["admin"]).get(f"{BASE}{public_id}/").json()
    assert detail["completeness"] == 38


def test_queue_makes_a_constant_number_of_queries(api_for, people, annecy):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import data_queries

    admin = api_for("grand-annecy", people["admin"])
    curator = api_for(None, people["curator"])
    counts = []
    for index in range(3):
        public_id = DraftUseCaseFactory(collectivite=annecy, title=f"Cas {index}").public_id
        admin.post(f"{BASE}{public_id}/submit/", {"message": "Svp"}, format="json")
        with CaptureQueriesContext(connection) as queries:
            assert curator.get(QUEUE).json()["count"] == index + 1
        counts.append(len(data_queries(queries)))
    assert counts[0] == counts[1] == counts[2], counts


def test_curator_annotations_normalise_filters_and_survive_republication(
    api_for, people, annecy, published_use_case
):
    curator = api_for(None, people["curator"])
    public_id = published_use_case.public_id
    url = f"{LIST}{public_id}/annotations/"
    assert (
        api_for(None, people["admin"]).patch(url, {"featured": True}, format="json").status_code
        == 403
    )
    response = curator.patch(url, {"featured": True, "curator_note": "Exemplaire",
                                   "curated_domains": ["juridique", "commande-publique"],
                                   "quality_flags": ["missing_outcomes"]}, format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    ids = lambda q: {r["public_id"] for r in api_for(None).get(f"{LIST}?{q}").json()["results"]}  # noqa: E731
    assert public_id in ids("domain=commande-publique")
    entry = api_for(None).get(f"{LIST}{public_id}/").json()
    assert (
        entry["curation"]["featured"] is True and entry["curation"]["curator_note"] == "Exemplaire"
    )
    assert [d["code"] for d in entry["domains"]] == ["juridique"]  # the collectivité's words kept
    bad = curator.patch(url, {"curated_domains": ["inconnu"], "quality_flags": ["nope"]},
                        format="json")  # fmt: skip
    assert bad.status_code == 400
    assert "quality_flags" in bad.json()
    bad = curator.patch(url, {"curated_domains": ["inconnu"]}, format="json")
    assert bad.status_code == 400 and "curated_domains" in bad.json()
    # republication keeps the annotations
    admin = api_for("grand-annecy", people["admin"])
    admin.patch(f"{BASE}{public_id}/", {"purpose": "Fiabiliser"}, format="json")
    admin.post(f"{BASE}{public_id}/submit/", {"message": "Objectif"}, format="json")
    curator.post(f"{QUEUE}{public_id}/approve/", {}, format="json")
    entry = api_for(None).get(f"{LIST}{public_id}/").json()
    assert entry["purpose"] == "Fiabiliser" and entry["curation"]["featured"] is True
    assert public_id in ids("domain=commande-publique")
    assert BenchmarkEntryEvent.objects.filter(public_id=public_id, action="annotated").count() == 1


def test_curator_can_unpublish_from_the_benchmark(api_for, people, annecy, published_use_case):
    public_id = published_use_case.public_id
    assert api_for(None, people["admin"]).post(f"{LIST}{public_id}/unpublish/").status_code == 403
    response = api_for(None, people["curator"]).post(f"{LIST}{public_id}/unpublish/",
                                                     {"comment": "Doublon"}, format="json")  # fmt: skip
    assert response.status_code == 204
    assert public_id not in _titles(api_for)
    with tenant_context(annecy):
        event = UseCaseEvent.objects.filter(use_case__public_id=public_id).latest("id")
    assert (event.action, event.comment, event.actor.email) == ("unpublished", "Doublon",
                                                                "curateur@cdg74.test")  # fmt: skip


def test_the_admin_s_submission_page_is_french_and_leads_to_the_review_page(
    client_for, api_for, people, annecy, published_use_case
):
    public_id = published_use_case.public_id
    admin = api_for("grand-annecy", people["admin"])
    admin.patch(f"/api/v1/use-cases/{public_id}/", {"purpose": "Veille"}, format="json")
    admin.post(f"/api/v1/use-cases/{public_id}/submit/", {"message": "Svp"}, format="json")
    submission = Submission.objects.get(state="pending")
    client = client_for(None, people["curator"])
    listing = client.get("/admin/registry/submission/").content.decode()
    for english in ("Public id", "Submitted by", "Par state", ">State<", ">Title<"):
        assert english not in listing
    assert "Par état" in listing and "Complétude" in listing
    body = client.get(f"/admin/registry/submission/{submission.pk}/change/").content.decode()
    review = f"/curation/soumissions/{submission.pk}/"
    assert f'href="{review}"' in body and "Examiner et décider" in body
    assert "Message de la collectivité" in body and "Soumise par" in body
    # A POST to the admin decides nothing: it leads to the review page.
    response = client.post(f"/admin/registry/submission/{submission.pk}/change/",
                           {"decision": "approve"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == review
    submission.refresh_from_db()
    assert submission.state == "pending"


def test_curator_annotates_an_entry_in_the_admin(client_for, people, published_use_case):
    entry = BenchmarkEntry.objects.get(public_id=published_use_case.public_id)
    client = client_for(None, people["curator"])
    page = client.get(f"/admin/registry/benchmarkentry/{entry.pk}/change/")
    assert page.status_code == 200
    response = client.post(f"/admin/registry/benchmarkentry/{entry.pk}/change/", {
        "featured": "on", "curator_note": "Bon exemple", "curated_domains": "",
        "curated_tool_ids": "", "quality_flags": "",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    assert entry.featured and entry.payload["curation"]["curator_note"] == "Bon exemple"


def test_quality_flag_filter_in_the_benchmark_admin(client_for, people):
    client = client_for(None, people["curator"])
    assert client.get("/admin/registry/benchmarkentry/?quality_flag=incomplete").status_code == 200
    assert client.get("/admin/registry/benchmarkentry/?quality_flags=%5B%5D").status_code == 400
