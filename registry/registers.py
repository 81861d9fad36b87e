"""Our published records in the formats of three other public registers.

- the Dutch Algoritmeregister, publication standard 1.0 (`algoritmeregister_record`: one JSON
  object per record, its fields and enums those of the register's published configuration);
- the UK Algorithmic Transparency Recording Standard, its title and tier 1 fields with the
  metadata that the GOV.UK record finder filters on (`ATRS_COLUMNS`, `atrs_row`);
- the EU Public Sector Tech Watch dataset, its 57 columns as its CSV spells them (`PSTW_COLUMNS`,
  `pstw_row`), so that the PSTW importer reads our export back.

Each builder takes a published snapshot (registry.snapshot) and maps our vocabularies through the
register's crosswalk (registry.vocabularies: ALGORITMEREGISTER_CROSSWALK, ATRS_CROSSWALK,
PSTW_CROSSWALK). docs/interoperability.md says field by field what maps and what is lost.
registry/exports.py turns the rows into files.
"""

import html
from collections.abc import Iterable
from datetime import date
from urllib.parse import quote

from django.utils.dateparse import parse_date, parse_datetime

from registry import addresses, snapshot
from registry import vocabularies as v

NL = v.ALGORITMEREGISTER_CROSSWALK
UK = v.ATRS_CROSSWALK
EU = v.PSTW_CROSSWALK
ELLIPSIS = "…"


class Links:
    """The public addresses of a record (its page, its API entry), built once per export: a
    reverse() per row would cost more than the row itself."""

    PLACEHOLDER = "__public_id__"

    def __init__(self):
        self._page = addresses.public_page("usecase-page", self.PLACEHOLDER)
        self._api = addresses.public_page("v1:benchmark-detail", self.PLACEHOLDER)

    def page(self, payload: dict) -> str:
        return self._page.replace(self.PLACEHOLDER, quote(payload["public_id"], safe=""))

    def api(self, payload: dict) -> str:
        return self._api.replace(self.PLACEHOLDER, quote(payload["public_id"], safe=""))


# --- shared readings of a snapshot ----------------------------------------------------------------


def fit(text: str | None, limit: int | None) -> str:
    """`text` within `limit` characters: cut at the last space before it, with « … »."""
    text = (text or "").strip()
    if limit is None or len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + ELLIPSIS


def paragraphs(*texts: str | None) -> str:
    return "\n\n".join(text.strip() for text in texts if text and text.strip())


def unique(values: Iterable) -> list:
    return list(dict.fromkeys(value for value in values if value))


def domain_codes(payload: dict) -> list[str]:
    return [term["code"] for term in payload.get("domains") or []]


def cofog(payload: dict) -> list[tuple[str, str]]:
    """(division, group) of the record's domains, in their order, without repeats."""
    return unique(v.DOMAIN_COFOG.get(code) for code in domain_codes(payload))


def _day(value) -> date | None:
    if not value:
        return None
    moment = parse_datetime(value) if "T" in value else None
    return moment.date() if moment else parse_date(value)


def updated_on(payload: dict) -> date | None:
    """The last publication, or the collectivité's last check of the record if later."""
    days = [_day(payload.get(name)) for name in ("published_at", "verified_on")]
    days = [day for day in days if day]
    return max(days) if days else None


def dmy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def year(value: str | None) -> str:
    day = _day(value)
    return str(day.year) if day else ""


def vendors(payload: dict) -> list[str]:
    return unique(tool.get("vendor") for tool in payload.get("tools") or [])


def tool_names(payload: dict) -> list[str]:
    return unique(tool["name"] for tool in payload.get("tools") or [])


def first_sentence(text: str | None) -> str:
    text = (text or "").strip()
    for end in (". ", "! ", "? "):
        if end in text:
            return text[: text.index(end) + 1]
    return text


# --- the Dutch Algoritmeregister, publication standard 1.0 ----------------------------------------

