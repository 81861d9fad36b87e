"""The published format of a use case, declared once.

Every field of a use case that a person reads or writes is declared here: its French label, its
vocabulary, its section, whether it leaves the collectivité, whether members write it, whether the
web form asks for it, whether submitting needs it, how it counts for completeness, whether it is a
column of the benchmark table, part of the search text, and how it is exported. Everything else
reads this declaration: the models (labels, choices, help texts), the forms and admin fieldsets,
the serializers, the exports and the import columns, the public page, the curators' diff and the
bench. A new field is added here and in the model (and its migration); nothing else.

`build()` turns a use case (any object with the model's attributes and relations, read by the
tenant side) into the snapshot the benchmark stores and serves. This module belongs to the public
side and imports nothing of the tenant app.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from registry import formats
from registry import vocabularies as v

# Kinds of value: how a field is read from a use case, stored in the snapshot, exported, imported.
TEXT = "text"
CHOICE = "choice"  # one code of a vocabulary
CHOICES = "choices"  # a list of codes of a vocabulary
BOOL = "bool"
INT = "int"
DECIMAL = "decimal"
DATE = "date"
DATETIME = "datetime"
UUID = "uuid"
TERMS = "terms"  # the shared vocabulary's domains: [{code, label}]
TOOLS = "tools"  # the shared catalogue: [{id, slug, name, kind, vendor}]
COLLECTIVITES = "collectivites"  # partner collectivités: [slug]
COLLECTIVITE = "collectivite"  # the publishing collectivité's identity
CHILDREN = "children"  # a list of rows (steps, lessons…), each with its own fields
REF = "ref"  # in a child row: a code of a catalogue entry (a knowledge-base risk)
EMAIL = "email"  # an address, shown as a mailto: link
URLS = "urls"  # web addresses, one a line, shown as links

# Who reads a field: what leaves the collectivité when published, or its members only.
PUBLISHED = "published"
MEMBERS = "members"

LIST_SEPARATOR = " | "
# A list of rows (steps, lessons, indicators…) holds at most this many: enough for any project a
# collectivité describes, and a bound on what one request may ask the database to write.
MAX_ROWS = 100


@dataclass(frozen=True)
class Section:
    name: str
    label: Promise
    # Said on the page when the section has nothing yet (None: the section is left out).
    empty: Promise | None = None


SECTIONS = [
    Section("identity", _("Identité")),
    Section("tools", _("Outils et partenaires")),
    Section("classification", _("Classification")),
    Section("lifecycle", _("Avancement")),
    Section("regulation", _("Réglementation et données")),
    Section("safeguards", _("Contrôle humain, recours et risques")),
    Section(
        "approach",
        _("La démarche, étape par étape"),
        empty=_("La démarche n'est pas encore décrite."),
    ),
    Section("outcomes", _("Résultats et enseignements")),
    Section("publication", _("Publication")),
]


def _filled(value, payload) -> bool:
    return bool(value)


# The fields a source may leave unsaid, which whoever enters the record (the seed, an import) then
# deduces from what it does say: each one is marked on the record until the collectivité writes it
# or confirms the record (`inferred_fields`).
INFERABLE = (
    "title",
    "department_service",
    "tools",
    "ai_family",
    "domains",
    "automation_level",
    "status",
    "method_phase",
    "personal_data",
    "sourcing",
)


class FieldNames:
    """A vocabulary whose codes are names of declared fields, labelled by the declaration."""

    def __init__(self, names: tuple[str, ...]):
        self.names = names

    @property
    def choices(self) -> list[tuple[str, Promise]]:
        return [(name, BY_NAME[name].label) for name in self.names]

    @property
    def values(self) -> list[str]:
        return list(self.names)


@dataclass(frozen=True)
class Field:
    name: str
    label: Promise
    kind: str = TEXT
    section: str = ""
    vocabulary: type | FieldNames | None = None
    help_text: Promise | str = ""
    audience: str = PUBLISHED
    # Written by members (API, form, admin, import); False: decided by the registry.
    writable: bool = True
    # Asked by the step-by-step web form (writable fields only).
    form: bool = True
    # Required before submitting to the CDG.
    core: bool = False
    # Completeness: weight (the weights add up to 100) and the test, (value, snapshot) -> bool.
    weight: int = 0
    complete: Callable | None = None
    # Read from an import's column (default: when members write it).
    importable: bool | None = None
    # Column of the benchmark table (registry.BenchmarkEntry) filled from the snapshot.
    column: str | None = None
    # Part of the benchmark's full-text search.
    search: bool = False
    # Exported (CSV, XLSX) and importable by column.
    export: bool = True
    # Attribute of the model object, when it is not the name (children's references).
    source: str | None = None
    # Only shared when this other field of the use case is true (the contact address).
    shared_if: str | None = None
    # Export only: the status crosswalk to the NL, UK, US and EU registers.
    crosswalk: bool = False
    children: tuple["Field", ...] = ()
    decimal_places: int = 2
    # A sum of money in euros: shown « 12 000 € » (cents only when there are some).
    currency: bool = False
    # Shown in the sections of the public page (False: in its header, or not shown at all).
    page: bool = True
    # A list of rows on the page: "table" (figures side by side) or "list" (its text first, the
    # other fields after it), ordered when the order matters.
    layout: str = "list"
    # The page a value links to (URL name, given the value's code or slug), if any.
    link: str | None = None

    @property
    def title(self) -> str:
        """The label as a heading or a form label."""
        return capfirst(str(self.label))

    @property
    def is_importable(self) -> bool:
        return self.writable if self.importable is None else self.importable

    def choices(self):
        return self.vocabulary.choices if self.vocabulary is not None else []

    def label_of(self, code) -> str:
        """The French label of a code of this field's vocabulary (the code itself if unknown)."""
        if self.vocabulary is None or code in (None, ""):
            return "" if code in (None, "") else str(code)
        return str(_labels(self.vocabulary).get(code, code))

    def child(self, name: str) -> "Field":
        for child in self.children:
            if child.name == name:
                return child
        raise KeyError(name)


