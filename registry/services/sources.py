"""Writes of the public sources (public schema): an import reads a file through its adapter
(registry/sources/), maps and validates each row, matches French records to the directory, and
upserts each record (registry.SourceRecord) with its benchmark entry (registry.BenchmarkEntry,
origin « public_source »), in a transaction per batch. Every row lands or is reported (row,
column, French reason) on the import run (registry.ImportRun). A row whose content hash has not
changed is neither mapped nor written again: a re-import of the same file changes nothing.

A large file runs in the job queue (registry.tasks.import_source_enqueue: a pending run holding
the file, then `source_import_run` in the worker), with its progress on the import run.
"""

import hashlib
import json
import re
import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from accounts.services import actor_or_none, audit_record, field_changes
from registry import snapshot
from registry import vocabularies as v
from registry.models import (
    BenchmarkEntry,
    BenchmarkEntryEvent,
    DirectoryEntry,
    ImportRun,
    Source,
    SourceRecord,
    Term,
)
from registry.search import search_vector
from registry.services.benchmark import benchmark_changed
from registry.sources import (
    Mapped,
    RawRow,
    Rejected,
    RowError,
    Skipped,
    SourceAdapter,
    SourceFileError,
    adapter_for,
)
from registry.sources.files import read_file
from registry.sources.matching import Match, Matcher
from registry.sources.pstw import PSTWAdapter

# Rows written per transaction.
BATCH_SIZE = 500
# Above this size, the admin upload page runs the import in the job queue.
QUEUE_THRESHOLD_BYTES = 256 * 1024
# Public ids of source records: the source's prefix and the record's identifier.
PUBLIC_ID_MAX = 80
UUID_NAMESPACE = uuid_module.UUID("5b0c3a6e-2f4d-4c1b-9a57-1f3c8d2e6a90")
COUNT_KEYS = ("read", "created", "updated", "unchanged", "skipped", "rejected")
# Columns of the benchmark table an import writes (the curators' annotations are kept).
ENTRY_FIELDS = [
    "public_id",
    "origin",
    "collectivite",
    "organisation_name",
    "collectivite_slug",
    "collectivite_kind",
    "population_band",
    "departement",
    "title",
    "visibility",
    "status",
    "ai_family",
    "ai_act_risk",
    "automation_level",
    "personal_data",
    "method_phase",
    "domains",
    "tool_ids",
    "techniques",
    "risk_codes",
    "started_on",
    "production_on",
    "published_at",
    "updated_at",
    "payload",
    "contact_email",
    "search_vector",
]
RECORD_FIELDS = [
    "original_url",
    "organisation_name",
    "country",
    "read_at",
    "raw",
    "mapped",
    "notes",
    "content_hash",
    "last_run",
    "directory_entry",
    "match_rule",
    "match_confidence",
    "match_candidates",
    "updated_at",
]

Progress = Callable[[ImportRun], None]


# --- the source and its records' identity ---------------------------------------------------------


def source_ensure(adapter: SourceAdapter) -> Source:
    """The source an adapter reads, created from its description the first time (curators may
    then edit its name, licence and attribution: an import never overwrites them)."""
    info = adapter.source_info()
    source, _created = Source.objects.get_or_create(
        slug=info.slug,
        defaults={
            "adapter": adapter.kind,
            "name": str(info.name),
            "publisher": str(info.publisher),
            "licence": str(info.licence),
            "licence_url": info.licence_url,
            "attribution": str(info.attribution),
            "url": info.url,
            "id_prefix": info.id_prefix,
            "description": str(info.description),
        },
    )
    return source


def _profile_name(adapter: SourceAdapter) -> str:
    """The column-mapping profile a run used: given by its name, or an object with one."""
    profile = adapter.profile
    if profile is None:
        return ""
    return str(profile if isinstance(profile, str) else getattr(profile, "name", ""))[:100]


