"""Every write to the registry's collectivités and catalogue goes through these functions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from registry.models import (
    BenchmarkEntry,
    BenchmarkEntryEvent,
    BenchmarkVersion,
    Collectivite,
    Domain,
    Term,
    Tool,
    Vendor,
)
from registry.search import search_vector
from registry.validators import schema_name_for_slug, validate_slug

COLLECTIVITE_EDITABLE_FIELDS = {
    "name",
    "kind",
    "siren",
    "insee_code",
    "departement",
    "population",
    "staff_size_band",
    "parent_epci",
    "cdg_member",
    "contact_name",
    "contact_email",
    "website",
    "is_anonymised",
}


def primary_host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


@transaction.atomic
def collectivite_create(
    *, slug: str, name: str, kind: str, verbosity: int = 0, **fields
) -> Collectivite:
    """Create a collectivité, its schema (migrated) and its primary host name.

    The schema name is derived from the slug here, never taken from the caller.
    """
    unknown = set(fields) - COLLECTIVITE_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"collectivite_create() got unexpected fields: {sorted(unknown)}")
    slug = (slug or "").strip()
    try:
        validate_slug(slug)
    except ValidationError as error:
        raise ValidationError({"slug": error.messages}) from None
    collectivite = Collectivite(
        slug=slug, schema_name=schema_name_for_slug(slug), name=name, kind=kind, **fields
    )
    collectivite.full_clean()
    connection.set_schema_to_public()
    collectivite.save(verbosity=verbosity)
    Domain.objects.create(domain=primary_host(slug), tenant=collectivite, is_primary=True)
    return collectivite


@transaction.atomic
def collectivite_update(collectivite: Collectivite, **fields) -> Collectivite:
    unknown = set(fields) - COLLECTIVITE_EDITABLE_FIELDS
    if unknown:
        # The slug names the schema and the host: changing it would break links and ids.
        raise ValidationError(
            {name: _("Ce champ ne peut pas être modifié.") for name in sorted(unknown)}
        )
    for name, value in fields.items():
        setattr(collectivite, name, value)
    collectivite.full_clean()
    connection.set_schema_to_public()
    collectivite.save()
    _refresh_benchmark_collectivite(collectivite)
    return collectivite


def _refresh_benchmark_collectivite(collectivite: Collectivite) -> None:
    """Published snapshots carry the collectivité's identity: keep them in step with it."""
    from casestudies.serializers import CollectiviteRefSerializer

    entries = list(BenchmarkEntry.objects.filter(collectivite=collectivite))
    if not entries:
        return
    identity = dict(CollectiviteRefSerializer(collectivite).data)
    for entry in entries:
        entry.collectivite_kind = collectivite.kind
        entry.population_band = collectivite.population_band
        entry.departement = collectivite.departement
        entry.payload = {**entry.payload, "collectivite": identity}
    BenchmarkEntry.objects.bulk_update(
        entries, ["collectivite_kind", "population_band", "departement", "payload"]
    )
    _benchmark_changed()


def collectivite_ensure_primary_domain(collectivite: Collectivite) -> bool:
    """Add <slug>.<BASE_DOMAIN> when BASE_DOMAIN changed since the collectivité was created."""
    host = primary_host(collectivite.slug)
    _domain, created = Domain.objects.get_or_create(
        domain=host, defaults={"tenant": collectivite, "is_primary": False}
    )
    return created


def _benchmark_changed() -> None:
    updated = BenchmarkVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        BenchmarkVersion.objects.create(pk=1, version=1)


def _actor(user):
    return user if user is not None and user.is_authenticated else None


def _curation(entry: BenchmarkEntry) -> dict:
    return {
        "featured": entry.featured,
        "curator_note": entry.curator_note,
        "domains": entry.curated_domains,
        "tool_ids": entry.curated_tool_ids,
        "quality_flags": entry.quality_flags,
    }


def _apply_curation(entry: BenchmarkEntry, payload_domains: list[str], payload_tools: list[int]):
    """Filter columns follow the curator's normalisation when there is one."""
    entry.domains = entry.curated_domains or payload_domains
    entry.tool_ids = entry.curated_tool_ids or payload_tools
    entry.payload = {**entry.payload, "curation": _curation(entry)}


@transaction.atomic
def benchmark_entry_write(
    *,
    collectivite: Collectivite,
    actor,
    uuid,
    public_id: str,
    columns: dict,
    payload: dict,
    search_texts: list[str],
) -> BenchmarkEntry:
    """Create or replace the benchmark snapshot of a use case (called by the publishing service,
    inside its transaction). Curators' annotations are kept across republications."""
    from casestudies.review import payload_diff

    entry = BenchmarkEntry.objects.select_for_update().filter(uuid=uuid).first()
    before = entry.payload if entry else None
    if entry is None:
        entry = BenchmarkEntry(uuid=uuid)
    for name, value in {
        "public_id": public_id,
        "collectivite": collectivite,
        "collectivite_slug": collectivite.slug,
        "collectivite_kind": collectivite.kind,
        "population_band": collectivite.population_band,
        "departement": collectivite.departement,
        "payload": payload,
        **columns,
    }.items():
        setattr(entry, name, value)
    _apply_curation(entry, columns["domains"], columns["tool_ids"])
    entry.save()
    BenchmarkEntry.objects.filter(pk=entry.pk).update(search_vector=search_vector(*search_texts))
    changes = payload_diff(before, payload)
    BenchmarkEntryEvent.objects.create(
        uuid=uuid,
        public_id=public_id,
        actor=_actor(actor),
        action="published" if before is None else "replaced",
        changes={c["field"]: {"before": c["before"], "after": c["after"]} for c in changes},
    )
    _benchmark_changed()
    return entry


