"""The collectivité's own admin (/admin/ on its host): use cases created and edited there."""

from django.contrib.admin.models import LogEntry
from django_tenants.utils import tenant_context

from accounts.models import Role
from casestudies.models import UseCase, UseCaseEvent
from registry.models import Term
from tests.factories import PublishedUseCaseFactory, SubmittedUseCaseFactory, next_public_id


def test_contributor_creates_a_use_case_in_the_collectivite_admin(client_for, make_user, annecy):
    public_id = next_public_id(annecy)
    user = make_user("c@annecy.test", collectivite=annecy, role=Role.CONTRIBUTOR)
    client = client_for("grand-annecy", user)
    domain = Term.objects.get(code="juridique")
    form = {
        "title": "Résumé des jurisprudences",
        "summary": "Synthèse automatique des décisions de justice utiles aux services.",
        "ai_family": "generalist",
        "domains": [domain.pk],
        "automation_level": "assistance",
        "status": "idea",
        "ai_act_risk": "to_assess",
        "personal_data": "no",
        "hosting": "unknown",
        "visibility": "private",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-0-position": "1",
        "steps-0-text": "Recenser les besoins",
        "lessons-TOTAL_FORMS": "0",
        "lessons-INITIAL_FORMS": "0",
        "metrics-TOTAL_FORMS": "0",
        "metrics-INITIAL_FORMS": "0",
        "risks-TOTAL_FORMS": "0",
        "risks-INITIAL_FORMS": "0",
        "costs-TOTAL_FORMS": "0",
        "costs-INITIAL_FORMS": "0",
        "impact_assessments-TOTAL_FORMS": "0",
        "impact_assessments-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/casestudies/usecase/add/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    with tenant_context(annecy):
        created = UseCase.objects.get(title="Résumé des jurisprudences")
        assert created.public_id == public_id
        assert list(created.steps.values_list("text", flat=True)) == ["Recenser les besoins"]
        assert UseCaseEvent.objects.get(use_case=created).actor == user


def test_admin_edit_of_fields_and_steps_is_one_recorded_change(client_for, make_user, annecy):
    user = make_user("d@annecy.test", collectivite=annecy, role=Role.ADMIN)
    client = client_for("grand-annecy", user)
    use_case = PublishedUseCaseFactory(collectivite=annecy, tool_slugs=["lexisnexis"])
    page = client.get(f"/admin/casestudies/usecase/{use_case.pk}/change/")
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if hasattr(value, "__iter__") and not isinstance(value, str):
            data[name] = [getattr(item, "pk", item) for item in value]
        else:
            data[name] = value
    data["techniques"] = ""
    data["audiences"] = ""
    data.update({
        "status": "production",
        "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0",
        "steps-0-position": "1", "steps-0-text": "Abonnement souscrit",
        "lessons-TOTAL_FORMS": "0", "lessons-INITIAL_FORMS": "0",
        "metrics-TOTAL_FORMS": "0", "metrics-INITIAL_FORMS": "0",
        "risks-TOTAL_FORMS": "0", "risks-INITIAL_FORMS": "0",
        "costs-TOTAL_FORMS": "0", "costs-INITIAL_FORMS": "0",
        "impact_assessments-TOTAL_FORMS": "0", "impact_assessments-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0",
    })  # fmt: skip
    response = client.post(f"/admin/casestudies/usecase/{use_case.pk}/change/", data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    with tenant_context(annecy):
        use_case.refresh_from_db()
        assert use_case.status == "production"
        assert list(use_case.steps.values_list("text", flat=True)) == ["Abonnement souscrit"]
        event = UseCaseEvent.objects.filter(use_case=use_case, action="updated").get()
        assert set(event.changes) == {"status", "steps"}
        assert event.actor == user


def test_a_submitted_use_case_is_read_only_in_the_admin(client_for, make_user, annecy):
    user = make_user("e@annecy.test", collectivite=annecy, role=Role.ADMIN)
    use_case = SubmittedUseCaseFactory(collectivite=annecy)
    client = client_for("grand-annecy", user)
    page = client.get(f"/admin/casestudies/usecase/{use_case.pk}/change/")
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()


def test_the_collectivite_admin_writes_no_shared_log_and_shows_its_own_history(
    client_for, people, published_use_case
):
    client = client_for("grand-annecy", people["admin"])
    pk = published_use_case.pk
    before = LogEntry.objects.count()
    response = client.get(f"/admin/casestudies/usecase/{pk}/history/")
    assert response.status_code == 302
    assert response["Location"] == f"/cas-d-usage/{published_use_case.public_id}/#historique"
    client.post(f"/admin/casestudies/usecase/{pk}/change/", {})  # invalid, but no log either
    assert LogEntry.objects.count() == before
