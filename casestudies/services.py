"""Every write to a collectivité's use cases goes through these functions.

They run in the schema of the current collectivité (set by the request's host, or by
`tenant_context` in commands) and take the acting user for the audit trail.
"""

import json
import uuid
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context
from rest_framework.renderers import JSONRenderer

from casestudies import notifications, workflow
from casestudies.models import (
    ApproachStep,
    Cost,
    ImpactAssessment,
    Lesson,
    MaturityAssessment,
    Metric,
    UseCase,
    UseCaseEvent,
    UseCaseRisk,
)
from casestudies.review import completeness, payload_diff
from registry import services as registry_services
from registry.models import BenchmarkEntry, Collectivite, Submission, Term, Tool, UseCaseIdentifier
from registry.vocabularies import PublicationState, SubmissionState, TermVocabulary, Visibility

USE_CASE_FIELDS = {
    field.name
    for field in UseCase._meta.concrete_fields
    if field.editable and field.name not in {"id", "publication_state", "published_at"}
}


def current_collectivite() -> Collectivite:
    tenant = connection.tenant
    if not isinstance(tenant, Collectivite):
        raise RuntimeError("Use-case services run inside a collectivité's schema.")
    return tenant


def allocate_public_id(collectivite: Collectivite) -> tuple[str, uuid.UUID]:
    """Hand out the next public id of the collectivité, recorded federation-wide, never reused."""
    with transaction.atomic():
        Collectivite.objects.filter(pk=collectivite.pk).update(
            last_use_case_number=F("last_use_case_number") + 1
        )
        number = Collectivite.objects.values_list("last_use_case_number", flat=True).get(
            pk=collectivite.pk
        )
        public_id = f"{collectivite.departement}-{collectivite.slug.upper()}-{number:04d}"
        identifier = UseCaseIdentifier.objects.create(
            public_id=public_id, uuid=uuid.uuid4(), collectivite=collectivite
        )
    return identifier.public_id, identifier.uuid


def _check_domains(domains: Sequence[Term], *, required: bool = True) -> None:
    if required and not domains:
        raise ValidationError({"domains": _("Choisissez au moins un domaine.")})
    wrong = [term.label_fr for term in domains if term.vocabulary != TermVocabulary.DOMAIN]
    if wrong:
        raise ValidationError(
            {"domains": _("Ce ne sont pas des domaines : %s.") % ", ".join(wrong)}
        )


def _record(
    use_case: UseCase,
    actor,
    action: str,
    *,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    changes: dict | None = None,
) -> UseCaseEvent:
    return UseCaseEvent.objects.create(
        use_case=use_case,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        changes=changes or {},
    )


def _replace_steps(use_case: UseCase, steps: Iterable[str | dict]) -> None:
    use_case.steps.all().delete()
    objects = []
    for position, step in enumerate(steps, start=1):
        values = {"text": step} if isinstance(step, str) else dict(step)
        values.pop("position", None)
        objects.append(ApproachStep(use_case=use_case, position=position, **values))
    for obj in objects:
        obj.full_clean(exclude=["use_case"])
    ApproachStep.objects.bulk_create(objects)


def _replace_children(model, use_case: UseCase, rows: Iterable[dict]) -> None:
    rows = list(rows)
    if model is UseCaseRisk and len({row["risk"].pk for row in rows}) != len(rows):
        raise ValidationError({"risks": _("Chaque risque ne peut figurer qu'une fois.")})
    model.objects.filter(use_case=use_case).delete()
    objects = [model(use_case=use_case, **row) for row in rows]
    for obj in objects:
        obj.full_clean(exclude=["use_case"])
    model.objects.bulk_create(objects)


def _partners(partners: Sequence[Collectivite], collectivite: Collectivite) -> list:
    if any(partner.pk == collectivite.pk for partner in partners):
        raise ValidationError(
            {"partner_collectivites": _("Une collectivité n'est pas sa propre partenaire.")}
        )
    return list(partners)


def _check_tools(tools: Sequence[Tool], already: Iterable[int] = ()) -> None:
    """A deprecated or merged tool may stay where it is, but not be newly linked."""
    already = set(already)
    refused = [
        tool.name
        for tool in tools
        if tool.pk not in already and (tool.deprecated or tool.merged_into_id)
    ]
    if refused:
        raise ValidationError(
            {
                "tools": _("Outil obsolète ou fusionné, choisissez-en un autre : %s.")
                % ", ".join(refused)
            }
        )


