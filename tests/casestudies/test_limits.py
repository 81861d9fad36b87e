"""Limits users can live with, each a clear 400 or form error, and nothing written (issue 10,
defect 4): lists of at most MAX_ROWS rows, one external reference per use case even under a race,
a long text that still publishes."""

import pytest
from django_tenants.utils import tenant_context

from casestudies.models import ApproachStep, UseCase
from casestudies.services import usecase_approve, usecase_submit, usecases
from registry import snapshot
from registry.models import BenchmarkEntry
from tests.casestudies.test_api_usecases import BASE, _payload
from tests.factories import DraftUseCaseFactory

MAX = snapshot.MAX_ROWS


@pytest.mark.parametrize("name", ["steps", "lessons", "metrics", "costs"])
def test_the_api_refuses_a_list_longer_than_the_limit(api_for, people, annecy, name):
    row = {
        "steps": {"text": "Étape"},
        "lessons": {"category": "quality", "polarity": "difficulty", "text": "Relire."},
        "metrics": {"name": "Temps gagné"},
        "costs": {"kind": "training", "amount": "10.00"},
    }[name]
    client = api_for("grand-annecy", people["contributor"])
    with tenant_context(annecy):
        before = UseCase.objects.count()
    response = client.post(BASE, _payload(**{name: [row] * (MAX + 1)}), format="json")
    assert response.status_code == 400
    assert name in response.json()
    with tenant_context(annecy):
        assert UseCase.objects.count() == before
    assert client.post(BASE, _payload(**{name: [row] * MAX}), format="json").status_code == 201


def test_the_service_refuses_too_many_rows_whoever_calls_it(people, annecy):
    use_case = DraftUseCaseFactory(collectivite=annecy)
    with tenant_context(annecy), pytest.raises(usecases.ValidationError) as error:
        usecases.usecase_update(
            use_case=use_case, actor=people["admin"], steps=["Étape"] * (MAX + 1)
        )
    assert "steps" in error.value.message_dict
    with tenant_context(annecy):
        assert not ApproachStep.objects.filter(use_case=use_case).count() > MAX


def test_a_forged_form_count_is_bounded_and_refused(client_for, people, annecy):
    use_case = DraftUseCaseFactory(collectivite=annecy)
    with tenant_context(annecy):
        before = list(ApproachStep.objects.filter(use_case=use_case).values_list("text", flat=True))
    client = client_for("grand-annecy", people["contributor"])
    data = {"steps-TOTAL_FORMS": "100000", "steps-INITIAL_FORMS": "0"}
    data.update({f"steps-{i}-text": f"Étape {i}" for i in range(MAX + 5)})
    response = client.post(f"/cas-d-usage/{use_case.public_id}/modifier/demarche/", data)
    assert response.status_code == 200  # the form again, with its error
    assert f"au plus {MAX}" in response.content.decode()
    with tenant_context(annecy):
        after = list(ApproachStep.objects.filter(use_case=use_case).values_list("text", flat=True))
    assert after == before


def test_two_use_cases_cannot_share_an_external_reference(api_for, people, annecy):
    client = api_for("grand-annecy", people["contributor"])
    assert client.post(BASE, _payload(external_ref="ref-74"), format="json").status_code == 201
    response = client.post(BASE, _payload(external_ref="ref-74"), format="json")
    assert response.status_code == 400
    assert "external_ref" in response.json()


def test_a_race_on_the_external_reference_is_a_400_not_a_500(api_for, people, annecy, monkeypatch):
    """Two creates at once both pass the check; the database refuses the second insert."""
    client = api_for("grand-annecy", people["contributor"])
    assert client.post(BASE, _payload(external_ref="ref-race"), format="json").status_code == 201
    monkeypatch.setattr(usecases, "_check_external_ref", lambda use_case: None)
    monkeypatch.setattr(UseCase, "validate_constraints", lambda self, exclude=None: None)
    response = client.post(BASE, _payload(external_ref="ref-race"), format="json")
    assert response.status_code == 400
    assert "external_ref" in response.json()
    with tenant_context(annecy):
        assert UseCase.objects.filter(external_ref="ref-race").count() == 1


def test_a_very_long_text_can_still_be_published(people, annecy):
    use_case = DraftUseCaseFactory(collectivite=annecy, context="Contexte détaillé. " * 60_000)
    with tenant_context(annecy):
        usecase_submit(use_case=use_case, actor=people["contributor"], message="Publier")
        usecase_approve(use_case=use_case, actor=people["curator"])
    assert BenchmarkEntry.objects.filter(public_id=use_case.public_id).exists()
