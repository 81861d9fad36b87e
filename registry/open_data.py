"""Open data: what the public benchmark offers anyone, described so that machines can check it.

- `record_licence`: under which licence, with which attribution, one published record may be
  reused. Every open-data output asks it (the catalogue, the feeds, the page): a record read from
  a public source will carry its source's licence from here.
- `table_schema`: the TableSchema of the CSV export (schema.data.gouv.fr's conventions: French
  titles and descriptions, `enum` from the vocabularies, `format` for dates, e-mail and URLs, a
  primary key), generated from the declaration of the published format (registry.snapshot).
- `DISTRIBUTIONS` and `catalogue`: every file offered, and the DCAT-AP catalogue (JSON-LD) that
  describes them for harvesters (data.gouv.fr, data.europa.eu).
- `feed`: an Atom feed (RFC 4287) of publications and new versions, from the benchmark's history
  (registry.BenchmarkEntryEvent), overall or for one collectivité.

Only `public` entries are open data: every query here says so itself (`public_entries`), whoever
asks. Views: registry/open_data_views.py.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Max
from django.utils import feedgenerator, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import addresses, exports, registers, snapshot
from registry import vocabularies as v
from registry.models import BenchmarkEntry, BenchmarkEntryEvent, Collectivite, Term

# --- licence ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordLicence:
    title: str
    # SPDX identifier.
    identifier: str
    url: str
    attribution: str


OPEN_LICENCE_TITLE = "Licence Ouverte / Open Licence version 2.0 (Etalab)"
OPEN_LICENCE_ID = "etalab-2.0"
OPEN_LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
REGISTRY_ATTRIBUTION = "Registre IA des collectivités, CDG74"


# SPDX identifiers of the licences public sources are published under (registry/sources/).
SPDX_OF = {"CC BY 4.0": "CC-BY-4.0", "Licence Ouverte 2.0": "etalab-2.0"}


def record_licence(payload: dict) -> RecordLicence:
    """The licence and attribution of one published record.

    A use case that a collectivité declared and published: the Licence Ouverte 2.0, citing the
    collectivité and the registry. A record read from a public source (the benchmark's
    `origin = public_source`) keeps its source's own licence and attribution: this function is
    the one place that says so, from the record's source (its `provenance`)."""
    if payload.get("origin") == v.Origin.PUBLIC_SOURCE:
        source = payload.get("provenance") or {}
        return RecordLicence(
            source.get("licence") or "",
            SPDX_OF.get(source.get("licence") or "", ""),
            source.get("licence_url") or "",
            source.get("attribution") or source.get("name") or "",
        )
    name = (payload.get("collectivite") or {}).get("name") or ""
    attribution = f"{name}, {REGISTRY_ATTRIBUTION}" if name else REGISTRY_ATTRIBUTION
    return RecordLicence(OPEN_LICENCE_TITLE, OPEN_LICENCE_ID, OPEN_LICENCE_URL, attribution)


# What the catalogue and the page say of the records that are not the registry's own.
SOURCE_RECORDS_RIGHTS = gettext_lazy(
    "Les fiches lues dans une source publique (et non déclarées par une collectivité) gardent la "
    "licence et l'attribution de leur source, indiquées sur chaque fiche."
)


# --- what is open ---------------------------------------------------------------------------------


def public_entries():
    """The open data: public entries only, whoever asks (never the network's, nor a private one:
    those never reach the table)."""
    return BenchmarkEntry.objects.filter(visibility=v.Visibility.PUBLIC)


def last_modified() -> datetime | None:
    return public_entries().aggregate(latest=Max("updated_at"))["latest"]


@dataclass(frozen=True)
class Distribution:
    """A file of the open data: its name under /donnees-ouvertes/, its format (an extension of
    registry.exports.EXPORT_TYPES, or None for a file that is not an export)."""

    filename: str
    fmt: str | None
    title: str
    description: str
    media_type: str
    # The EU's file-type authority (publications.europa.eu/resource/authority/file-type/…).
    file_type: str
    # What the file conforms to (a standard's address), if anything.
    conforms_to: str = ""