# Its fields in the configuration's order, with their maximum lengths (None: no limit given).
# `lars` (the register's own identifier, given on publication there) is left out.
ALGORITMEREGISTER_FIELDS = {
    "name": 100,
    "description_short": 400,
    "organization": 100,
    "category": None,
    "status": None,
    "begin_date": 7,
    "end_date": 7,
    "contact_email": 500,
    "website": 500,
    "publication_category": None,
    "url": 500,
    "goal": 2500,
    "proportionality": 2500,
    "human_intervention": 2500,
    "risks": 2500,
    "lawful_basis": 2500,
    "lawful_basis_grouping": None,
    "process_index_url": 500,
    "impacttoetsen_grouping": None,
    "impacttoetsen": 2500,
    "source_data": 2500,
    "source_data_grouping": None,
    "methods_and_models": 5000,
    "provider": 200,
    "publiccode": 500,
    "lang": None,
    "standard_version": None,
    "source_id": 100,
    "tags": 2500,
    "publication_dt": None,
}
# The items of its lists of links: (title, link) maximum lengths, and whether the link is required.
ALGORITMEREGISTER_GROUPING = {
    "lawful_basis_grouping": (100, 500),
    "impacttoetsen_grouping": (None, 500),
    "source_data_grouping": (500, 500),
}
ALGORITMEREGISTER_OPTIONAL_LINK = {"impacttoetsen_grouping"}
# Its permitted values (all of them: our crosswalk reaches only some).
ALGORITMEREGISTER_ENUMS = {
    "category": [
        "Organisatie en bedrijfsvoering",
        "Cultuur en recreatie",
        "Economie",
        "Overheidsfinanciën",
        "Wonen",
        "Internationaal",
        "Migratie en integratie",
        "Natuur en milieu",
        "Onderwijs en wetenschap",
        "Openbare orde en veiligheid",
        "Recht",
        "Ruimte en infrastructuur",
        "Sociale zekerheid",
        "Verkeer",
        "Werk",
        "Zorg en gezondheid",
    ],
    "status": ["In ontwikkeling", "In gebruik", "Buiten gebruik"],
    "publication_category": [
        "Hoog-risico AI-systeem",
        "Impactvolle algoritmes",
        "Overige algoritmes",
    ],
    "lang": ["nld"],
    "standard_version": ["1.0"],
}


def _nl_text(text: str | None, limit: int) -> str:
    """Plain text in a field that the register reads as (restricted) HTML: escaped."""
    return fit(html.escape(text or "", quote=False), limit)


def _month(value: str | None) -> str:
    day = _day(value)
    return day.strftime("%Y-%m") if day else ""


def _nl_publication_category(payload: dict) -> str:
    category = NL["publication_category"].get(payload.get("ai_act_risk"))
    if category:
        return category
    if payload.get("individual_decision"):
        return NL["publication_category_individual_decision"]
    return NL["publication_category_other"]


def _nl_links(urls: list[str], grouping: str) -> list[dict]:
    title_limit, link_limit = ALGORITMEREGISTER_GROUPING[grouping]
    return [
        {"title": fit(url, title_limit), "link": url}
        for url in urls
        if link_limit is None or len(url) <= link_limit
    ]


def _impact_assessments(payload: dict) -> tuple[list[dict], str]:
    f = snapshot.get("impact_assessments")
    grouping, lines = [], []
    for row in payload.get("impact_assessments") or []:
        title = f.child("type").label_of(row.get("type"))
        link = row.get("link") or ""
        item = {"title": title}
        if link.startswith(("http://", "https://")) and len(link) <= 500:
            item["link"] = link
        grouping.append(item)
        facts = [f.child("status").label_of(row.get("status")), row.get("date") or ""]
        lines.append(f"{title} : {', '.join(fact for fact in facts if fact)}")
    return grouping, "\n".join(lines)


def _risks_text(payload: dict) -> str:
    rows = [
        f"{row.get('name') or row.get('code')} : {row['mitigation']}"
        if row.get("mitigation")
        else str(row.get("name") or row.get("code"))
        for row in payload.get("risks") or []
    ]
    return paragraphs(payload.get("risks_and_mitigations"), "\n".join(rows))


def _methods(payload: dict) -> str:
    techniques = snapshot.get("techniques")
    automation = snapshot.get("automation_level")
    family = snapshot.get("ai_family")
    facts = [
        family.label_of(payload.get("ai_family")),
        ", ".join(techniques.label_of(code) for code in payload.get("techniques") or []),
        automation.label_of(payload.get("automation_level")),
        ", ".join(tool_names(payload)) or payload.get("tool_other") or "",
    ]
    return "\n".join(fact for fact in facts if fact)