VISIBILITY_RANK = {"private": 0, "network": 1, "public": 2}


@transaction.atomic
def benchmark_entry_restrict(*, uuid, visibility: str, withdraw_contact: bool) -> bool:
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
        changes["contact_email"] = {"before": "(adresse)", "after": ""}
        entry.contact_email = ""
    if not changes:
        return False
    entry.save(update_fields=["visibility", "payload", "contact_email", "updated_at"])
    BenchmarkEntryEvent.objects.create(
        uuid=uuid, public_id=entry.public_id, actor=None, action="restricted", changes=changes
    )
    _benchmark_changed()
    return True


@transaction.atomic
def benchmark_entry_remove(*, uuid, actor=None, comment: str = "") -> bool:
    entry = BenchmarkEntry.objects.filter(uuid=uuid).first()
    if entry is None:
        return False
    BenchmarkEntryEvent.objects.create(
        uuid=uuid,
        public_id=entry.public_id,
        actor=_actor(actor),
        action="removed",
        comment=comment,
    )
    entry.delete()
    _benchmark_changed()
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
    _apply_curation(
        entry,
        [domain["code"] for domain in entry.payload["domains"]],
        [tool["id"] for tool in entry.payload["tools"]],
    )
    entry.save()
    if changes:
        BenchmarkEntryEvent.objects.create(
            uuid=entry.uuid,
            public_id=entry.public_id,
            actor=_actor(actor),
            action="annotated",
            changes=changes,
        )
        _benchmark_changed()
    return entry


@transaction.atomic
def tool_merge(*, source: Tool, target: Tool, actor) -> int:
    """Merge a duplicate tool into another: its names become aliases of the target, and every
    benchmark entry is relinked. Use cases in the collectivités' schemas keep their link to the
    old row, which now points to the target (`merged_into`): they are read through it, and no
    request has to visit every schema. Returns the number of benchmark entries relinked."""
    if source.pk == target.pk:
        raise ValidationError(_("Un outil ne peut pas être fusionné avec lui-même."))
    if target.merged_into_id:
        raise ValidationError(
            _("L'outil cible a lui-même été fusionné : choisissez l'outil final.")
        )
    target.aliases = sorted(
        {*target.aliases, source.name, *source.aliases} - {target.name}, key=str.lower
    )
    target.save(update_fields=["aliases"])
    Tool.objects.filter(merged_into=source).update(merged_into=target)
    source.merged_into = target
    source.deprecated = True
    source.save(update_fields=["merged_into", "deprecated"])
    reference = {
        "id": target.pk,
        "slug": target.slug,
        "name": target.name,
        "kind": target.kind,
        "vendor": target.vendor.name if target.vendor else None,
    }
    entries = list(
        BenchmarkEntry.objects.select_for_update().filter(
            Q(tool_ids__contains=[source.pk]) | Q(curated_tool_ids__contains=[source.pk])
        )
    )
    for entry in entries:
        tools, seen = [], set()
        for tool in entry.payload["tools"]:
            tool = reference if tool["id"] == source.pk else tool
            if tool["id"] not in seen:
                seen.add(tool["id"])
                tools.append(tool)
        entry.payload = {**entry.payload, "tools": tools}
        entry.curated_tool_ids = _replace_id(entry.curated_tool_ids, source.pk, target.pk)
        _apply_curation(
            entry,
            [domain["code"] for domain in entry.payload["domains"]],
            [tool["id"] for tool in tools],
        )
        entry.save(update_fields=["payload", "curated_tool_ids", "tool_ids", "domains"])
        BenchmarkEntryEvent.objects.create(
            uuid=entry.uuid,
            public_id=entry.public_id,
            actor=_actor(actor),
            action="tool_merged",
            changes={"tools": {"before": source.name, "after": target.name}},
        )
    _benchmark_changed()
    return len(entries)


def _replace_id(ids: list[int], old: int, new: int) -> list[int]:
    result = []
    for value in ids:
        value = new if value == old else value
        if value not in result:
            result.append(value)
    return result


@transaction.atomic
def vendor_merge(*, source: Vendor, target: Vendor, actor) -> int:
    if source.pk == target.pk:
        raise ValidationError(_("Un éditeur ne peut pas être fusionné avec lui-même."))
    moved = Tool.objects.filter(vendor=source).update(vendor=target)
    target.aliases = sorted({*target.aliases, source.name, *source.aliases} - {target.name})
    target.save(update_fields=["aliases"])
    source.delete()
    return moved
