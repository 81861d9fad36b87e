"""The use-case services: public ids, validation, atomic writes, the history of a change."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import tenant_context

from accounts.models import Role
from casestudies.models import ApproachStep, UseCase, UseCaseEvent
from casestudies.services import usecase_create, usecase_update
from registry.models import Tool, UseCaseIdentifier
from tests.factories import DraftUseCaseFactory, use_case_values


def test_public_ids_follow_on_and_are_recorded_federation_wide(annecy, make_user):
    user = make_user("a@annecy.test", collectivite=annecy, role=Role.CONTRIBUTOR)
    first = DraftUseCaseFactory(collectivite=annecy, actor=user, steps=["Cadrage", "Test"])
    second = DraftUseCaseFactory(collectivite=annecy, actor=user)
    assert first.public_id == "74-GRAND-ANNECY-0002"
    assert second.public_id == "74-GRAND-ANNECY-0003"
    assert UseCaseIdentifier.objects.filter(public_id=second.public_id, uuid=second.uuid).exists()
    with tenant_context(annecy):
        assert list(first.steps.values_list("position", "text")) == [(1, "Cadrage"), (2, "Test")]
        event = UseCaseEvent.objects.get(use_case=first)
        assert (event.action, event.actor, event.to_state) == ("created", user, "draft")


def test_a_public_id_is_never_handed_out_twice(annecy):
    with tenant_context(annecy):
        use_case = usecase_create(actor=None, **use_case_values())
        public_id = use_case.public_id
        use_case.delete()  # even if a row disappeared (by hand, in SQL), its id stays taken
        again = usecase_create(actor=None, **use_case_values())
    assert again.public_id != public_id
    with pytest.raises(IntegrityError), transaction.atomic():
        UseCaseIdentifier.objects.create(public_id=public_id, uuid=again.uuid, collectivite=annecy)


def test_public_ids_are_unique_across_collectivites(annecy, cdg74):
    a = DraftUseCaseFactory(collectivite=annecy)
    b = DraftUseCaseFactory(collectivite=cdg74)
    assert a.public_id.startswith("74-GRAND-ANNECY-") and b.public_id.startswith("74-CDG74-")


def test_missing_and_unknown_values_are_refused_per_field_and_nothing_is_written(annecy):
    before = UseCaseIdentifier.objects.count()
    with tenant_context(annecy):
        use_cases = UseCase.objects.count()
        with pytest.raises(ValidationError) as error:
            usecase_create(
                actor=None,
                **use_case_values(
                    title="", status="finished", ai_family="magic", summary="x" * 401
                ),
            )
        assert set(error.value.message_dict) >= {"title", "status", "ai_family", "summary"}
        assert UseCase.objects.count() == use_cases
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
        use_cases, steps = UseCase.objects.count(), ApproachStep.objects.count()
        with pytest.raises(ValidationError):
            usecase_create(
                actor=None, **use_case_values(steps=["ok", {"text": "", "phase": "nowhere"}])
            )
        assert UseCase.objects.count() == use_cases
        assert ApproachStep.objects.count() == steps


def test_database_refuses_values_outside_the_vocabularies(annecy, draft_use_case):
    with tenant_context(annecy):
        use_case = draft_use_case
        with pytest.raises(IntegrityError), transaction.atomic():
            UseCase.objects.filter(pk=use_case.pk).update(status="finished")
        with pytest.raises(IntegrityError), transaction.atomic():
            UseCase.objects.filter(pk=use_case.pk).update(techniques=["telepathy"])


def test_services_refuse_to_run_in_the_public_schema(db):
    connection.set_schema_to_public()
    with pytest.raises(RuntimeError):
        usecase_create(actor=None, **use_case_values())


def test_update_replaces_steps_and_tools_and_records_it(annecy, make_user):
    user = make_user("b@annecy.test", collectivite=annecy, role=Role.CONTRIBUTOR)
    use_case = DraftUseCaseFactory(collectivite=annecy, status="pilot", tool_slugs=["lexisnexis"])
    with tenant_context(annecy):
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
