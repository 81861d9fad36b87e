"""Files read by column mapping (registry/sources/mapping.py), on the curators' pages: the file a
curator uploads (registry.SourceUpload), what its columns hold, the preview of its first rows as
they will be stored, and the profile saved to read it and its next editions again
(registry.MappingProfile, with the source it names). The import itself is the one of every
source (registry.services.sources.source_import, or the job queue for a large file).

Every write is audited (accounts.AuditEvent)."""

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.services import actor_or_none, audit_record, field_changes
from registry import snapshot
from registry import vocabularies as v
from registry.models import MappingProfile, Source, SourceUpload
from registry.search import fold
from registry.services.sources import COUNT_KEYS, public_id_of, validate
from registry.sources import Mapped, Rejected, RowError, Skipped, SourceFileError, common, files
from registry.sources import mapping as m
from registry.sources.matching import Matcher

# An upload is kept this long for its curator to map, preview and import it.
UPLOAD_KEPT = timedelta(days=7)
MAX_UPLOAD_BYTES = 30 * 1024 * 1024
# Rows shown in the preview; rows mapped to count what would land (about 2 ms a row: the page
# answers in a second or two); rows read to list the values of the vocabularies' columns (a
# cell read, not mapped).
PREVIEW_ROWS = 20
SCAN_ROWS = 1000
VALUE_SCAN_ROWS = 5000
# Values listed for one target's value map, the most frequent first.
DISTINCT_VALUES = 80
SAMPLES = 3
PREFIX_RE = re.compile(r"^[A-Z][A-Z0-9]{1,19}$")
RUN_COUNTS = COUNT_KEYS

# Column names (folded) that usually hold a target: the first guess of a new file's mapping.
GUESSES: dict[str, tuple[str, ...]] = {
    "original_id": ("identifiant", "id", "numero", "n°", "reference", "ref"),
    "original_url": ("lien", "url", "adresse web", "site", "site web", "page"),
    "updated_on": ("mise a jour", "date de mise a jour", "modifie le", "derniere mise a jour"),
    "organisation_name": (
        "collectivite",
        "nom de la collectivite",
        "organisme",
        "structure",
        "porteur",
        "porteur du projet",
    ),
    "siret": ("siret", "n° siret", "numero siret"),
    "siren": ("siren", "n° siren", "numero siren"),
    "insee_code": ("code insee", "insee", "code commune", "cog"),
    "collectivite_kind": ("type de collectivite", "type", "categorie", "nature"),
    "departement": ("departement", "dep", "code departement", "code postal"),
    "title": ("titre", "nom du projet", "projet", "intitule", "nom", "titre du projet"),
    "summary": ("description", "resume", "descriptif", "description du projet"),
    "context": ("contexte", "probleme", "enjeux"),
    "purpose": ("objectifs", "objectif", "benefices", "finalite"),
    "department_service": ("service", "direction", "service porteur", "direction porteuse"),
    "tool_other": ("outil", "solution", "logiciel", "fournisseur", "prestataire", "editeur"),
    "partners": ("partenaires", "partenaire", "partenariats"),
    "funding": ("financement", "financements", "financeur"),
    "documentation_url": ("documentation", "code source"),
    "domains": ("themes", "theme", "thematique", "thematiques", "domaine", "domaines"),
    "techniques": ("technique", "techniques", "technologie", "type d'ia"),
    "audiences": ("public", "publics", "public cible", "beneficiaires"),
    "status": ("statut", "statut du projet", "etat", "avancement", "etat d'avancement"),
    "started_on": ("date de debut", "debut", "lancement", "date de lancement"),
    "production_on": ("mise en service", "date de mise en service", "mise en production"),
    "ended_on": ("date de fin", "fin"),
}
_GUESS_BY_NAME = {fold(name): target for target, names in GUESSES.items() for name in names}


def guess_column_map(columns: list[str]) -> dict[str, str]:
    """{column: target} for the columns whose names say what they hold (each target once)."""
    guessed, taken = {}, set()
    for column in columns:
        target = _GUESS_BY_NAME.get(m.value_key(column))
        if target and (target not in taken or m.TARGETS_BY_NAME[target].multiple):
            guessed[column] = target
            taken.add(target)
    return guessed