@transaction.atomic
def usecase_create(
    *,
    actor,
    domains: Sequence[Term] = (),
    tools: Sequence[Tool] = (),
    partner_collectivites: Sequence[Collectivite] = (),
    steps: Iterable[str | dict] = (),
    lessons: Iterable[dict] = (),
    metrics: Iterable[dict] = (),
    risks: Iterable[dict] = (),
    costs: Iterable[dict] = (),
    impact_assessments: Iterable[dict] = (),
    **fields,
) -> UseCase:
    """Create a use case as a draft: only the title and summary are required at this point; the
    core classification is required to submit it (CORE_FIELDS)."""
    unknown = set(fields) - USE_CASE_FIELDS
    if unknown:
        raise TypeError(f"usecase_create() got unexpected fields: {sorted(unknown)}")
    collectivite = current_collectivite()
    use_case = UseCase(**fields)
    use_case.full_clean(exclude=["public_id", "uuid"])
    _check_domains(domains, required=False)
    _check_tools(tools)
    use_case.public_id, use_case.uuid = allocate_public_id(collectivite)
    use_case.save()
    use_case.domains.set(domains)
    use_case.tools.set(tools)
    use_case.partner_collectivites.set(_partners(partner_collectivites, collectivite))
    _replace_steps(use_case, steps)
    _replace_children(Lesson, use_case, lessons)
    _replace_children(Metric, use_case, metrics)
    _replace_children(UseCaseRisk, use_case, risks)
    _replace_children(Cost, use_case, costs)
    _replace_children(ImpactAssessment, use_case, impact_assessments)
    _record(use_case, actor, "created", to_state=use_case.publication_state)
    return use_case


@transaction.atomic
def usecase_update(
    *,
    use_case: UseCase,
    actor,
    domains: Sequence[Term] | None = None,
    tools: Sequence[Tool] | None = None,
    partner_collectivites: Sequence[Collectivite] | None = None,
    steps: Iterable[str | dict] | None = None,
    lessons: Iterable[dict] | None = None,
    metrics: Iterable[dict] | None = None,
    risks: Iterable[dict] | None = None,
    costs: Iterable[dict] | None = None,
    impact_assessments: Iterable[dict] | None = None,
    **fields,
) -> UseCase:
    """Change the given fields (and, when given, replace the linked lists) in one transaction.

    A published use case may be edited: the benchmark keeps its last published version until a
    curator approves the change (submit, then approve)."""
    unknown = set(fields) - USE_CASE_FIELDS
    if unknown:
        raise TypeError(f"usecase_update() got unexpected fields: {sorted(unknown)}")
    _lock(use_case)
    workflow.editable(use_case.publication_state)
    before = snapshot(use_case)
    for name, value in fields.items():
        setattr(use_case, name, value)
    use_case.full_clean()
    in_benchmark = BenchmarkEntry.objects.filter(uuid=use_case.uuid).exists()
    if in_benchmark and use_case.visibility == Visibility.PRIVATE:
        raise ValidationError(
            {
                "visibility": _(
                    "Ce cas d'usage figure dans le registre commun : retirez-le du "
                    "registre avant de le rendre privé."
                )
            }
        )
    # The state is the workflow's: never written back from a possibly stale instance.
    use_case.save(update_fields=[*fields, "updated_at"])
    if in_benchmark:
        # What the collectivité takes back applies at once; what it widens waits for review.
        registry_services.benchmark_entry_restrict(
            uuid=use_case.uuid,
            visibility=use_case.visibility,
            withdraw_contact=not use_case.peer_contact_ok,
        )
    if domains is not None:
        _check_domains(domains, required=False)
        use_case.domains.set(domains)
    if tools is not None:
        _check_tools(tools, already=use_case.tools.values_list("pk", flat=True))
        use_case.tools.set(tools)
    if partner_collectivites is not None:
        use_case.partner_collectivites.set(_partners(partner_collectivites, current_collectivite()))
    if steps is not None:
        _replace_steps(use_case, steps)
    if lessons is not None:
        _replace_children(Lesson, use_case, lessons)
    if metrics is not None:
        _replace_children(Metric, use_case, metrics)
    for model, rows in (
        (UseCaseRisk, risks),
        (Cost, costs),
        (ImpactAssessment, impact_assessments),
    ):
        if rows is not None:
            _replace_children(model, use_case, rows)
    changes = payload_diff(before, snapshot(use_case))
    if changes:
        _record(
            use_case,
            actor,
            "updated",
            comment=", ".join(change["label"] for change in changes),
            changes={c["field"]: {"before": c["before"], "after": c["after"]} for c in changes},
        )
    return use_case


def snapshot(use_case: UseCase) -> dict:
    """What may leave the collectivité, as the JSON the benchmark stores and serves."""
    from casestudies.selectors import usecase_full
    from casestudies.serializers import UseCaseSnapshotSerializer

    use_case = usecase_full().get(pk=use_case.pk)
    return json.loads(
        JSONRenderer().render(
            UseCaseSnapshotSerializer(
                use_case, context={"collectivite": current_collectivite()}
            ).data
        )
    )