@cache
def _labels(vocabulary) -> dict:
    """A vocabulary's labels by code (lazy: translated when read), built once."""
    return dict(vocabulary.choices)


def _child(name, label, kind=TEXT, **options) -> Field:
    return Field(name, label, kind, **options)


FIELDS: list[Field] = [
    # Identity and description
    Field(
        "public_id",
        _("identifiant public"),
        section="identity",
        writable=False,
        importable=True,
        column="public_id",
        page=False,
    ),
    Field("uuid", _("identifiant universel"), UUID, section="identity", writable=False, page=False),
    Field(
        "collectivite",
        _("collectivité"),
        COLLECTIVITE,
        section="identity",
        writable=False,
        search=True,
        page=False,
    ),
    Field(
        "title",
        _("titre"),
        section="identity",
        core=True,
        weight=8,
        column="title",
        search=True,
        help_text=_("120 caractères au plus, ex. « Aide à la rédaction des arrêtés de carrière »."),
        page=False,
    ),
    Field(
        "summary",
        _("résumé"),
        section="identity",
        core=True,
        weight=10,
        complete=lambda value, payload: len(value or "") >= 40,
        search=True,
        help_text=_("En quelques phrases simples (400 caractères au plus)."),
        page=False,
    ),
    Field(
        "context",
        _("contexte (problème traité)"),
        section="identity",
        weight=5,
        search=True,
        help_text=_("Le problème que le projet cherche à résoudre."),
    ),
    Field("purpose", _("objectifs"), section="identity", weight=5, search=True),
    Field(
        "department_service", _("direction ou service"), section="identity", weight=3, search=True
    ),
    Field(
        "representative",
        _("référent"),
        section="identity",
        weight=4,
        help_text=_("La personne à contacter pour ce projet."),
    ),
    Field(
        "contact_email",
        _("adresse de contact"),
        section="identity",
        shared_if="peer_contact_ok",
        export=False,
        page=False,
    ),
    Field(
        "peer_contact_ok",
        _("accepte les questions d'autres collectivités"),
        BOOL,
        section="identity",
        export=False,
        page=False,
    ),
    Field(
        "public_contact_email",
        _("adresse de contact publique"),
        EMAIL,
        section="identity",
        help_text=_(
            "Une adresse générique que la collectivité choisit de publier (ex. "
            "numerique@mairie-exemple.fr), visible de tous. L'adresse de contact ci-dessus reste "
            "réservée aux membres du réseau."
        ),
        page=False,
    ),
    Field(
        "tools",
        _("outils du catalogue"),
        TOOLS,
        link="tool-page",
        section="tools",
        weight=8,
        complete=lambda value, payload: bool(value or payload["tool_other"]),
        column="tool_ids",
        search=True,
    ),
    Field(
        "tool_other",
        _("autre outil"),
        section="tools",
        search=True,
        help_text=_("Si l'outil n'est pas dans le catalogue."),
    ),
    Field(
        "partner_collectivites",
        _("collectivités partenaires (mutualisation)"),
        COLLECTIVITES,
        link="collectivite-page",
        section="tools",
        help_text=_("Celles qui partagent ce déploiement, le cas échéant."),
    ),
    # Classification
    Field(
        "ai_family",
        _("famille d'IA"),
        CHOICE,
        section="classification",
        vocabulary=v.AIFamily,
        core=True,
        column="ai_family",
        help_text=_("Généraliste (ChatGPT, Mistral…) ou métier (outil conçu pour une tâche)."),
    ),
    Field(
        "domains",
        _("domaines"),
        TERMS,
        section="classification",
        core=True,
        weight=5,
        column="domains",
        search=True,
        help_text=_("Au moins un, pour soumettre au CDG."),
    ),
    Field(
        "techniques",
        _("techniques"),
        CHOICES,
        section="classification",
        vocabulary=v.Technique,
        weight=3,
        column="techniques",
    ),
    Field(
        "automation_level",
        _("niveau d'automatisation"),
        CHOICE,
        section="classification",
        vocabulary=v.AutomationLevel,
        core=True,
        column="automation_level",
    ),
    Field(
        "audiences",
        _("publics concernés"),
        CHOICES,
        section="classification",
        vocabulary=v.Audience,
        weight=2,
    ),
    Field(
        "individual_decision",
        _("fonde des décisions individuelles"),
        BOOL,
        section="classification",
        help_text=_("Obligation de transparence des algorithmes publics (CRPA, art. L312-1-3)."),
    ),
    # Lifecycle
    Field(
        "status",
        _("état d'avancement"),
        CHOICE,
        section="lifecycle",
        vocabulary=v.Status,
        core=True,
        column="status",
        crosswalk=True,
        help_text=_("Obligatoire pour soumettre au CDG."),
    ),
    Field(
        "status_inferred",
        _("état déduit de la source"),
        BOOL,
        section="lifecycle",
        writable=False,
        importable=True,
        help_text=_(
            "L'état n'est pas donné par la source : il a été déduit de la démarche décrite."
        ),
        page=False,
    ),
    Field(
        "status_reason",
        _("motif d'arrêt"),
        CHOICE,
        section="lifecycle",
        vocabulary=v.StatusReason,
    ),
    Field(
        "method_phase",
        _("phase de la méthode"),
        CHOICE,
        link="knowledge:phase",
        section="lifecycle",
        vocabulary=v.MethodPhase,
        weight=3,
        column="method_phase",
    ),
    Field("started_on", _("début"), DATE, section="lifecycle", weight=3, column="started_on"),
    Field("pilot_on", _("début de l'expérimentation"), DATE, section="lifecycle", form=False),
    Field(
        "production_on", _("mise en production"), DATE, section="lifecycle", column="production_on"
    ),
    Field("ended_on", _("fin"), DATE, section="lifecycle", form=False),
    # Regulation, risk and data
    Field(
        "ai_act_risk",
        _("risque au sens du règlement européen sur l'IA"),
        CHOICE,
        section="regulation",
        vocabulary=v.AIActRisk,
        core=True,
        weight=5,
        complete=lambda value, payload: value != v.AIActRisk.TO_ASSESS,
        column="ai_act_risk",
    ),
    Field(
        "personal_data",
        _("données personnelles"),
        CHOICE,
        section="regulation",
        vocabulary=v.PersonalData,
        core=True,
        column="personal_data",
    ),
    Field(
        "legal_basis",
        _("fondement juridique"),
        section="regulation",
        search=True,
        help_text=_(
            "Le texte qui autorise ce traitement : loi, décret, délibération, mission de service "
            "public…"
        ),
    ),
    Field(
        "legal_basis_links",
        _("textes de référence (liens)"),
        URLS,
        section="regulation",
        help_text=_("Les adresses des textes (Légifrance, délibération…), une par ligne."),
    ),
    Field(
        "data_sources",
        _("données utilisées"),
        section="regulation",
        search=True,
        help_text=_(
            "Les sources et catégories de données que l'outil reçoit ou produit (courriers, "
            "dossiers d'état civil, données ouvertes…)."
        ),
    ),
    Field(
        "personal_data_categories",
        _("catégories de données personnelles"),
        section="regulation",
        help_text=_(
            "Le cas échéant : identité, coordonnées, situation familiale, données de santé…"
        ),
    ),
    Field(
        "hosting",
        _("hébergement"),
        CHOICE,
        section="regulation",
        vocabulary=v.Hosting,
        weight=2,
        complete=lambda value, payload: value != v.Hosting.UNKNOWN,
    ),
    Field(
        "sourcing",
        _("mode d'acquisition"),
        CHOICE,
        section="regulation",
        vocabulary=v.Sourcing,
    ),
    Field(
        "documentation_url",
        _("documentation ou code source"),
        URLS,
        section="regulation",
        help_text=_(
            "Le lien vers la documentation de l'outil ou son code source, s'il est publié."
        ),
    ),
    Field("human_oversight", _("contrôle humain"), section="safeguards", weight=4),
    Field("recourse", _("voies de recours"), section="safeguards"),
    Field("risks_and_mitigations", _("risques et mesures prises"), section="safeguards", weight=5),
    # Outcomes
    Field(
        "users_count_band",
        _("nombre d'utilisateurs"),
        CHOICE,
        section="outcomes",
        vocabulary=v.UsersCountBand,
        weight=2,
    ),
    Field("satisfaction", _("satisfaction (1 à 5)"), INT, section="outcomes"),
    Field(
        "would_recommend",
        _("recommanderiez-vous ?"),
        CHOICE,
        section="outcomes",
        vocabulary=v.WouldRecommend,
    ),
    Field(
        "training_done",
        _("sensibilisation et formation des agents"),
        section="outcomes",
        weight=4,
    ),
    # Lists of rows
    Field(
        "steps",
        _("étapes de la démarche"),
        CHILDREN,
        layout="ordered",
        section="approach",
        weight=7,
        complete=lambda value, payload: len(value) >= 2,
        search=True,
        children=(
            _child("position", _("ordre"), INT, writable=False, page=False),
            _child("text", _("étape"), search=True),
            _child(
                "phase",
                _("phase de la méthode"),
                CHOICE,
                vocabulary=v.MethodPhase,
                link="knowledge:phase",
            ),
            _child("done", _("réalisée"), BOOL),
        ),
    ),
    Field(
        "lessons",
        _("enseignements"),
        CHILDREN,
        section="outcomes",
        weight=7,
        search=True,
        importable=False,
        children=(
            _child("text", _("enseignement"), search=True),
            _child("category", _("thème"), CHOICE, vocabulary=v.LessonCategory),
            _child("polarity", _("nature"), CHOICE, vocabulary=v.LessonPolarity),
        ),
    ),
    Field(
        "metrics",
        _("indicateurs"),
        CHILDREN,
        layout="table",
        section="outcomes",
        weight=5,
        importable=False,
        children=(
            _child("name", _("indicateur")),
            _child("unit", _("unité")),
            _child("baseline", _("valeur de départ"), DECIMAL),
            _child("value", _("valeur mesurée"), DECIMAL),
            _child("period", _("période")),
            _child("method", _("méthode de mesure")),
        ),
    ),
    Field(
        "costs",
        _("coûts"),
        CHILDREN,
        layout="table",
        section="outcomes",
        importable=False,
        children=(
            _child("kind", _("nature du coût"), CHOICE, vocabulary=v.CostKind),
            _child("amount", _("montant (€)"), DECIMAL, currency=True),
            _child("period", _("période")),
            _child("funding_source", _("financement")),
        ),
    ),
    Field(
        "impact_assessments",
        _("analyses d'impact"),
        CHILDREN,
        section="safeguards",
        importable=False,
        children=(
            _child("type", _("analyse d'impact"), CHOICE, vocabulary=v.ImpactAssessmentType),
            _child("status", _("état"), CHOICE, vocabulary=v.ImpactAssessmentStatus),
            _child("date", _("date"), DATE),
            _child("link", _("lien")),
        ),
    ),
    Field(
        "risks",
        _("risques rencontrés"),
        CHILDREN,
        section="safeguards",
        column="risk_codes",
        importable=False,
        children=(
            _child(
                "code",
                _("risque"),
                REF,
                source="risk",
                link="knowledge:risk",
                help_text=_(
                    "Le catalogue de la base de connaissances (biais, risques juridiques…)."
                ),
            ),
            _child("name", _("nom du risque"), source="risk.name", writable=False, page=False),
            _child("mitigation", _("mesure prise")),
        ),
    ),
    # Publication
    Field(
        "visibility",
        _("visibilité"),
        CHOICE,
        section="publication",
        vocabulary=v.Visibility,
        core=True,
        column="visibility",
        help_text=_(
            "« Collectivité seule » : rien ne sort de votre espace. « Réseau » : les membres "
            "des collectivités et le CDG. « Public » : données ouvertes."
        ),
        page=False,
    ),
    Field(
        "published_at",
        _("publié le"),
        DATETIME,
        section="publication",
        writable=False,
        column="published_at",
        page=False,
    ),
    Field(
        "verified_on",
        _("dernière vérification par la collectivité"),
        DATE,
        section="publication",
        writable=False,
        help_text=_("La date à laquelle la collectivité a confirmé que la fiche est à jour."),
        page=False,
    ),
    Field(
        "source",
        _("source"),
        section="publication",
        form=False,
        help_text=_("D'où vient cette fiche (ex. guide du CDG74, chapitre 5)."),
    ),
    Field(
        "inferred_fields",
        _("informations déduites de la source"),
        CHOICES,
        section="publication",
        vocabulary=FieldNames(INFERABLE),
        writable=False,
        importable=True,
        help_text=_(
            "Ce que la source ne dit pas et que l'équipe du registre en a déduit : à confirmer "
            "par la collectivité (la marque disparaît quand elle écrit le champ ou confirme la "
            "fiche à jour)."
        ),
        page=False,
    ),
    Field(
        "claimed_from",
        _("reprise de la fiche d'une source publique"),
        section="publication",
        writable=False,
        form=False,
        page=False,
        help_text=_(
            "L'identifiant de la fiche d'une source publique que la collectivité a reprise dans "
            "son espace puis complétée (ex. PSTW-1027) : une fois publié, ce cas la remplace."
        ),
    ),
    # What only the collectivité's members see
    Field(
        "next_review_on",
        _("prochain réexamen"),
        DATE,
        section="lifecycle",
        audience=MEMBERS,
        form=False,
    ),
    Field(
        "publication_state",
        _("état de publication"),
        CHOICE,
        section="publication",
        vocabulary=v.PublicationState,
        audience=MEMBERS,
        writable=False,
    ),
    Field(
        "external_ref",
        _("référence externe"),
        section="publication",
        audience=MEMBERS,
        form=False,
        help_text=_(
            "Clé stable d'une fiche importée (seed, import) : réimporter ne la duplique pas."
        ),
    ),
    Field(
        "created_at",
        _("créé le"),
        DATETIME,
        section="publication",
        audience=MEMBERS,
        writable=False,
    ),
    Field(
        "updated_at",
        _("modifié le"),
        DATETIME,
        section="publication",
        audience=MEMBERS,
        writable=False,
    ),
]

BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
assert sum(f.weight for f in FIELDS) == 100, "completeness weights must add up to 100"
assert {f.section for f in FIELDS} <= {s.name for s in SECTIONS}


def get(name: str) -> Field:
    return BY_NAME[name]


def label(name: str) -> Promise:
    """The French label of a field (lazy): models take their verbose names from here."""
    return BY_NAME[name].label


def child_label(parent: str, name: str) -> Promise:
    return BY_NAME[parent].child(name).label


def help_text(name: str) -> Promise | str:
    return BY_NAME[name].help_text


def published_fields() -> list[Field]:
    return [f for f in FIELDS if f.audience == PUBLISHED]


def member_fields() -> list[Field]:
    return list(FIELDS)


def writable_fields() -> list[Field]:
    return [f for f in FIELDS if f.writable]


def section_fields(*sections: str, form_only: bool = False) -> list[Field]:
    """Fields of these sections, in the declaration's order (the web form: writable and asked)."""
    return [
        f
        for f in FIELDS
        if f.section in sections
        and f.kind != CHILDREN
        and (not form_only or (f.writable and f.form))
    ]


def core_fields() -> list[Field]:
    return [f for f in FIELDS if f.core]


# --- building the snapshot ------------------------------------------------------------------------


def _attr(obj, path: str):
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    text = timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _decimal(value, places: int) -> str | None:
    if value is None:
        return None
    return f"{Decimal(value).quantize(Decimal(1).scaleb(-places)):f}"


