"""The EU Public Sector Tech Watch dataset (European Commission, Joint Research Centre), CSV or
XLSX as published (`PSTW_Dataset_*.csv`): 57 columns, one row per case of a public body's use of
an emerging technology in Europe. CC BY 4.0, attribute « Public Sector Tech Watch, European
Commission JRC ».

Its quirks, read as they are: a leading space in the column name « Status », years as text,
COFOG functions of government (levels I and II), benefits flagged by « x » or « X » in eighteen
columns, a trailing column without a name. The dataset covers AI and other technologies
(blockchain, AR/VR…): a row whose primary and secondary technologies are not AI is skipped, said
so with its column.

The crosswalks below are this source's one table each (codes of registry.vocabularies, domains as
Term codes); every column they do not map stays in the raw row.
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import vocabularies as v
from registry.sources import common, files, geography
from registry.sources.base import (
    Identity,
    Mapped,
    MapResult,
    RawRow,
    Rejected,
    RowError,
    Skipped,
    SourceInfo,
)
from registry.vocabularies import DirectoryKind as K

# Column names as the JRC writes them (note the leading space of « Status »).
ID = "PSTW ID"
NAME = "Name"
WEBSITE = "Website"
DESCRIPTION = "Description"
EXTENT = "Geographical extent"
COUNTRY = "Geographical coverage (country)"
NUTS = "NUTS 2021"
ORGANISATION = "Responsible organisation"
CATEGORY = "Responsible organisation category"
COFOG_I = "Functions of Government (COFOG level I)"
COFOG_II = "Functions of Government (COFOG level II)"
STATUS = " Status"
START_YEAR = "Start Year"
END_YEAR = "End Year"
PRIMARY_TECHNOLOGY = "Primary Technology"
SECONDARY_TECHNOLOGY = "Secondary Technology"
INTERACTION = "Interaction"
AI_SUBDOMAINS = (
    "AI Classification Subdomain (II) (main)",
    "AI Classification Subdomain (II) (Other I)",
    "AI Classification Subdomain (II) (Other II)",
    "AI Classification Subdomain (II) (Other III)",
)
AI_KEYWORDS = "AI Keywords"
COLLABORATION = "Collaboration type"
FUNDING = "Funding source"
COMPANY = "Company name or GovTech ID"
OPEN_OUTPUT = "Open components in output"
STORIES = "Stories link"
DATE_UPDATED = "Date updated"
REQUIRED_COLUMNS = (ID, NAME, DESCRIPTION, COUNTRY, ORGANISATION, STATUS, PRIMARY_TECHNOLOGY)

# --- crosswalks ---------------------------------------------------------------------------------

# Status (registry.vocabularies.STATUS_CROSSWALK, read backwards).
STATUS_MAP = {
    "planned": v.Status.IDEA,
    "in development": v.Status.BUILD,
    "pilot": v.Status.PILOT,
    "implemented": v.Status.PRODUCTION,
    "not in use": v.Status.RETIRED,
}

# COFOG level II (as the dataset spells it, final dot dropped) → domains.
COFOG_II_MAP = {
    # 01 General public services
    "executive and legislative organs, financial and fiscal affairs, external affairs": [
        "administration-generale-et-assemblees",
        "finances",
    ],
    "general services": ["administration-generale-et-assemblees"],
    "general public services n.e.c": ["administration-generale-et-assemblees"],
    "r&d general public services": ["administration-generale-et-assemblees"],
    "basic research": ["autre"],
    "foreign economic aid": ["autre"],
    "transfers of a general character between different levels of government": ["finances"],
    # 02 Defence
    "military defence": ["autre"],
    # 03 Public order and safety
    "police services": ["police-municipale"],
    "fire-protection services": ["secours-et-risques"],
    "law courts": ["juridique"],
    "prisons": ["autre"],
    "r&d public order and safety": ["police-municipale"],
    "public order and safety n.e.c": ["police-municipale"],
    # 04 Economic affairs
    "general economic, commercial and labour affair": ["developpement-economique"],
    "general economic, commercial and labour affairs": ["developpement-economique"],
    "agriculture, forestry, fishing and hunting": ["developpement-economique"],
    "fuel and energy": ["energie-et-batiments"],
    "mining, manufacturing and construction": ["developpement-economique"],
    "transport": ["mobilite"],
    "communication": ["systemes-d-information"],
    "other industries": ["developpement-economique"],
    "r&d economic affairs": ["developpement-economique"],
    "economic affairs n.e.c": ["developpement-economique"],
    # 05 Environmental protection
    "waste management": ["dechets"],
    "waste water management": ["eau-et-assainissement"],
    "pollution abatement": ["environnement"],
    "protection of biodiversity and landscape": ["environnement"],
    "r&d environmental protection": ["environnement"],
    "environmental protection n.e.c": ["environnement"],
    # 06 Housing and community amenities
    "housing development": ["habitat"],
    "community development": ["urbanisme"],
    "water supply": ["eau-et-assainissement"],
    "street lighting": ["voirie-et-espaces-publics"],
    "r&d housing and community amenities": ["habitat"],
    "housing and community amenities n.e.c": ["habitat"],
    # 07 Health
    "medical products, appliances and equipment": ["sante"],
    "outpatient services": ["sante"],
    "hospital services": ["sante"],
    "public health services": ["sante"],
    "r&d health": ["sante"],
    "health n.e.c": ["sante"],
    # 08 Recreation, culture and religion
    "recreational and sporting services": ["sport"],
    "cultural services": ["culture"],
    "broadcasting and publishing services": ["communication"],
    "religious and other community services": ["culture"],
    "r&d recreation, culture and religion": ["culture"],
    "recreation, culture and religion n.e.c": ["culture"],
    # 09 Education
    "pre-primary and primary education": ["enfance-jeunesse-scolaire"],
    "secondary education": ["enfance-jeunesse-scolaire"],
    "post-secondary non-tertiary education": ["enfance-jeunesse-scolaire"],
    "tertiary education": ["enfance-jeunesse-scolaire"],
    "education not definable by level": ["enfance-jeunesse-scolaire"],
    "subsidiary services to education": ["enfance-jeunesse-scolaire"],
    "r&d education": ["enfance-jeunesse-scolaire"],
    "education n.e.c": ["enfance-jeunesse-scolaire"],
    # 10 Social protection
    "sickness and disability": ["action-sociale"],
    "old age": ["action-sociale"],
    "survivors": ["action-sociale"],
    "family and children": ["action-sociale", "enfance-jeunesse-scolaire"],
    "unemployment": ["action-sociale"],
    "housing": ["habitat"],
    "social exclusion n.e.c": ["action-sociale"],
    "r&d social protection": ["action-sociale"],
    "social protection n.e.c": ["action-sociale"],
}

# COFOG level I → domains, when level II is blank or unknown.
COFOG_I_MAP = {
    "general public services": ["administration-generale-et-assemblees"],
    "defence": ["autre"],
    "public order and safety": ["police-municipale"],
    "economic affairs": ["developpement-economique"],
    "environmental protection": ["environnement"],
    "housing and community amenities": ["habitat"],
    "health": ["sante"],
    "recreation, culture and religion": ["culture"],
    "education": ["enfance-jeunesse-scolaire"],
    "social protection": ["action-sociale"],
}

# AI subdomains (JRC's AI Watch taxonomy) → techniques.
TECHNIQUE_MAP = {
    "machine learning": v.Technique.CLASSICAL_ML,
    "deep learning": v.Technique.CLASSICAL_ML,
    "natural language processing": v.Technique.NLP,
    "computer vision": v.Technique.COMPUTER_VISION,
    "audio processing": v.Technique.SPEECH,
    "automated reasoning": v.Technique.RULES,
    "automated reasoning and automated decision making (adm)": v.Technique.RULES,
    "knowledge representation": v.Technique.RULES,
    "planning and scheduling": v.Technique.OPTIMISATION,
    "optimisation": v.Technique.OPTIMISATION,
    "searching": v.Technique.OPTIMISATION,
    "generative ai": v.Technique.GENERATIVE_TEXT,
    "multi-agent systems": v.Technique.AGENTIC,
    "robotics and automation and robotic process automation (rpa)": v.Technique.RPA,
    "robotics and automation": v.Technique.OTHER,
    "connected and automated vehicles": v.Technique.OTHER,
    "ai services": v.Technique.OTHER,
    "multiple ai techniques": v.Technique.OTHER,
    "multi ai techniques": v.Technique.OTHER,
    "perception": v.Technique.COMPUTER_VISION,
}
# Words of the free « AI Keywords » that name a technique.
KEYWORD_TECHNIQUES = (
    ("chatbot", v.Technique.NLP),
    ("speech", v.Technique.SPEECH),
    ("voice", v.Technique.SPEECH),
    ("image", v.Technique.COMPUTER_VISION),
    ("face recognition", v.Technique.COMPUTER_VISION),
    ("facial recognition", v.Technique.COMPUTER_VISION),
    ("object recognition", v.Technique.COMPUTER_VISION),
    ("text", v.Technique.NLP),
    ("translation", v.Technique.NLP),
    ("language", v.Technique.NLP),
    ("generative", v.Technique.GENERATIVE_TEXT),
)

# Interaction (who the service is for) → audiences.
AUDIENCE_MAP = {
    "g2c": [v.Audience.CITIZENS],
    "g2b": [v.Audience.BUSINESSES],
    "g2g": [v.Audience.AGENTS],
}

# Collaboration type → sourcing.
SOURCING_MAP = {
    "private corporation": v.Sourcing.VENDOR_PRODUCT,
    "govtech": v.Sourcing.VENDOR_PRODUCT,
    "consortium (research institutions, private sector and other pas)": (
        v.Sourcing.RESEARCH_PARTNERSHIP
    ),
    "universities/research organisations": v.Sourcing.RESEARCH_PARTNERSHIP,
    "universities": v.Sourcing.RESEARCH_PARTNERSHIP,
    "other pas": v.Sourcing.MUTUALISED,
    "fully internal": v.Sourcing.IN_HOUSE,
}

# Funding source → the funding of a cost row (our text).
FUNDING_MAP = {
    "eu-funded project": gettext_lazy("Financement européen"),
    "national-funded project": gettext_lazy("Financement national"),
    "regional-funded project": gettext_lazy("Financement régional"),
    "local-funded project": gettext_lazy("Financement local"),
    "funded with own resources": gettext_lazy("Fonds propres"),
}

# The eighteen benefit columns (flag « x ») → their French wording, in the purpose.
BENEFITS = {
    "Improved Public Service": gettext_lazy("amélioration du service public"),
    "Personalized Services": gettext_lazy("services personnalisés"),
    "Public (citizen)-centered services": gettext_lazy("services centrés sur l'usager"),
    "Increase quality of PSI and services": gettext_lazy(
        "meilleure qualité des informations et services publics"
    ),
    "More responsive, efficient, and cost-effective public services": gettext_lazy(
        "services publics plus réactifs, efficaces et économes"
    ),
    "New services or channels": gettext_lazy("nouveaux services ou canaux"),
    "Improved Administrative Efficiency": gettext_lazy("efficacité administrative"),
    "Cost-reduction": gettext_lazy("réduction des coûts"),
    "Responsiveness of government operation": gettext_lazy("réactivité de l'administration"),
    "Improved management of public resources": gettext_lazy(
        "meilleure gestion des ressources publiques"
    ),
    "Increased quality of processes and systems": gettext_lazy(
        "meilleure qualité des processus et des systèmes"
    ),
    "Better collaboration and better communication": gettext_lazy(
        "meilleure collaboration et communication"
    ),
    "Reduced or eliminated the risk of corruption and abuse of the law by public servants": (
        gettext_lazy("moindre risque de corruption et d'abus")
    ),
    "Enabled greater fairness, honesty, equality": gettext_lazy("plus d'équité et d'égalité"),
    "Open government capabilities": gettext_lazy("gouvernement ouvert"),
    "Increased transparency of public sector operations": gettext_lazy(
        "transparence de l'action publique"
    ),
    "Increased public participation in government actions and policy making": gettext_lazy(
        "participation du public"
    ),
    "Improved public control and influence on government actions and policies": gettext_lazy(
        "contrôle de l'action publique par les citoyens"
    ),
}

# Organisation categories that are (or may be) collectivités, with the kinds their names may
# stand for; any other category (central government, research, private…) is not matched.
LOCAL_CATEGORIES = {
    "local government": (K.METROPOLE, K.COMMUNE, K.CU, K.CA, K.CC, K.EPCI_OTHER, K.SYNDICAT),
    "regional government": (K.REGION, K.DEPARTEMENT),
}
AI_TECHNOLOGY = "artificial intelligence"
FILE_MILLESIME_RE = re.compile(r"(20\d\d)[-_.]?(0[1-9]|1[0-2])")


class PSTWAdapter(files.FileAdapter):
    kind = v.SourceAdapterKind.PSTW
    label = v.SourceAdapterKind.PSTW.label
    version = "1"
    source = SourceInfo(
        slug="pstw",
        name="Public Sector Tech Watch",
        publisher=gettext_lazy("Commission européenne, Centre commun de recherche (JRC)"),
        licence="CC BY 4.0",
        licence_url="https://creativecommons.org/licenses/by/4.0/deed.fr",
        attribution="Public Sector Tech Watch, European Commission JRC",
        url="https://interoperable-europe.ec.europa.eu/collection/public-sector-tech-watch",
        id_prefix="PSTW",
        description=gettext_lazy(
            "Observatoire européen des usages des technologies émergentes (dont l'IA) par les "
            "administrations publiques d'Europe."
        ),
    )

    def millesime(self, file_name: str) -> str:
        match = FILE_MILLESIME_RE.search(file_name)
        return f"{match.group(1)}-{match.group(2)}" if match else ""

    def required_columns(self) -> list[str]:
        return list(REQUIRED_COLUMNS)

    def missing_columns_message(self, missing: list[str]) -> str:
        return _(
            "Ce fichier n'a pas les colonnes du jeu de données Public Sector Tech Watch : "
            "%(missing)s manquante(s)."
        ) % {"missing": files.quoted(missing)}

    def map(self, row: RawRow) -> MapResult:
        raw = row.values
        original_id = common.tidy(raw.get(ID))
        if not original_id:
            return Rejected([RowError(row.number, ID, _("Identifiant PSTW manquant."))])
        technologies = {
            common.key(raw.get(PRIMARY_TECHNOLOGY)),
            common.key(raw.get(SECONDARY_TECHNOLOGY)),
        }
        if AI_TECHNOLOGY not in technologies:
            other = common.tidy(raw.get(PRIMARY_TECHNOLOGY)) or _("non renseignée")
            return Skipped(
                RowError(
                    row.number,
                    PRIMARY_TECHNOLOGY,
                    _(
                        "Technologie « %(technology)s », pas l'intelligence artificielle : ce "
                        "registre ne reprend que les usages de l'IA."
                    )
                    % {"technology": other},
                ),
                original_id=original_id,
            )
        errors, notes = [], []
        name = common.tidy(raw.get(NAME))
        if not name:
            errors.append(RowError(row.number, NAME, _("Nom du projet manquant.")))
        status = common.lookup(STATUS_MAP, raw.get(STATUS))
        if status is None:
            errors.append(
                RowError(
                    row.number,
                    STATUS,
                    _("État « %(value)s » inconnu : attendu %(known)s.")
                    % {
                        "value": common.tidy(raw.get(STATUS)),
                        "known": ", ".join(
                            ("Planned", "In development", "Pilot", "Implemented", "Not in use")
                        ),
                    },
                )
            )
        if errors:
            return Rejected(errors, original_id=original_id)
        description = common.tidy(raw.get(DESCRIPTION))
        fields = {
            "title": common.title_of(name, notes, NAME),
            "summary": common.summary_of(description),
            "status": status,
            "ai_act_risk": v.AIActRisk.TO_ASSESS,
            "visibility": v.Visibility.PUBLIC,
            "department_service": "",
        }
        if len(" ".join(description.split())) > common.SUMMARY_MAX:
            fields["context"] = description
        precision = {}
        self._years(raw, row.number, fields, precision, notes)
        fields["domains"] = self._domains(raw, notes)
        fields["techniques"] = self._techniques(raw)
        fields["audiences"] = list(common.lookup(AUDIENCE_MAP, raw.get(INTERACTION)) or [])
        sourcing = common.lookup(SOURCING_MAP, raw.get(COLLABORATION))
        if sourcing:
            fields["sourcing"] = sourcing
        elif common.tidy(raw.get(COLLABORATION)):
            notes.append(
                _(
                    "« %(column)s » : « %(value)s » n'a pas d'équivalent dans nos modes "
                    "d'acquisition."
                )
                % {"column": COLLABORATION, "value": common.tidy(raw.get(COLLABORATION))}
            )
        funding = common.lookup(FUNDING_MAP, raw.get(FUNDING))
        if funding:
            fields["costs"] = [
                {
                    "kind": v.CostKind.OTHER,
                    "amount": None,
                    "period": "",
                    "funding_source": str(funding),
                }
            ]
        benefits = [
            str(label) for column, label in BENEFITS.items() if common.key(raw.get(column)) == "x"
        ]
        if benefits:
            fields["purpose"] = _("Bénéfices attendus, selon la source : %s.") % ", ".join(benefits)
        company = common.tidy(raw.get(COMPANY))
        if company:
            fields["tool_other"] = company
        links = [
            common.tidy(raw.get(column))
            for column in (OPEN_OUTPUT, STORIES)
            if common.is_url(common.tidy(raw.get(column)))
        ]
        if links:
            fields["documentation_url"] = "\n".join(links)
        if precision:
            fields["date_precision"] = precision
        website = common.tidy(raw.get(WEBSITE))
        country = geography.country_code(raw.get(COUNTRY))
        if not country and common.tidy(raw.get(COUNTRY)):
            notes.append(
                _("« %(column)s » : pays « %(value)s » non reconnu.")
                % {"column": COUNTRY, "value": common.tidy(raw.get(COUNTRY))}
            )
        organisation = common.tidy(raw.get(ORGANISATION))
        updated_on, _precision = common.date_of(_european_date(common.tidy(raw.get(DATE_UPDATED))))
        return Mapped(
            original_id=original_id,
            fields=fields,
            original_url=website if common.is_url(website) else "",
            organisation_name=" ".join(organisation.split()),
            country=country,
            identity=self._identity(raw, organisation) if country == "FR" else None,
            updated_on=updated_on,
            notes=notes,
        )

    def _years(self, raw, number, fields, precision, notes) -> None:
        for column, name in ((START_YEAR, "started_on"), (END_YEAR, "ended_on")):
            text = common.tidy(raw.get(column))
            if not text:
                continue
            year = common.year_of(text)
            if year is None:
                notes.append(
                    _("« %(column)s » : « %(value)s » n'est pas une année.")
                    % {"column": column, "value": text}
                )
                continue
            fields[name] = f"{year}-01-01"
            precision[name] = "year"

    def _domains(self, raw, notes) -> list[str]:
        level_ii = common.tidy(raw.get(COFOG_II))
        domains = common.lookup(COFOG_II_MAP, level_ii)
        if domains is None:
            domains = common.lookup(COFOG_I_MAP, raw.get(COFOG_I))
            if level_ii:
                notes.append(
                    _("« %(column)s » : fonction « %(value)s » inconnue, domaine lu au niveau I.")
                    % {"column": COFOG_II, "value": level_ii}
                )
        if domains is None and common.tidy(raw.get(COFOG_I)):
            notes.append(
                _("« %(column)s » : fonction « %(value)s » inconnue.")
                % {"column": COFOG_I, "value": common.tidy(raw.get(COFOG_I))}
            )
        return list(domains or [])

    def _techniques(self, raw) -> list[str]:
        found = []
        for column in AI_SUBDOMAINS:
            technique = common.lookup(TECHNIQUE_MAP, raw.get(column))
            if technique and technique not in found:
                found.append(technique)
        keywords = common.key(raw.get(AI_KEYWORDS))
        for word, technique in KEYWORD_TECHNIQUES:
            if word in keywords and technique not in found:
                found.append(technique)
        # « Other » says nothing once a technique is known.
        if len(found) > 1 and v.Technique.OTHER in found:
            found.remove(v.Technique.OTHER)
        return [str(code) for code in found]

    def _identity(self, raw, organisation: str) -> Identity:
        category = common.key(raw.get(CATEGORY))
        kinds = LOCAL_CATEGORIES.get(category)
        departements, region = geography.nuts_places(common.tidy(raw.get(NUTS)))
        return Identity(
            name=organisation,
            departements=departements,
            region=region,
            kinds=tuple(str(kind) for kind in kinds or ()),
            local=kinds is not None,
        )


def _european_date(text: str) -> str:
    """« 14/10/2024 » (day first, as the JRC writes it) → 2024-10-14; anything else as is."""
    match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return text
