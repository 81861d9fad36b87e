"""Any CSV or XLSX read through a column-mapping profile (registry.MappingProfile): how a
network's or a city's published list comes in. The profile says which column of the file feeds
which of our fields (`TARGETS`), how the values of a vocabulary are written there (« Statut du
projet » « En expérimentation » → pilot), how dates are written (« MM/AAAA »…) and what
separates the items of a list (« Mobilité ; Voirie »).

What a row becomes, column by column (everything stays in the raw row as read):

- identifiers: SIRET and SIREN are read without their spaces and their key checked (Luhn's
  algorithm): a wrong one rejects the row, named with its column, since the match to the
  directory relies on it; an INSEE code likewise. Without an identifier column, the record's
  identifier is drawn from the organisation's name and the title (a re-import finds it again;
  a changed title makes a new record).
- a value of one of our vocabularies: the profile's value map first, then our codes and French
  labels, then the usual French words (`DEFAULT_VALUES`); a single value that maps onto
  nothing rejects the row with the known values listed (the curator adds it to the profile, or
  says « ne pas reprendre »); in a list (themes, techniques, audiences), an unknown item is left
  out and said in the record's notes. The type of collectivité and the département only help
  the match: an unknown one is noted.
- dates: in the profile's format; a date that does not read rejects the row (the format is the
  profile's to fix). « MM/AAAA » is stored as the first of the month, shown « mars 2024 ».
- text over our limits is never cut silently: a title over 120 characters or a summary over
  400 is shortened at a word and ended with « … », a note says so, and the raw row keeps it
  whole; a summary's whole text is also kept in the context (« contexte »), where no limit
  applies. Several columns onto one text field are joined, each after the first introduced by
  its column's name; « Partenaires » (we have no free-text field for them) ends the context.

The adapter reads the profile, and the domains' vocabulary once (registry.Term): nothing else of
the database. A profile may be passed unsaved (the curators' preview).
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import snapshot
from registry import vocabularies as v
from registry.models import MappingProfile, Term
from registry.search import fold
from registry.sources import common, files
from registry.sources.base import (
    Identity,
    Mapped,
    MapResult,
    RawRow,
    Rejected,
    RowError,
    SourceFileError,
    SourceInfo,
)
from registry.validators import (
    DEPARTEMENT_RE,
    validate_insee_code,
    validate_siren,
    validate_siret,
)

# Kinds of target: how a cell is read.
ID = "id"
URL = "url"
UPDATED = "updated"
ORGANISATION = "organisation"
SIRET = "siret"
SIREN = "siren"
INSEE = "insee"
KIND = "kind"
DEPARTEMENT = "departement"
TEXT = "text"
PARTNERS = "partners"
FUNDING = "funding"
LINKS = "links"
CHOICE = "choice"
CHOICES = "choices"
DOMAINS = "domains"
DATE = "date"

# Targets that take a vocabulary (a value map).
VOCABULARY_KINDS = (KIND, CHOICE, CHOICES, DOMAINS)
# Targets that may receive several columns (joined, or their items gathered).
MULTI_COLUMN_KINDS = (TEXT, PARTNERS, LINKS, CHOICES, DOMAINS)
# Value of a value map that leaves a value out (kept in the raw row, noted).
IGNORE = ""


@dataclass(frozen=True)
class Target:
    name: str
    label: Promise | str
    kind: str
    group: Promise
    vocabulary: type | None = None
    limit: int | None = None
    help_text: Promise | str = ""

    @property
    def takes_values(self) -> bool:
        return self.kind in VOCABULARY_KINDS

    @property
    def multiple(self) -> bool:
        return self.kind in MULTI_COLUMN_KINDS


G_RECORD = gettext_lazy("La fiche")
G_ORGANISATION = gettext_lazy("La collectivité ou l'organisme")
G_PROJECT = gettext_lazy("Le projet")
G_CLASSIFICATION = gettext_lazy("Classification")
G_LIFECYCLE = gettext_lazy("Avancement")


def _field(name: str, kind: str, group, **options) -> Target:
    return Target(name, snapshot.get(name).title, kind, group, **options)


TARGETS: list[Target] = [
    Target(
        "original_id",
        gettext_lazy("Identifiant de la fiche dans le fichier"),
        ID,
        G_RECORD,
        help_text=gettext_lazy("Il retrouve la fiche quand le fichier est importé à nouveau."),
    ),
    Target("original_url", gettext_lazy("Adresse web de la fiche"), URL, G_RECORD),
    Target("updated_on", gettext_lazy("Date de mise à jour de la fiche"), UPDATED, G_RECORD),
    Target(
        "organisation_name",
        gettext_lazy("Nom de la collectivité ou de l'organisme"),
        ORGANISATION,
        G_ORGANISATION,
    ),
    Target("siret", gettext_lazy("SIRET"), SIRET, G_ORGANISATION),
    Target("siren", gettext_lazy("SIREN"), SIREN, G_ORGANISATION),
    Target("insee_code", gettext_lazy("Code INSEE de la commune"), INSEE, G_ORGANISATION),
    Target(
        "collectivite_kind",
        gettext_lazy("Type de collectivité"),
        KIND,
        G_ORGANISATION,
        vocabulary=v.DirectoryKind,
    ),
    Target(
        "departement",
        gettext_lazy("Département (code ou code postal)"),
        DEPARTEMENT,
        G_ORGANISATION,
    ),
    _field("title", TEXT, G_PROJECT, limit=common.TITLE_MAX),
    _field("summary", TEXT, G_PROJECT, limit=common.SUMMARY_MAX),
    _field("context", TEXT, G_PROJECT),
    _field("purpose", TEXT, G_PROJECT),
    _field("department_service", TEXT, G_PROJECT, limit=200),
    _field("tool_other", TEXT, G_PROJECT, limit=200),
    Target(
        "partners",
        gettext_lazy("Partenaires (repris à la fin du contexte)"),
        PARTNERS,
        G_PROJECT,
    ),
    Target(
        "funding",
        gettext_lazy("Financement (repris dans les coûts)"),
        FUNDING,
        G_PROJECT,
        limit=200,
    ),
    _field("documentation_url", LINKS, G_PROJECT),
    _field("legal_basis", TEXT, G_PROJECT),
    _field("data_sources", TEXT, G_PROJECT),
    _field("human_oversight", TEXT, G_PROJECT),
    _field("risks_and_mitigations", TEXT, G_PROJECT),
    Target(
        "domains",
        gettext_lazy("Domaines (thèmes)"),
        DOMAINS,
        G_CLASSIFICATION,
    ),
    _field("techniques", CHOICES, G_CLASSIFICATION, vocabulary=v.Technique),
    _field("audiences", CHOICES, G_CLASSIFICATION, vocabulary=v.Audience),
    _field("ai_family", CHOICE, G_CLASSIFICATION, vocabulary=v.AIFamily),
    _field("automation_level", CHOICE, G_CLASSIFICATION, vocabulary=v.AutomationLevel),
    _field("sourcing", CHOICE, G_CLASSIFICATION, vocabulary=v.Sourcing),
    _field("hosting", CHOICE, G_CLASSIFICATION, vocabulary=v.Hosting),
    _field("personal_data", CHOICE, G_CLASSIFICATION, vocabulary=v.PersonalData),
    _field("status", CHOICE, G_LIFECYCLE, vocabulary=v.Status),
    _field("started_on", DATE, G_LIFECYCLE),
    _field("pilot_on", DATE, G_LIFECYCLE),
    _field("production_on", DATE, G_LIFECYCLE),
    _field("ended_on", DATE, G_LIFECYCLE),
]
TARGETS_BY_NAME = {target.name: target for target in TARGETS}
# Targets read into the organisation's identity (the match to the directory), not the fields.
IDENTITY_TARGETS = frozenset(
    target.name
    for target in TARGETS
    if target.group is G_ORGANISATION or target.kind in (ID, URL, UPDATED)
)
# A profile cannot do without these.
REQUIRED_TARGETS = ("title",)


def value_key(value) -> str:
    """A value as a value map looks it up: lower case, no accent, one space, no final dot."""
    return fold(common.key(value))


# The usual French words of the lists we read, onto our codes (a profile's map comes first).
DEFAULT_VALUES: dict[str, dict[str, str]] = {
    "status": {
        value_key(word): code
        for code, words in {
            v.Status.IDEA: ("idée", "en projet", "projet", "en réflexion", "veille", "envisagé"),
            v.Status.DESIGN: ("en conception", "conception", "en cadrage", "étude"),
            v.Status.BUILD: ("en développement", "en cours de développement", "en construction"),
            v.Status.PILOT: (
                "en expérimentation",
                "expérimentation",
                "expérimenté",
                "test",
                "en test",
                "pilote",
                "prototype",
                "poc",
            ),
            v.Status.EVALUATION: ("en évaluation",),
            v.Status.PRODUCTION: (
                "déployé",
                "en service",
                "en production",
                "opérationnel",
                "généralisé",
                "en fonctionnement",
            ),
            v.Status.SUSPENDED: ("en pause", "suspendu"),
            v.Status.RETIRED: ("arrêté", "terminé", "retiré", "fin de service"),
            v.Status.ABANDONED: ("abandonné", "abandon", "non poursuivi"),
        }.items()
        for word in words
    },
    "collectivite_kind": {
        value_key(word): code
        for code, words in {
            v.DirectoryKind.COMMUNE: ("ville", "mairie", "municipalité", "commune nouvelle"),
            v.DirectoryKind.DEPARTEMENT: ("conseil départemental", "département"),
            v.DirectoryKind.REGION: ("conseil régional", "région", "collectivité territoriale"),
            v.DirectoryKind.METROPOLE: ("métropole",),
            v.DirectoryKind.CA: ("communauté d'agglomération", "agglomération", "agglo"),
            v.DirectoryKind.CU: ("communauté urbaine",),
            v.DirectoryKind.CC: ("communauté de communes",),
            v.DirectoryKind.SYNDICAT: ("syndicat", "syndicat mixte", "sivom", "sivu"),
            v.DirectoryKind.EPCI_OTHER: ("epci", "intercommunalité"),
            v.DirectoryKind.CDG: ("centre de gestion", "cdg"),
            v.DirectoryKind.CCAS: ("ccas", "cias"),
            v.DirectoryKind.SDIS: ("sdis", "service départemental d'incendie et de secours"),
        }.items()
        for word in words
    },
    "personal_data": {
        value_key(word): code
        for code, words in {
            v.PersonalData.YES: ("oui", "yes", "o"),
            v.PersonalData.NO: ("non", "no", "n"),
        }.items()
        for word in words
    },
    "ai_family": {
        value_key("générative"): v.AIFamily.GENERALIST,
        value_key("généraliste"): v.AIFamily.GENERALIST,
        value_key("métier"): v.AIFamily.BUSINESS,
    },
}

DATE_PATTERNS = {
    v.MappingDateFormat.DAY_MONTH_YEAR: (
        re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"),
        "day",
    ),
    v.MappingDateFormat.MONTH_YEAR: (re.compile(r"^(\d{1,2})[/.-](\d{4})$"), "month"),
    v.MappingDateFormat.YEAR: (re.compile(r"^((?:19|20)\d\d)(?:\.0)?$"), "year"),
}
ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DATE_EXAMPLES = {
    v.MappingDateFormat.DAY_MONTH_YEAR: "JJ/MM/AAAA (ex. 15/03/2024)",
    v.MappingDateFormat.MONTH_YEAR: "MM/AAAA (ex. 03/2024)",
    v.MappingDateFormat.ISO: "AAAA-MM-JJ (ex. 2024-03-15)",
    v.MappingDateFormat.YEAR: "AAAA (ex. 2024)",
    v.MappingDateFormat.AUTO: "JJ/MM/AAAA, MM/AAAA, AAAA-MM-JJ ou AAAA",
}
FILE_MILLESIME_RE = re.compile(r"(20\d\d)(?:[-_.]?(0[1-9]|1[0-2]))?(?!\d)")
SEPARATORS = (";", ",", "|", "/", "\n")


def _parts(parts: tuple[int, int, int], precision: str) -> tuple[str | None, str]:
    year, month, day = parts
    try:
        parsed = date(year, month, day)
    except ValueError:
        return None, ""
    if not 1990 <= parsed.year <= 2100:
        return None, ""
    return parsed.isoformat(), precision


def read_date(value, date_format: str) -> tuple[str | None, str]:
    """(ISO date, precision) of a cell in the profile's format; (None, "") if it does not read.
    A spreadsheet's own date (an XLSX cell, read as ISO text) always reads."""
    text = " ".join(str(value if value is not None else "").split())
    text = common.TIME_RE.sub("", text).strip()
    match = ISO_RE.match(text)
    if match:
        return _parts(tuple(int(part) for part in match.groups()), "day")
    formats = (
        [date_format]
        if date_format != v.MappingDateFormat.AUTO
        else [
            v.MappingDateFormat.DAY_MONTH_YEAR,
            v.MappingDateFormat.MONTH_YEAR,
            v.MappingDateFormat.YEAR,
        ]
    )
    for name in formats:
        if name not in DATE_PATTERNS:
            continue
        pattern, precision = DATE_PATTERNS[name]
        match = pattern.match(text)
        if not match:
            continue
        numbers = [int(part) for part in match.groups()]
        if precision == "day":
            return _parts((numbers[2], numbers[1], numbers[0]), "day")
        if precision == "month":
            return _parts((numbers[1], numbers[0], 1), "month")
        return _parts((numbers[0], 1, 1), "year")
    if date_format == v.MappingDateFormat.AUTO:
        # « mars 2024 », « Mar-24 »
        iso, precision = common.date_of(text)
        if precision == "month":
            return iso, precision
    return None, ""