def tool_ref(tool) -> dict:
    return {
        "id": tool.pk,
        "slug": tool.slug,
        "name": tool.name,
        "kind": tool.kind,
        "vendor": tool.vendor.name if tool.vendor else None,
    }


def collectivite_ref(collectivite) -> dict:
    """The publishing collectivité's identity, as every snapshot carries it."""
    return {
        "slug": collectivite.slug,
        "name": collectivite.name,
        "kind": collectivite.kind,
        "siren": collectivite.siren,
        "insee_code": collectivite.insee_code,
        "departement": collectivite.departement,
        "population_band": collectivite.population_band,
    }


def _value(f: Field, obj, collectivite):
    if f.kind == COLLECTIVITE:
        return collectivite_ref(collectivite)
    raw = _attr(obj, f.source or f.name)
    if f.kind == REF:
        return raw.code
    if f.kind == DATE:
        return raw.isoformat() if raw else None
    if f.kind == DATETIME:
        return _datetime(raw)
    if f.kind == UUID:
        return str(raw)
    if f.kind == DECIMAL:
        return _decimal(raw, f.decimal_places)
    if f.kind == CHOICES:
        return list(raw)
    if f.kind == TERMS:
        return [{"code": term.code, "label": term.label_fr} for term in raw.all()]
    if f.kind == TOOLS:
        # A tool merged into another by the curators is shown as the one it was merged into.
        canonical = {}
        for tool in raw.all():
            tool = tool.merged_into or tool
            canonical.setdefault(tool.pk, tool)
        return [tool_ref(tool) for tool in canonical.values()]
    if f.kind == COLLECTIVITES:
        return [partner.slug for partner in raw.all()]
    if f.kind == CHILDREN:
        return [{c.name: _value(c, row, collectivite) for c in f.children} for row in raw.all()]
    return raw