# --- the uploaded file --------------------------------------------------------------------------


@transaction.atomic
def upload_store(*, content: bytes, file_name: str, actor) -> SourceUpload:
    """Keep an uploaded file for its mapping: its header and its number of rows are read now
    (a file that does not read is refused with the French reason, under « file »). Uploads of
    more than a week are deleted."""
    if not content:
        raise ValidationError({"file": _("Le fichier est vide.")})
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": _("Le fichier dépasse %(max)s Mo.") % {"max": MAX_UPLOAD_BYTES // 2**20}}
        )
    columns: list[str] = []
    try:
        total = sum(1 for _row in files.read_rows(content, file_name, columns))
    except SourceFileError as error:
        raise ValidationError({"file": str(error)}) from None
    if not columns:
        raise ValidationError(
            {"file": _("La première ligne du fichier doit donner le nom des colonnes.")}
        )
    SourceUpload.objects.filter(created_at__lt=timezone.now() - UPLOAD_KEPT).delete()
    upload = SourceUpload.objects.create(
        file_name=file_name[:255],
        content=content,
        file_sha256=hashlib.sha256(content).hexdigest(),
        columns=columns,
        rows_total=total,
        profile=matching_profile(columns),
        created_by=actor_or_none(actor),
    )
    audit_record(
        actor=actor,
        action="source_upload_stored",
        target=upload,
        changes={"file_name": upload.file_name, "rows": total},
    )
    return upload


def matching_profile(columns: list[str]) -> MappingProfile | None:
    """The profile made for a file with these columns (the next edition of the same list): the
    most recent one whose mapped columns are all in this file."""
    for profile in MappingProfile.objects.order_by("-updated_at"):
        if profile.column_map and set(profile.column_map) <= set(columns):
            return profile
    return None


def _content(upload: SourceUpload) -> bytes:
    return bytes(upload.content)


def column_samples(upload: SourceUpload, limit_rows: int = 200) -> dict[str, list[str]]:
    """A few distinct values of each column, from the first rows (shown beside its choice)."""
    samples: dict[str, list[str]] = {column: [] for column in upload.columns}
    for index, row in enumerate(files.read_rows(_content(upload), upload.file_name, [])):
        if index >= limit_rows:
            break
        for column, value in row.values.items():
            text = " ".join(common.tidy(value).split())
            found = samples.setdefault(column, [])
            if text and text not in found and len(found) < SAMPLES:
                found.append(common.shorten(text, 60))
    return samples


# --- the values of the vocabularies' columns ------------------------------------------------------


@dataclass
class FoundValue:
    key: str  # folded, as the value map stores it
    text: str  # as first written in the file
    count: int
    code: str | None  # what it maps onto now (None: nothing; "": left out)
    origin: str  # "profile", "vocabulary" (our code or label, the usual French words) or ""


@dataclass
class TargetValues:
    target: m.Target
    columns: list[str]
    values: list[FoundValue]
    choices: list[tuple[str, str]]
    more: int = 0  # distinct values beyond those listed


def found_values(profile, upload: SourceUpload) -> list[TargetValues]:
    """For each target of a vocabulary that a column feeds: the distinct values the file gives
    (the first VALUE_SCAN_ROWS rows, the most frequent first), and what each maps onto now."""
    adapter = m.MappingAdapter(profile)
    columns_of: dict[str, list[str]] = {}
    for column, target in (profile.column_map or {}).items():
        if target in m.TARGETS_BY_NAME and m.TARGETS_BY_NAME[target].takes_values:
            columns_of.setdefault(target, []).append(column)
    if not columns_of:
        return []
    counters = {target: Counter() for target in columns_of}
    first_text: dict[tuple[str, str], str] = {}
    for index, row in enumerate(files.read_rows(_content(upload), upload.file_name, [])):
        if index >= VALUE_SCAN_ROWS:
            break
        for target, columns in columns_of.items():
            kind = m.TARGETS_BY_NAME[target].kind
            for column in columns:
                text = common.tidy(row.values.get(column))
                if not text:
                    continue
                items = (
                    m.split_items(text, profile.list_separator)
                    if kind in (m.CHOICES, m.DOMAINS)
                    else [" ".join(text.split())]
                )
                for item in items:
                    key = m.value_key(item)
                    counters[target][key] += 1
                    first_text.setdefault((target, key), item)
    result = []
    profile_maps = profile.value_maps or {}
    for target_name in [t.name for t in m.TARGETS if t.name in columns_of]:
        target = m.TARGETS_BY_NAME[target_name]
        common_values = counters[target_name].most_common()
        listed = []
        for key, count in common_values[:DISTINCT_VALUES]:
            text = first_text[(target_name, key)]
            code = adapter.code_of(target, text)
            origin = (
                "profile"
                if key in profile_maps.get(target_name, {})
                else ("vocabulary" if code else "")
            )
            listed.append(FoundValue(key, text, count, code, origin))
        result.append(
            TargetValues(
                target=target,
                columns=columns_of[target_name],
                values=listed,
                choices=adapter.choices_of(target),
                more=max(0, len(common_values) - DISTINCT_VALUES),
            )
        )
    return result