def algoritmeregister_record(payload: dict, links: Links) -> dict:
    """One record as the Algoritmeregister's publication standard 1.0 describes it."""
    grouping, assessments = _impact_assessments(payload)
    documentation = snapshot.links_of(payload.get("documentation_url"))
    record = {
        "name": fit(payload["title"], 100),
        "description_short": fit(payload.get("summary"), 400),
        "organization": fit(payload["collectivite"]["name"], 100),
        "category": unique(NL["category"].get(code) for code in domain_codes(payload)),
        "status": NL["status"].get(payload.get("status"), ""),
        "begin_date": _month(payload.get("started_on")),
        "end_date": _month(payload.get("ended_on")),
        "contact_email": payload.get("public_contact_email") or "",
        "website": links.page(payload),
        "publication_category": _nl_publication_category(payload),
        "url": links.api(payload),
        "goal": _nl_text(paragraphs(payload.get("context"), payload.get("purpose")), 2500),
        "proportionality": "",
        "human_intervention": _nl_text(payload.get("human_oversight"), 2500),
        "risks": _nl_text(_risks_text(payload), 2500),
        "lawful_basis": _nl_text(payload.get("legal_basis"), 2500),
        "lawful_basis_grouping": _nl_links(
            snapshot.links_of(payload.get("legal_basis_links")), "lawful_basis_grouping"
        ),
        "process_index_url": "",
        "impacttoetsen_grouping": grouping,
        "impacttoetsen": _nl_text(assessments, 2500),
        "source_data": _nl_text(payload.get("data_sources"), 2500),
        "source_data_grouping": [],
        "methods_and_models": _nl_text(_methods(payload), 5000),
        "provider": fit(", ".join(vendors(payload)), 200),
        "publiccode": next((url for url in documentation if len(url) <= 500), ""),
        "lang": NL["lang"],
        "standard_version": NL["standard_version"],
        "source_id": fit(payload["public_id"], 100),
        "tags": _nl_text(
            ", ".join([*tool_names(payload), *(t["label"] for t in payload.get("domains") or [])]),
            2500,
        ),
        "publication_dt": payload.get("published_at") or "",
    }
    return {key: record[key] for key in ALGORITMEREGISTER_FIELDS}


# --- the UK Algorithmic Transparency Recording Standard -------------------------------------------

# v3.0's metadata, title information and tier 1 attributes, in the template's order (`id`, which
# GOV.UK issues on publication, is left out).
ATRS_COLUMNS = [
    "standard_version",
    "organisation_type",
    "function",
    "capability",
    "task",
    "tags",
    "date_of_completion",
    "date_updated",
    "date_archived",
    "title",
    "organisation_name",
    "phase",
    "region",
    "one_sentence_description",
    "name",
    "description",
    "website_url",
    "contact_email",
]
ATRS_SEPARATOR = "; "

# The finder's « Capability » for our techniques.
ATRS_CAPABILITY = {
    v.Technique.COMPUTER_VISION: "Computer vision",
    v.Technique.SPEECH: "Computer audition",
    v.Technique.NLP: "Computer linguistics",
    v.Technique.GENERATIVE_TEXT: "Creation",
    v.Technique.GENERATIVE_MEDIA: "Creation",
    v.Technique.CLASSICAL_ML: "Analysis",
    v.Technique.OPTIMISATION: "Planning",
    v.Technique.RULES: "Management",
    v.Technique.RPA: "Management",
    v.Technique.AGENTIC: "Other",
    v.Technique.OTHER: "Other",
}
_ENDED = {v.Status.RETIRED, v.Status.ABANDONED}


def atrs_row(payload: dict, links: Links) -> dict:
    collectivite = payload["collectivite"]
    archived = payload.get("status") in _ENDED
    return {
        "standard_version": UK["standard_version"],
        "organisation_type": UK["organisation_type"].get(collectivite.get("kind"), ""),
        "function": ATRS_SEPARATOR.join(
            unique(UK["function"][division] for division, _group in cofog(payload))
        ),
        "capability": ATRS_SEPARATOR.join(
            unique(ATRS_CAPABILITY.get(code) for code in payload.get("techniques") or [])
        ),
        "task": "",
        "tags": ATRS_SEPARATOR.join(tool_names(payload)),
        "date_of_completion": dmy(_day(payload.get("published_at"))),
        "date_updated": dmy(updated_on(payload)),
        "date_archived": dmy(_day(payload.get("ended_on"))) if archived else "",
        "title": payload["title"],
        "organisation_name": collectivite["name"],
        "phase": UK["phase"].get(payload.get("status"), ""),
        "region": "",
        "one_sentence_description": first_sentence(payload.get("summary")),
        "name": payload["title"],
        "description": payload.get("summary") or "",
        "website_url": links.page(payload),
        "contact_email": payload.get("public_contact_email") or "",
    }


# --- the EU Public Sector Tech Watch --------------------------------------------------------------