def build(use_case, collectivite, *, for_members: bool = False) -> dict:
    """The snapshot of a use case (for_members=False: what may leave the collectivité) or its
    members' representation (everything, the contact address included)."""
    fields = member_fields() if for_members else published_fields()
    payload = {f.name: _value(f, use_case, collectivite) for f in fields}
    if not for_members:
        for f in fields:
            if f.shared_if and not getattr(use_case, f.shared_if):
                payload[f.name] = ""
    return payload


# --- reading a snapshot ---------------------------------------------------------------------------


def completeness(payload: dict) -> tuple[int, list[dict]]:
    """Score from 0 to 100 and what is missing (field, French label, weight), in form order."""
    score, missing = 0, []
    for f in FIELDS:
        if not f.weight:
            continue
        if (f.complete or _filled)(payload.get(f.name), payload):
            score += f.weight
        else:
            missing.append({"field": f.name, "label": str(f.label), "weight": f.weight})
    return score, missing


# Not compared: identity and dates the registry sets (the verification: a date, no review), and
# the curators' annotations.
NOT_COMPARED = {
    "public_id",
    "uuid",
    "collectivite",
    "published_at",
    "verified_on",
    "curation",
    # Where the entry comes from (registry.BenchmarkEntry.origin) and, for a public source's
    # record, its provenance and the precision of its dates: not fields of a use case.
    "origin",
    "provenance",
    "date_precision",
}


