"""A collectivité takes a public source's record about it into its own space (issue 13,
« claiming »), the public side's writes: which records it may take (those the directory match
gives it: SourceRecord.directory_entry is its Collectivite.directory_entry), the record marked
as taken, and, once the collectivité's case is published, the record's entry leaving the
benchmark for good, in the publication's transaction.

The tenant side (casestudies.services.claims) creates the draft between the lock and the mark;
nothing here enters a collectivité's schema.

Decisions: the record's entry leaves the benchmark (it is deleted, with a « superseded » line of
its history naming the case that replaces it) rather than staying hidden: no read path of the
benchmark can show it again, and its old page redirects to the declared case
(registry.views.usecase_page). The next imports of its source keep the record up to date but
never write its entry again (registry.services.sources). Unpublishing the declared case later
does not bring the record back: the collectivité has spoken for it.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import audit_record
from registry import vocabularies as v
from registry.models import BenchmarkEntry, BenchmarkEntryEvent, Collectivite, SourceRecord
from registry.services.benchmark import benchmark_changed, entry_event
from registry.services.sources import public_id_of


def claimable_records(collectivite: Collectivite) -> QuerySet[SourceRecord]:
    """The public sources' records matched to this collectivité, not yet replaced by one of its
    cases (those it took already included, to show their case)."""
    if collectivite.directory_entry_id is None:
        return SourceRecord.objects.none()
    return (
        SourceRecord.objects.filter(
            directory_entry_id=collectivite.directory_entry_id, superseded_at__isnull=True
        )
        .filter(Q(claimed_by__isnull=True) | Q(claimed_by=collectivite))
        .select_related("source", "benchmark_entry")
        .order_by("claimed_by", "source__name", "original_id")
    )


def record_public_id(record: SourceRecord) -> str:
    entry = getattr(record, "benchmark_entry", None)
    return entry.public_id if entry is not None else public_id_of(record.source, record.original_id)


@transaction.atomic
def source_record_lock_for_claim(*, record_id: int, collectivite: Collectivite) -> SourceRecord:
    """The record, locked until the claim commits, if this collectivité may take it: matched
    to it by the directory, and not taken yet (two administrators at once: the second is told)."""
    record = (
        SourceRecord.objects.select_for_update(of=("self",))
        .select_related("source")
        .filter(pk=record_id)
        .first()
    )
    if (
        record is None
        or collectivite.directory_entry_id is None
        or record.directory_entry_id != collectivite.directory_entry_id
    ):
        raise PermissionDenied(_("Cette fiche ne concerne pas votre collectivité."))
    if record.claimed_by_id is not None or record.superseded_at is not None:
        raise ValidationError(
            _("Cette fiche a déjà été reprise (cas d'usage %(public_id)s).")
            % {"public_id": record.claimed_public_id or "—"}
        )
    return record


@transaction.atomic
def source_record_claimed(
    *, record: SourceRecord, collectivite: Collectivite, public_id: str, actor
) -> SourceRecord:
    """Mark the record as taken by the collectivité into its case `public_id` (a draft): it
    stays in the benchmark, as a public source's record, until that case is published."""
    record.claimed_by = collectivite
    record.claimed_public_id = public_id
    record.claimed_at = timezone.now()
    record.save(update_fields=["claimed_by", "claimed_public_id", "claimed_at", "updated_at"])
    entry = BenchmarkEntry.objects.filter(source_record=record).only("uuid", "public_id").first()
    if entry is not None:
        entry_event(
            uuid=entry.uuid,
            public_id=entry.public_id,
            actor=actor,
            action=v.HistoryAction.CLAIMED,
            changes={"claimed_by": {"before": "", "after": collectivite.slug}},
            comment=_("Reprise par %(name)s dans son cas d'usage %(public_id)s.")
            % {"name": collectivite.name, "public_id": public_id},
        )
    audit_record(
        actor=actor,
        action="source_record_claimed",
        target=record,
        changes={"collectivite": collectivite.slug, "use_case": public_id},
    )
    return record


@transaction.atomic
def source_record_supersede(
    *, collectivite: Collectivite, public_id: str, actor
) -> SourceRecord | None:
    """The collectivité's case `public_id` is published: the public source's record it was
    taken from leaves the benchmark (its entry deleted, a « superseded » line in its history
    naming the case), in the publication's transaction. None: the case was taken from no
    record (or replaced it already)."""
    record = (
        SourceRecord.objects.select_for_update(of=("self",))
        .filter(claimed_by=collectivite, claimed_public_id=public_id, superseded_at__isnull=True)
        .first()
    )
    if record is None:
        return None
    entry = BenchmarkEntry.objects.select_for_update().filter(source_record=record).first()
    if entry is not None:
        entry_event(
            uuid=entry.uuid,
            public_id=entry.public_id,
            actor=actor,
            action=v.HistoryAction.SUPERSEDED,
            changes={"superseded_by": {"before": "", "after": public_id}},
            comment=_("Remplacée par la fiche %(public_id)s, déclarée par %(name)s.")
            % {"public_id": public_id, "name": collectivite.name},
        )
        entry.delete()
    record.superseded_at = timezone.now()
    record.save(update_fields=["superseded_at", "updated_at"])
    benchmark_changed()
    return record


def superseded_by(public_id: str) -> str | None:
    """The declared case that replaced the public source's record `public_id`, if any."""
    event = (
        BenchmarkEntryEvent.objects.filter(public_id=public_id, action=v.HistoryAction.SUPERSEDED)
        .order_by("-id")
        .first()
    )
    if event is None:
        return None
    return (event.changes.get("superseded_by") or {}).get("after") or None


def claimed_record(collectivite_id, public_id: str) -> SourceRecord | None:
    """The public source's record this collectivité's case was taken from, if any."""
    return (
        SourceRecord.objects.select_related("source")
        .filter(claimed_by_id=collectivite_id, claimed_public_id=public_id)
        .first()
    )


def claimed_record_of(entry: BenchmarkEntry) -> SourceRecord | None:
    """The public source's record a declared case was taken from (its provenance), if any."""
    if entry.origin != v.Origin.DECLARED or not entry.payload.get("claimed_from"):
        return None
    return claimed_record(entry.collectivite_id, entry.public_id)
