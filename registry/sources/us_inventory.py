"""The US federal AI use case inventory 2025 (Office of Management and Budget),
`2025_individually_reported_AI_use_cases.csv` with its data dictionary
(`data/us_inventory_2025_data_dictionary.json`, shipped: the meaning and the allowed values of
every column, with the variants the agencies wrote). A work of the US government: public domain.

Real files are dirty: blank cells, text over several lines, values outside the dictionary, names
longer than our titles, rows without an identifier. A value is first read through the dictionary
(its variants → the canonical answer), then through this source's crosswalks below; a value the
dictionary does not list but the crosswalk knows is mapped and said in the record's notes; one
neither knows stays in the raw row only, said in the notes too.
"""

import hashlib
import json
import re
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import vocabularies as v
from registry.sources import common, files
from registry.sources.base import (
    Mapped,
    MapResult,
    RawRow,
    Rejected,
    RowError,
    Skipped,
    SourceInfo,
)

DICTIONARY = Path(__file__).resolve().parent / "data" / "us_inventory_2025_data_dictionary.json"
REQUIRED_COLUMNS = ("agency", "id", "use_case_name", "development_stage")

# --- crosswalks (canonical answers of the dictionary, or values agencies wrote outside it) -----

STATUS_MAP = {
    "pre-deployment": v.Status.BUILD,
    "pilot": v.Status.PILOT,
    "deployed": v.Status.PRODUCTION,
    "retired": v.Status.RETIRED,
}
# Which of our dates the « operational date » is, by status.
OPERATIONAL_DATE_FIELD = {
    v.Status.PILOT: "pilot_on",
    v.Status.PRODUCTION: "production_on",
    v.Status.RETIRED: "production_on",
}
TECHNIQUE_MAP = {
    "agentic ai": [v.Technique.AGENTIC],
    "classical/predictive machine learning": [v.Technique.CLASSICAL_ML],
    "computer vision": [v.Technique.COMPUTER_VISION],
    "generative ai": [v.Technique.GENERATIVE_TEXT],
    "natural language processing": [v.Technique.NLP],
    "reinforcement learning": [v.Technique.CLASSICAL_ML],
    # Outside the dictionary.
    "generative ai; natural language processing (nlp)": [
        v.Technique.GENERATIVE_TEXT,
        v.Technique.NLP,
    ],
    "other": [v.Technique.OTHER],
}
DOMAIN_MAP = {
    "energy and the environment": ["energie-et-batiments", "environnement"],
    "health and medical": ["sante"],
    "procurement and financial management": ["commande-publique", "finances"],
    "cybersecurity": ["systemes-d-information"],
    "administrative functions": ["administration-generale-et-assemblees"],
    "service delivery": ["relation-usagers-et-accueil"],
    "information technology": ["systemes-d-information"],
    "other - economic & financial": ["developpement-economique"],
    # Outside the dictionary (the 2024 inventory's wording and abbreviations).
    "energy and environment": ["energie-et-batiments", "environnement"],
    "procurement and finance mgmt": ["commande-publique", "finances"],
    "admin functions": ["administration-generale-et-assemblees"],
    "it": ["systemes-d-information"],
    "hr": ["ressources-humaines"],
    "human resources": ["ressources-humaines"],
    "law enforcement": ["police-municipale"],
    "benefits processing": ["action-sociale"],
    "transportation": ["mobilite"],
    "emergency mgmt": ["secours-et-risques"],
    "emergency management": ["secours-et-risques"],
    "science": ["autre"],
    "international affairs": ["autre"],
    "other": ["autre"],
}
SOURCING_MAP = {
    "purchased from a vendor": v.Sourcing.VENDOR_PRODUCT,
    "developed in-house": v.Sourcing.IN_HOUSE,
    "developed with both contracting and in-house resources": v.Sourcing.MIXED,
    # Outside the dictionary.
    "vendor purchased": v.Sourcing.VENDOR_PRODUCT,
    "contracting and in house": v.Sourcing.MIXED,
}
PERSONAL_DATA_MAP = {"yes": v.PersonalData.YES, "no": v.PersonalData.NO}
WITHHELD = "yes"
# Our field ← the free-text column it is read from.
TEXT_FIELDS = {
    "department_service": "agency_bureau",
    "purpose": "benefits",
    "data_sources": "data_description",
    "risks_and_mitigations": "hi_potential_impacts",
    "tool_other": "vendor_name",
}
# Answers that say there is nothing (« No », « Not available »…), in free-text columns.
NOTHING = {
    "",
    "no",
    "none",
    "n/a",
    "na",
    "not available",
    "not applicable",
    "not publicly available",
    "unknown",
    "redacted for cybersecurity purposes",
}
PREFIX_RE = re.compile(r"^(?:[a-z]\)\s*)+", re.IGNORECASE)