def _write_snapshot(use_case: UseCase, actor) -> None:
    """Copy the use case's snapshot into the public benchmark table (same transaction)."""
    payload = snapshot(use_case)
    # The contact address is for peers (members), not for everyone: kept out of the public
    # payload, in a column the pages and API show to the network only.
    contact_email, payload["contact_email"] = payload["contact_email"], ""
    registry_services.benchmark_entry_write(
        collectivite=current_collectivite(),
        actor=actor,
        uuid=use_case.uuid,
        public_id=use_case.public_id,
        payload=payload,
        columns={
            "title": use_case.title,
            "visibility": use_case.visibility,
            "status": use_case.status,
            "ai_family": use_case.ai_family,
            "ai_act_risk": use_case.ai_act_risk,
            "automation_level": use_case.automation_level,
            "personal_data": use_case.personal_data,
            "method_phase": use_case.method_phase,
            "domains": [domain["code"] for domain in payload["domains"]],
            "tool_ids": [tool["id"] for tool in payload["tools"]],
            "techniques": use_case.techniques,
            "risk_codes": [risk["code"] for risk in payload["risks"]],
            "contact_email": contact_email,
            "started_on": use_case.started_on,
            "production_on": use_case.production_on,
            "published_at": use_case.published_at,
        },
        search_texts=[
            payload["title"],
            payload["summary"],
            payload["context"],
            payload["purpose"],
            payload["tool_other"],
            payload["department_service"],
            payload["collectivite"]["name"],
            *(tool["name"] for tool in payload["tools"]),
            *(alias for tool in use_case.tools.all() for alias in tool.aliases),
            *(domain["label"] for domain in payload["domains"]),
            *(step["text"] for step in payload["steps"]),
            *(lesson["text"] for lesson in payload["lessons"]),
        ],
    )


def _transition(use_case: UseCase, actor, name: str, to_state: str, comment: str = "") -> str:
    previous = use_case.publication_state
    use_case.publication_state = to_state
    use_case.save(update_fields=["publication_state", "published_at", "updated_at"])
    _record(use_case, actor, name, from_state=previous, to_state=to_state, comment=comment)
    return previous


def _lock(use_case: UseCase) -> None:
    """Serialise the changes of one use case (row lock until commit) and work on its current
    publication state, not on what a possibly stale instance holds."""
    use_case.publication_state, use_case.published_at = (
        UseCase.objects.select_for_update()
        .values_list("publication_state", "published_at")
        .get(pk=use_case.pk)
    )


def _check(transition: str, use_case: UseCase, actor) -> None:
    _lock(use_case)
    workflow.check(
        transition,
        state=use_case.publication_state,
        actor=actor,
        collectivite=current_collectivite(),
    )


def _leave_benchmark(use_case: UseCase, actor, action: str, to_state: str, comment: str) -> None:
    """Unpublication and archiving: close any pending submission, remove the entry."""
    _close_submission(_pending_submission(use_case), SubmissionState.WITHDRAWN, actor, comment)
    _transition(use_case, actor, action, to_state, comment)
    registry_services.benchmark_entry_remove(uuid=use_case.uuid, actor=actor, comment=comment)


def _pending_submission(use_case: UseCase) -> Submission | None:
    return Submission.objects.filter(uuid=use_case.uuid, state=SubmissionState.PENDING).first()


def _close_submission(submission: Submission | None, state: str, actor, comment: str = "") -> None:
    if submission is None:
        return
    submission.state = state
    submission.decided_by = actor if actor is not None and actor.is_authenticated else None
    submission.decided_at = timezone.now()
    submission.decision_comment = comment
    submission.save(update_fields=["state", "decided_by", "decided_at", "decision_comment"])


# What a use case needs before it can be submitted (the data model's core fields).
CORE_FIELDS = [
    "title",
    "summary",
    "ai_family",
    "automation_level",
    "status",
    "ai_act_risk",
    "personal_data",
    "visibility",
]


def _check_core_fields(use_case: UseCase) -> None:
    errors = {
        name: _("À renseigner avant de soumettre au CDG.")
        for name in CORE_FIELDS
        if not getattr(use_case, name)
    }
    if not use_case.domains.exists():
        errors["domains"] = _("Choisissez au moins un domaine avant de soumettre au CDG.")
    if errors:
        raise ValidationError(errors)


def _required(comment: str, field: str, message: str) -> str:
    if not (comment or "").strip():
        raise ValidationError({field: message})
    return comment.strip()