SCHEMA_FILENAME = "schema.json"
CATALOGUE_FILENAME = "catalogue.jsonld"
ALGORITMEREGISTER_STANDARD = "https://github.com/MinBZK/Algoritmeregister-Publicatiestandaard"
ATRS_STANDARD = (
    "https://www.gov.uk/government/collections/algorithmic-transparency-recording-standard-hub"
)
PSTW_DATASET = "https://data.jrc.ec.europa.eu/collection/id-00415"

DISTRIBUTIONS = [
    Distribution(
        "cas-d-usage.csv",
        "csv",
        gettext_lazy("Cas d'usage publiés (CSV)"),
        gettext_lazy(
            "Une ligne par cas d'usage, codes stables, séparateur point-virgule, UTF-8. "
            "Décrit par le schéma de données."
        ),
        "text/csv",
        "CSV",
        conforms_to="schema",
    ),
    Distribution(
        "cas-d-usage.xlsx",
        "xlsx",
        gettext_lazy("Cas d'usage publiés (tableur XLSX)"),
        gettext_lazy("Les mêmes colonnes que le CSV, avec de vraies dates et des filtres."),
        exports.EXPORT_TYPES["xlsx"],
        "XLSX",
    ),
    Distribution(
        "cas-d-usage.json",
        "json",
        gettext_lazy("Fiches publiées complètes (JSON)"),
        gettext_lazy(
            "Chaque fiche telle que l'API la donne, avec ses listes (étapes, enseignements, "
            "indicateurs, coûts, risques)."
        ),
        "application/json",
        "JSON",
    ),
    Distribution(
        "cas-d-usage-algoritmeregister.json",
        "algoritmeregister.json",
        gettext_lazy("Format du registre néerlandais des algorithmes (JSON)"),
        gettext_lazy(
            "Les champs et les listes de valeurs de la norme de publication 1.0 de "
            "l'Algoritmeregister des Pays-Bas."
        ),
        "application/json",
        "JSON",
        conforms_to=ALGORITMEREGISTER_STANDARD,
    ),
    Distribution(
        "cas-d-usage-atrs.csv",
        "atrs.csv",
        gettext_lazy("Format de la norme britannique de transparence algorithmique (CSV)"),
        gettext_lazy(
            "Les champs du niveau 1 de l'Algorithmic Transparency Recording Standard du "
            "Royaume-Uni, séparateur virgule."
        ),
        "text/csv",
        "CSV",
        conforms_to=ATRS_STANDARD,
    ),
    Distribution(
        "cas-d-usage-pstw.csv",
        "pstw.csv",
        gettext_lazy("Colonnes du Public Sector Tech Watch européen (CSV)"),
        gettext_lazy(
            "Les 57 colonnes du jeu de données de l'observatoire européen des technologies "
            "dans le secteur public (Commission européenne, JRC)."
        ),
        "text/csv",
        "CSV",
        conforms_to=PSTW_DATASET,
    ),
]
BY_FILENAME = {distribution.filename: distribution for distribution in DISTRIBUTIONS}


def open_data_url(filename: str = "") -> str:
    return addresses.public_page("open-data") + filename


def schema_url() -> str:
    return open_data_url(SCHEMA_FILENAME)


def feed_url(collectivite: Collectivite | None = None) -> str:
    if collectivite is None:
        return addresses.public_page("feed-publications")
    return addresses.public_page("feed-collectivite", collectivite.slug)


# --- the TableSchema of the CSV ------------------------------------------------------------------

SCHEMA_VERSION = "1.0.0"
SCHEMA_CREATED = "2026-12-02"
SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
LIST = r" \| "  # registry.snapshot.LIST_SEPARATOR in a pattern
URL = r"https?://\S+"


def _list_of(item: str) -> str:
    return rf"^(?:{item})(?:{LIST}(?:{item}))*$"


def _one_of(codes) -> str:
    return "|".join(sorted((str(code) for code in codes), key=lambda code: (-len(code), code)))


def _codes_text(vocabulary) -> str:
    return ", ".join(f"{code} ({label})" for code, label in vocabulary.choices)