def _short(answer: str) -> str:
    """A dictionary answer without its letter and explanation: « a) Pre-deployment - The use
    case is… » → « pre-deployment »; « Agentic AI: AI systems… » → « agentic ai »."""
    text = PREFIX_RE.sub("", common.key(answer))
    for separator in (" - ", ": "):
        if separator in text:
            text = text.split(separator, 1)[0]
    return text.strip()


@cache
def dictionary() -> dict:
    with DICTIONARY.open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def answers(column: str) -> dict[str, str]:
    """Every way the dictionary lists of writing an answer of a column → its canonical answer."""
    recoding = (dictionary().get(column) or {}).get("recoding_map") or {}
    table = {}
    for canonical, variants in recoding.items():
        short = _short(canonical)
        for written in (canonical, short, *variants):
            table[common.key(written)] = short
            table[_short(written)] = short
    return table


class USInventoryAdapter(files.FileAdapter):
    kind = v.SourceAdapterKind.US_INVENTORY
    label = v.SourceAdapterKind.US_INVENTORY.label
    version = "1"
    source = SourceInfo(
        slug="us-inventory",
        name="Federal AI Use Case Inventory",
        publisher=gettext_lazy("Gouvernement fédéral des États-Unis (OMB)"),
        licence=gettext_lazy("Domaine public (œuvre du gouvernement des États-Unis)"),
        licence_url="https://www.usa.gov/government-copyright",
        attribution="U.S. Federal AI Use Case Inventory, Office of Management and Budget",
        url="https://github.com/ombegov/2024-Federal-AI-Use-Case-Inventory",
        id_prefix="US",
        description=gettext_lazy(
            "Inventaire annuel des usages de l'IA des agences fédérales américaines."
        ),
    )

    def millesime(self, file_name: str) -> str:
        match = re.search(r"20\d\d", file_name)
        return match.group(0) if match else "2025"

    def required_columns(self) -> list[str]:
        return list(REQUIRED_COLUMNS)

    def missing_columns_message(self, missing: list[str]) -> str:
        return _(
            "Ce fichier n'a pas les colonnes de l'inventaire fédéral américain : "
            "%(missing)s manquante(s)."
        ) % {"missing": files.quoted(missing)}

    def choice(self, raw: dict, column: str, table: dict, notes: list):
        """A multiple-choice cell through the dictionary, then the crosswalk (None: blank or
        unknown, said in the notes)."""
        written = common.tidy(raw.get(column))
        if not written:
            return None
        canonical = answers(column).get(common.key(written)) or answers(column).get(_short(written))
        if canonical is not None and canonical in table:
            return table[canonical]
        mapped = table.get(common.key(written)) or table.get(_short(written))
        if mapped is not None:
            notes.append(
                _(
                    "« %(column)s » : « %(value)s » n'est pas une réponse du dictionnaire de "
                    "données ; lue comme son équivalent."
                )
                % {"column": column, "value": written}
            )
            return mapped
        notes.append(
            _(
                "« %(column)s » : « %(value)s » n'est pas une réponse du dictionnaire de "
                "données ; gardée dans la ligne d'origine seulement."
            )
            % {"column": column, "value": common.shorten(written, 80)}
        )
        return None

    def map(self, row: RawRow) -> MapResult:
        raw = row.values
        notes: list[str] = []
        agency = common.tidy(raw.get("agency"))
        name = common.tidy(raw.get("use_case_name"))
        original_id = common.tidy(raw.get("id"))
        errors = []
        if not name:
            errors.append(RowError(row.number, "use_case_name", _("Nom du cas d'usage manquant.")))
        if not original_id and not agency:
            errors.append(
                RowError(
                    row.number,
                    "id",
                    _(
                        "Ni identifiant ni agence : la ligne ne peut pas être suivie d'un "
                        "import à l'autre."
                    ),
                )
            )
        if errors:
            return Rejected(errors, original_id=original_id)
        if not original_id:
            # The agencies may leave the id out of their public inventory: one is derived from
            # what names the case, stable from one import to the next.
            digest = hashlib.sha256(
                "|".join(
                    (agency, common.tidy(raw.get("agency_bureau")), " ".join(name.split()))
                ).encode()
            ).hexdigest()[:10]
            original_id = f"{agency}-{digest}"
            notes.append(
                _(
                    "« id » : identifiant absent de la source ; « %(id)s » est tiré de "
                    "l'agence et du nom."
                )
                % {"id": original_id}
            )
        elif agency and not original_id.upper().startswith(agency.upper()):
            # « 35 »: a number the agency gave, unique within it only.
            original_id = f"{agency}-{original_id}"
        withheld = common.tidy(raw.get("is_withheld"))
        if withheld and _short(withheld).startswith(WITHHELD):
            return Skipped(
                RowError(
                    row.number,
                    "is_withheld",
                    _("L'agence demande que ce cas ne soit pas rendu public (« %(value)s »).")
                    % {"value": withheld},
                ),
                original_id=original_id,
            )
        problem = common.tidy(raw.get("problem_solved"))
        status = self.choice(raw, "development_stage", STATUS_MAP, notes)
        if status is None and not common.tidy(raw.get("development_stage")):
            notes.append(_("« development_stage » : état d'avancement non renseigné."))
        fields = {
            "title": common.title_of(name, notes, "use_case_name"),
            "summary": common.summary_of(problem),
            "status": status or "",
            "ai_act_risk": v.AIActRisk.TO_ASSESS,
            "visibility": v.Visibility.PUBLIC,
        }
        if len(" ".join(problem.split())) > common.SUMMARY_MAX:
            fields["context"] = problem
        for field_name, column in TEXT_FIELDS.items():
            text = common.tidy(raw.get(column))
            if common.key(text) not in NOTHING:
                fields[field_name] = text
        fields["techniques"] = [
            str(code) for code in self.choice(raw, "classification", TECHNIQUE_MAP, notes) or []
        ]
        fields["domains"] = list(self.choice(raw, "topic_area", DOMAIN_MAP, notes) or [])
        sourcing = self.choice(raw, "contracting_usage", SOURCING_MAP, notes)
        if sourcing:
            fields["sourcing"] = sourcing
        personal = self.choice(raw, "has_pii", PERSONAL_DATA_MAP, notes)
        if personal:
            fields["personal_data"] = personal
        self._operational_date(raw, status, fields, notes)
        email = common.tidy(raw.get("contact_email"))
        if email:
            try:
                validate_email(email)
                fields["public_contact_email"] = email
            except ValidationError:
                notes.append(
                    _("« contact_email » : « %(value)s » n'est pas une adresse électronique.")
                    % {"value": common.shorten(email, 80)}
                )
        code_url = common.tidy(raw.get("code_url"))
        if common.is_url(code_url):
            fields["documentation_url"] = code_url
        pia_url = common.tidy(raw.get("pia_url"))
        if common.is_url(pia_url):
            fields["impact_assessments"] = [
                {
                    "type": v.ImpactAssessmentType.DPIA,
                    "status": v.ImpactAssessmentStatus.DONE,
                    "date": None,
                    "link": pia_url,
                }
            ]
        return Mapped(
            original_id=original_id,
            fields=fields,
            organisation_name=common.tidy(raw.get("agency_name")) or agency,
            country="US",
            notes=notes,
        )

    def _operational_date(self, raw, status, fields, notes) -> None:
        written = common.tidy(raw.get("operational_date"))
        if not written:
            return
        value, precision = common.date_of(written)
        if value is None:
            notes.append(
                _("« operational_date » : date « %(value)s » illisible.") % {"value": written}
            )
            return
        name = OPERATIONAL_DATE_FIELD.get(status, "started_on")
        fields[name] = value
        if precision != "day":
            fields["date_precision"] = {name: precision}
