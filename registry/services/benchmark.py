"""Writes of the cross-collectivité benchmark (public schema): public ids, submissions to the
curators, published entries and their history. The tenant side calls these, in the transaction of
its own change; nothing here enters a collectivité's schema."""

import uuid as uuid_module

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import actor_or_none
from registry import selectors, snapshot
from registry.models import (
    BenchmarkEntry,
    BenchmarkEntryEvent,
    BenchmarkVersion,
    Collectivite,
    Submission,
    Term,
    Tool,
    UseCaseIdentifier,
)
from registry.search import search_vector
from registry.vocabularies import Origin, SubmissionState, Visibility


def entry_event(
    *, uuid, public_id: str, actor, action: str, changes=None, comment: str = "", at=None
):
    """One row of a benchmark entry's history (it outlives the entry); `at`: when it happened,
    if not now (the seed dates its records by their source)."""
    event = BenchmarkEntryEvent.objects.create(
        uuid=uuid,
        public_id=public_id,
        actor=actor_or_none(actor),
        action=action,
        changes=changes or {},
        comment=comment,
    )
    if at is not None:  # created_at is auto_now_add: written after the row
        BenchmarkEntryEvent.objects.filter(pk=event.pk).update(created_at=at)
        event.created_at = at
    return event


def benchmark_changed() -> None:
    """Every write of the benchmark bumps its version (cache keys and ETags carry it)."""
    updated = BenchmarkVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        BenchmarkVersion.objects.create(pk=1, version=1)
    # This process's anonymous visitors see the write at once (registry.selectors).
    selectors.forget_recent_benchmark_version()
    transaction.on_commit(selectors.forget_recent_benchmark_version)


def public_id_allocate(collectivite: Collectivite) -> tuple[str, uuid_module.UUID]:
    """Hand out the next public id of the collectivité, recorded federation-wide, never reused.

    The counter's UPDATE locks the collectivité's row until the commit (two allocations queue)
    and returns the new number in the same round trip; inside the caller's transaction, no
    savepoint of its own (a failure rolls the caller back)."""
    table = Collectivite._meta.db_table
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_use_case_number = last_use_case_number + 1 "  # noqa: S608
            "WHERE id = %s RETURNING last_use_case_number",
            [collectivite.pk],
        )
        (number,) = cursor.fetchone()
        # Without a département (an anonymous body of the guide), the slug alone: a slug
        # starts with a letter and a département code with a digit, so no two ids can meet.
        prefix = f"{collectivite.departement}-" if collectivite.departement else ""
        public_id = f"{prefix}{collectivite.slug.upper()}-{number:04d}"
        identifier = UseCaseIdentifier.objects.create(
            public_id=public_id, uuid=uuid_module.uuid4(), collectivite=collectivite
        )
    return identifier.public_id, identifier.uuid


# --- submissions to the curators -------------------------------------------------------------


def submission_pending(uuid) -> Submission | None:
    return Submission.objects.filter(uuid=uuid, state=SubmissionState.PENDING).first()


def published_payload(uuid) -> dict | None:
    return BenchmarkEntry.objects.filter(uuid=uuid).values_list("payload", flat=True).first()


@transaction.atomic
def submission_open(
    *, collectivite: Collectivite, actor, payload: dict, previous_state: str, message: str
) -> Submission:
    """A copy of the snapshot for the curators to read, with its completeness."""
    published = published_payload(payload["uuid"])
    # The published payload keeps the contact address out (a column, for peers): compare alike.
    if published is not None and not snapshot.diff(published, {**payload, "contact_email": ""}):
        raise ValidationError(
            _("Rien à soumettre : le cas d'usage n'a pas changé depuis sa publication.")
        )
    score, missing = snapshot.completeness(payload)
    return Submission.objects.create(
        uuid=payload["uuid"],
        public_id=payload["public_id"],
        collectivite=collectivite,
        title=payload["title"],
        previous_state=previous_state,
        payload=payload,
        completeness=score,
        missing=missing,
        message=message,
        submitted_by=actor_or_none(actor),
    )