# The columns that do not come from one field's own kind.
_IDENTITY = {
    "collectivite_slug": {
        "type": "string",
        "description": gettext_lazy(
            "Identifiant stable de la collectivité dans le registre (sa page : "
            "/collectivites/<identifiant>/)."
        ),
        "constraints": {"required": True, "pattern": f"^{SLUG}$"},
        "example": "grand-annecy",
    },
    "collectivite_name": {
        "type": "string",
        "description": gettext_lazy("Nom de la collectivité qui publie le cas d'usage."),
        "constraints": {"required": True},
    },
    "siren": {
        "type": "string",
        "description": gettext_lazy(
            "Numéro SIREN de la collectivité (9 chiffres), s'il est connu."
        ),
        "constraints": {"pattern": r"^\d{9}$"},
        "example": "200066793",
    },
    "insee_code": {
        "type": "string",
        "description": gettext_lazy(
            "Code officiel géographique (INSEE) de la collectivité, s'il est connu."
        ),
        "constraints": {"pattern": r"^[0-9][0-9AB][0-9]{3}$"},
        "example": "74010",
    },
    "departement": {
        "type": "string",
        "description": gettext_lazy("Code du département de la collectivité."),
        "constraints": {"pattern": r"^(?:\d{2}|2A|2B|97\d)$"},
        "example": "74",
    },
}
# Descriptions for reusers where the declaration's help text speaks to the collectivité's agents
# (or there is no field of that name): they replace it.
_DESCRIPTIONS = {
    "public_id": gettext_lazy(
        "Identifiant public et stable du cas d'usage : département, collectivité, numéro "
        "(sa page : /cas-d-usage/<identifiant>/)."
    ),
    "uuid": gettext_lazy("Identifiant universel (UUID) du cas d'usage, stable."),
    "title": gettext_lazy("Titre du cas d'usage (120 caractères au plus)."),
    "summary": gettext_lazy("Résumé du cas d'usage en quelques phrases (400 caractères au plus)."),
    "public_contact_email": gettext_lazy(
        "Adresse de contact générique que la collectivité a choisi de publier."
    ),
    "tool_ids": gettext_lazy(
        "Identifiants des outils du catalogue partagé (API /api/v1/tools/), séparés par « | »."
    ),
    "tool_names": gettext_lazy("Noms des outils du catalogue, séparés par « | »."),
    "domains": gettext_lazy("Domaines d'action publique du cas d'usage (au moins un)."),
    "status": gettext_lazy("État d'avancement du projet."),
    "status_label": gettext_lazy("L'état d'avancement en toutes lettres."),
    "status_nl": gettext_lazy(
        "L'état d'avancement dans le vocabulaire du registre néerlandais des algorithmes."
    ),
    "status_uk": gettext_lazy(
        "L'état d'avancement (« phase ») dans le vocabulaire de la norme britannique ATRS."
    ),
    "status_us": gettext_lazy(
        "L'état d'avancement dans le vocabulaire de l'inventaire fédéral américain (2025)."
    ),
    "status_eu": gettext_lazy(
        "L'état d'avancement dans le vocabulaire du Public Sector Tech Watch européen."
    ),
    "visibility": gettext_lazy(
        "Qui peut lire la fiche : « public » pour toutes celles des données ouvertes."
    ),
    "steps": gettext_lazy("Les étapes de la démarche, dans l'ordre, séparées par « | »."),
}
_KIND_DESCRIPTIONS = {
    snapshot.TEXT: gettext_lazy("Texte saisi par la collectivité."),
    snapshot.BOOL: gettext_lazy("« oui » ou « non »."),
    snapshot.INT: gettext_lazy("Nombre entier."),
    snapshot.DECIMAL: gettext_lazy("Nombre décimal (point décimal)."),
    snapshot.DATE: gettext_lazy("Date au format AAAA-MM-JJ."),
    snapshot.DATETIME: gettext_lazy("Date et heure ISO 8601, avec le décalage horaire."),
    snapshot.UUID: gettext_lazy("Identifiant universel (UUID)."),
    snapshot.EMAIL: gettext_lazy("Adresse électronique publiée par la collectivité."),
    snapshot.URLS: gettext_lazy("Adresses web (http ou https), séparées par « | »."),
    snapshot.COLLECTIVITES: gettext_lazy(
        "Identifiants des collectivités partenaires dans le registre, séparés par « | »."
    ),
    snapshot.CHILDREN: gettext_lazy(
        "Une ligne par élément, séparées par « | » ; dans chaque ligne, des paires "
        "« champ=valeur » séparées par « ; »."
    ),
}


def _sentence(*parts) -> str:
    return " ".join(str(part).strip() for part in parts if part and str(part).strip())


