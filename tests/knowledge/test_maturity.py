"""Maturity self-assessment: scoring per axis, validation, peer medians, its pages."""

import pytest
from django_tenants.utils import tenant_context

from casestudies.models import MaturityAssessment
from casestudies.services import maturity_save
from knowledge.models import MaturityQuestion, MaturityScore
from registry.models import Collectivite
from registry.services import collectivite_update

AXES = {"awareness", "training", "planning", "generalist_pilot", "business_deployment",
        "governance", "indicators"}  # fmt: skip


def _answers(score: int) -> dict[str, int]:
    return {code: score for code in MaturityQuestion.objects.values_list("code", flat=True)}


def test_maturity_scoring_per_axis(annecy):
    assert set(MaturityQuestion.objects.values_list("axis__code", flat=True)) == AXES
    answers = _answers(4)
    first_axis_codes = list(
        MaturityQuestion.objects.filter(axis__code="training").values_list("code", flat=True)
    )
    for code in first_axis_codes:
        answers[code] = 0
    with tenant_context(annecy):
        assessment = maturity_save(actor=None, answers=answers)
    assert assessment.scores["training"] == 0 and assessment.scores["awareness"] == 100
    assert MaturityScore.objects.get(collectivite=annecy, axis="training").score == 0


def test_missing_or_invalid_answers_are_refused_and_nothing_is_saved(annecy):
    from django.core.exceptions import ValidationError

    answers = _answers(2)
    first = next(iter(answers))
    answers[first] = 9
    answers.pop(next(reversed(answers)))
    with tenant_context(annecy), pytest.raises(ValidationError) as error:
        maturity_save(actor=None, answers=answers)
    assert first in error.value.message_dict
    with tenant_context(annecy):
        assert MaturityAssessment.objects.count() == 0
    assert not MaturityScore.objects.filter(collectivite=annecy).exists()


def test_peer_median_needs_three_peers_and_uses_only_the_aggregate(client_for, people, annecy):
    from knowledge.services import peer_medians

    peers = []
    for slug in ("epci-a", "epci-b", "collectivite-a", "collectivite-b"):
        peer = Collectivite.objects.get(slug=slug)
        # comparable to the Grand Annecy: same kind, same département (the guide's anonymous
        # bodies have none of their own)
        collectivite_update(peer, kind="ca", population=None, departement="74")
        peers.append(peer)
    collectivite_update(annecy, population=None)
    annecy.refresh_from_db()
    for index, peer in enumerate(peers[:2]):
        with tenant_context(peer):
            maturity_save(actor=None, answers=_answers(index * 4))
    medians, count, _by_rule = peer_medians(annecy)
    assert (medians, count) == ({}, 2)
    with tenant_context(annecy):
        maturity_save(actor=None, answers=_answers(2))
    html = client_for("grand-annecy", people["reader"]).get("/maturite/resultat/").content.decode()
    assert "Pas de médiane" in html
    with tenant_context(peers[2]):
        maturity_save(actor=None, answers=_answers(4))
    medians, count, _by_rule = peer_medians(annecy)
    assert count == 3 and medians["awareness"] == 100  # scores 0, 100, 100
    html = client_for("grand-annecy", people["reader"]).get("/maturite/resultat/").content.decode()
    assert "Médiane calculée sur 3 collectivités" in html
    assert "Prochaines étapes" in html


def test_maturity_pages_for_members_only(client_for, people):
    assert client_for("grand-annecy").get("/maturite/").status_code == 302
    assert client_for("grand-annecy", people["other"]).get("/maturite/").status_code == 404
    page = client_for("grand-annecy", people["contributor"]).get("/maturite/")
    assert page.status_code == 200 and 'type="radio"' in page.content.decode()
    response = client_for("grand-annecy", people["contributor"]).post("/maturite/", {})
    assert "Répondez à toutes les questions" in response.content.decode()


def test_a_maturity_answer_that_is_not_a_score_is_called_invalid(client_for, people):
    from knowledge.models import MaturityQuestion

    data = {code: "2" for code in MaturityQuestion.objects.values_list("code", flat=True)}
    first = next(iter(data))
    data[first] = "abc"
    html = (
        client_for("grand-annecy", people["contributor"]).post("/maturite/", data).content.decode()
    )
    assert "Réponse invalide." in html