def value_field_name(target: str, key: str) -> str:
    """The form field of one value of a value map (stable for a value, whatever its text)."""
    return f"vm-{target}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"


# --- the preview ----------------------------------------------------------------------------------


@dataclass
class PreviewRow:
    number: int
    state: str  # "ok", "rejected", "skipped"
    original_id: str = ""
    public_id: str = ""
    title: str = ""
    cells: list[tuple[str, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    match: str = ""


@dataclass
class Preview:
    rows: list[PreviewRow]
    read: int = 0
    landing: int = 0
    rejected: int = 0
    skipped: int = 0
    scanned_all: bool = True
    error: str = ""
    # Rows that do not land, beyond those shown (row, column, reason), for the whole scan.
    other_errors: list[RowError] = field(default_factory=list)


def _text_of(adapter: m.MappingAdapter, name: str, value, precision: dict) -> str:
    if name == "domains":
        labels = adapter.domains()
        return ", ".join(labels.get(code, code) for code in value)
    if name == "costs":
        return ", ".join(row["funding_source"] for row in value if row.get("funding_source"))
    f = snapshot.BY_NAME.get(name)
    if f is None:
        return str(value)
    return snapshot.display(f, value, precision.get(name, "day")).text or ", ".join(
        url for url, _address in snapshot.display(f, value).urls
    )


SHOWN_FIELDS = [
    target.name
    for target in m.TARGETS
    if target.group is not m.G_ORGANISATION
    and target.kind not in (m.ID, m.URL, m.UPDATED)
    and target.kind not in (m.PARTNERS, m.FUNDING)
] + ["costs"]


def _cells(adapter: m.MappingAdapter, mapped: Mapped) -> list[tuple[str, str]]:
    cells = []
    identity = mapped.identity
    if mapped.organisation_name:
        cells.append((str(_("Organisation")), mapped.organisation_name))
    if identity is not None:
        if identity.siret:
            siret = identity.siret
            cells.append((str(_("SIRET")), f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"))
        elif identity.siren:
            cells.append((str(_("SIREN")), identity.siren))
        if identity.insee_code:
            cells.append((str(_("Code INSEE")), identity.insee_code))
        if identity.kinds:
            kinds = dict(v.DirectoryKind.choices)
            cells.append(
                (str(_("Type de collectivité")), ", ".join(str(kinds[k]) for k in identity.kinds))
            )
        if identity.departements:
            cells.append((str(_("Département")), ", ".join(identity.departements)))
    precision = mapped.fields.get("date_precision", {})
    for name in SHOWN_FIELDS:
        value = mapped.fields.get(name)
        if value in (None, "", []):
            continue
        label = (
            str(_("Financement"))
            if name == "costs"
            else (str(m.TARGETS_BY_NAME["domains"].label) if name == "domains" else None)
        )
        label = label or snapshot.get(name).title
        cells.append((label, _text_of(adapter, name, value, precision)))
    if mapped.original_url:
        cells.append((str(_("Adresse web de la fiche")), mapped.original_url))
    return cells


def _match_text(match) -> str:
    if match is None:
        return ""
    if match.entry is not None:
        return _("%(name)s (%(rule)s, confiance %(confidence)s %%)") % {
            "name": match.entry.name,
            "rule": dict(v.MatchRule.choices).get(match.rule, match.rule),
            "confidence": match.confidence,
        }
    if match.candidates:
        return _("Plusieurs collectivités possibles : un curateur choisira.")
    return str(dict(v.MatchRule.choices).get(match.rule, match.rule))


def mapping_preview(profile, upload: SourceUpload, *, id_prefix: str = "") -> Preview:
    """The first rows as they will be stored (fields with their labels, the public identifier,
    the collectivité of the directory it matches) with the French errors of each row, by
    column; and, over the first SCAN_ROWS rows, how many would land. Nothing is written."""
    adapter = m.MappingAdapter(profile)
    source = SimpleNamespace(id_prefix=(id_prefix or profile_prefix(profile)).upper())
    preview = Preview(rows=[])
    shown: list[tuple[PreviewRow, Mapped]] = []
    seen_ids: dict[str, int] = {}
    try:
        for index, row in enumerate(adapter.read(_content(upload), upload.file_name)):
            if index >= SCAN_ROWS:
                preview.scanned_all = False
                break
            preview.read += 1
            result = adapter.map(row)
            errors: list[RowError] = []
            item = PreviewRow(number=row.number, state="ok")
            if isinstance(result, Skipped):
                item.state, errors = "skipped", [result.error]
            elif isinstance(result, Rejected):
                item.state, errors = "rejected", result.errors
                item.original_id = result.original_id
                item.title = common.shorten(adapter.first_value(row.values, "title"), 120)
            else:
                errors = validate(row.number, result)
                if result.original_id in seen_ids:
                    errors.append(
                        RowError(
                            row.number,
                            "",
                            _("Identifiant « %(id)s » déjà lu à la ligne %(n)s.")
                            % {"id": result.original_id, "n": seen_ids[result.original_id]},
                        )
                    )
                seen_ids.setdefault(result.original_id, row.number)
                item.original_id = result.original_id
                item.public_id = public_id_of(source, result.original_id)
                item.title = result.fields.get("title", "")
                item.notes = [str(note) for note in result.notes]
                item.cells = _cells(adapter, result)
                if errors:
                    item.state = "rejected"
            item.errors = errors
            if item.state == "ok":
                preview.landing += 1
            elif item.state == "skipped":
                preview.skipped += 1
            else:
                preview.rejected += 1
            if index < PREVIEW_ROWS:
                preview.rows.append(item)
                if item.state == "ok":
                    shown.append((item, result))
            else:
                preview.other_errors.extend(errors)
    except SourceFileError as error:
        preview.error = str(error)
        return preview
    if shown:
        matches = Matcher().match_many([mapped.identity for _item, mapped in shown])
        for (item, _mapped), match in zip(shown, matches, strict=True):
            item.match = _match_text(match)
    return preview


def profile_prefix(profile) -> str:
    source = getattr(profile, "source", None) if profile.source_id else None
    return source.id_prefix if source is not None else "LISTE"


# --- the profile and its source -------------------------------------------------------------------

SOURCE_FIELDS = ("name", "publisher", "licence", "licence_url", "attribution", "url", "id_prefix")


def _unique_slug(name: str) -> str:
    base = (slugify(name) or "liste")[:44]
    slug, n = base, 2
    while Source.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _source_create(*, actor, values: dict) -> Source:
    errors: dict[str, list[str]] = {}
    values = {name: (values.get(name) or "").strip() for name in SOURCE_FIELDS}
    for name, label in (
        ("name", _("le nom de la source")),
        ("publisher", _("qui la publie")),
        ("licence", _("sa licence")),
        ("attribution", _("la mention à citer")),
        ("id_prefix", _("le préfixe de ses identifiants")),
    ):
        if not values[name]:
            errors.setdefault(f"source_{name}", []).append(
                _("Indiquez %(what)s.") % {"what": label}
            )
    prefix = values["id_prefix"].upper()
    if prefix and not PREFIX_RE.match(prefix):
        errors.setdefault("source_id_prefix", []).append(
            _(
                "De 2 à 20 lettres majuscules sans accent et chiffres, en commençant par une "
                "lettre (ex. RIAO)."
            )
        )
    elif prefix:
        taken = Source.objects.filter(id_prefix__iexact=prefix).first()
        if taken is not None:
            errors.setdefault("source_id_prefix", []).append(
                _("Le préfixe « %(prefix)s » est déjà celui de la source « %(name)s ».")
                % {"prefix": prefix, "name": taken.name}
            )
    if errors:
        raise ValidationError(errors)
    source = Source(
        slug=_unique_slug(values["name"]),
        adapter=v.SourceAdapterKind.MAPPING,
        name=values["name"],
        publisher=values["publisher"],
        licence=values["licence"],
        licence_url=values["licence_url"],
        attribution=values["attribution"],
        url=values["url"],
        id_prefix=prefix,
    )
    try:
        source.full_clean()
    except ValidationError as error:
        raise ValidationError(
            {f"source_{name}": messages for name, messages in error.message_dict.items()}
        ) from None
    source.save()
    audit_record(
        actor=actor,
        action="source_created",
        target=source,
        changes={name: getattr(source, name) for name in SOURCE_FIELDS},
    )
    return source


PROFILE_FIELDS = (
    "name",
    "column_map",
    "value_maps",
    "date_format",
    "list_separator",
    "country",
    "description",
    "columns",
)


@transaction.atomic
def mapping_profile_save(
    *,
    actor,
    profile: MappingProfile | None = None,
    source: Source | None = None,
    new_source: dict | None = None,
    **values,
) -> MappingProfile:
    """Create or change a column-mapping profile. A new profile names its source: an existing
    source read by column mapping, or a new one (`new_source`: name, publisher, licence,
    licence_url, attribution, url, id_prefix), created with it. French errors by field."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"mapping_profile_save() got unexpected fields: {sorted(unknown)}")
    if "name" in values:
        values["name"] = " ".join((values["name"] or "").split())
    if "value_maps" in values:
        values["value_maps"] = clean_value_maps(values["value_maps"] or {})
    creating = profile is None
    if creating:
        profile = MappingProfile(created_by=actor_or_none(actor))
    errors: dict[str, list[str]] = {}
    name = values.get("name", profile.name)
    if not name:
        errors["name"] = [_("Donnez un nom au profil, ex. « Réseau IA Occitanie ».")]
    elif MappingProfile.objects.filter(name__iexact=name).exclude(pk=profile.pk).exists():
        errors["name"] = [_("Un autre profil porte déjà ce nom : choisissez-en un autre.")]
    if source is not None and source.adapter != v.SourceAdapterKind.MAPPING:
        errors["source"] = [_("Cette source n'est pas lue par correspondance de colonnes.")]
    if source is None and profile.source_id is None and not new_source:
        errors["source"] = [_("Choisissez la source de la liste, ou décrivez-en une nouvelle.")]
    changes = field_changes(profile, values)
    for name, value in values.items():
        setattr(profile, name, value)
    errors.update(m.validate_profile(profile, values.get("columns") or None))
    if errors:
        raise ValidationError(errors)
    if source is None and profile.source_id is None:
        source = _source_create(actor=actor, values=new_source)
    if source is not None:
        if profile.source_id != source.pk:
            changes["source"] = {"before": profile.source_id, "after": source.pk}
        profile.source = source
    try:
        profile.full_clean()
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    profile.save()
    if creating or changes:
        audit_record(
            actor=actor,
            action="mapping_profile_created" if creating else "mapping_profile_updated",
            target=profile,
            changes=changes,
        )
    return profile


def clean_value_maps(value_maps: dict) -> dict:
    """{target: {folded value: code}}: keys folded as the adapter looks them up."""
    return {
        target: {m.value_key(value): code for value, code in values.items() if m.value_key(value)}
        for target, values in value_maps.items()
        if values
    }


def upload_attach(*, upload: SourceUpload, profile: MappingProfile, actor) -> None:
    """The profile an uploaded file is read with (its page opens with it next time)."""
    if upload.profile_id != profile.pk:
        SourceUpload.objects.filter(pk=upload.pk).update(profile=profile)
        upload.profile = profile
