"""Creating and changing a collectivité's use cases (its schema), with their lists of rows."""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.services import actor_or_none
from casestudies import workflow
from casestudies.models import (
    ApproachStep,
    Cost,
    ImpactAssessment,
    Lesson,
    Metric,
    UseCase,
    UseCaseEvent,
    UseCaseRisk,
)
from casestudies.selectors import usecase_full
from casestudies.services.publication import current_collectivite, snapshot
from registry import services as registry_services
from registry import snapshot as declaration
from registry.models import BenchmarkEntry, Collectivite, Term, Tool
from registry.vocabularies import TermVocabulary, Visibility

# The use case's own columns that a service call may set: what members write (the declaration's
# writable fields, lists and relations aside) and what the system records from a source (the
# seed, an import: what it deduced, the status among it; a claimed public source's record: its
# public id).
SET_BY_THE_SYSTEM = {"status_inferred", "inferred_fields", "claimed_from"}
USE_CASE_FIELDS = {
    f.name
    for f in declaration.writable_fields()
    if f.kind
    not in (declaration.CHILDREN, declaration.TOOLS, declaration.TERMS, declaration.COLLECTIVITES)
} | SET_BY_THE_SYSTEM


def _check_domains(domains: Sequence[Term], *, required: bool = True) -> None:
    if required and not domains:
        raise ValidationError({"domains": _("Choisissez au moins un domaine.")})
    wrong = [term.label_fr for term in domains if term.vocabulary != TermVocabulary.DOMAIN]
    if wrong:
        raise ValidationError(
            {"domains": _("Ce ne sont pas des domaines : %s.") % ", ".join(wrong)}
        )


def record_event(
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
        actor=actor_or_none(actor),
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        changes=changes or {},
    )


def _check_rows(name: str, rows: list) -> list:
    if len(rows) > declaration.MAX_ROWS:
        raise ValidationError(
            {
                name: _("%(max)s lignes au plus (%(count)s reçues).")
                % {"max": declaration.MAX_ROWS, "count": len(rows)}
            }
        )
    return rows


def _check_external_ref(use_case: UseCase) -> None:
    taken = UseCase.objects.filter(external_ref=use_case.external_ref).exclude(pk=use_case.pk)
    if use_case.external_ref and taken.exists():
        raise ValidationError({"external_ref": EXTERNAL_REF_TAKEN})


EXTERNAL_REF_TAKEN = gettext_lazy(
    "Une autre fiche de la collectivité porte déjà cette référence externe."
)


def _save(use_case: UseCase, **options) -> None:
    """Save, turning a uniqueness race (two imports at once) into the same clear error.

    No savepoint of its own: every caller is a service's transaction (savepoint when nested),
    which the error rolls back whole."""
    try:
        with transaction.atomic(savepoint=False):
            use_case.save(**options)
    except IntegrityError as error:
        if "usecase_external_ref_unique" in str(error):
            raise ValidationError({"external_ref": EXTERNAL_REF_TAKEN}) from None
        raise


def _replace_steps(use_case: UseCase, steps: Iterable[str | dict], *, new: bool = False) -> None:
    steps = _check_rows("steps", list(steps))
    if not new:
        use_case.steps.all().delete()
    objects = []
    for position, step in enumerate(steps, start=1):
        values = {"text": step} if isinstance(step, str) else dict(step)
        values.pop("position", None)
        objects.append(ApproachStep(use_case=use_case, position=position, **values))
    for obj in objects:
        obj.full_clean(exclude=["use_case"])
    ApproachStep.objects.bulk_create(objects)


