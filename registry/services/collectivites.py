"""Writes of the collectivités (tenants) and their host names."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.services import audit_record, field_changes
from registry import snapshot
from registry.models import BenchmarkEntry, Collectivite, DirectoryEntry, Domain
from registry.services.benchmark import benchmark_changed
from registry.tenancy import lock_provisioning
from registry.validators import schema_name_for_slug, validate_slug
from registry.vocabularies import CollectiviteKind

COLLECTIVITE_EDITABLE_FIELDS = {
    "name",
    "kind",
    "siren",
    "insee_code",
    "departement",
    "population",
    "staff_size_band",
    "parent_epci",
    "directory_entry",
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
    *, slug: str, name: str, kind: str, actor=None, verbosity: int = 0, **fields
) -> Collectivite:
    """Create a collectivité, its schema (a copy of the migrated template, registry/tenancy.py)
    and its primary host name.

    The schema name is derived from the slug here, never taken from the caller. Creations are
    serialised (advisory lock held until the commit): two at once can neither corrupt the clone
    function nor both pass the uniqueness checks of one slug.
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
    connection.set_schema_to_public()
    lock_provisioning()
    collectivite.full_clean()
    collectivite.save(verbosity=verbosity)
    Domain.objects.create(domain=primary_host(slug), tenant=collectivite, is_primary=True)
    audit_record(actor=actor, action="collectivite_created", target=collectivite)
    return collectivite


@transaction.atomic
def collectivite_update(collectivite: Collectivite, *, actor=None, **fields) -> Collectivite:
    unknown = set(fields) - COLLECTIVITE_EDITABLE_FIELDS
    if unknown:
        # The slug names the schema and the host: changing it would break links and ids.
        raise ValidationError(
            {name: _("Ce champ ne peut pas être modifié.") for name in sorted(unknown)}
        )
    changes = field_changes(collectivite, fields)
    for name, value in fields.items():
        setattr(collectivite, name, value)
    collectivite.full_clean()
    connection.set_schema_to_public()
    collectivite.save()
    _refresh_benchmark_collectivite(collectivite)
    if changes:
        audit_record(
            actor=actor, action="collectivite_changed", target=collectivite, changes=changes
        )
    return collectivite


def _refresh_benchmark_collectivite(collectivite: Collectivite) -> None:
    """Published snapshots carry the collectivité's identity: keep them in step with it."""
    entries = list(BenchmarkEntry.objects.filter(collectivite=collectivite))
    if not entries:
        return
    identity = snapshot.collectivite_ref(collectivite)
    for entry in entries:
        entry.collectivite_kind = collectivite.kind
        entry.population_band = collectivite.population_band
        entry.departement = collectivite.departement
        entry.payload = {**entry.payload, "collectivite": identity}
    BenchmarkEntry.objects.bulk_update(
        entries, ["collectivite_kind", "population_band", "departement", "payload"]
    )
    benchmark_changed()


def collectivite_ensure_primary_domain(collectivite: Collectivite) -> bool:
    """Add <slug>.<BASE_DOMAIN> when BASE_DOMAIN changed since the collectivité was created."""
    host = primary_host(collectivite.slug)
    _domain, created = Domain.objects.get_or_create(
        domain=host, defaults={"tenant": collectivite, "is_primary": False}
    )
    return created


def collectivite_from_directory(entry: DirectoryEntry) -> Collectivite | None:
    """The collectivité already made of a directory entry (linked to it, or of its SIREN)."""
    same = Q(directory_entry=entry)
    if entry.siren:
        same |= Q(siren=entry.siren)
    return Collectivite.objects.filter(same).first()


def _free_slug(entry: DirectoryEntry) -> str:
    """The entry's name as a slug; with its INSEE code (or SIREN) when taken or refused."""
    base = slugify(entry.name)[:50].strip("-")
    for slug in (base, f"{base}-{entry.insee_code or entry.siren}".strip("-")):
        try:
            validate_slug(slug)
        except ValidationError:
            continue
        if not Collectivite.objects.filter(slug=slug).exists():
            return slug
    raise ValidationError({"slug": _("Aucun identifiant libre pour « %s ».") % entry.name})


@transaction.atomic
def collectivite_provision(entry: DirectoryEntry, *, actor=None) -> tuple[Collectivite, bool]:
    """The collectivité of a directory entry, created with its schema and host name if it does
    not exist yet: (collectivité, created). Idempotent, so a job may run twice: the check is
    made under the provisioning lock, which a creation holds until its commit."""
    connection.set_schema_to_public()
    lock_provisioning()
    existing = collectivite_from_directory(entry)
    if existing is not None:
        return existing, False
    if entry.kind not in CollectiviteKind.values:
        raise ValidationError(
            {"kind": _("« %s » n'est pas une collectivité (partie d'une commune).") % entry.name}
        )
    collectivite = collectivite_create(
        slug=_free_slug(entry),
        name=entry.name,
        kind=entry.kind,
        siren=entry.siren,
        insee_code=entry.insee_code,
        departement=entry.departement or "74",
        population=entry.population,
        directory_entry=entry,
        actor=actor,
    )
    return collectivite, True