def submission_close(submission: Submission | None, state: str, actor, comment: str = "") -> None:
    if submission is None:
        return
    submission.state = state
    submission.decided_by = actor_or_none(actor)
    submission.decided_at = timezone.now()
    submission.decision_comment = comment
    submission.save(update_fields=["state", "decided_by", "decided_at", "decision_comment"])


# --- published entries -----------------------------------------------------------------------


def _curation(entry: BenchmarkEntry) -> dict:
    return {
        "featured": entry.featured,
        "curator_note": entry.curator_note,
        "domains": entry.curated_domains,
        "tool_ids": entry.curated_tool_ids,
        "quality_flags": entry.quality_flags,
    }


def apply_curation(entry: BenchmarkEntry, payload_domains: list[str], payload_tools: list[int]):
    """Filter columns follow the curator's normalisation when there is one."""
    entry.domains = entry.curated_domains or payload_domains
    entry.tool_ids = entry.curated_tool_ids or payload_tools
    entry.payload = {**entry.payload, "curation": _curation(entry)}


@transaction.atomic
def benchmark_entry_write(
    *, collectivite: Collectivite, actor, payload: dict, contact_email: str = "", at=None
) -> BenchmarkEntry:
    """Create or replace the benchmark entry of a use case from its snapshot (called by the
    publishing service, inside its transaction). The table's columns and search text come from
    the snapshot (registry.snapshot); the contact address, for peers only, is kept out of the
    payload. Curators' annotations are kept across republications."""
    uuid = payload["uuid"]
    payload = {**payload, "contact_email": "", "origin": Origin.DECLARED, "provenance": None}
    entry = BenchmarkEntry.objects.select_for_update().filter(uuid=uuid).first()
    before = entry.payload if entry else None
    if entry is None:
        entry = BenchmarkEntry(uuid=uuid)
    columns = snapshot.entry_columns(payload)
    for name, value in {
        "origin": Origin.DECLARED,
        "collectivite": collectivite,
        "collectivite_slug": collectivite.slug,
        "collectivite_kind": collectivite.kind,
        "population_band": collectivite.population_band,
        "departement": collectivite.departement,
        "contact_email": contact_email,
        "payload": payload,
        **columns,
    }.items():
        setattr(entry, name, value)
    apply_curation(entry, columns["domains"], columns["tool_ids"])
    entry.save()
    aliases = [
        alias
        for aliases in Tool.objects.filter(pk__in=columns["tool_ids"]).values_list(
            "aliases", flat=True
        )
        for alias in aliases
    ]
    BenchmarkEntry.objects.filter(pk=entry.pk).update(
        search_vector=search_vector(*snapshot.search_texts(payload, aliases))
    )
    entry_event(
        uuid=uuid,
        public_id=entry.public_id,
        actor=actor,
        action="published" if before is None else "replaced",
        changes=snapshot.changes_of(snapshot.diff(before, payload)),
        at=at,
    )
    benchmark_changed()
    return entry


@transaction.atomic
def benchmark_entry_verified(*, uuid, actor, verified_on) -> bool:
    """The collectivité confirmed its published record is up to date: the date is shown at once
    (payload), with a line of the entry's history; what the record's source left unsaid and the
    registry deduced is now confirmed, no longer marked as deduced."""
    entry = BenchmarkEntry.objects.select_for_update().filter(uuid=uuid).first()
    if entry is None:
        return False
    before = entry.payload.get("verified_on")
    entry.payload = {
        **entry.payload,
        "verified_on": verified_on.isoformat(),
        "inferred_fields": [],
        "status_inferred": False,
    }
    entry.save(update_fields=["payload", "updated_at"])
    entry_event(
        uuid=uuid,
        public_id=entry.public_id,
        actor=actor,
        action="verified",
        changes={"verified_on": {"before": before, "after": verified_on.isoformat()}},
    )
    benchmark_changed()
    return True