def _replace_children(model, use_case: UseCase, rows: Iterable[dict], *, new: bool = False) -> None:
    """Replace the rows of one list: one DELETE (none for a new use case), one INSERT."""
    rows = _check_rows(ROW_NAMES[model], list(rows))
    if model is UseCaseRisk and len({row["risk"].pk for row in rows}) != len(rows):
        raise ValidationError({"risks": _("Chaque risque ne peut figurer qu'une fois.")})
    if not new:
        model.objects.filter(use_case=use_case).delete()
    objects = [model(use_case=use_case, **row) for row in rows]
    for obj in objects:
        obj.full_clean(exclude=["use_case"])
    model.objects.bulk_create(objects)


ROW_NAMES = {
    Lesson: "lessons",
    Metric: "metrics",
    UseCaseRisk: "risks",
    Cost: "costs",
    ImpactAssessment: "impact_assessments",
}


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
    core fields of registry.snapshot are required to submit it."""
    unknown = set(fields) - USE_CASE_FIELDS
    if unknown:
        raise TypeError(f"usecase_create() got unexpected fields: {sorted(unknown)}")
    collectivite = current_collectivite()
    use_case = UseCase(**fields)
    _check_external_ref(use_case)
    use_case.full_clean(exclude=["public_id", "uuid"])
    _check_domains(domains, required=False)
    _check_tools(tools)
    use_case.public_id, use_case.uuid = registry_services.public_id_allocate(collectivite)
    _save(use_case)
    # A new use case has no links and no rows yet: add them, without reading or deleting any.
    for related, objects in (
        (use_case.domains, domains),
        (use_case.tools, tools),
        (use_case.partner_collectivites, _partners(partner_collectivites, collectivite)),
    ):
        if objects:
            related.add(*objects)
    _replace_steps(use_case, steps, new=True)
    _replace_children(Lesson, use_case, lessons, new=True)
    _replace_children(Metric, use_case, metrics, new=True)
    _replace_children(UseCaseRisk, use_case, risks, new=True)
    _replace_children(Cost, use_case, costs, new=True)
    _replace_children(ImpactAssessment, use_case, impact_assessments, new=True)
    record_event(use_case, actor, "created", to_state=use_case.publication_state)
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
    expected_version: str | None = None,
    **fields,
) -> UseCase:
    """Change the given fields (and, when given, replace the linked lists) in one transaction;
    returns the use case read again with everything its representation needs.

    A published use case may be edited: the benchmark keeps its last published version until a
    curator approves the change (submit, then approve)."""
    unknown = set(fields) - USE_CASE_FIELDS
    if unknown:
        raise TypeError(f"usecase_update() got unexpected fields: {sorted(unknown)}")
    lock(use_case)
    if expected_version is not None:
        _check_version(use_case, expected_version)
    workflow.editable(use_case.publication_state)
    before = snapshot(use_case)
    for name, value in fields.items():
        setattr(use_case, name, value)
    _check_external_ref(use_case)
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
    _save(use_case, update_fields=[*fields, "updated_at"])
    if in_benchmark:
        # What the collectivité takes back applies at once; what it widens waits for review.
        registry_services.benchmark_entry_restrict(
            uuid=use_case.uuid,
            actor=actor,
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
    # Read once with everything: the history's diff and the caller's answer (the API's).
    fresh = usecase_full().get(pk=use_case.pk)
    changes = declaration.diff(before, declaration.build(fresh, current_collectivite()))
    if changes and "inferred_fields" not in fields:
        changes, fresh = _confirm_written(use_case, before, changes, fresh)
    if changes:
        record_event(
            use_case,
            actor,
            "updated",
            comment=", ".join(change["label"] for change in changes),
            changes=declaration.changes_of(changes),
        )
    return fresh


def _confirm_written(use_case: UseCase, before: dict, changes: list[dict], fresh: UseCase):
    """A deduced value the collectivité writes is its own: no longer marked as deduced (unless
    the writer says what is deduced, as an import of an export does). Returns the changes and
    the use case as read after them."""
    changed = {change["field"] for change in changes}
    kept = [name for name in use_case.inferred_fields if name not in changed]
    status_inferred = use_case.status_inferred and "status" not in changed
    if kept == use_case.inferred_fields and status_inferred == use_case.status_inferred:
        return changes, fresh
    use_case.inferred_fields, use_case.status_inferred = kept, status_inferred
    _save(use_case, update_fields=["inferred_fields", "status_inferred", "updated_at"])
    fresh = usecase_full().get(pk=use_case.pk)
    return declaration.diff(before, declaration.build(fresh, current_collectivite())), fresh


def lock(use_case: UseCase) -> None:
    """Serialise the changes of one use case (row lock until commit) and work on its current
    publication state and version, not on what a possibly stale instance holds."""
    use_case.publication_state, use_case.published_at, use_case.updated_at = (
        UseCase.objects.select_for_update()
        .values_list("publication_state", "published_at", "updated_at")
        .get(pk=use_case.pk)
    )


class StaleWrite(ValidationError):
    """The use case changed since the writer read it: nothing is written (the API answers 412,
    the form shows what changed, by whom, with the person's input kept).

    `changes`: what the others changed since, {field: {"before", "after"}} (the snapshot's
    values), so that a form can take their values where its writer typed nothing new;
    `by`: who they are."""

    changes: dict = {}
    by: str = ""


def version_of(use_case: UseCase) -> str:
    """The version a writer read (the form's hidden field, the API's ETag): it changes with
    every write of the use case."""
    return str(int(use_case.updated_at.timestamp() * 1_000_000))


def _check_version(use_case: UseCase, expected: str) -> None:
    if expected == version_of(use_case):
        return
    since = (
        datetime.fromtimestamp(int(expected) / 1_000_000, tz=UTC)
        if expected.isdigit()
        else use_case.created_at
    )
    events = list(
        UseCaseEvent.objects.filter(use_case=use_case, created_at__gt=since).select_related("actor")
    )
    # The write that made the version read records its event just after it: not another's.
    if events and events[0].created_at - since < timedelta(seconds=1):
        events = events[1:]
    who = ", ".join(sorted({str(e.actor) if e.actor else str(_("le système")) for e in events}))
    changed = (e.comment for e in events if e.action == "updated" and e.comment)
    what = ", ".join(dict.fromkeys(changed))
    theirs: dict = {}
    for event in events:
        for name, change in (event.changes or {}).items():
            theirs.setdefault(name, {"before": change.get("before")})["after"] = change.get("after")
    error = StaleWrite(
        _(
            "Ce cas d'usage a été modifié depuis que vous l'avez ouvert, par %(who)s le "
            "%(when)s%(what)s. Rien n'a été enregistré : vos saisies sont conservées ci-dessous, "
            "vérifiez-les puis enregistrez à nouveau pour les appliquer."
        )
        % {
            "who": who or _("une autre personne"),
            "when": date_format(timezone.localtime(use_case.updated_at), "j F Y à H:i"),
            "what": _(" (%s)") % what if what else "",
        }
    )
    error.changes, error.by = theirs, who or str(_("une autre personne"))
    raise error


@transaction.atomic
def usecase_verify(*, use_case: UseCase, actor) -> UseCase:
    """« Je confirme que cette fiche est à jour »: today becomes the date of the collectivité's
    last verification, on its use case and, when published, on its public record at once (a date,
    nothing the curators review), with a line in both histories."""
    lock(use_case)
    use_case.verified_on = timezone.localdate()
    # What was deduced from the source is what the collectivité now confirms.
    use_case.inferred_fields, use_case.status_inferred = [], False
    UseCase.objects.filter(pk=use_case.pk).update(
        verified_on=use_case.verified_on, inferred_fields=[], status_inferred=False
    )
    record_event(
        use_case,
        actor,
        "verified",
        comment=_("Fiche confirmée à jour le %s.") % date_format(use_case.verified_on, "j F Y"),
    )
    registry_services.benchmark_entry_verified(
        uuid=use_case.uuid, actor=actor, verified_on=use_case.verified_on
    )
    return use_case