def _field_of(column: snapshot.Column, domain_codes: list[str]) -> dict:
    name, f = column.name, column.field
    field = {"name": name, "title": exports.header_of(name)}
    if name in _IDENTITY:
        identity = _IDENTITY[name]
        return {**field, **identity, "description": str(identity["description"])}
    if name in ("collectivite_kind", "population_band"):
        vocabulary = v.CollectiviteKind if name == "collectivite_kind" else v.PopulationBand
        return {
            **field,
            "type": "string",
            "description": _sentence(_("Code parmi :"), _codes_text(vocabulary) + "."),
            "constraints": {"enum": list(vocabulary.values)},
            "example": vocabulary.values[0],
        }
    if name == "tool_ids":
        return {
            **field,
            "type": "string",
            "description": str(_DESCRIPTIONS[name]),
            "constraints": {"pattern": _list_of(r"\d+")},
            "example": "12 | 40",
        }
    if name == "status_label":
        return {
            **field,
            "type": "string",
            "description": str(_DESCRIPTIONS[name]),
            "constraints": {"required": True, "enum": [str(label) for label in v.Status.labels]},
        }
    if name.startswith(f"{f.name}_") and f.crosswalk:
        index = ("nl", "uk", "us", "eu").index(name.rsplit("_", 1)[1])
        values = list(dict.fromkeys(row[index] for row in v.STATUS_CROSSWALK.values()))
        return {
            **field,
            "type": "string",
            "description": str(_DESCRIPTIONS[name]),
            "constraints": {"required": True, "enum": values},
            "example": values[0],
        }
    required = bool(f.core) or name in ("public_id", "uuid", "published_at")
    constraints: dict = {"required": True} if required else {}
    description = _DESCRIPTIONS.get(name) or f.help_text or f"{f.title}."
    kind = f.kind

    if kind == snapshot.CHOICE:
        field.update(type="string", example=f.vocabulary.values[0])
        constraints["enum"] = list(f.vocabulary.values)
        description = _sentence(description, _("Code parmi :"), _codes_text(f.vocabulary) + ".")
    elif kind == snapshot.CHOICES:
        field.update(type="string", example=f.vocabulary.values[0])
        constraints["pattern"] = _list_of(_one_of(f.vocabulary.values))
        description = _sentence(
            description, _("Codes séparés par « | » parmi :"), _codes_text(f.vocabulary) + "."
        )
    elif kind == snapshot.TERMS:
        field.update(type="string", example=domain_codes[0] if domain_codes else "")
        constraints["pattern"] = _list_of(_one_of(domain_codes) if domain_codes else SLUG)
        description = _sentence(
            description,
            _(
                "Codes des domaines d'action publique, séparés par « | » (vocabulaire partagé : "
                "API /api/v1/knowledge/terms/)."
            ),
        )
    elif kind == snapshot.BOOL:
        field.update(type="boolean", trueValues=["oui"], falseValues=["non"])
    elif kind == snapshot.INT:
        field.update(type="integer")
        if name == "satisfaction":
            constraints.update(minimum=1, maximum=5)
    elif kind == snapshot.DECIMAL:
        field.update(type="number")
    elif kind == snapshot.DATE:
        field.update(type="date", format="%Y-%m-%d", example="2026-03-01")
    elif kind == snapshot.DATETIME:
        field.update(type="datetime", format="default", example="2026-03-01T10:30:00+01:00")
    elif kind == snapshot.UUID:
        field.update(type="string", format="uuid")
        constraints["unique"] = True
    elif kind == snapshot.EMAIL:
        field.update(type="string", format="email", example="numerique@mairie-exemple.fr")
    elif kind == snapshot.URLS:
        # A list of addresses: each is a URL (a `format: uri` holds one address only).
        field.update(type="string", example="https://www.legifrance.gouv.fr/")
        constraints["pattern"] = _list_of(URL)
    elif kind == snapshot.COLLECTIVITES:
        field.update(type="string")
        constraints["pattern"] = _list_of(SLUG)
    elif kind == snapshot.CHILDREN:
        field.update(type="string")
    else:
        field.update(type="string")
    if (
        kind not in (snapshot.CHOICE, snapshot.CHOICES, snapshot.TERMS)
        and name not in _DESCRIPTIONS
    ):
        # The sentence of the value's kind, unless the description is our own already.
        description = _sentence(description, _KIND_DESCRIPTIONS.get(kind, ""))
    if name == "public_id":
        constraints["unique"] = True
    field["description"] = str(description) or str(f.title)
    if constraints:
        field["constraints"] = constraints
    return field