def public_id_of(source: Source, original_id: str) -> str:
    """« PSTW-41 » (the identifier carries the prefix already), « US-DOE-474 »."""
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", original_id.strip()).strip("-") or "sans-id"
    prefix = source.id_prefix.upper()
    public_id = text if text.upper().startswith(prefix + "-") else f"{prefix}-{text}"
    if len(public_id) > PUBLIC_ID_MAX:
        digest = hashlib.sha256(original_id.encode()).hexdigest()[:8]
        public_id = f"{public_id[: PUBLIC_ID_MAX - 9]}-{digest}"
    return public_id


def uuid_of(source: Source, original_id: str) -> uuid_module.UUID:
    return uuid_module.uuid5(UUID_NAMESPACE, f"{source.slug}:{original_id}")


def content_hash(adapter: SourceAdapter, raw: dict) -> str:
    text = json.dumps([adapter.kind, adapter.version, raw], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


# --- the snapshot of a record ---------------------------------------------------------------------


def _empty(f: snapshot.Field):
    if f.kind in (snapshot.CHOICES, snapshot.TERMS, snapshot.TOOLS, snapshot.COLLECTIVITES):
        return []
    if f.kind == snapshot.CHILDREN:
        return []
    if f.kind == snapshot.BOOL:
        return False
    if f.kind in (snapshot.INT, snapshot.DECIMAL, snapshot.DATE, snapshot.DATETIME):
        return None
    return ""


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _identity_of(organisation: str, entry: DirectoryEntry | None) -> dict:
    """The « collectivite » of the snapshot: who the source names, with the directory's codes
    when matched (no slug: it is not a collectivité of the registry)."""
    kind = entry.kind if entry is not None else ""
    if kind not in v.CollectiviteKind.values:
        kind = ""
    return {
        "slug": "",
        "name": organisation or (entry.name if entry is not None else ""),
        "kind": kind,
        "siren": entry.siren if entry is not None else "",
        "insee_code": entry.insee_code if entry is not None and kind == "commune" else "",
        "departement": entry.departement if entry is not None else "",
        "population_band": v.population_band(entry.population) if entry is not None else "",
    }


@dataclass
class _Row:
    """A row that maps, on its way to the database."""

    number: int
    raw: dict
    hash: str
    mapped: Mapped
    match: Match | None = None
    # Filled from the database: the record and its entry, when they exist already.
    record_id: int | None = None
    entry_id: int | None = None
    before: dict | None = None
    published_at: datetime | None = None
    curation: dict = field(default_factory=dict)
    # Replaced by the case its collectivité took over and published (registry.services.claims):
    # the record is kept up to date, its benchmark entry never comes back.
    superseded: bool = False


def build_payload(source: Source, row: _Row, *, read_at, published_at, domain_labels) -> dict:
    """The record in the published format (registry.snapshot), with its origin and provenance."""
    mapped = row.mapped
    payload = {f.name: _empty(f) for f in snapshot.published_fields()}
    fields = dict(mapped.fields)
    precision = fields.pop("date_precision", {})
    for name, value in fields.items():
        if name in payload:
            payload[name] = value
    payload["domains"] = [
        {"code": code, "label": domain_labels[code]}
        for code in fields.get("domains", [])
        if code in domain_labels
    ]
    for name in ("costs", "impact_assessments", "metrics", "lessons", "steps"):
        f = snapshot.get(name)
        payload[name] = [
            {child.name: item.get(child.name, _empty(child)) for child in f.children}
            for item in payload[name]
        ]
    entry = row.match.entry if row.match is not None else None
    payload.update(
        {
            "public_id": public_id_of(source, mapped.original_id),
            "uuid": str(uuid_of(source, mapped.original_id)),
            "collectivite": _identity_of(mapped.organisation_name, entry),
            "visibility": v.Visibility.PUBLIC,
            "published_at": _iso(published_at),
            "source": f"{source.attribution} ({source.licence})",
            "origin": v.Origin.PUBLIC_SOURCE,
            "provenance": {
                "source": source.slug,
                "name": source.name,
                "publisher": source.publisher,
                "licence": source.licence,
                "licence_url": source.licence_url,
                "attribution": source.attribution,
                "url": source.url,
                "millesime": source.millesime,
                "original_id": mapped.original_id,
                "original_url": mapped.original_url,
                "read_at": _iso(read_at),
                "organisation": mapped.organisation_name,
                "country": mapped.country,
                "match": _match_summary(row.match),
                "notes": [str(note) for note in mapped.notes],
            },
            "date_precision": precision,
        }
    )
    # Codes of our vocabularies as plain strings (TextChoices members are str already).
    return json.loads(json.dumps(payload))


def _match_summary(match: Match | None) -> dict | None:
    if match is None:
        return None
    entry = match.entry
    return {
        "rule": match.rule,
        "confidence": match.confidence,
        "directory_key": entry.key if entry is not None else "",
        "directory_name": entry.name if entry is not None else "",
        "candidates": list(match.candidates),
    }


# --- validation (whatever the adapter, before anything is stored) -------------------------------


def validate(number: int, mapped: Mapped) -> list[RowError]:
    """Our rules on the mapped fields: a title of at most 120 characters, codes of our
    vocabularies, ISO dates. The column named is our field's label (the adapter named the
    source's)."""
    errors = []
    fields = mapped.fields
    title = fields.get("title", "")
    if not title:
        errors.append(RowError(number, str(snapshot.get("title").title), _("Titre manquant.")))
    elif len(title) > 120:
        errors.append(
            RowError(
                number,
                str(snapshot.get("title").title),
                _("Titre de %(n)s caractères : 120 au plus.") % {"n": len(title)},
            )
        )
    for name, value in fields.items():
        f = snapshot.BY_NAME.get(name)
        if f is None or value in (None, "", []):
            continue
        if f.kind == snapshot.CHOICE and value not in f.vocabulary.values:
            errors.append(RowError(number, f.title, _("Valeur « %s » inconnue.") % value))
        elif f.kind == snapshot.CHOICES:
            unknown = [code for code in value if code not in f.vocabulary.values]
            if unknown:
                errors.append(
                    RowError(number, f.title, _("Valeur(s) inconnue(s) : %s.") % ", ".join(unknown))
                )
        elif f.kind == snapshot.DATE and parse_date(str(value)) is None:
            errors.append(RowError(number, f.title, _("Date « %s » illisible.") % value))
    if not mapped.original_id:
        errors.append(RowError(number, "", _("Identifiant manquant.")))
    return errors


# --- the import -----------------------------------------------------------------------------------


@dataclass
class _State:
    source: Source
    adapter: SourceAdapter
    run: ImportRun
    dry_run: bool
    actor: object
    started: datetime
    domain_labels: dict
    matcher: Matcher = field(default_factory=Matcher)
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    rejections: list = field(default_factory=list)
    seen_ids: dict = field(default_factory=dict)
    seen_hashes: dict = field(default_factory=dict)
    changed: bool = False


def source_import(
    *,
    adapter: SourceAdapter,
    content: bytes,
    file_name: str,
    actor=None,
    dry_run: bool = False,
    run: ImportRun | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportRun:
    """Import a file of a source; returns its run (state, counts, rejections). dry_run:
    everything is read, mapped, validated and matched, and the counts say what would change;
    nothing is written but the run. A file that cannot be read at all leaves the run « failed »
    with its French message (nothing imported)."""
    source = source_ensure(adapter)
    if run is None:
        run = ImportRun(
            source=source,
            adapter=adapter.kind,
            profile=_profile_name(adapter),
            file_name=file_name[:255],
            dry_run=dry_run,
            created_by=actor_or_none(actor),
        )
    run.file_sha256 = hashlib.sha256(content).hexdigest()
    run.millesime = adapter.millesime(file_name)
    run.state = v.ImportRunState.RUNNING
    run.started_at = timezone.now()
    run.rows_done = 0
    run.save()
    state = _State(
        source=source,
        adapter=adapter,
        run=run,
        dry_run=dry_run,
        actor=actor_or_none(actor),
        started=run.started_at,
        domain_labels=dict(
            Term.objects.filter(vocabulary=v.TermVocabulary.DOMAIN).values_list("code", "label_fr")
        ),
    )
    try:
        if progress is not None:
            run.rows_total = adapter.count_rows(content, file_name)
            run.save(update_fields=["rows_total"])
        batch: list[RawRow] = []
        for row in adapter.read(content, file_name):
            batch.append(row)
            if len(batch) >= batch_size:
                _batch(state, batch, progress)
                batch = []
        if batch:
            _batch(state, batch, progress)
    except SourceFileError as error:
        return _finish(state, v.ImportRunState.FAILED, str(error))
    except Exception as error:
        _finish(state, v.ImportRunState.FAILED, _("Erreur inattendue : %s") % error)
        raise
    millesime = run.millesime or source.millesime
    if not dry_run and (source.columns, source.millesime) != (list(adapter.columns), millesime):
        Source.objects.filter(pk=source.pk).update(
            columns=list(adapter.columns), millesime=millesime, updated_at=timezone.now()
        )
    if not dry_run and state.changed:
        benchmark_changed()
    return _finish(state, v.ImportRunState.DONE)


def _finish(state: _State, run_state: str, error: str = "") -> ImportRun:
    run = state.run
    run.state = run_state
    run.error = error
    run.counts = {**state.counts, **_match_counts(state)}
    run.rejections = state.rejections
    run.finished_at = timezone.now()
    run.content = None
    run.save()
    return run


def _match_counts(state: _State) -> dict:
    return {key: value for key, value in state.counts.items() if key.startswith("match_")}


def _reject(state: _State, errors: list[RowError], original_id: str = "") -> None:
    state.counts["rejected"] += 1
    state.rejections.extend(error.as_dict(original_id) for error in errors)


def _batch(state: _State, rows: list[RawRow], progress: Progress | None) -> None:
    hashes = {id(row): content_hash(state.adapter, row.values) for row in rows}
    # Rows read already, unchanged: their identifiers count as read (a later row with the same
    # identifier is a duplicate, not an update).
    known = dict(
        SourceRecord.objects.filter(
            source=state.source, content_hash__in=set(hashes.values())
        ).values_list("content_hash", "original_id")
    )
    to_write: list[_Row] = []
    for row in rows:
        state.counts["read"] += 1
        digest = hashes[id(row)]
        if digest in state.seen_hashes:
            _reject(
                state,
                [
                    RowError(
                        row.number,
                        "",
                        _("Ligne identique à la ligne %(n)s : lue une seule fois.")
                        % {"n": state.seen_hashes[digest]},
                    )
                ],
            )
            continue
        state.seen_hashes[digest] = row.number
        if digest in known:
            state.counts["unchanged"] += 1
            state.seen_ids.setdefault(known[digest], row.number)
            continue
        result = state.adapter.map(row)
        if isinstance(result, Skipped):
            state.counts["skipped"] += 1
            state.rejections.append({**result.error.as_dict(result.original_id), "skipped": True})
            continue
        if isinstance(result, Rejected):
            _reject(state, result.errors, result.original_id)
            continue
        errors = validate(row.number, result)
        if errors:
            _reject(state, errors, result.original_id)
            continue
        if result.original_id in state.seen_ids:
            _reject(
                state,
                [
                    RowError(
                        row.number,
                        "",
                        _("Identifiant « %(id)s » déjà lu à la ligne %(n)s.")
                        % {"id": result.original_id, "n": state.seen_ids[result.original_id]},
                    )
                ],
                result.original_id,
            )
            continue
        state.seen_ids[result.original_id] = row.number
        to_write.append(_Row(row.number, row.values, digest, result))
    if to_write:
        _existing(state, to_write)
        _match(state, to_write)
        if state.dry_run:
            for item in to_write:
                state.counts["created" if item.record_id is None else "updated"] += 1
        else:
            with transaction.atomic():
                _write(state, to_write)
    run = state.run
    run.rows_done += len(rows)
    run.counts = {**state.counts, **_match_counts(state)}
    ImportRun.objects.filter(pk=run.pk).update(rows_done=run.rows_done, counts=run.counts)
    if progress is not None:
        progress(run)


def _existing(state: _State, rows: list[_Row]) -> None:
    """The records (and entries) these rows replace, one query; a curator's match is kept."""
    by_id = {row.mapped.original_id: row for row in rows}
    records = SourceRecord.objects.filter(
        source=state.source, original_id__in=list(by_id)
    ).select_related("directory_entry", "benchmark_entry")
    for record in records:
        row = by_id[record.original_id]
        row.record_id = record.pk
        row.superseded = record.superseded_at is not None
        if record.match_rule == v.MatchRule.CURATOR:
            row.match = Match(v.MatchRule.CURATOR, record.match_confidence, record.directory_entry)
        entry = getattr(record, "benchmark_entry", None)
        if entry is not None:
            row.entry_id = entry.pk
            row.before = entry.payload
            row.published_at = entry.published_at
            row.curation = {
                "featured": entry.featured,
                "curator_note": entry.curator_note,
                "domains": entry.curated_domains,
                "tool_ids": entry.curated_tool_ids,
                "quality_flags": entry.quality_flags,
            }


def _match(state: _State, rows: list[_Row]) -> None:
    pending = [row for row in rows if row.match is None]
    matches = state.matcher.match_many([row.mapped.identity for row in pending])
    for row, match in zip(pending, matches, strict=True):
        row.match = match
    for row in rows:
        if row.match is not None:
            key = f"match_{row.match.rule}"
            state.counts[key] = state.counts.get(key, 0) + 1


def _published_at(state: _State, row: _Row) -> datetime:
    updated_on = parse_date(row.mapped.updated_on) if row.mapped.updated_on else None
    if updated_on is not None:
        return timezone.make_aware(datetime.combine(updated_on, time(12)))
    return row.published_at or state.started


def _write(state: _State, rows: list[_Row]) -> None:
    source, now = state.source, state.started
    records = []
    for row in rows:
        match = row.match
        records.append(
            SourceRecord(
                source=source,
                original_id=row.mapped.original_id,
                original_url=row.mapped.original_url[:2000],
                organisation_name=row.mapped.organisation_name[:300],
                country=row.mapped.country,
                read_at=now,
                raw=row.raw,
                mapped=json.loads(json.dumps(row.mapped.fields)),
                notes=[str(note) for note in row.mapped.notes],
                content_hash=row.hash,
                last_run=state.run,
                directory_entry=match.entry if match is not None else None,
                match_rule=match.rule if match is not None else "",
                match_confidence=match.confidence if match is not None else None,
                match_candidates=list(match.candidates) if match is not None else [],
            )
        )
    records = SourceRecord.objects.bulk_create(
        records,
        update_conflicts=True,
        unique_fields=["source", "original_id"],
        update_fields=RECORD_FIELDS,
    )
    entries, events = [], []
    for row, record in zip(rows, records, strict=True):
        if row.superseded:
            state.counts["updated"] += 1
            continue
        payload = build_payload(
            source,
            row,
            read_at=now,
            published_at=_published_at(state, row),
            domain_labels=state.domain_labels,
        )
        entry = _entry(record, payload, row)
        # Computed by the INSERT itself (to_tsvector), not by a second write of the row.
        entry.search_vector = search_vector(*snapshot.search_texts(payload))
        entries.append(entry)
        created = row.entry_id is None
        state.counts["created" if created else "updated"] += 1
        events.append(
            BenchmarkEntryEvent(
                uuid=entry.uuid,
                public_id=entry.public_id,
                actor=state.actor,
                action=v.HistoryAction.PUBLISHED if created else v.HistoryAction.REPLACED,
                changes=_changes(row.before, payload),
                comment=_("Import de « %(file)s » (%(source)s)")
                % {"file": state.run.file_name, "source": source.name},
            )
        )
    BenchmarkEntry.objects.bulk_create(
        entries, update_conflicts=True, unique_fields=["uuid"], update_fields=ENTRY_FIELDS
    )
    BenchmarkEntryEvent.objects.bulk_create(events)
    state.changed = True


def _changes(before: dict | None, after: dict) -> dict:
    """What a new version of a record changed ({field: {before, after}}); nothing for a first
    version (its history line says it was imported)."""
    if before is None:
        return {}
    return {
        name: {"before": before.get(name), "after": value}
        for name, value in after.items()
        if name not in snapshot.NOT_COMPARED and before.get(name) != value
    }


def _entry(record: SourceRecord, payload: dict, row: _Row) -> BenchmarkEntry:
    identity = payload["collectivite"]
    entry = BenchmarkEntry(
        uuid=payload["uuid"],
        origin=v.Origin.PUBLIC_SOURCE,
        source_record=record,
        collectivite=None,
        organisation_name=identity["name"][:300],
        collectivite_slug="",
        collectivite_kind=identity["kind"],
        population_band=identity["population_band"],
        departement=identity["departement"],
        payload=payload,
        contact_email="",
        updated_at=timezone.now(),
        **snapshot.entry_columns(payload),
    )
    curation = {
        "featured": False,
        "curator_note": "",
        "domains": [],
        "tool_ids": [],
        "quality_flags": [],
        **row.curation,
    }
    entry.featured = curation["featured"]
    entry.curator_note = curation["curator_note"]
    entry.curated_domains = curation["domains"]
    entry.curated_tool_ids = curation["tool_ids"]
    entry.quality_flags = curation["quality_flags"]
    entry.domains = entry.curated_domains or entry.domains
    entry.tool_ids = entry.curated_tool_ids or entry.tool_ids
    entry.payload = {**payload, "curation": curation}
    return entry


# --- the job queue ------------------------------------------------------------------------------


def source_import_prepare(
    *,
    adapter: SourceAdapter,
    content: bytes,
    file_name: str,
    actor=None,
    dry_run: bool = False,
) -> ImportRun:
    """A pending run holding the file, for a job to read (registry.tasks)."""
    source = source_ensure(adapter)
    return ImportRun.objects.create(
        source=source,
        adapter=adapter.kind,
        profile=_profile_name(adapter),
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        dry_run=dry_run,
        created_by=actor_or_none(actor),
    )


def source_import_run(run_id: int, profile=None) -> ImportRun:
    """Run a pending import (the job's body): its progress is saved after every batch."""
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    if run.state != v.ImportRunState.PENDING or run.content is None:
        return run
    content = bytes(run.content)
    try:
        # A column-mapping run names its profile (registry.MappingProfile).
        adapter = adapter_for(run.adapter, profile=profile or run.profile or None)
    except SourceFileError as error:
        run.state, run.error, run.content = v.ImportRunState.FAILED, str(error), None
        run.finished_at = timezone.now()
        run.save()
        return run
    return source_import(
        adapter=adapter,
        content=content,
        file_name=run.file_name,
        actor=run.created_by,
        dry_run=run.dry_run,
        run=run,
        progress=lambda _run: None,
    )


# --- curators ---------------------------------------------------------------------------------


@transaction.atomic
def source_record_match(*, record: SourceRecord, entry: DirectoryEntry | None, actor) -> None:
    """A curator's match of a record to a directory entry (None: no collectivité of the
    directory), confidence 100, rule « curator »; its benchmark entry follows at once, and the
    next imports keep it."""
    record = SourceRecord.objects.select_for_update().select_related("source").get(pk=record.pk)
    before = record.directory_entry.key if record.directory_entry_id else ""
    record.directory_entry = entry
    record.match_rule = v.MatchRule.CURATOR if entry is not None else v.MatchRule.NOT_LOCAL
    record.match_confidence = 100 if entry is not None else None
    record.match_candidates = []
    record.save(
        update_fields=[
            "directory_entry",
            "match_rule",
            "match_confidence",
            "match_candidates",
            "updated_at",
        ]
    )
    bench = BenchmarkEntry.objects.select_for_update().filter(source_record=record).first()
    if bench is None:
        return
    match = Match(record.match_rule, record.match_confidence, entry)
    identity = _identity_of(record.organisation_name, entry)
    bench.payload = {
        **bench.payload,
        "collectivite": identity,
        "provenance": {**bench.payload.get("provenance", {}), "match": _match_summary(match)},
    }
    bench.collectivite_kind = identity["kind"]
    bench.population_band = identity["population_band"]
    bench.departement = identity["departement"]
    bench.save(
        update_fields=[
            "payload",
            "collectivite_kind",
            "population_band",
            "departement",
            "updated_at",
        ]
    )
    BenchmarkEntryEvent.objects.create(
        uuid=bench.uuid,
        public_id=bench.public_id,
        actor=actor_or_none(actor),
        action=v.HistoryAction.ANNOTATED,
        changes={"directory_entry": {"before": before, "after": entry.key if entry else ""}},
    )
    benchmark_changed()


SOURCE_EDITABLE_FIELDS = (
    "name",
    "publisher",
    "licence",
    "licence_url",
    "attribution",
    "url",
    "description",
)
# The provenance keys of the snapshot that a source's fields give.
PROVENANCE_OF_FIELD = {
    "name": "name",
    "publisher": "publisher",
    "licence": "licence",
    "licence_url": "licence_url",
    "attribution": "attribution",
    "url": "url",
}


@transaction.atomic
def source_update(*, source: Source, actor, **values) -> Source:
    """A curator corrects a source's description (its licence, its attribution…): saved with
    its audit line, and at once in the provenance of every one of its records in the benchmark
    (one statement), so that no page shows the old attribution."""
    unknown = set(values) - set(SOURCE_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"source_update() got unexpected fields: {sorted(unknown)}")
    changes = field_changes(source, values)
    if not changes:
        return source
    for name, value in values.items():
        setattr(source, name, value)
    source.full_clean()
    source.save()
    audit_record(actor=actor, action="source_updated", target=source, changes=changes)
    provenance = {PROVENANCE_OF_FIELD[name]: getattr(source, name) for name in PROVENANCE_OF_FIELD}
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {BenchmarkEntry._meta.db_table} AS e SET payload = jsonb_set("  # noqa: S608
            "jsonb_set(e.payload, '{provenance}', coalesce(e.payload->'provenance', '{}') "
            "|| %s::jsonb), '{source}', to_jsonb(%s::text)) "
            f"FROM {SourceRecord._meta.db_table} AS r "
            "WHERE e.source_record_id = r.id AND r.source_id = %s",
            [json.dumps(provenance), f"{source.attribution} ({source.licence})", source.pk],
        )
    benchmark_changed()
    return source


# --- the shipped source (the seed) ----------------------------------------------------------------

SHIPPED_PSTW = Path(settings.BASE_DIR) / "fixtures" / "sources" / "pstw_2025-11.csv.xz"


def shipped_sources_load() -> ImportRun | None:
    """Import the PSTW dataset shipped in fixtures/sources/ (the seed), unless this very file
    was imported already (then nothing is read: None)."""
    content, file_name = read_file(SHIPPED_PSTW)
    digest = hashlib.sha256(content).hexdigest()
    done = ImportRun.objects.filter(
        source__slug=PSTWAdapter.source.slug,
        file_sha256=digest,
        state=v.ImportRunState.DONE,
        dry_run=False,
    )
    if done.exists():
        return None
    return source_import(adapter=PSTWAdapter(), content=content, file_name=file_name)