def field_label(name: str) -> str:
    f = BY_NAME.get(name)
    return str(f.label) if f is not None else name


def diff(before: dict | None, after: dict) -> list[dict]:
    """Field-by-field differences between two snapshots (before=None: everything is new)."""
    before = before or {}
    return [
        {"field": name, "label": field_label(name), "before": before.get(name), "after": new}
        for name, new in after.items()
        if name not in NOT_COMPARED and before.get(name) != new
    ]


def changes_of(diff_rows: list[dict]) -> dict:
    """A diff as stored in a history row: {field: {before, after}}."""
    return {row["field"]: {"before": row["before"], "after": row["after"]} for row in diff_rows}


def search_texts(payload: dict, tool_aliases: Iterable[str] = ()) -> list[str]:
    """The text the benchmark's full-text search indexes."""
    texts: list[str] = []
    for f in FIELDS:
        if not f.search or f.audience != PUBLISHED:
            continue
        value = payload.get(f.name)
        if f.kind == COLLECTIVITE:
            texts.append(value["name"])
        elif f.kind == TOOLS:
            texts.extend(tool["name"] for tool in value)
        elif f.kind == TERMS:
            texts.extend(term["label"] for term in value)
        elif f.kind == CHILDREN:
            texts.extend(row[c.name] for row in value for c in f.children if c.search)
        elif value:
            texts.append(value)
    return [*texts, *tool_aliases]


def _column_value(f: Field, value):
    if f.kind == TERMS:
        return [term["code"] for term in value]
    if f.kind == TOOLS:
        return [tool["id"] for tool in value]
    if f.kind == CHILDREN:  # the rows' codes (risks)
        return [row["code"] for row in value]
    if f.kind == DATE:
        return parse_date(value) if value else None
    if f.kind == DATETIME:
        return parse_datetime(value) if value else None
    return value


def entry_columns(payload: dict) -> dict:
    """The benchmark table's denormalised columns of a snapshot (filters, sorting, statistics)."""
    return {f.column: _column_value(f, payload[f.name]) for f in FIELDS if f.column}


# --- exports and imports --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    field: Field | None
    # Read from the snapshot; derived columns are exported, never imported.
    get: Callable[[dict], object] = field(repr=False)
    derived: bool = False