def table_schema() -> dict:
    """The TableSchema of the CSV export (codes variant), in French."""
    with translation.override("fr"):
        domain_codes = list(
            Term.objects.filter(vocabulary=v.TermVocabulary.DOMAIN)
            .order_by("position", "code")
            .values_list("code", flat=True)
        )
        csv_file = BY_FILENAME["cas-d-usage.csv"]
        return {
            "$schema": "https://frictionlessdata.io/schemas/table-schema.json",
            "name": "registre-ia-collectivites",
            "title": _(
                "Cas d'usage de l'intelligence artificielle dans les collectivités territoriales"
            ),
            "description": _(
                "Les cas d'usage de l'IA que les collectivités territoriales publient dans le "
                "Registre IA des collectivités (CDG74), relus avant publication : une ligne par "
                "cas d'usage. Fichier CSV en UTF-8, séparateur point-virgule, première ligne "
                "d'en-têtes ; les listes sont séparées par « | »."
            ),
            "countryCode": "FR",
            "homepage": open_data_url(),
            "path": schema_url(),
            "version": SCHEMA_VERSION,
            "created": SCHEMA_CREATED,
            "lastModified": SCHEMA_CREATED,
            "contributors": [
                {
                    "title": "CDG74",
                    "email": settings.LEGAL["publisher_email"],
                    "organisation": _(
                        "Centre de gestion de la fonction publique territoriale de la Haute-Savoie"
                    ),
                    "role": "author",
                }
            ],
            "licenses": [
                {"name": OPEN_LICENCE_ID, "title": OPEN_LICENCE_TITLE, "path": OPEN_LICENCE_URL}
            ],
            "resources": [{"title": str(csv_file.title), "path": open_data_url(csv_file.filename)}],
            "missingValues": [""],
            "fields": [_field_of(column, domain_codes) for column in snapshot.EXPORT_COLUMNS],
            "primaryKey": "public_id",
        }


# --- the DCAT-AP catalogue ----------------------------------------------------------------------

JSONLD_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
EU_AUTHORITY = "http://publications.europa.eu/resource/authority"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types"


def _text(value) -> dict:
    return {"@value": str(value), "@language": "fr"}


def _moment(value: datetime | None) -> dict | None:
    return {"@value": value.isoformat(), "@type": "xsd:dateTime"} if value else None


def _ref(url: str) -> dict:
    return {"@id": url}


def _licence_node() -> dict:
    return {
        "@id": OPEN_LICENCE_URL,
        "@type": "dcterms:LicenseDocument",
        "rdfs:label": _text(OPEN_LICENCE_TITLE),
        "dcterms:identifier": OPEN_LICENCE_ID,
    }


def _distribution(distribution: Distribution, modified: datetime | None) -> dict:
    url = open_data_url(distribution.filename)
    conforms_to = schema_url() if distribution.conforms_to == "schema" else distribution.conforms_to
    node = {
        "@id": url,
        "@type": "dcat:Distribution",
        "dcterms:title": _text(distribution.title),
        "dcterms:description": _text(distribution.description),
        "dcat:accessURL": _ref(url),
        "dcat:downloadURL": _ref(url),
        "dcat:mediaType": _ref(f"{IANA_MEDIA_TYPES}/{distribution.media_type}"),
        "dcterms:format": _ref(f"{EU_AUTHORITY}/file-type/{distribution.file_type}"),
        "dcterms:license": _licence_node(),
    }
    if conforms_to:
        node["dcterms:conformsTo"] = _ref(conforms_to)
    if modified:
        node["dcterms:modified"] = _moment(modified)
    return node


