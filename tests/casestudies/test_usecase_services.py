import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import tenant_context

from accounts.models import Role
from casestudies.models import ApproachStep, UseCase, UseCaseEvent
from casestudies.services import usecase_create, usecase_update
from registry.models import Term, Tool, UseCaseIdentifier


def _valid(**overrides):
    values = dict(
        title="Tri automatique du courrier",
        summary="Un outil classe le courrier entrant par service.",
        ai_family="business",
        automation_level="recommendation",
        status="pilot",
        personal_data="yes",
        domains=[Term.objects.get(code="relation-usagers-et-accueil")],
    )
    values.update(overrides)
    return values


def test_public_ids_follow_on_and_are_recorded_federation_wide(annecy, make_user):
    user = make_user("a@annecy.test", collectivite=annecy, role=Role.CONTRIBUTOR)
    with tenant_context(annecy):
        first = usecase_create(actor=user, **_valid(steps=["Cadrage", "Test"]))
        second = usecase_create(actor=user, **_valid(title="Second"))
    assert first.public_id == "74-GRAND-ANNECY-0002"
    assert second.public_id == "74-GRAND-ANNECY-0003"
    assert UseCaseIdentifier.objects.filter(public_id=second.public_id, uuid=second.uuid).exists()
    with tenant_context(annecy):
        assert list(first.steps.values_list("position", "text")) == [(1, "Cadrage"), (2, "Test")]
        event = UseCaseEvent.objects.get(use_case=first)
        assert (event.action, event.actor, event.to_state) == ("created", user, "draft")


def test_a_public_id_is_never_handed_out_twice(annecy):
    with tenant_context(annecy):
        use_case = usecase_create(actor=None, **_valid())
        public_id = use_case.public_id
        use_case.delete()  # even if a row disappeared (by hand, in SQL), its id stays taken
        again = usecase_create(actor=None, **_valid())
    assert again.public_id != public_id
    with pytest.raises(IntegrityError), transaction.atomic():
        UseCaseIdentifier.objects.create(public_id=public_id, uuid=again.uuid, collectivite=annecy)


def test_public_ids_are_unique_across_collectivites(annecy, cdg74):
    with tenant_context(annecy):
        a = usecase_create(actor=None, **_valid())
    with tenant_context(cdg74):
        b = usecase_create(actor=None, **_valid())
    assert a.public_id.startswith("74-GRAND-ANNECY-") and b.public_id.startswith("74-CDG74-")


def test_missing_and_unknown_values_are_refused_per_field_and_nothing_is_written(annecy):
    before = UseCaseIdentifier.objects.count()
    with tenant_context(annecy):
        with pytest.raises(ValidationError) as error:
            usecase_create(
                actor=None,
                **_valid(title="", status="finished", ai_family="magic", summary="x" * 401),
            )
        assert set(error.value.message_dict) >= {"title", "status", "ai_family", "summary"}
        assert UseCase.objects.count() == 1
    assert UseCaseIdentifier.objects.count() == before


def test_a_draft_may_lack_its_classification_but_cannot_be_submitted_so(annecy):
    from casestudies.services import usecase_submit

    with tenant_context(annecy):
        draft = usecase_create(
            actor=None, title="Idée", summary="Une idée à creuser.", visibility="public"
        )
        assert draft.publication_state == "draft" and draft.status == ""
        with pytest.raises(ValidationError) as error:
            usecase_submit(use_case=draft, actor=None, message="Svp")
        assert set(error.value.message_dict) == {
            "ai_family",
            "automation_level",
            "status",
            "personal_data",
            "domains",
        }
        draft.refresh_from_db()
        assert draft.publication_state == "draft"


def test_a_bad_step_rolls_the_whole_creation_back(annecy):
    with tenant_context(annecy):
        with pytest.raises(ValidationError):
            usecase_create(actor=None, **_valid(steps=["ok", {"text": "", "phase": "nowhere"}]))
        assert UseCase.objects.count() == 1
        assert ApproachStep.objects.count() == 0


def test_database_refuses_values_outside_the_vocabularies(annecy):
    with tenant_context(annecy):
        use_case = UseCase.objects.get()
        with pytest.raises(IntegrityError), transaction.atomic():
            UseCase.objects.filter(pk=use_case.pk).update(status="finished")
        with pytest.raises(IntegrityError), transaction.atomic():
            UseCase.objects.filter(pk=use_case.pk).update(techniques=["telepathy"])


def test_services_refuse_to_run_in_the_public_schema(db):
    connection.set_schema_to_public()
    with pytest.raises(RuntimeError):
        usecase_create(actor=None, **_valid())


def test_update_replaces_steps_and_tools_and_records_it(annecy, make_user):
    user = make_user("b@annecy.test", collectivite=annecy, role=Role.CONTRIBUTOR)
    with tenant_context(annecy):
        use_case = UseCase.objects.get()
        usecase_update(
            use_case=use_case,
            actor=user,
            status="production",
            tools=[Tool.objects.get(slug="mistral")],
            steps=["Un", "Deux"],
        )
        use_case.refresh_from_db()
        assert use_case.status == "production"
        assert list(use_case.tools.values_list("slug", flat=True)) == ["mistral"]
        assert list(use_case.steps.values_list("text", flat=True)) == ["Un", "Deux"]
        event = UseCaseEvent.objects.filter(use_case=use_case).latest("id")
        assert event.action == "updated" and event.actor == user
        assert event.changes["status"] == {"before": "pilot", "after": "production"}
        assert event.changes["steps"]["after"][1]["text"] == "Deux"
        assert event.changes["tools"]["before"][0]["slug"] == "lexisnexis"


def test_contributor_creates_a_use_case_in_the_collectivite_admin(client_for, make_user, annecy):
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
        assert created.public_id == "74-GRAND-ANNECY-0002"
        assert list(created.steps.values_list("text", flat=True)) == ["Recenser les besoins"]
        assert UseCaseEvent.objects.get(use_case=created).actor == user


def test_admin_edit_of_fields_and_steps_is_one_recorded_change(client_for, make_user, annecy):
    user = make_user("d@annecy.test", collectivite=annecy, role=Role.ADMIN)
    client = client_for("grand-annecy", user)
    with tenant_context(annecy):
        use_case = UseCase.objects.get()
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
    from casestudies.services import usecase_submit

    user = make_user("e@annecy.test", collectivite=annecy, role=Role.ADMIN)
    with tenant_context(annecy):
        use_case = usecase_create(actor=None, **_valid(visibility="public"))
        usecase_submit(use_case=use_case, actor=None, message="Svp")
    client = client_for("grand-annecy", user)
    page = client.get(f"/admin/casestudies/usecase/{use_case.pk}/change/")
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()