@transaction.atomic
def usecase_submit(*, use_case: UseCase, actor, message: str) -> Submission:
    """Send to the CDG's curators, with a message; the review queue gets a copy to read."""
    collectivite = current_collectivite()
    _check("submit", use_case, actor)
    message = _required(message, "message", _("Dites en quelques mots ce que vous soumettez."))
    _check_core_fields(use_case)
    if use_case.visibility == Visibility.PRIVATE:
        raise ValidationError(
            {
                "visibility": _(
                    "Un cas d'usage privé reste dans la collectivité : choisissez la "
                    "visibilité « réseau des membres » ou « public » pour le soumettre."
                )
            }
        )
    payload = snapshot(use_case)
    published = (
        BenchmarkEntry.objects.filter(uuid=use_case.uuid).values_list("payload", flat=True).first()
    )
    if published is not None and not payload_diff(published, payload):
        raise ValidationError(
            _("Rien à soumettre : le cas d'usage n'a pas changé depuis sa publication.")
        )
    score, missing = completeness(payload)
    submission = Submission.objects.create(
        uuid=use_case.uuid,
        public_id=use_case.public_id,
        collectivite=collectivite,
        title=use_case.title,
        previous_state=use_case.publication_state,
        payload=payload,
        completeness=score,
        missing=missing,
        message=message,
        submitted_by=actor if actor is not None and actor.is_authenticated else None,
    )
    _transition(use_case, actor, "submitted", PublicationState.SUBMITTED, message)
    transaction.on_commit(lambda: notifications.submission_received(submission.pk), robust=True)
    return submission


@transaction.atomic
def usecase_withdraw(*, use_case: UseCase, actor, comment: str = "") -> UseCase:
    _check("withdraw", use_case, actor)
    submission = _pending_submission(use_case)
    _close_submission(submission, SubmissionState.WITHDRAWN, actor, comment)
    back_to = submission.previous_state if submission else PublicationState.DRAFT
    _transition(use_case, actor, "withdrawn", back_to, comment)
    return use_case


@transaction.atomic
def usecase_request_changes(*, use_case: UseCase, actor, comment: str) -> UseCase:
    _check("request_changes", use_case, actor)
    comment = _required(comment, "comment", _("Dites ce qui doit être corrigé."))
    submission = _pending_submission(use_case)
    _close_submission(submission, SubmissionState.CHANGES_REQUESTED, actor, comment)
    _transition(use_case, actor, "changes_requested", PublicationState.CHANGES_REQUESTED, comment)
    if submission is not None:
        transaction.on_commit(lambda: notifications.decision_made(submission.pk), robust=True)
    return use_case


@transaction.atomic
def usecase_approve(*, use_case: UseCase, actor, comment: str = "") -> UseCase:
    """A curator publishes: the benchmark entry is written in the same transaction."""
    _check("approve", use_case, actor)
    submission = _pending_submission(use_case)
    _close_submission(submission, SubmissionState.APPROVED, actor, comment)
    use_case.published_at = timezone.now()
    _transition(use_case, actor, "published", PublicationState.PUBLISHED, comment)
    _write_snapshot(use_case, actor)
    if submission is not None:
        transaction.on_commit(lambda: notifications.decision_made(submission.pk), robust=True)
    return use_case


@transaction.atomic
def usecase_unpublish(*, use_case: UseCase, actor, comment: str = "") -> UseCase:
    _check("unpublish", use_case, actor)
    _leave_benchmark(use_case, actor, "unpublished", PublicationState.UNPUBLISHED, comment)
    return use_case


@transaction.atomic
def usecase_archive(*, use_case: UseCase, actor, comment: str = "") -> UseCase:
    """Archive, never destroy: the use case leaves the benchmark and can no longer change."""
    _check("archive", use_case, actor)
    _leave_benchmark(use_case, actor, "archived", PublicationState.ARCHIVED, comment)
    return use_case


def in_collectivite_of(submission_or_entry, service, **kwargs):
    """Run a use-case service from the public site (a curator's decision): it enters the one
    schema of that collectivité for the duration of the call, never loops over schemas."""
    with tenant_context(submission_or_entry.collectivite):
        use_case = UseCase.objects.get(uuid=submission_or_entry.uuid)
        return service(use_case=use_case, **kwargs)


@transaction.atomic
def maturity_save(*, actor, answers: dict[str, int]) -> MaturityAssessment:
    """Record the collectivité's answers (its schema) and their per-axis scores in the public
    aggregate, in one transaction. Peers only ever see the aggregate's medians."""
    from knowledge.models import MaturityQuestion, MaturityScore
    from knowledge.services import axis_scores

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
        answers=answers,
        scores=scores,
        answered_by=actor if actor is not None and actor.is_authenticated else None,
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