def catalogue(*, modified: datetime | None, count: int) -> dict:
    """The DCAT-AP catalogue (JSON-LD) of the open data: one dataset, one distribution a file
    (the exports, the schema, the feed)."""
    with translation.override("fr"):
        page = open_data_url()
        publisher = {
            "@id": addresses.public_address("/"),
            "@type": "foaf:Agent",
            "foaf:name": _text(
                _("Centre de gestion de la fonction publique territoriale de la Haute-Savoie")
            ),
        }
        distributions = [_distribution(d, modified) for d in DISTRIBUTIONS]
        distributions.append(
            {
                "@id": schema_url(),
                "@type": "dcat:Distribution",
                "dcterms:title": _text(_("Schéma de données du CSV (TableSchema)")),
                "dcterms:description": _text(
                    _(
                        "Les colonnes du CSV, leur type et leurs valeurs permises, au format "
                        "TableSchema (conventions de schema.data.gouv.fr)."
                    )
                ),
                "dcat:accessURL": _ref(schema_url()),
                "dcat:downloadURL": _ref(schema_url()),
                "dcat:mediaType": _ref(f"{IANA_MEDIA_TYPES}/application/json"),
                "dcterms:format": _ref(f"{EU_AUTHORITY}/file-type/JSON"),
                "dcterms:conformsTo": _ref("https://specs.frictionlessdata.io/table-schema/"),
                "dcterms:license": _licence_node(),
            }
        )
        distributions.append(
            {
                "@id": feed_url(),
                "@type": "dcat:Distribution",
                "dcterms:title": _text(_("Flux des publications (Atom)")),
                "dcterms:description": _text(
                    _(
                        "Les publications et nouvelles versions de cas d'usage, les plus "
                        "récentes d'abord. Un flux par collectivité existe aussi."
                    )
                ),
                "dcat:accessURL": _ref(feed_url()),
                "dcat:mediaType": _ref(f"{IANA_MEDIA_TYPES}/application/atom+xml"),
                "dcterms:format": _ref(f"{EU_AUTHORITY}/file-type/ATOM"),
                "dcterms:license": _licence_node(),
            }
        )
        dataset = {
            "@id": page + "#cas-d-usage",
            "@type": "dcat:Dataset",
            "dcterms:identifier": "registre-ia-collectivites",
            "dcterms:title": _text(
                _("Cas d'usage de l'intelligence artificielle dans les collectivités territoriales")
            ),
            "dcterms:description": _text(
                _(
                    "%(count)d cas d'usage de l'IA publiés par des collectivités territoriales "
                    "françaises, relus par le CDG74 : outils, domaines, état d'avancement, "
                    "risques, résultats et enseignements."
                )
                % {"count": count}
            ),
            "dcat:keyword": [
                _text(word)
                for word in (
                    _("intelligence artificielle"),
                    _("collectivités territoriales"),
                    _("algorithmes publics"),
                    _("transparence"),
                    _("cas d'usage"),
                )
            ],
            "dcat:theme": [_ref(f"{EU_AUTHORITY}/data-theme/GOVE")],
            "dcterms:language": [_ref(f"{EU_AUTHORITY}/language/FRA")],
            "dcterms:spatial": [_ref(f"{EU_AUTHORITY}/country/FRA")],
            "dcterms:accrualPeriodicity": _ref(f"{EU_AUTHORITY}/frequency/CONT"),
            "dcterms:publisher": publisher,
            "dcat:contactPoint": {
                "@type": "vcard:Organization",
                "vcard:fn": "CDG74",
                "vcard:hasEmail": _ref(f"mailto:{settings.LEGAL['publisher_email']}"),
            },
            "dcat:landingPage": _ref(page),
            "dcterms:conformsTo": _ref(schema_url()),
            "dcterms:license": _licence_node(),
            "dcterms:rights": {
                "@type": "dcterms:RightsStatement",
                "rdfs:label": _text(SOURCE_RECORDS_RIGHTS),
            },
            "dcat:distribution": distributions,
        }
        if modified:
            dataset["dcterms:modified"] = _moment(modified)
        return {
            "@context": JSONLD_CONTEXT,
            "@id": open_data_url(CATALOGUE_FILENAME),
            "@type": "dcat:Catalog",
            "dcterms:title": _text(_("Données ouvertes du Registre IA des collectivités")),
            "dcterms:description": _text(
                _(
                    "Les cas d'usage de l'intelligence artificielle publiés par les collectivités "
                    "territoriales, dans nos formats et dans ceux d'autres registres publics."
                )
            ),
            "dcterms:publisher": publisher,
            "dcterms:language": [_ref(f"{EU_AUTHORITY}/language/FRA")],
            "dcterms:license": _licence_node(),
            "foaf:homepage": _ref(page),
            **({"dcterms:modified": _moment(modified)} if modified else {}),
            "dcat:dataset": [dataset],
        }


