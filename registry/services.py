"""Every write to the registry's collectivités and catalogue goes through these functions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from registry.models import BenchmarkEntry, BenchmarkVersion, Collectivite, Domain
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


@transaction.atomic
def benchmark_entry_write(
    *,
    collectivite: Collectivite,
    uuid,
    public_id: str,
    columns: dict,
    payload: dict,
    search_texts: list[str],
) -> BenchmarkEntry:
    """Create or replace the benchmark snapshot of a use case (called by the publishing service,
    inside its transaction)."""
    entry, _created = BenchmarkEntry.objects.update_or_create(
        uuid=uuid,
        defaults={
            "public_id": public_id,
            "collectivite": collectivite,
            "collectivite_slug": collectivite.slug,
            "collectivite_kind": collectivite.kind,
            "population_band": collectivite.population_band,
            "departement": collectivite.departement,
            "payload": payload,
            **columns,
        },
    )
    BenchmarkEntry.objects.filter(pk=entry.pk).update(search_vector=search_vector(*search_texts))
    _benchmark_changed()
    return entry


@transaction.atomic
def benchmark_entry_remove(*, uuid) -> bool:
    deleted, _ = BenchmarkEntry.objects.filter(uuid=uuid).delete()
    if deleted:
        _benchmark_changed()
    return bool(deleted)
