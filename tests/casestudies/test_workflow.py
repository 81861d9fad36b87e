"""The publication workflow: transitions per role and state, the benchmark at each step, the
history, notifications, what a collectivité takes back."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django_tenants.utils import tenant_context

from casestudies import workflow
from casestudies.models import UseCase
from registry.models import Submission
from registry.vocabularies import PublicationState as S
from tests.factories import DraftUseCaseFactory

BASE = "/api/v1/use-cases/"
QUEUE = "/api/v1/benchmark/review-queue/"
LIST = "/api/v1/benchmark/use-cases/"


def _titles(api_for, who=None):
    rows = api_for(None, who).get(f"{LIST}?page_size=100").json()["results"]
    return {row["public_id"]: row["title"] for row in rows}


# --- the transition table, per role and state --------------------------------------------------

# The product's rule, written out (not read from casestudies.workflow): for each transition and
# publication state, what each actor gets. "ok": allowed; "role": refused for the actor's role
# (PermissionDenied, checked first); "state": the role may, but not from this state
# (ValidationError). `other` is the CDG74's admin, a stranger to the Grand Annecy.
ACTORS = ("reader", "contributor", "admin", "curator", "other")
TABLE = {
    "submit": {
        #                      reader  contributor admin    curator  other
        "draft":              ("role", "ok",       "ok",    "role",  "role"),
        "submitted":          ("role", "state",    "state", "role",  "role"),
        "changes_requested":  ("role", "ok",       "ok",    "role",  "role"),
        "published":          ("role", "ok",       "ok",    "role",  "role"),
        "unpublished":        ("role", "ok",       "ok",    "role",  "role"),
        "archived":           ("role", "state",    "state", "role",  "role"),
    },
    "withdraw": {
        "draft":              ("role", "state",    "state", "role",  "role"),
        "submitted":          ("role", "ok",       "ok",    "role",  "role"),
        "changes_requested":  ("role", "state",    "state", "role",  "role"),
        "published":          ("role", "state",    "state", "role",  "role"),
        "unpublished":        ("role", "state",    "state", "role",  "role"),
        "archived":           ("role", "state",    "state", "role",  "role"),
    },
    "request_changes": {
        "draft":              ("role", "role",     "role",  "state", "role"),
        "submitted":          ("role", "role",     "role",  "ok",    "role"),
        "changes_requested":  ("role", "role",     "role",  "state", "role"),
        "published":          ("role", "role",     "role",  "state", "role"),
        "unpublished":        ("role", "role",     "role",  "state", "role"),
        "archived":           ("role", "role",     "role",  "state", "role"),
    },
    "approve": {
        "draft":              ("role", "role",     "role",  "state", "role"),
        "submitted":          ("role", "role",     "role",  "ok",    "role"),
        "changes_requested":  ("role", "role",     "role",  "state", "role"),
        "published":          ("role", "role",     "role",  "state", "role"),
        "unpublished":        ("role", "role",     "role",  "state", "role"),
        "archived":           ("role", "role",     "role",  "state", "role"),
    },
    "unpublish": {
        "draft":              ("role", "role",     "state", "state", "role"),
        "submitted":          ("role", "role",     "ok",    "ok",    "role"),
        "changes_requested":  ("role", "role",     "ok",    "ok",    "role"),
        "published":          ("role", "role",     "ok",    "ok",    "role"),
        "unpublished":        ("role", "role",     "state", "state", "role"),
        "archived":           ("role", "role",     "state", "state", "role"),
    },
    "archive": {
        "draft":              ("role", "role",     "ok",    "role",  "role"),
        "submitted":          ("role", "role",     "ok",    "role",  "role"),
        "changes_requested":  ("role", "role",     "ok",    "role",  "role"),
        "published":          ("role", "role",     "ok",    "role",  "role"),
        "unpublished":        ("role", "role",     "ok",    "role",  "role"),
        "archived":           ("role", "role",     "state", "role",  "role"),
    },
}  # fmt: skip
CASES = [
    (transition, state, who, outcome)
    for transition, states in TABLE.items()
    for state, outcomes in states.items()
    for who, outcome in zip(ACTORS, outcomes, strict=True)
]


def test_the_table_covers_every_transition_and_state():
    assert set(TABLE) == set(workflow.TRANSITIONS)
    assert all(set(states) == set(S.values) for states in TABLE.values())


@pytest.mark.parametrize(
    ("transition", "state", "who", "outcome"),
    CASES,
    ids=[f"{who}-{state}-{transition}" for transition, state, who, _outcome in CASES],
)
def test_every_transition_is_allowed_or_refused_per_role_and_state(
    people, annecy, transition, state, who, outcome
):
    def check():
        workflow.check(transition, state=state, actor=people[who], collectivite=annecy)

    if outcome == "role":
        with pytest.raises(PermissionDenied) as refused:
            check()
        assert "refusée" in str(refused.value)
    elif outcome == "state":
        with pytest.raises(ValidationError) as refused:
            check()
        assert "Impossible de" in refused.value.messages[0]
        assert str(S(state).label) in refused.value.messages[0]
    else:
        assert outcome == "ok"
        check()


# --- the whole path, and the benchmark at each step --------------------------------------------


def test_benchmark_content_at_each_step_of_the_workflow(
    api_for, people, annecy, django_capture_on_commit_callbacks
):
    contributor = api_for("grand-annecy", people["contributor"])
    admin = api_for("grand-annecy", people["admin"])
    curator = api_for(None, people["curator"])
    public_id = DraftUseCaseFactory(
        collectivite=annecy, title="Chatbot d'accueil du public"
    ).public_id

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
    # the decisions reach the member who submitted and the collectivité's admins
    assert mail.outbox[1].to == ["contrib@annecy.test", "admin@annecy.test"]
    assert "Précisez le contrôle humain." in mail.outbox[1].body


def test_withdraw_goes_back_to_the_state_before_submission(api_for, people, annecy,
                                                           published_use_case):  # fmt: skip
    contributor = api_for("grand-annecy", people["contributor"])
    published = published_use_case.public_id
    contributor.patch(f"{BASE}{published}/", {"purpose": "Sécuriser les actes"}, format="json")
    contributor.post(f"{BASE}{published}/submit/", {"message": "Objectif ajouté"}, format="json")
    response = contributor.post(f"{BASE}{published}/withdraw/", {}, format="json")
    assert response.json()["publication_state"] == "published"
    draft = DraftUseCaseFactory(collectivite=annecy).public_id
    contributor.post(f"{BASE}{draft}/submit/", {"message": "Premier envoi"}, format="json")
    assert (
        contributor.post(f"{BASE}{draft}/withdraw/", {}, format="json").json()["publication_state"]
        == "draft"
    )
    assert Submission.objects.filter(public_id=draft, state="withdrawn").count() == 1


def test_submitting_an_unchanged_published_use_case_is_refused(api_for, people,
                                                               published_use_case):  # fmt: skip
    response = api_for("grand-annecy", people["contributor"]).post(
        f"{BASE}{published_use_case.public_id}/submit/", {"message": "Rien"}, format="json"
    )
    assert response.status_code == 400
    assert "Rien à soumettre" in response.content.decode()


def test_no_notification_when_the_transaction_rolls_back(people, annecy, monkeypatch,
                                                         django_capture_on_commit_callbacks):  # fmt: skip
    from casestudies import services
    from casestudies.services import transitions

    public_id = DraftUseCaseFactory(collectivite=annecy).public_id

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(transitions, "_transition", broken)
    with tenant_context(annecy), django_capture_on_commit_callbacks(execute=True) as callbacks:
        use_case = UseCase.objects.get(public_id=public_id)
        with pytest.raises(RuntimeError):
            services.usecase_submit(use_case=use_case, actor=people["contributor"], message="x")
    assert callbacks == [] and mail.outbox == []
    assert not Submission.objects.filter(public_id=public_id).exists()


def test_members_cannot_approve_their_own_submission(api_for, people, annecy):
    public_id = DraftUseCaseFactory(collectivite=annecy).public_id
    admin = api_for("grand-annecy", people["admin"])
    admin.post(f"{BASE}{public_id}/submit/", {"message": "Svp"}, format="json")
    assert api_for(None, people["admin"]).post(f"{QUEUE}{public_id}/approve/").status_code == 403
    response = admin.post(f"{BASE}{public_id}/publish/", {}, format="json")
    assert response.status_code == 403
    assert "curateur" in response.json()["detail"]
    assert public_id not in _titles(api_for)


# --- history -----------------------------------------------------------------------------------


def test_history_lists_who_when_and_what_changed(api_for, people, annecy, published_use_case):
    admin = api_for("grand-annecy", people["admin"])
    curator = api_for(None, people["curator"])
    public_id = published_use_case.public_id
    admin.patch(f"{BASE}{public_id}/", {"status": "production"}, format="json")
    admin.post(f"{BASE}{public_id}/submit/", {"message": "En production"}, format="json")
    curator.post(f"{QUEUE}{public_id}/approve/", {}, format="json")
    history = admin.get(f"{BASE}{public_id}/history/").json()
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
        api_for("grand-annecy", people["other"]).get(f"{BASE}{public_id}/history/").status_code
        == 404
    )


# --- what a collectivité takes back, concurrent changes, mail failures -------------------------


def test_what_a_collectivite_takes_back_applies_at_once(
    api_for, people, annecy, published_use_case
):
    """Narrowing the visibility of a published use case does not wait for a curator, in any
    state where it is in the benchmark; turning it private needs an unpublication first."""
    public_id = published_use_case.public_id
    admin = api_for("grand-annecy", people["admin"])
    curator = api_for(None, people["curator"])
    admin.patch(f"{BASE}{public_id}/", {"purpose": "Veille juridique"}, format="json")
    admin.post(f"{BASE}{public_id}/submit/", {"message": "Objectifs"}, format="json")
    curator.post(f"{QUEUE}{public_id}/request-changes/", {"comment": "Précisez"}, format="json")
    private = admin.patch(f"{BASE}{public_id}/", {"visibility": "private"}, format="json")
    assert private.status_code == 400 and "visibility" in private.json()
    assert api_for(None).get(f"{LIST}{public_id}/").status_code == 200
    narrowed = admin.patch(f"{BASE}{public_id}/", {"visibility": "network"}, format="json")
    assert narrowed.status_code == 200
    assert api_for(None).get(f"{LIST}{public_id}/").status_code == 404  # at once
    assert api_for(None, people["reader"]).get(f"{LIST}{public_id}/").status_code == 200
    widened = admin.patch(f"{BASE}{public_id}/", {"visibility": "public"}, format="json")
    assert widened.status_code == 200
    assert api_for(None).get(f"{LIST}{public_id}/").status_code == 404  # waits for a review


def test_a_stale_copy_cannot_overwrite_the_workflow_state(people, annecy, published_use_case):
    from casestudies.services import usecase_submit, usecase_update

    public_id = published_use_case.public_id
    with tenant_context(annecy):
        first = UseCase.objects.get(public_id=public_id)
        stale = UseCase.objects.get(public_id=public_id)
        usecase_update(use_case=first, actor=None, purpose="Veille")
        usecase_submit(use_case=first, actor=None, message="Svp")
        with pytest.raises(ValidationError, match="examen"):
            usecase_update(use_case=stale, actor=None, context="Autre")
        assert UseCase.objects.get(pk=first.pk).publication_state == "submitted"


@override_settings(EMAIL_BACKEND="tests.failing_email.EmailBackend")
def test_an_unreachable_mail_server_does_not_undo_or_break_a_transition(
    api_for, people, annecy, django_capture_on_commit_callbacks, published_use_case
):
    public_id = published_use_case.public_id
    client = api_for("grand-annecy", people["admin"])
    client.patch(f"/api/v1/use-cases/{public_id}/", {"purpose": "Veille"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/use-cases/{public_id}/submit/",
                               {"message": "Svp"}, format="json")  # fmt: skip
    assert response.status_code == 200
    assert response.json()["publication_state"] == "submitted"
