"""The collectivité's maturity self-assessment (its schema) and its public aggregate."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.services import actor_or_none
from casestudies.models import MaturityAssessment
from casestudies.services.publication import current_collectivite
from knowledge.models import MaturityQuestion, MaturityScore
from knowledge.services import axis_scores


@transaction.atomic
def maturity_save(*, actor, answers: dict[str, int]) -> MaturityAssessment:
    """Record the collectivité's answers (its schema) and their per-axis scores in the public
    aggregate, in one transaction. Peers only ever see the aggregate's medians."""
    collectivite = current_collectivite()
    known = {q.code: q for q in MaturityQuestion.objects.all()}
    errors = {}
    for code, score in answers.items():
        question = known.get(code)
        allowed = {choice["score"] for choice in question.choices} if question else set()
        if score not in allowed:
            errors[code] = _("Réponse invalide.")
    missing = sorted(set(known) - set(answers))
    for code in missing:
        errors[code] = _("Répondez à cette question.")
    if errors:
        raise ValidationError(errors)
    scores = axis_scores(answers)
    assessment = MaturityAssessment.objects.create(
        answers=answers, scores=scores, answered_by=actor_or_none(actor)
    )
    for axis, score in scores.items():
        MaturityScore.objects.update_or_create(
            collectivite=collectivite,
            axis=axis,
            defaults={
                "score": score,
                "collectivite_kind": collectivite.kind,
                "population_band": collectivite.population_band,
            },
        )
    return assessment