# --- the Atom feeds -------------------------------------------------------------------------------

# Ids of the feeds and of their entries: name-based UUIDs under the registry's own namespace, so
# that they never change (whatever the site's address) and never repeat.
FEED_NAMESPACE = uuid.UUID("17e5548f-f6d2-4de8-a53a-10449a98d6ed")
FEED_ACTIONS = (v.HistoryAction.PUBLISHED, v.HistoryAction.REPLACED)
FEED_ENTRIES = 50


def _urn(name: str) -> str:
    return uuid.uuid5(FEED_NAMESPACE, name).urn


def feed_events(collectivite: Collectivite | None = None, limit: int = FEED_ENTRIES):
    """The latest publications and new versions of entries that are public now, with each
    entry's current snapshot: [(event, payload)], newest first. Two queries."""
    entries = public_entries()
    if collectivite is not None:
        entries = entries.filter(collectivite=collectivite)
    events = list(
        BenchmarkEntryEvent.objects.filter(
            action__in=FEED_ACTIONS, uuid__in=entries.values("uuid")
        ).order_by("-created_at", "-id")[:limit]
    )
    payloads = dict(
        entries.filter(uuid__in={event.uuid for event in events}).values_list("uuid", "payload")
    )
    return [(event, payloads[event.uuid]) for event in events if event.uuid in payloads]


def _changed_labels(event) -> list[str]:
    """The published fields a new version changed, by label (never their values)."""
    return [
        snapshot.field_label(name)
        for name in event.changes
        if name not in snapshot.NOT_COMPARED
        and name in snapshot.BY_NAME
        and snapshot.BY_NAME[name].audience == snapshot.PUBLISHED
    ]


def feed(collectivite: Collectivite | None = None) -> bytes:
    """The Atom feed (RFC 4287) of publications and new versions, overall or of a collectivité."""
    with translation.override("fr"):
        if collectivite is None:
            title = _("Registre IA des collectivités : publications et mises à jour")
            link = addresses.public_page("home")
            feed_id = _urn("flux:publications")
        else:
            title = _("%(name)s : cas d'usage de l'IA publiés et mis à jour") % {
                "name": collectivite.name
            }
            link = addresses.public_page("collectivite-page", collectivite.slug)
            feed_id = _urn(f"flux:collectivite:{collectivite.pk}")
        atom = feedgenerator.Atom1Feed(
            title=title,
            link=link,
            description=_(
                "Les cas d'usage de l'intelligence artificielle publiés par les collectivités, "
                "et leurs nouvelles versions, les plus récents d'abord."
            ),
            language="fr",
            feed_url=feed_url(collectivite),
            feed_guid=feed_id,
            author_name=REGISTRY_ATTRIBUTION,
            feed_copyright=_("%(licence)s. %(sources)s")
            % {"licence": OPEN_LICENCE_TITLE, "sources": SOURCE_RECORDS_RIGHTS},
        )
        statuses = dict(v.Status.choices)
        pages = registers.Links()
        for event, payload in feed_events(collectivite):
            name = payload["collectivite"]["name"]
            changed = _changed_labels(event)
            if event.action == v.HistoryAction.REPLACED:
                heading = _("Nouvelle version : %(title)s (%(name)s)")
                summary = _("%(summary)s Champs modifiés : %(fields)s.") % {
                    "summary": payload.get("summary") or "",
                    "fields": ", ".join(changed) if changed else _("aucun champ publié"),
                }
            else:
                heading = _("Publication : %(title)s (%(name)s)")
                summary = payload.get("summary") or ""
            licence = record_licence(payload)
            atom.add_item(
                title=heading % {"title": payload["title"], "name": name},
                link=pages.page(payload),
                description=summary,
                unique_id=_urn(f"evenement:{event.uuid}:{event.pk}"),
                unique_id_is_permalink=False,
                pubdate=event.created_at,
                updateddate=event.created_at,
                author_name=name,
                categories=[str(statuses.get(payload.get("status"), payload.get("status")))],
                item_copyright=f"{licence.title}. {licence.attribution}",
            )
        return atom.writeString("utf-8").encode("utf-8")