def _joined(values) -> str:
    return LIST_SEPARATOR.join(str(value) for value in values)


def _columns_of(f: Field) -> list[Column]:
    name = f.name
    if f.kind == COLLECTIVITE:
        identity = [
            ("collectivite_slug", "slug"),
            ("collectivite_name", "name"),
            ("siren", "siren"),
            ("insee_code", "insee_code"),
            ("departement", "departement"),
            ("collectivite_kind", "kind"),
            ("population_band", "population_band"),
        ]
        return [
            Column(column, f, lambda p, key=key: p["collectivite"][key], derived=True)
            for column, key in identity
        ]
    if f.kind == TERMS:
        return [Column(name, f, lambda p: _joined(d["code"] for d in p[name]))]
    if f.kind == TOOLS:
        return [
            Column("tool_ids", f, lambda p: _joined(t["id"] for t in p[name])),
            Column("tool_names", f, lambda p: _joined(t["name"] for t in p[name]), derived=True),
        ]
    if f.kind in (CHOICES, COLLECTIVITES):
        return [Column(name, f, lambda p: _joined(p[name]))]
    if f.kind == CHILDREN and f.is_importable:  # a list of their main text (steps)
        return [Column(name, f, lambda p: _joined(row["text"] for row in p[name]))]
    if f.kind == CHILDREN:  # each row as « field=value ; field=value », exported only
        return [
            Column(name, f, lambda p: _joined(_row_text(f, row) for row in p[name]), derived=True)
        ]
    if f.kind == URLS:
        return [Column(name, f, lambda p: _joined(links_of(p[name])))]
    if name == "source":
        # Where the record comes from: a collectivité's declaration, or a public source's record
        # with the licence and attribution it is reused under (exported, never imported).
        return [
            Column(name, f, lambda p: p[name], derived=not f.is_importable),
            *(
                Column(column, f, get, derived=True)
                for column, get in (
                    ("origin", lambda p: p.get("origin") or v.Origin.DECLARED),
                    ("source_name", lambda p: _provenance(p, "name")),
                    ("source_licence", lambda p: _provenance(p, "licence")),
                    ("source_attribution", lambda p: _provenance(p, "attribution")),
                    ("source_original_id", lambda p: _provenance(p, "original_id")),
                    ("source_original_url", lambda p: _provenance(p, "original_url")),
                )
            ),
        ]
    column = Column(
        name,
        f,
        lambda p: "" if p[name] is None and f.kind == DATE else p[name],
        derived=not f.is_importable,
    )
    if not f.crosswalk:
        return [column]
    registers = ("nl", "uk", "us", "eu")
    return [
        column,
        Column(f"{name}_label", f, lambda p: f.label_of(p[name]), derived=True),
        *(
            Column(
                f"{name}_{register}",
                f,
                lambda p, i=i: v.STATUS_CROSSWALK.get(p[name], ("", "", "", ""))[i],
                derived=True,
            )
            for i, register in enumerate(registers)
        ),
    ]


def _provenance(payload: dict, key: str) -> str:
    return (payload.get("provenance") or {}).get(key) or ""


def _row_text(f: Field, row: dict) -> str:
    """A child row in an export cell: its fields' codes and values, the empty ones left out."""
    return " ; ".join(
        f"{child.name}={row[child.name]}"
        for child in f.children
        if row.get(child.name) not in (None, "", [])
    )


def links_of(value: str | None) -> list[str]:
    """The web addresses of a URLS field (one a line; spaces and « | » also separate them)."""
    return [
        item
        for item in (value or "").replace("|", "\n").split()
        if item.startswith(("http://", "https://"))
    ]


EXPORT_COLUMNS: list[Column] = [
    column for f in published_fields() if f.export for column in _columns_of(f)
]
COLUMNS_BY_NAME = {column.name: column for column in EXPORT_COLUMNS}


def export_row(payload: dict) -> dict:
    return {column.name: column.get(payload) for column in EXPORT_COLUMNS}


def choices(name: str):
    """The vocabulary of a field, as model and form choices."""
    return BY_NAME[name].choices()


def child_choices(parent: str, name: str):
    return BY_NAME[parent].child(name).choices()


# --- the public page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    # (label, URL name, argument): links the page builds (a tool, a collectivité, a phase…).
    links: tuple = ()
    # (label, address): links to addresses given by the collectivité (texts, documentation).
    urls: tuple = ()


