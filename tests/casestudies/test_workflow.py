"""CDG74 curation: transitions per role and state, the benchmark at each step, history, queue,
notifications, annotations, catalogue merges."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django_tenants.utils import tenant_context

from accounts.models import Role
from casestudies import workflow
from casestudies.models import UseCase, UseCaseEvent
from casestudies.services import usecase_create
from registry.models import BenchmarkEntry, BenchmarkEntryEvent, Submission, Term, Tool, Vendor
from registry.services import tool_merge, vendor_merge
from registry.vocabularies import PublicationState as S

BASE = "/api/v1/use-cases/"
QUEUE = "/api/v1/benchmark/review-queue/"
LIST = "/api/v1/benchmark/use-cases/"


def _new_use_case(annecy, **overrides):
    values = {
        "title": "Chatbot d'accueil du public",
        "summary": "Un agent conversationnel répond aux questions simples des usagers.",
        "ai_family": "generalist",
        "automation_level": "information",
        "status": "pilot",
        "personal_data": "no",
        "visibility": "public",
        "domains": list(Term.objects.filter(code="relation-usagers-et-accueil")),
        "tools": list(Tool.objects.filter(slug="mistral")),
        "steps": ["Cadrage", "Test"],
    }
    values.update(overrides)
    with tenant_context(annecy):
        return usecase_create(actor=None, **values).public_id


def _titles(api_for, who=None):
    rows = api_for(None, who).get(f"{LIST}?page_size=100").json()["results"]
    return {row["public_id"]: row["title"] for row in rows}


# --- the transition table, per role and state --------------------------------------------------

ACTORS = ["reader", "contributor", "admin", "curator", "other"]
ALLOWED = {  # transition: who may, when the state allows it
    "submit": {"contributor", "admin"},
    "withdraw": {"contributor", "admin"},
    "request_changes": {"curator"},
    "approve": {"curator"},
    "unpublish": {"admin", "curator"},
    "archive": {"admin"},
}


@pytest.mark.parametrize("transition", list(ALLOWED))
@pytest.mark.parametrize("state", S.values)
@pytest.mark.parametrize("who", ACTORS)
def test_every_transition_is_allowed_or_refused_per_role_and_state(
    people, annecy, transition, state, who
):
    allowed_role = who in ALLOWED[transition]
    allowed_state = state in workflow.TRANSITIONS[transition].sources
    if not allowed_role:
        with pytest.raises(PermissionDenied) as refused:
            workflow.check(transition, state=state, actor=people[who], collectivite=annecy)
        assert "refusée" in str(refused.value)
    elif not allowed_state:
        with pytest.raises(ValidationError) as refused:
            workflow.check(transition, state=state, actor=people[who], collectivite=annecy)
        assert "Impossible de" in refused.value.messages[0]
        assert str(S(state).label) in refused.value.messages[0]
    else:
        workflow.check(transition, state=state, actor=people[who], collectivite=annecy)


# --- the whole path, and the benchmark at each step --------------------------------------------


def test_benchmark_content_at_each_step_of_the_workflow(
    api_for, people, annecy, django_capture_on_commit_callbacks
):
    contributor = api_for("grand-annecy", people["contributor"])
    admin = api_for("grand-annecy", people["admin"])
    curator = api_for(None, people["curator"])
    public_id = _new_use_case(annecy)

    # draft: nothing in the benchmark, nothing in the queue
    assert public_id not in _titles(api_for)
    assert curator.get(QUEUE).json()["count"] == 0

    # submitted: in the queue, still not in the benchmark
    with django_capture_on_commit_callbacks(execute=True):
        response = contributor.post(f"{BASE}{public_id}/submit/", {"message": "À publier"},
                                    format="json")  # fmt: skip
    assert response.status_code == 200 and response.json()["publication_state"] == "submitted"
    assert public_id not in _titles(api_for)
    queue = curator.get(QUEUE).json()["results"]
    assert [row["public_id"] for row in queue] == [public_id]
    assert queue[0]["message"] == "À publier"

    # editing while under review is refused
    refused = contributor.patch(f"{BASE}{public_id}/", {"title": "Autre"}, format="json")
    assert refused.status_code == 400 and "examen" in refused.content.decode()

    # changes requested: a comment is required; still not in the benchmark
    assert (
        curator.post(f"{QUEUE}{public_id}/request-changes/", {}, format="json").status_code == 400
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = curator.post(f"{QUEUE}{public_id}/request-changes/",
                                {"comment": "Précisez le contrôle humain."}, format="json")  # fmt: skip
    assert response.status_code == 200 and response.json()["state"] == "changes_requested"
    assert public_id not in _titles(api_for)
    assert curator.get(QUEUE).json()["count"] == 0

    # corrected, resubmitted, approved: in the benchmark
    contributor.patch(f"{BASE}{public_id}/", {"human_oversight": "Un agent relit."}, format="json")
    contributor.post(f"{BASE}{public_id}/submit/", {"message": "Corrigé"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        response = curator.post(f"{QUEUE}{public_id}/approve/", {"comment": "Merci"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "approved"
    assert _titles(api_for)[public_id] == "Chatbot d'accueil du public"

    # editing the published use case: the benchmark keeps the published version…
    contributor.patch(f"{BASE}{public_id}/", {"title": "Chatbot d'accueil v2"}, format="json")
    assert _titles(api_for)[public_id] == "Chatbot d'accueil du public"
    contributor.post(f"{BASE}{public_id}/submit/", {"message": "Nouvelle version"}, format="json")
    assert _titles(api_for)[public_id] == "Chatbot d'accueil du public"
    queued = curator.get(f"{QUEUE}{public_id}/").json()
    changed = {change["field"]: change for change in queued["changes"]}
    assert changed["title"]["before"] == "Chatbot d'accueil du public"
    assert changed["title"]["after"] == "Chatbot d'accueil v2"
    assert "summary" not in changed
    # …until a curator approves the change
    curator.post(f"{QUEUE}{public_id}/approve/", {}, format="json")
    assert _titles(api_for)[public_id] == "Chatbot d'accueil v2"

    # unpublished by the collectivité's admin: gone at once; archived: stays gone
    assert admin.post(f"{BASE}{public_id}/unpublish/", {"comment": "Fin du test"},
                      format="json").status_code == 200  # fmt: skip
    assert public_id not in _titles(api_for)
    assert admin.delete(f"{BASE}{public_id}/").status_code == 204
    assert public_id not in _titles(api_for)

    # e-mails: curators on submission, the collectivité's admins on each decision, once each
    subjects = [message.subject for message in mail.outbox]
    assert subjects == [
        "[Registre IA] Nouvelle soumission : Chatbot d'accueil du public",
        "[Registre IA] Corrections demandées : Chatbot d'accueil du public",
        "[Registre IA] Publiée : Chatbot d'accueil du public",
    ]
    assert mail.outbox[0].to == ["curateur@cdg74.test"]
    assert mail.outbox[1].to == ["admin@annecy.test"]
    assert "Précisez le contrôle humain." in mail.outbox[1].body


def test_withdraw_goes_back_to_the_state_before_submission(api_for, people, annecy):
    contributor = api_for("grand-annecy", people["contributor"])
    seeded = "74-GRAND-ANNECY-0001"
    contributor.patch(f"{BASE}{seeded}/", {"purpose": "Sécuriser les actes"}, format="json")
    contributor.post(f"{BASE}{seeded}/submit/", {"message": "Objectif ajouté"}, format="json")
    response = contributor.post(f"{BASE}{seeded}/withdraw/", {}, format="json")
    assert response.json()["publication_state"] == "published"
    draft = _new_use_case(annecy)
    contributor.post(f"{BASE}{draft}/submit/", {"message": "Premier envoi"}, format="json")
    assert (
        contributor.post(f"{BASE}{draft}/withdraw/", {}, format="json").json()["publication_state"]
        == "draft"
    )
    assert Submission.objects.filter(public_id=draft, state="withdrawn").count() == 1


def test_submitting_an_unchanged_published_use_case_is_refused(api_for, people):
    response = api_for("grand-annecy", people["contributor"]).post(
        f"{BASE}74-GRAND-ANNECY-0001/submit/", {"message": "Rien"}, format="json"
    )
    assert response.status_code == 400
    assert "Rien à soumettre" in response.content.decode()


def test_no_notification_when_the_transaction_rolls_back(people, annecy, monkeypatch,
                                                         django_capture_on_commit_callbacks):  # fmt: skip
    from casestudies import services

    public_id = _new_use_case(annecy)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "_transition", broken)
    with tenant_context(annecy), django_capture_on_commit_callbacks(execute=True) as callbacks:
        use_case = UseCase.objects.get(public_id=public_id)
        with pytest.raises(RuntimeError):
            services.usecase_submit(use_case=use_case, actor=people["contributor"], message="x")
    assert callbacks == [] and mail.outbox == []
    assert not Submission.objects.filter(public_id=public_id).exists()


# --- the review queue --------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("reader", 403), ("admin", 403),
                                             ("other", 403), ("curator", 200)])  # fmt: skip
def test_review_queue_is_for_curators(api_for, people, who, status):
    client = api_for(None, None if who == "anonymous" else people[who])
    assert client.get(QUEUE).status_code == status


def test_members_cannot_approve_their_own_submission(api_for, people, annecy):
    public_id = _new_use_case(annecy)
    admin = api_for("grand-annecy", people["admin"])
    admin.post(f"{BASE}{public_id}/submit/", {"message": "Svp"}, format="json")
    assert api_for(None, people["admin"]).post(f"{QUEUE}{public_id}/approve/").status_code == 403
    response = admin.post(f"{BASE}{public_id}/publish/", {}, format="json")
    assert response.status_code == 403
    assert "curateur" in response.json()["detail"]
    assert public_id not in _titles(api_for)


def test_queue_shows_completeness_and_what_is_missing(api_for, people, annecy):
    public_id = _new_use_case(annecy)
    api_for("grand-annecy", people["admin"]).post(f"{BASE}{public_id}/submit/",
                                                  {"message": "Svp"}, format="json")  # fmt: skip
    row = api_for(None, people["curator"]).get(f"{QUEUE}{public_id}/").json()
    missing = {item["field"] for item in row["missing"]}
    assert {"lessons", "metrics", "context", "risks_and_mitigations"} <= missing
    assert "title" not in missing and "steps" not in missing
    assert row["completeness"] == 100 - sum(item["weight"] for item in row["missing"])
    # a new use case: every field is new in the difference
    assert {change["field"] for change in row["changes"]} >= {"title", "summary", "steps"}
    detail = api_for("grand-annecy", people["admin"]).get(f"{BASE}{public_id}/").json()
    assert detail["completeness"] == row["completeness"]


def test_queue_makes_a_constant_number_of_queries(api_for, people, annecy):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import data_queries

    admin = api_for("grand-annecy", people["admin"])
    curator = api_for(None, people["curator"])
    counts = []
    for index in range(3):
        public_id = _new_use_case(annecy, title=f"Cas {index}")
        admin.post(f"{BASE}{public_id}/submit/", {"message": "Svp"}, format="json")
        with CaptureQueriesContext(connection) as queries:
            assert curator.get(QUEUE).json()["count"] == index + 1
        counts.append(len(data_queries(queries)))
    assert counts[0] == counts[1] == counts[2], counts


# --- history -----------------------------------------------------------------------------------


def test_history_lists_who_when_and_what_changed(api_for, people, annecy):
    admin = api_for("grand-annecy", people["admin"])
    curator = api_for(None, people["curator"])
    seeded = "74-GRAND-ANNECY-0001"
    admin.patch(f"{BASE}{seeded}/", {"status": "production"}, format="json")
    admin.post(f"{BASE}{seeded}/submit/", {"message": "En production"}, format="json")
    curator.post(f"{QUEUE}{seeded}/approve/", {}, format="json")
    history = admin.get(f"{BASE}{seeded}/history/").json()
    actions = [(row["source"], row["action"]) for row in history]
    assert actions[:4] == [("use_case", "created"), ("use_case", "submitted"),
                           ("use_case", "published"), ("benchmark", "published")]  # fmt: skip
    updated = next(row for row in history if row["action"] == "updated")
    assert updated["actor"] == "admin@annecy.test"
    assert updated["changes"]["status"] == {"before": "pilot", "after": "production"}
    replaced = [row for row in history if row["source"] == "benchmark"][-1]
    assert replaced["action"] == "replaced" and replaced["actor"] == "curateur@cdg74.test"
    assert replaced["changes"]["status"]["after"] == "production"
    assert (
        api_for("grand-annecy", people["other"]).get(f"{BASE}{seeded}/history/").status_code == 404
    )


# --- annotations -------------------------------------------------------------------------------


def test_curator_annotations_normalise_filters_and_survive_republication(api_for, people, annecy):
    curator = api_for(None, people["curator"])
    seeded = "74-GRAND-ANNECY-0001"
    url = f"{LIST}{seeded}/annotations/"
    assert (
        api_for(None, people["admin"]).patch(url, {"featured": True}, format="json").status_code
        == 403
    )
    response = curator.patch(url, {"featured": True, "curator_note": "Exemplaire",
                                   "curated_domains": ["juridique", "commande-publique"],
                                   "quality_flags": ["missing_outcomes"]}, format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    ids = lambda q: {r["public_id"] for r in api_for(None).get(f"{LIST}?{q}").json()["results"]}  # noqa: E731
    assert seeded in ids("domain=commande-publique")
    entry = api_for(None).get(f"{LIST}{seeded}/").json()
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
    admin.patch(f"{BASE}{seeded}/", {"purpose": "Fiabiliser"}, format="json")
    admin.post(f"{BASE}{seeded}/submit/", {"message": "Objectif"}, format="json")
    curator.post(f"{QUEUE}{seeded}/approve/", {}, format="json")
    entry = api_for(None).get(f"{LIST}{seeded}/").json()
    assert entry["purpose"] == "Fiabiliser" and entry["curation"]["featured"] is True
    assert seeded in ids("domain=commande-publique")
    assert BenchmarkEntryEvent.objects.filter(public_id=seeded, action="annotated").count() == 1


def test_curator_can_unpublish_from_the_benchmark(api_for, people, annecy):
    seeded = "74-GRAND-ANNECY-0001"
    assert api_for(None, people["admin"]).post(f"{LIST}{seeded}/unpublish/").status_code == 403
    response = api_for(None, people["curator"]).post(f"{LIST}{seeded}/unpublish/",
                                                     {"comment": "Doublon"}, format="json")  # fmt: skip
    assert response.status_code == 204
    assert seeded not in _titles(api_for)
    with tenant_context(annecy):
        event = UseCaseEvent.objects.filter(use_case__public_id=seeded).latest("id")
    assert (event.action, event.comment, event.actor.email) == ("unpublished", "Doublon",
                                                                "curateur@cdg74.test")  # fmt: skip


# --- catalogue ---------------------------------------------------------------------------------


def test_merging_a_duplicate_tool_relinks_use_cases_and_benchmark_entries(api_for, people, annecy):
    duplicate = Tool.objects.create(slug="delib-ia", name="Délib IA (doublon)", kind="business",
                                    aliases=["DelibIA"])  # fmt: skip
    delibia = Tool.objects.get(slug="delibia")
    # a use case linked to the duplicate, published
    public_id = _new_use_case(annecy, tools=[duplicate])
    admin = api_for("grand-annecy", people["admin"])
    admin.post(f"{BASE}{public_id}/submit/", {"message": "Svp"}, format="json")
    api_for(None, people["curator"]).post(f"{QUEUE}{public_id}/approve/", {}, format="json")
    assert BenchmarkEntry.objects.get(public_id=public_id).tool_ids == [duplicate.pk]

    relinked = tool_merge(source=duplicate, target=delibia, actor=people["curator"])
    assert relinked == 1
    delibia.refresh_from_db()
    assert {"Délib IA (doublon)", "DelibIA", "Délib-IA"} <= set(delibia.aliases)
    entry = BenchmarkEntry.objects.get(public_id=public_id)
    assert entry.tool_ids == [delibia.pk]
    assert [tool["slug"] for tool in entry.payload["tools"]] == ["delibia"]
    # the benchmark filter and stats see the merged tool as Delibia
    ids = {r["public_id"] for r in api_for(None).get(f"{LIST}?tool={delibia.pk}").json()["results"]}
    assert public_id in ids
    # the collectivité's own API reads the link through the merge, and filters by it
    detail = admin.get(f"{BASE}{public_id}/").json()
    assert [tool["slug"] for tool in detail["tools"]] == ["delibia"]
    listed = admin.get(f"{BASE}?tool={delibia.pk}").json()["results"]
    assert public_id in {row["public_id"] for row in listed}
    # the merged tool cannot be linked any more
    response = admin.post(BASE, {**admin.get(f"{BASE}{public_id}/").json(), "tools": [duplicate.pk],
                                 "domains": ["juridique"]}, format="json")  # fmt: skip
    assert response.status_code == 400 and "tools" in response.json()
    # and its catalogue entry disappears from the tools list
    slugs = {row["slug"] for row in api_for(None).get("/api/v1/tools/").json()["results"]}
    assert "delib-ia" not in slugs and "delibia" in slugs


def test_merging_a_tool_into_itself_or_into_a_merged_tool_is_refused(people):
    a = Tool.objects.create(slug="a-tool", name="A", kind="business")
    b = Tool.objects.create(slug="b-tool", name="B", kind="business")
    with pytest.raises(ValidationError):
        tool_merge(source=a, target=a, actor=people["curator"])
    tool_merge(source=a, target=b, actor=people["curator"])
    c = Tool.objects.create(slug="c-tool", name="C", kind="business")
    with pytest.raises(ValidationError):
        tool_merge(source=c, target=a, actor=people["curator"])


def test_merging_vendors_moves_their_tools(people):
    duplicate = Vendor.objects.create(name="Open AI")
    tool = Tool.objects.create(slug="dall-e", name="DALL-E", kind="generalist", vendor=duplicate)
    openai = Vendor.objects.get(name="OpenAI")
    assert vendor_merge(source=duplicate, target=openai, actor=people["curator"]) == 1
    tool.refresh_from_db()
    assert tool.vendor == openai and "Open AI" in Vendor.objects.get(pk=openai.pk).aliases
    assert not Vendor.objects.filter(name="Open AI").exists()


def test_deprecated_tools_cannot_be_newly_linked_but_stay_where_they_are(api_for, people, annecy):
    lexis = Tool.objects.get(slug="lexisnexis")
    lexis.deprecated = True
    lexis.save()
    contributor = api_for("grand-annecy", people["contributor"])
    body = contributor.get(f"{BASE}74-GRAND-ANNECY-0001/").json()
    body.update(
        domains=[d["code"] for d in body["domains"]], tools=[t["id"] for t in body["tools"]]
    )
    assert contributor.put(f"{BASE}74-GRAND-ANNECY-0001/", body, format="json").status_code == 200
    other = _new_use_case(annecy)
    response = contributor.patch(f"{BASE}{other}/", {"tools": [lexis.pk]}, format="json")
    assert response.status_code == 400 and "tools" in response.json()


def test_membership_roles_are_what_the_matrix_says(people, annecy):
    from accounts.policy import role_of

    assert role_of(people["reader"], annecy) == Role.READER
    assert role_of(people["curator"], annecy) is None


def test_what_a_collectivite_takes_back_applies_at_once(api_for, people, annecy):
    """Narrowing the visibility of a published use case does not wait for a curator, in any
    state where it is in the benchmark; turning it private needs an unpublication first."""
    seeded = "74-GRAND-ANNECY-0001"
    admin = api_for("grand-annecy", people["admin"])
    curator = api_for(None, people["curator"])
    admin.patch(f"{BASE}{seeded}/", {"purpose": "Veille juridique"}, format="json")
    admin.post(f"{BASE}{seeded}/submit/", {"message": "Objectifs"}, format="json")
    curator.post(f"{QUEUE}{seeded}/request-changes/", {"comment": "Précisez"}, format="json")
    private = admin.patch(f"{BASE}{seeded}/", {"visibility": "private"}, format="json")
    assert private.status_code == 400 and "visibility" in private.json()
    assert api_for(None).get(f"{LIST}{seeded}/").status_code == 200
    narrowed = admin.patch(f"{BASE}{seeded}/", {"visibility": "network"}, format="json")
    assert narrowed.status_code == 200
    assert api_for(None).get(f"{LIST}{seeded}/").status_code == 404  # at once
    assert api_for(None, people["reader"]).get(f"{LIST}{seeded}/").status_code == 200
    widened = admin.patch(f"{BASE}{seeded}/", {"visibility": "public"}, format="json")
    assert widened.status_code == 200
    assert api_for(None).get(f"{LIST}{seeded}/").status_code == 404  # waits for a review


def test_a_stale_copy_cannot_overwrite_the_workflow_state(people, annecy):
    from casestudies.services import usecase_submit, usecase_update

    with tenant_context(annecy):
        first = UseCase.objects.get(public_id="74-GRAND-ANNECY-0001")
        stale = UseCase.objects.get(public_id="74-GRAND-ANNECY-0001")
        usecase_update(use_case=first, actor=None, purpose="Veille")
        usecase_submit(use_case=first, actor=None, message="Svp")
        with pytest.raises(ValidationError, match="examen"):
            usecase_update(use_case=stale, actor=None, context="Autre")
        assert UseCase.objects.get(pk=first.pk).publication_state == "submitted"