# Its CSV's header exactly (the leading space of « Status », the last column without a name).
PSTW_COLUMNS = [
    "PSTW ID",
    "Name",
    "Website",
    "Description",
    "Geographical extent",
    "Geographical coverage (country)",
    "NUTS 2021",
    "Responsible organisation",
    "Responsible organisation category",
    "Functions of Government (COFOG level I)",
    "Functions of Government (COFOG level II)",
    " Status",
    "Start Year",
    "End Year",
    "Process type",
    "Application type",
    "Cross Border",
    "Cross Sector",
    "Primary Technology",
    "Secondary Technology",
    "Interaction",
    "Improved Public Service",
    "Personalized Services",
    "Public (citizen)-centered services",
    "Increase quality of PSI and services",
    "More responsive, efficient, and cost-effective public services",
    "New services or channels",
    "Improved Administrative Efficiency",
    "Cost-reduction",
    "Responsiveness of government operation",
    "Improved management of public resources",
    "Increased quality of processes and systems",
    "Better collaboration and better communication",
    "Reduced or eliminated the risk of corruption and abuse of the law by public servants",
    "Enabled greater fairness, honesty, equality",
    "Open government capabilities",
    "Increased transparency of public sector operations",
    "Increased public participation in government actions and policy making",
    "Improved public control and influence on government actions and policies",
    "Source",
    "AI Classification (I)",
    "AI Classification Subdomain (II) (main)",
    "AI Classification Subdomain (II) (Other I)",
    "AI Classification Subdomain (II) (Other II)",
    "AI Classification Subdomain (II) (Other III)",
    "AI Keywords",
    "Collaboration type",
    "Procurement (EU Model Contractual AI)",
    "Funding source",
    "GovTech",
    "Company name or GovTech ID",
    "GovTech Initiative + ID",
    "Open components in input",
    "Open components in output",
    "Stories link",
    "Date updated",
    "",
]
_PUBLIC_AUDIENCES = {v.Audience.CITIZENS, v.Audience.BUSINESSES}


def _nth(values: list, index: int) -> str:
    return values[index] if len(values) > index else ""


def _interaction(audiences: list[str]) -> str:
    for audience in (v.Audience.CITIZENS, v.Audience.BUSINESSES, v.Audience.AGENTS):
        if audience in audiences:
            return EU["interaction"][audience]
    return EU["interaction"][v.Audience.AGENTS]


def pstw_row(payload: dict, links: Links) -> dict:
    collectivite = payload["collectivite"]
    kind = collectivite.get("kind")
    functions = cofog(payload)
    division, group = functions[0] if functions else ("", "")
    classification = unique(
        EU["ai_classification"].get(code) for code in payload.get("techniques") or []
    )
    subdomains = unique(sub for _division, sub in classification)
    audiences = payload.get("audiences") or []
    documentation = snapshot.links_of(payload.get("documentation_url"))
    row = dict.fromkeys(PSTW_COLUMNS, "")
    row.update(
        {
            "PSTW ID": payload["public_id"],
            "Name": payload["title"],
            "Website": documentation[0] if documentation else links.page(payload),
            "Description": payload.get("summary") or "",
            "Geographical extent": EU["geographical_extent"].get(kind, "Local"),
            "Geographical coverage (country)": EU["country"],
            "NUTS 2021": v.NUTS_2021_BY_DEPARTEMENT.get(collectivite.get("departement"), "FR"),
            "Responsible organisation": collectivite["name"],
            "Responsible organisation category": EU["organisation_category"].get(
                kind, "Local Government"
            ),
            "Functions of Government (COFOG level I)": v.COFOG_DIVISIONS.get(division, ""),
            "Functions of Government (COFOG level II)": group,
            " Status": EU["status"].get(payload.get("status"), ""),
            "Start Year": year(
                payload.get("started_on") or payload.get("pilot_on") or payload.get("production_on")
            ),
            "End Year": year(payload.get("ended_on")),
            "Process type": EU["process_type_public"]
            if _PUBLIC_AUDIENCES & set(audiences)
            else EU["process_type_internal"],
            "Cross Border": EU["no"],
            "Cross Sector": EU["yes"] if len({d for d, _g in functions}) > 1 else EU["no"],
            "Primary Technology": EU["primary_technology"],
            "Interaction": _interaction(audiences),
            "Source": links.page(payload),
            "AI Classification (I)": classification[0][0] if classification else "",
            "AI Classification Subdomain (II) (main)": _nth(subdomains, 0),
            "AI Classification Subdomain (II) (Other I)": _nth(subdomains, 1),
            "AI Classification Subdomain (II) (Other II)": _nth(subdomains, 2),
            "AI Classification Subdomain (II) (Other III)": _nth(subdomains, 3),
            "AI Keywords": ", ".join(tool_names(payload)),
            "Collaboration type": EU["collaboration_type"].get(payload.get("sourcing"), ""),
            "Company name or GovTech ID": ", ".join(vendors(payload)),
            "Date updated": dmy(updated_on(payload)),
        }
    )
    return row