def digits_of(value) -> str:
    """An identifier as written (« 217 400 019 00013 », a number of a spreadsheet), its digits."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"[\s.\-\u00a0\u202f]", "", str(value if value is not None else "")).upper()


def departement_of(value) -> str:
    """« 74 », « 074 », « Haute-Savoie (74) », a postcode « 74000 » or « 97400 » → its code."""
    text = common.tidy(value).upper()
    inside = re.search(r"\(([0-9AB]{2,3})\)", text)
    if inside:
        text = inside.group(1)
    text = text.replace(" ", "")
    if re.fullmatch(r"\d{5}", text):
        text = text[:3] if text.startswith("97") else text[:2]
        if text in ("20",):  # a Corsican postcode says nothing of 2A or 2B
            return ""
    if re.fullmatch(r"0\d{2}", text) and text != "097":
        text = text[1:]
    return text if DEPARTEMENT_RE.match(text) else ""


def split_items(text: str, separator: str) -> list[str]:
    """Items of a list cell: the profile's separator, line breaks always."""
    items = []
    for line in text.split("\n"):
        items.extend(line.split(separator) if separator and separator != "\n" else [line])
    return [" ".join(item.split()) for item in items if item.strip()]


def _lower_first(text: str) -> str:
    """« Ce SIRET n'est pas valide… » after a colon: « ce SIRET n'est pas valide… »."""
    return text[:1].lower() + text[1:]