def _date_text(value: str | None, precision: str = "day") -> str:
    """« 3 mars 2025 »; a date known to the month « mars 2025 », to the year « 2025 » (a public
    source's dates: `date_precision` of its snapshot)."""
    parsed = parse_date(value) if value else None
    if parsed is None:
        return ""
    if precision == "year":
        return str(parsed.year)
    if precision == "month":
        return formats.day_format(parsed, "F Y")
    return formats.day_format(parsed, "j F Y")


def display(f: Field, value, precision: str = "day") -> Cell:
    """A value of the snapshot as a person reads it: labels, not codes."""
    if f.kind == CHOICE:
        if f.link and value:
            return Cell(f.label_of(value), ((f.label_of(value), f.link, value),))
        return Cell(f.label_of(value))
    if f.kind == CHOICES:
        return Cell(", ".join(f.label_of(code) for code in value))
    if f.kind == BOOL:
        return Cell(str(_("oui")) if value else str(_("non")))
    if f.kind == DATE:
        return Cell(_date_text(value, precision))
    if f.kind == TERMS:
        return Cell(", ".join(term["label"] for term in value))
    if f.kind == TOOLS:
        return Cell("", tuple((tool["name"], f.link, tool["slug"]) for tool in value))
    if f.kind == COLLECTIVITES:
        return Cell("", tuple((slug, f.link, slug) for slug in value))
    if f.kind == REF:
        return Cell("", ((value, f.link, value),))
    if f.kind == EMAIL:
        return Cell(value or "", urls=((value, f"mailto:{value}"),) if value else ())
    if f.kind == URLS:
        return Cell("", urls=tuple((url, url) for url in links_of(value)))
    if f.kind == DECIMAL:
        if value is None:
            return Cell("—")
        if f.currency:
            return Cell(money(value))
        return Cell(number(value))
    return Cell("" if value is None else str(value))


def number(value) -> str:
    """« 45,5 », « 1 200 »: French decimal comma and grouping, no trailing zeros."""
    amount = Decimal(value)
    if amount == amount.to_integral_value():
        places = 0
    else:
        places = max(0, -amount.normalize().as_tuple().exponent)
    return number_format(amount, places, force_grouping=True)


def money(value) -> str:
    """« 12 000 € », « 1 234,50 € »: French grouping, cents only when there are some."""
    amount = Decimal(value)
    places = 0 if amount == amount.to_integral_value() else 2
    return f"{number_format(amount, places, force_grouping=True)}\N{NO-BREAK SPACE}€"


def inferred(payload: dict) -> list[str]:
    """The names of the fields the record's source does not state (deduced when it was entered),
    in the declaration's order; an older snapshot may only carry `status_inferred`."""
    names = set(payload.get("inferred_fields") or ())
    if payload.get("status_inferred"):
        names.add("status")
    return [f.name for f in FIELDS if f.name in names]


def inferred_labels(payload: dict) -> list[str]:
    return [str(BY_NAME[name].label) for name in inferred(payload)]


def page_sections(payload: dict) -> list[dict]:
    """The sections of a use case's page, in the declaration's order, without the empty ones:
    facts (label, value, whether it was deduced) and lists (a table of rows)."""
    deduced = set(inferred(payload))
    sections = []
    for section in SECTIONS:
        facts, lists = [], []
        for f in FIELDS:
            if f.section != section.name or f.audience != PUBLISHED or not f.page:
                continue
            value = payload.get(f.name)
            if value in (None, "", []) or (f.kind == BOOL and not value):
                continue
            if f.kind == CHILDREN:
                columns = [child for child in f.children if child.page]
                rows = [[_row_cell(child, row) for child in columns] for row in value]
                # In a list, the row's text first, then its other fields.
                first = sorted(columns, key=lambda child: child.name != "text")
                items = [
                    [
                        (child, _row_cell(child, row))
                        for child in first
                        if row[child.name] not in (None, "", False)
                    ]
                    for row in value
                ]
                lists.append({"field": f, "columns": columns, "rows": rows, "items": items})
            else:
                precision = (payload.get("date_precision") or {}).get(f.name, "day")
                facts.append(
                    {
                        "field": f,
                        "value": display(f, value, precision),
                        "inferred": f.name in deduced,
                    }
                )
        # « Not yet described » is a collectivité's to-do; a public source says nothing more.
        if facts or lists or (section.empty and payload.get("origin") != v.Origin.PUBLIC_SOURCE):
            sections.append({"section": section, "facts": facts, "lists": lists})
    return sections


def _row_cell(child: Field, row: dict) -> Cell:
    if child.kind == REF:
        # A catalogue entry: shown by its name, linked by its code.
        return Cell("", ((row.get("name") or row[child.name], child.link, row[child.name]),))
    return display(child, row[child.name])