VISIBILITY_RANK = {Visibility.PRIVATE: 0, Visibility.NETWORK: 1, Visibility.PUBLIC: 2}


@transaction.atomic
def benchmark_entry_restrict(*, uuid, actor, visibility: str, withdraw_contact: bool) -> bool:
    """Apply at once what a collectivité takes back from its published entry (a narrower
    visibility, its contact address); anything it widens waits for a curator's approval."""
    entry = BenchmarkEntry.objects.select_for_update().filter(uuid=uuid).first()
    if entry is None:
        return False
    changes = {}
    if VISIBILITY_RANK[visibility] < VISIBILITY_RANK[entry.visibility]:
        changes["visibility"] = {"before": entry.visibility, "after": visibility}
        entry.visibility = visibility
        entry.payload = {**entry.payload, "visibility": visibility}
    if withdraw_contact and entry.contact_email:
        changes["contact_email"] = {"before": _("(adresse)"), "after": ""}
        entry.contact_email = ""
    if not changes:
        return False
    entry.save(update_fields=["visibility", "payload", "contact_email", "updated_at"])
    entry_event(
        uuid=uuid,
        public_id=entry.public_id,
        actor=actor,
        action="restricted",
        changes=changes,
    )
    benchmark_changed()
    return True


@transaction.atomic
def benchmark_entry_remove(*, uuid, actor=None, comment: str = "") -> bool:
    entry = BenchmarkEntry.objects.filter(uuid=uuid).first()
    if entry is None:
        return False
    entry_event(
        uuid=uuid,
        public_id=entry.public_id,
        actor=actor,
        action="removed",
        comment=comment,
    )
    entry.delete()
    benchmark_changed()
    return True


ANNOTATION_FIELDS = {
    "featured",
    "curator_note",
    "curated_domains",
    "curated_tool_ids",
    "quality_flags",
}


@transaction.atomic
def benchmark_entry_annotate(*, entry: BenchmarkEntry, actor, **fields) -> BenchmarkEntry:
    """Curators' annotations: featured, note, normalised domains and tools, quality flags."""
    unknown = set(fields) - ANNOTATION_FIELDS
    if unknown:
        raise TypeError(f"benchmark_entry_annotate() got unexpected fields: {sorted(unknown)}")
    if "curated_domains" in fields:
        known = set(
            Term.objects.filter(
                vocabulary="domain", code__in=fields["curated_domains"]
            ).values_list("code", flat=True)
        )
        unknown_codes = sorted(set(fields["curated_domains"]) - known)
        if unknown_codes:
            raise ValidationError(
                {"curated_domains": _("Domaine inconnu : %s.") % ", ".join(unknown_codes)}
            )
    if "curated_tool_ids" in fields:
        known_tools = set(
            Tool.objects.filter(
                pk__in=fields["curated_tool_ids"], merged_into__isnull=True
            ).values_list("pk", flat=True)
        )
        if set(fields["curated_tool_ids"]) - known_tools:
            raise ValidationError({"curated_tool_ids": _("Outil inconnu ou fusionné.")})
    changes = {
        name: {"before": getattr(entry, name), "after": value}
        for name, value in fields.items()
        if getattr(entry, name) != value
    }
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.clean_fields(
        exclude=[f.name for f in BenchmarkEntry._meta.fields if f.name not in ANNOTATION_FIELDS]
    )
    columns = snapshot.entry_columns(entry.payload)
    apply_curation(entry, columns["domains"], columns["tool_ids"])
    entry.save()
    if changes:
        entry_event(
            uuid=entry.uuid,
            public_id=entry.public_id,
            actor=actor,
            action="annotated",
            changes=changes,
        )
        benchmark_changed()
    return entry
