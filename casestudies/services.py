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
from rest_framework.renderers import JSONRenderer

from casestudies.models import ApproachStep, Lesson, Metric, UseCase, UseCaseEvent
from registry import services as registry_services
from registry.models import Collectivite, Term, Tool, UseCaseIdentifier
from registry.vocabularies import PublicationState, TermVocabulary, Visibility

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


def _check_domains(domains: Sequence[Term]) -> None:
    if not domains:
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
) -> UseCaseEvent:
    return UseCaseEvent.objects.create(
        use_case=use_case,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
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
    model.objects.filter(use_case=use_case).delete()
    objects = [model(use_case=use_case, **row) for row in rows]
    for obj in objects:
        obj.full_clean(exclude=["use_case"])
    model.objects.bulk_create(objects)


@transaction.atomic
def usecase_create(
    *,
    actor,
    domains: Sequence[Term],
    tools: Sequence[Tool] = (),
    steps: Iterable[str | dict] = (),
    lessons: Iterable[dict] = (),
    metrics: Iterable[dict] = (),
    **fields,
) -> UseCase:
    unknown = set(fields) - USE_CASE_FIELDS
    if unknown:
        raise TypeError(f"usecase_create() got unexpected fields: {sorted(unknown)}")
    collectivite = current_collectivite()
    use_case = UseCase(**fields)
    use_case.full_clean(exclude=["public_id", "uuid"])
    _check_domains(domains)
    use_case.public_id, use_case.uuid = allocate_public_id(collectivite)
    use_case.save()
    use_case.domains.set(domains)
    use_case.tools.set(tools)
    _replace_steps(use_case, steps)
    _replace_children(Lesson, use_case, lessons)
    _replace_children(Metric, use_case, metrics)
    _record(use_case, actor, "created", to_state=use_case.publication_state)
    return use_case


@transaction.atomic
def usecase_update(
    *,
    use_case: UseCase,
    actor,
    domains: Sequence[Term] | None = None,
    tools: Sequence[Tool] | None = None,
    steps: Iterable[str | dict] | None = None,
    lessons: Iterable[dict] | None = None,
    metrics: Iterable[dict] | None = None,
    **fields,
) -> UseCase:
    """Change the given fields (and, when given, replace the linked lists) in one transaction."""
    unknown = set(fields) - USE_CASE_FIELDS
    if unknown:
        raise TypeError(f"usecase_update() got unexpected fields: {sorted(unknown)}")
    if use_case.publication_state == PublicationState.ARCHIVED:
        raise ValidationError(_("Un cas d'usage archivé ne peut plus être modifié."))
    for name, value in fields.items():
        setattr(use_case, name, value)
    use_case.full_clean()
    changed = sorted(fields)
    use_case.save()
    if domains is not None:
        _check_domains(domains)
        use_case.domains.set(domains)
        changed.append("domains")
    if tools is not None:
        use_case.tools.set(tools)
        changed.append("tools")
    for name, rows, writer in (
        ("steps", steps, lambda rows: _replace_steps(use_case, rows)),
        ("lessons", lessons, lambda rows: _replace_children(Lesson, use_case, rows)),
        ("metrics", metrics, lambda rows: _replace_children(Metric, use_case, rows)),
    ):
        if rows is not None:
            writer(rows)
            changed.append(name)
    if use_case.publication_state == PublicationState.PUBLISHED:
        if use_case.visibility == Visibility.PRIVATE:
            raise ValidationError(
                {
                    "visibility": _(
                        "Ce cas d'usage est publié : dépubliez-le avant de le rendre privé."
                    )
                }
            )
        _write_snapshot(use_case)
    _record(use_case, actor, "updated", comment=", ".join(changed))
    return use_case


def _write_snapshot(use_case: UseCase) -> None:
    """Copy what may leave the collectivité into the public benchmark table."""
    from casestudies.serializers import UseCaseSnapshotSerializer

    collectivite = current_collectivite()
    use_case = UseCase.objects.prefetch_related(
        "tools__vendor", "domains", "steps", "lessons", "metrics"
    ).get(pk=use_case.pk)
    payload = json.loads(
        JSONRenderer().render(
            UseCaseSnapshotSerializer(use_case, context={"collectivite": collectivite}).data
        )
    )
    tools = list(use_case.tools.all())
    domains = list(use_case.domains.all())
    registry_services.benchmark_entry_write(
        collectivite=collectivite,
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
            "domains": [term.code for term in domains],
            "tool_ids": [tool.pk for tool in tools],
            "techniques": use_case.techniques,
            "started_on": use_case.started_on,
            "production_on": use_case.production_on,
            "published_at": use_case.published_at,
        },
        search_texts=[
            use_case.title,
            use_case.summary,
            use_case.context,
            use_case.purpose,
            use_case.tool_other,
            use_case.department_service,
            collectivite.name,
            *(f"{tool.name} {' '.join(tool.aliases)}" for tool in tools),
            *(term.label_fr for term in domains),
            *(step.text for step in use_case.steps.all()),
            *(lesson.text for lesson in use_case.lessons.all()),
        ],
    )


def _transition(use_case: UseCase, actor, action: str, to_state: str, comment: str = "") -> None:
    previous = use_case.publication_state
    use_case.publication_state = to_state
    use_case.save(update_fields=["publication_state", "published_at", "updated_at"])
    _record(use_case, actor, action, from_state=previous, to_state=to_state, comment=comment)


@transaction.atomic
def usecase_publish(*, use_case: UseCase, actor, comment: str = "") -> UseCase:
    """Publish: the benchmark entry is written in the same transaction."""
    if use_case.publication_state == PublicationState.ARCHIVED:
        raise ValidationError(_("Un cas d'usage archivé ne peut pas être publié."))
    if use_case.visibility == Visibility.PRIVATE:
        raise ValidationError(
            {
                "visibility": _(
                    "Un cas d'usage privé ne peut pas être publié : choisissez d'abord la "
                    "visibilité « réseau des membres » ou « public »."
                )
            }
        )
    use_case.published_at = timezone.now()
    _transition(use_case, actor, "published", PublicationState.PUBLISHED, comment)
    _write_snapshot(use_case)
    return use_case


@transaction.atomic
def usecase_unpublish(*, use_case: UseCase, actor, comment: str = "") -> UseCase:
    if use_case.publication_state != PublicationState.PUBLISHED:
        raise ValidationError(_("Ce cas d'usage n'est pas publié."))
    _transition(use_case, actor, "unpublished", PublicationState.UNPUBLISHED, comment)
    registry_services.benchmark_entry_remove(uuid=use_case.uuid)
    return use_case


@transaction.atomic
def usecase_archive(*, use_case: UseCase, actor, comment: str = "") -> UseCase:
    """Archive, never destroy: the use case leaves the benchmark and can no longer change."""
    if use_case.publication_state == PublicationState.ARCHIVED:
        raise ValidationError(_("Ce cas d'usage est déjà archivé."))
    _transition(use_case, actor, "archived", PublicationState.ARCHIVED, comment)
    registry_services.benchmark_entry_remove(uuid=use_case.uuid)
    return use_case