def profile_named(name: str) -> MappingProfile:
    """The profile of this name (the command's --profile), or a French error listing them."""
    profile = MappingProfile.objects.select_related("source").filter(name__iexact=name).first()
    if profile is None:
        known = list(MappingProfile.objects.values_list("name", flat=True))
        raise SourceFileError(
            _("Profil de correspondance « %(name)s » inconnu. Profils enregistrés : %(known)s.")
            % {"name": name, "known": ", ".join(f"« {n} »" for n in known) or _("aucun")}
        )
    return profile


def profile_settings(profile) -> dict:
    """What of a profile decides how a row maps (part of each row's content hash)."""
    return {
        "column_map": profile.column_map,
        "value_maps": profile.value_maps,
        "date_format": profile.date_format,
        "list_separator": profile.list_separator,
        "country": profile.country,
    }


class MappingAdapter(files.FileAdapter):
    kind = v.SourceAdapterKind.MAPPING
    label = v.SourceAdapterKind.MAPPING.label

    def __init__(self, profile=None):
        if profile is None:
            raise SourceFileError(
                _(
                    "Un fichier lu par correspondance de colonnes a besoin de son profil "
                    "(--profile NOM)."
                )
            )
        if isinstance(profile, str):
            profile = profile_named(profile)
        super().__init__(profile=profile)
        digest = hashlib.sha256(
            json.dumps(profile_settings(profile), sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()[:16]
        # A changed profile maps every row again at the next import.
        self.version = f"1-{digest}"
        self._domains: dict[str, str] | None = None
        self._lookups: dict[str, dict[str, str]] = {}
        self._columns_of: dict[str, list[str]] = {}
        for column, target in (profile.column_map or {}).items():
            if target in TARGETS_BY_NAME:
                self._columns_of.setdefault(target, []).append(column)

    # --- the source --------------------------------------------------------------------------

    def source_info(self) -> SourceInfo:
        source = self.profile.source
        return SourceInfo(
            slug=source.slug,
            name=source.name,
            publisher=source.publisher,
            licence=source.licence,
            licence_url=source.licence_url,
            attribution=source.attribution,
            url=source.url,
            id_prefix=source.id_prefix,
            description=source.description,
        )

    def millesime(self, file_name: str) -> str:
        match = FILE_MILLESIME_RE.search(file_name)
        if not match:
            return ""
        return f"{match.group(1)}-{match.group(2)}" if match.group(2) else match.group(1)

    def required_columns(self) -> list[str]:
        return list(self.profile.column_map)

    def missing_columns_message(self, missing: list[str]) -> str:
        return _(
            "Ce fichier n'a pas les colonnes du profil « %(profile)s » : %(missing)s "
            "manquante(s). Colonnes du fichier : %(columns)s."
        ) % {
            "profile": self.profile.name,
            "missing": files.quoted(missing),
            "columns": files.quoted(self.columns),
        }

    # --- vocabularies --------------------------------------------------------------------------

    def domains(self) -> dict[str, str]:
        """{code: French label} of the active domains (one query, once)."""
        if self._domains is None:
            self._domains = dict(
                Term.objects.filter(vocabulary=v.TermVocabulary.DOMAIN, active=True).values_list(
                    "code", "label_fr"
                )
            )
        return self._domains

    def choices_of(self, target: Target) -> list[tuple[str, str]]:
        """(code, French label) a value of this target may map onto."""
        if target.kind == DOMAINS:
            return list(self.domains().items())
        return [(str(code), str(label)) for code, label in target.vocabulary.choices]

    def _lookup(self, target: Target) -> dict[str, str]:
        """{folded value: code} for a target: the profile's map over our codes and French
        labels over the usual French words (built once per target)."""
        table = self._lookups.get(target.name)
        if table is None:
            table = dict(DEFAULT_VALUES.get(target.name, {}))
            for code, label in reversed(self.choices_of(target)):
                table[value_key(label)] = code
                table[value_key(code)] = code
            table.update((self.profile.value_maps or {}).get(target.name, {}))
            self._lookups[target.name] = table
        return table

    def code_of(self, target: Target, value) -> str | None:
        """Our code for a value as written; IGNORE if the profile leaves it out; None if
        unknown."""
        folded = value_key(value)
        if not folded:
            return IGNORE
        return self._lookup(target).get(folded)

    # --- a row ---------------------------------------------------------------------------------

    def _cells(self, raw: dict, target: str) -> list[tuple[str, str]]:
        """(column, text) of the non-empty cells mapped onto this target, in the file's order."""
        cells = []
        for column in self._columns_of.get(target, []):
            text = common.tidy(raw.get(column))
            if text:
                cells.append((column, text))
        return cells

    def first_value(self, raw: dict, target: str) -> str:
        """The text of the first non-empty column mapped onto this target ("" if none)."""
        return self._first(raw, target)[1]

    def _first(self, raw: dict, target: str) -> tuple[str, str]:
        cells = self._cells(raw, target)
        return cells[0] if cells else (self._columns_of.get(target, [""])[0], "")

    def map(self, row: RawRow) -> MapResult:
        raw = row.values
        errors: list[RowError] = []
        notes: list[str] = []
        fields: dict = {}
        precision: dict = {}

        organisation = " ".join(self._first(raw, "organisation_name")[1].split())
        title_column, title_text = self._first(raw, "title")
        if not title_text:
            errors.append(
                RowError(
                    row.number,
                    title_column,
                    _("Titre manquant : la colonne « %(column)s » est vide.")
                    % {"column": title_column},
                )
            )

        identity = self._identity(raw, row.number, errors, notes)
        for target in TARGETS:
            if target.name not in self._columns_of or target.name in IDENTITY_TARGETS:
                continue
            self._map_target(target, raw, row.number, fields, precision, errors, notes)

        original_id = self._first(raw, "original_id")[1]
        if not original_id and "original_id" not in self._columns_of and title_text:
            original_id = (
                "L"
                + hashlib.sha256(
                    f"{value_key(organisation)}|{value_key(title_text)}".encode()
                ).hexdigest()[:12]
            )
        elif not original_id:
            column = self._first(raw, "original_id")[0]
            errors.append(
                RowError(
                    row.number,
                    column,
                    _("Identifiant manquant : la colonne « %(column)s » est vide.")
                    % {"column": column},
                )
            )
        if errors:
            return Rejected(errors, original_id=original_id)

        url_column, url = self._first(raw, "original_url")
        if url and not common.is_url(url):
            notes.append(
                _("« %(column)s » : « %(value)s » n'est pas une adresse web complète (https://…).")
                % {"column": url_column, "value": url}
            )
            url = ""
        updated_on = None
        updated_column, updated_text = self._first(raw, "updated_on")
        if updated_text:
            updated_on, _precision = read_date(updated_text, self.profile.date_format)
            if updated_on is None:
                notes.append(
                    _("« %(column)s » : date « %(value)s » illisible, non reprise.")
                    % {"column": updated_column, "value": updated_text}
                )
        fields.setdefault("ai_act_risk", v.AIActRisk.TO_ASSESS)
        fields["visibility"] = v.Visibility.PUBLIC
        if precision:
            fields["date_precision"] = precision
        country = (self.profile.country or "").upper()
        return Mapped(
            original_id=original_id[:200],
            fields=fields,
            original_url=url,
            organisation_name=organisation,
            country=country,
            identity=identity if country == "FR" else None,
            updated_on=updated_on,
            notes=notes,
        )

    def _identity(self, raw, number, errors, notes) -> Identity:
        siret_column, siret_text = self._first(raw, "siret")
        siren_column, siren_text = self._first(raw, "siren")
        siret = digits_of(siret_text)
        siren = digits_of(siren_text)
        if siret and len(siret) == 9:
            # A SIREN written in the SIRET column.
            notes.append(
                _("« %(column)s » : 9 chiffres, lu comme un SIREN.") % {"column": siret_column}
            )
            siren, siren_column, siret = siret, siret_column, ""
        if siret:
            try:
                validate_siret(siret)
            except ValidationError as error:
                errors.append(
                    RowError(
                        number,
                        siret_column,
                        _("SIRET « %(value)s » refusé : %(reason)s")
                        % {"value": siret_text, "reason": _lower_first(" ".join(error.messages))},
                    )
                )
                siret = ""
        if siren:
            try:
                validate_siren(siren)
            except ValidationError as error:
                errors.append(
                    RowError(
                        number,
                        siren_column,
                        _("SIREN « %(value)s » refusé : %(reason)s")
                        % {"value": siren_text, "reason": _lower_first(" ".join(error.messages))},
                    )
                )
                siren = ""
        if siret and siren and siret[:9] != siren:
            errors.append(
                RowError(
                    number,
                    siren_column,
                    _(
                        "SIREN « %(siren)s » différent des 9 premiers chiffres du SIRET "
                        "« %(siret)s »."
                    )
                    % {"siren": siren_text, "siret": siret_text},
                )
            )
        insee_column, insee_text = self._first(raw, "insee_code")
        insee = digits_of(insee_text)
        if insee:
            if len(insee) == 4 and insee.isdigit():
                insee = "0" + insee  # a spreadsheet drops the leading zero of 01004
            try:
                validate_insee_code(insee)
            except ValidationError as error:
                errors.append(
                    RowError(
                        number,
                        insee_column,
                        _("Code INSEE « %(value)s » refusé : %(reason)s")
                        % {"value": insee_text, "reason": _lower_first(" ".join(error.messages))},
                    )
                )
                insee = ""
        kinds: tuple[str, ...] = ()
        kind_column, kind_text = self._first(raw, "collectivite_kind")
        if kind_text:
            code = self.code_of(TARGETS_BY_NAME["collectivite_kind"], kind_text)
            if code:
                kinds = (code,)
            elif code is None:
                notes.append(
                    _("« %(column)s » : type « %(value)s » sans correspondance, non repris.")
                    % {"column": kind_column, "value": kind_text}
                )
        departements: tuple[str, ...] = ()
        dep_column, dep_text = self._first(raw, "departement")
        if dep_text:
            code = departement_of(dep_text)
            if code:
                departements = (code,)
            else:
                notes.append(
                    _("« %(column)s » : département « %(value)s » non reconnu.")
                    % {"column": dep_column, "value": dep_text}
                )
        return Identity(
            name=" ".join(self._first(raw, "organisation_name")[1].split()),
            siret=siret,
            siren=siren or (siret[:9] if siret else ""),
            insee_code=insee,
            departements=departements,
            kinds=kinds,
        )

    def _map_target(self, target, raw, number, fields, precision, errors, notes) -> None:
        cells = self._cells(raw, target.name)
        if not cells:
            return
        kind = target.kind
        if kind in (TEXT, FUNDING):
            text = cells[0][1]
            for column, value in cells[1:]:
                text += f"\n\n{column} : {value}"
            if kind == FUNDING:
                fields["costs"] = [
                    {
                        "kind": v.CostKind.OTHER,
                        "amount": None,
                        "period": "",
                        "funding_source": self._limited(target, text, cells, notes),
                    }
                ]
                return
            if target.name == "title":
                fields["title"] = common.title_of(text, notes, cells[0][0])
                return
            if target.name == "summary" and len(" ".join(text.split())) > common.SUMMARY_MAX:
                # The whole text is kept in the context (no limit there), before its own column.
                fields["context"] = text
            if target.name == "context" and fields.get("context"):
                fields["context"] = f"{fields['context']}\n\n{text}"
                return
            fields[target.name] = self._limited(target, text, cells, notes)
            return
        if kind == PARTNERS:
            partners = "\n".join(
                _("%(column)s : %(value)s") % {"column": column, "value": value}
                for column, value in cells
            )
            fields["context"] = (
                f"{fields['context']}\n\n{partners}" if fields.get("context") else partners
            )
            return
        if kind == LINKS:
            links, others = [], []
            for _column, value in cells:
                for item in value.replace("|", " ").split():
                    (links if common.is_url(item) else others).append(item)
            if others:
                notes.append(
                    _("« %(column)s » : %(values)s n'est pas une adresse web complète, non repris.")
                    % {"column": cells[0][0], "values": ", ".join(f"« {o} »" for o in others)}
                )
            if links:
                fields[target.name] = "\n".join(dict.fromkeys(links))
            return
        if kind == CHOICE:
            column, value = cells[0]
            code = self.code_of(target, value)
            if code is None:
                errors.append(
                    RowError(
                        number,
                        column,
                        _(
                            "« %(value)s » n'a pas de correspondance pour « %(field)s ». "
                            "Ajoutez-la aux correspondances de valeurs du profil (valeurs "
                            "possibles : %(known)s), ou choisissez « Ne pas reprendre »."
                        )
                        % {
                            "value": value,
                            "field": target.label,
                            "known": ", ".join(label for _code, label in self.choices_of(target)),
                        },
                    )
                )
            elif code == IGNORE:
                notes.append(
                    _("« %(column)s » : « %(value)s » non repris (choix du profil).")
                    % {"column": column, "value": value}
                )
            else:
                fields[target.name] = code
            return
        if kind in (CHOICES, DOMAINS):
            codes, unknown, ignored = [], [], []
            for column, value in cells:
                for item in split_items(value, self.profile.list_separator):
                    code = self.code_of(target, item)
                    if code is None:
                        unknown.append((column, item))
                    elif code == IGNORE:
                        ignored.append((column, item))
                    elif code not in codes:
                        codes.append(code)
            for column, item in unknown:
                notes.append(
                    _(
                        "« %(column)s » : « %(value)s » sans correspondance dans « %(field)s », "
                        "non repris."
                    )
                    % {"column": column, "value": item, "field": target.label}
                )
            for column, item in ignored:
                notes.append(
                    _("« %(column)s » : « %(value)s » non repris (choix du profil).")
                    % {"column": column, "value": item}
                )
            if codes:
                fields[target.name] = codes
            return
        if kind == DATE:
            column, value = cells[0]
            iso, date_precision = read_date(value, self.profile.date_format)
            if iso is None:
                errors.append(
                    RowError(
                        number,
                        column,
                        _("Date « %(value)s » illisible : format attendu %(format)s.")
                        % {
                            "value": value,
                            "format": DATE_EXAMPLES.get(
                                self.profile.date_format, self.profile.date_format
                            ),
                        },
                    )
                )
                return
            fields[target.name] = iso
            if date_precision != "day":
                precision[target.name] = date_precision

    def _limited(self, target: Target, text: str, cells, notes) -> str:
        """A text within our limit: cut at a word with « … » and said in a note, never silently
        (the raw row keeps it whole)."""
        if target.limit is None or len(" ".join(text.split())) <= target.limit:
            return text
        column = cells[0][0]
        length = len(" ".join(text.split()))
        if target.name == "summary":
            notes.append(
                _(
                    "« %(column)s » : texte de %(n)s caractères ; le résumé en reprend le début "
                    "(%(max)s caractères au plus, coupé à un mot et terminé par « … ») et le "
                    "texte entier est repris dans le contexte. La ligne d'origine le garde tel "
                    "quel."
                )
                % {"column": column, "n": length, "max": target.limit}
            )
        else:
            notes.append(
                _(
                    "« %(column)s » : texte de %(n)s caractères raccourci à %(max)s pour "
                    "« %(field)s » (le texte entier reste dans la ligne d'origine)."
                )
                % {"column": column, "n": length, "max": target.limit, "field": target.label}
            )
        return common.shorten(text, target.limit)


def validate_profile(profile, columns: list[str] | None = None) -> dict[str, list[str]]:
    """French errors of a profile's settings, by form field: unknown targets, a target that
    takes one column given several, a required target left out, a column the file lacks, a
    value map onto an unknown code."""
    errors: dict[str, list[str]] = {}
    column_map = profile.column_map or {}
    by_target: dict[str, list[str]] = {}
    for column, target in column_map.items():
        if target not in TARGETS_BY_NAME:
            errors.setdefault("column_map", []).append(
                _("« %(column)s » : champ « %(target)s » inconnu.")
                % {"column": column, "target": target}
            )
            continue
        by_target.setdefault(target, []).append(column)
        if columns is not None and column not in columns:
            errors.setdefault("column_map", []).append(
                _("La colonne « %(column)s » n'est pas dans le fichier.") % {"column": column}
            )
    for target, mapped in by_target.items():
        if len(mapped) > 1 and not TARGETS_BY_NAME[target].multiple:
            errors.setdefault("column_map", []).append(
                _("« %(target)s » ne reçoit qu'une colonne : %(columns)s en donnent plusieurs.")
                % {
                    "target": TARGETS_BY_NAME[target].label,
                    "columns": ", ".join(f"« {c} »" for c in mapped),
                }
            )
    for name in REQUIRED_TARGETS:
        if name not in by_target:
            errors.setdefault("column_map", []).append(
                _("Choisissez la colonne qui donne « %(target)s » : il est obligatoire.")
                % {"target": TARGETS_BY_NAME[name].label}
            )
    if profile.list_separator in ("", " "):
        errors.setdefault("list_separator", []).append(
            _("Choisissez un séparateur visible, par exemple « ; ».")
        )
    for target_name, values in (profile.value_maps or {}).items():
        target = TARGETS_BY_NAME.get(target_name)
        if target is None or not target.takes_values:
            errors.setdefault("value_maps", []).append(
                _("« %(target)s » ne prend pas de correspondance de valeurs.")
                % {"target": target_name}
            )
            continue
        if target.kind == DOMAINS:
            known = set(
                Term.objects.filter(vocabulary=v.TermVocabulary.DOMAIN).values_list(
                    "code", flat=True
                )
            )
        else:
            known = {str(code) for code in target.vocabulary.values}
        wrong = sorted(code for code in values.values() if code != IGNORE and code not in known)
        if wrong:
            errors.setdefault("value_maps", []).append(
                _("« %(target)s » : code(s) inconnu(s) %(codes)s.")
                % {"target": target.label, "codes": ", ".join(wrong)}
            )
    return errors
