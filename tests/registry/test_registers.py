"""Our exports in other registers' formats, checked against what those registers publish:

- the Dutch Algoritmeregister's publication standard 1.0, its fields, types, lengths and permitted
  values as its published configuration gives them (MinBZK/Algoritmeregister,
  backend/app/schemas/config/v1_0.json, 2025-09);
- the UK ATRS: v3.0's attribute names (co-cddo/algorithmic-transparency-recording-standard,
  previous-versions/v3.0/template_table.md) and the GOV.UK record finder's vocabularies
  (alphagov/specialist-publisher, lib/documents/schemas/algorithmic_transparency_records.json);
- the EU Public Sector Tech Watch: the header and the value vocabularies of its CSV itself
  (../shared/data/registers/pstw_2025-11.csv, read by this test).

The values below are written from those sources, independently of registry/registers.py.
"""

import csv
import io
import json
import re
from pathlib import Path

import pytest

from registry import vocabularies as v
from registry.models import Term
from tests.registry.open_data_cases import LONG_TITLE, hidden_use_cases, rich_use_case

EXPORT = "/api/v1/benchmark/export."

# --- the Algoritmeregister, publication standard 1.0 ------------------------------------------

NL_THEMES = [
    "Organisatie en bedrijfsvoering", "Cultuur en recreatie", "Economie", "Overheidsfinanciën",
    "Wonen", "Internationaal", "Migratie en integratie", "Natuur en milieu",
    "Onderwijs en wetenschap", "Openbare orde en veiligheid", "Recht",
    "Ruimte en infrastructuur", "Sociale zekerheid", "Verkeer", "Werk", "Zorg en gezondheid",
]  # fmt: skip
# field: (type, max_length, required, permitted values)
NL_1_0 = {
    "name": ("string", 100, True, None),
    "description_short": ("string", 400, True, None),
    "organization": ("string", 100, True, None),
    "category": ("array", None, False, NL_THEMES),
    "status": ("enum", None, True, ["In ontwikkeling", "In gebruik", "Buiten gebruik"]),
    "begin_date": ("string", 7, False, None),
    "end_date": ("string", 7, False, None),
    "contact_email": ("string", 500, True, None),
    "website": ("string", 500, False, None),
    "publication_category": (
        "enum",
        None,
        True,
        ["Hoog-risico AI-systeem", "Impactvolle algoritmes", "Overige algoritmes"],
    ),
    "url": ("string", 500, False, None),
    "goal": ("string", 2500, False, None),
    "proportionality": ("string", 2500, False, None),
    "human_intervention": ("string", 2500, False, None),
    "risks": ("string", 2500, False, None),
    "lawful_basis": ("string", 2500, False, None),
    "lawful_basis_grouping": ("array", None, False, None),
    "process_index_url": ("string", 500, False, None),
    "impacttoetsen_grouping": ("array", None, False, None),
    "impacttoetsen": ("string", 2500, False, None),
    "source_data": ("string", 2500, False, None),
    "source_data_grouping": ("array", None, False, None),
    "methods_and_models": ("string", 5000, False, None),
    "provider": ("string", 200, False, None),
    "publiccode": ("string", 500, False, None),
    "lang": ("enum", None, True, ["nld"]),
    "standard_version": ("enum", None, False, ["1.0"]),
    "source_id": ("string", 100, False, None),
    "tags": ("string", 2500, False, None),
    "lars": ("string", None, False, None),
    "publication_dt": ("string", None, False, None),
}
# The items of the lists of links: {key: (max_length, required)}.
NL_GROUPINGS = {
    "lawful_basis_grouping": {"title": (100, True), "link": (500, True)},
    "impacttoetsen_grouping": {"title": (None, True), "link": (500, False)},
    "source_data_grouping": {"title": (500, True), "link": (500, True)},
}


def nl_shape_errors(record: dict) -> list[str]:
    """What in a record does not fit the publication standard 1.0 (empty: it fits)."""
    errors = [f"unknown field {key}" for key in record if key not in NL_1_0]
    for key, (kind, limit, required, permitted) in NL_1_0.items():
        if key not in record:
            if required:
                errors.append(f"{key} missing")
            continue
        value = record[key]
        if kind in ("string", "enum") and not isinstance(value, str):
            errors.append(f"{key} is not a string")
        elif kind == "array" and not isinstance(value, list):
            errors.append(f"{key} is not a list")
        if isinstance(value, str) and limit is not None and len(value) > limit:
            errors.append(f"{key} longer than {limit}")
        if kind == "enum" and permitted and value not in permitted:
            errors.append(f"{key}={value!r} not permitted")
        if kind == "array" and permitted:
            errors += [f"{key} has {item!r}" for item in value if item not in permitted]
        if key in NL_GROUPINGS:
            for item in value:
                for part, (part_limit, part_required) in NL_GROUPINGS[key].items():
                    if part not in item:
                        errors += [f"{key}.{part} missing"] if part_required else []
                    elif not isinstance(item[part], str) or (
                        part_limit is not None and len(item[part]) > part_limit
                    ):
                        errors.append(f"{key}.{part} invalid")
                errors += [f"{key} has {k}" for k in item if k not in NL_GROUPINGS[key]]
    return errors


def test_the_algoritmeregister_export_fits_the_publication_standard(api_for, annecy, cdg74):
    rich = rich_use_case(annecy)
    response = api_for(None).get(EXPORT + "algoritmeregister.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].endswith('-algoritmeregister.json"')
    records = json.loads(response.getvalue())
    assert len(records) == 8  # the guide's seven and the rich one
    for record in records:
        assert nl_shape_errors(record) == [], record["source_id"]
    # The check itself refuses what does not fit.
    broken = {**records[0], "status": "Actief", "name": "x" * 101, "colour": "bleu"}
    del broken["lang"]
    assert len(nl_shape_errors(broken)) == 4

    record = next(r for r in records if r["source_id"] == rich.public_id)
    assert len(record["name"]) <= 100 and record["name"].endswith("…")
    assert LONG_TITLE.startswith(record["name"][:-1])
    assert record["organization"] == annecy.name
    assert record["category"] == ["Organisatie en bedrijfsvoering", "Verkeer"]
    assert record["status"] == "In gebruik"
    assert record["begin_date"] == "2024-03" and record["end_date"] == ""
    assert record["publication_category"] == "Hoog-risico AI-systeem"
    assert record["contact_email"] == "numerique@grand-annecy.test"
    assert record["website"].endswith(f"/cas-d-usage/{rich.public_id}/")
    assert record["url"].endswith(f"/api/v1/benchmark/use-cases/{rich.public_id}/")
    # Plain text, in fields the register reads as HTML: escaped.
    assert "R&amp;D" in record["goal"] and "Gagner du temps" in record["goal"]
    assert record["lawful_basis_grouping"] == [
        {
            "title": "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006389928",
            "link": "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006389928",
        }
    ]
    assert record["impacttoetsen_grouping"][0]["title"].startswith("AIPD")
    assert record["publiccode"] == "https://code.example.org/assistant"
    assert record["provider"] == "Anthropic"
    assert (record["lang"], record["standard_version"]) == ("nld", "1.0")
    assert "lars" not in record


def test_the_publication_category_follows_the_risk_then_individual_decisions(api_for, annecy):
    rich_use_case(annecy, title="Risque limité", ai_act_risk="limited", individual_decision=True)
    rich_use_case(annecy, title="Sans décision", ai_act_risk="minimal", individual_decision=False)
    records = json.loads(api_for(None).get(EXPORT + "algoritmeregister.json").getvalue())
    by_title = {record["name"]: record["publication_category"] for record in records}
    assert by_title["Risque limité"] == "Impactvolle algoritmes"
    assert by_title["Sans décision"] == "Overige algoritmes"


# --- the UK ATRS --------------------------------------------------------------------------------

ATRS_V3_METADATA_TITLE_TIER_1 = [
    "standard_version", "organisation_type", "function", "capability", "task", "tags",
    "date_of_completion", "date_updated", "date_archived", "title", "organisation_name", "phase",
    "region", "one_sentence_description", "name", "description", "website_url", "contact_email",
]  # fmt: skip
ATRS_PHASES = ["Pre-deployment", "Beta/Pilot", "Production", "Retired"]
ATRS_ORGANISATION_TYPES = [
    "Ministerial department", "Non-ministerial department", "Agency or public body",
    "Local authority", "Devolved administration", "High profile group", "Public corporation",
]  # fmt: skip
ATRS_FUNCTIONS = [
    "General public services", "Defence", "Public order and safety", "Economic affairs",
    "Environmental protection", "Housing and community amenities", "Health",
    "Recreation culture and religion", "Education", "Social protection", "Regulation",
]  # fmt: skip
ATRS_CAPABILITIES = [
    "Computer vision", "Computer audition", "Computer linguistics", "Robotics", "Forecasting",
    "Discovery", "Planning", "Creation", "Analysis", "Management", "Other",
]  # fmt: skip


def test_the_atrs_export_has_the_v3_attributes_and_the_finders_vocabularies(api_for, annecy):
    rich = rich_use_case(annecy)
    response = api_for(None).get(EXPORT + "atrs.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    raw = response.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, data = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    # Every attribute is one of v3.0's, in the template's order (only its `id` is left out).
    assert header == ATRS_V3_METADATA_TITLE_TIER_1
    assert len(data) == 8
    for row in data:
        assert row["phase"] in ATRS_PHASES
        assert row["organisation_type"] in ATRS_ORGANISATION_TYPES
        assert all(f in ATRS_FUNCTIONS for f in row["function"].split("; ") if f)
        assert all(c in ATRS_CAPABILITIES for c in row["capability"].split("; ") if c)
        assert re.fullmatch(r"\d\d/\d\d/\d{4}", row["date_of_completion"])
        assert row["standard_version"] == "3.0"
    row = next(r for r in data if r["website_url"].endswith(f"/{rich.public_id}/"))
    assert row["title"] == row["name"] == LONG_TITLE
    assert row["organisation_name"] == annecy.name
    assert row["phase"] == "Production"
    assert row["function"] == "General public services; Economic affairs"
    assert row["capability"] == "Creation; Analysis"
    assert row["one_sentence_description"] == "Un assistant propose un premier jet de réponse."
    assert row["contact_email"] == "numerique@grand-annecy.test"
    assert row["region"] == ""


# --- the EU Public Sector Tech Watch ------------------------------------------------------------

PSTW_FILE = (
    next(
        (
            path
            for path in (
                Path(__file__).resolve().parents[3] / "shared" / "data" / "registers",
                Path("/work/shared/data/registers"),
            )
            if (path / "pstw_2025-11.csv").exists()
        ),
        Path("/work/shared/data/registers"),
    )
    / "pstw_2025-11.csv"
)
needs_pstw = pytest.mark.skipif(not PSTW_FILE.exists(), reason=f"{PSTW_FILE} is absent")
CONTROLLED = [
    "Geographical extent",
    "Geographical coverage (country)",
    "Responsible organisation category",
    "Functions of Government (COFOG level I)",
    "Functions of Government (COFOG level II)",
    " Status",
    "Process type",
    "Cross Border",
    "Cross Sector",
    "Primary Technology",
    "Interaction",
    "AI Classification (I)",
    "Collaboration type",
]
SUBDOMAINS = [
    "AI Classification Subdomain (II) (main)",
    "AI Classification Subdomain (II) (Other I)",
    "AI Classification Subdomain (II) (Other II)",
    "AI Classification Subdomain (II) (Other III)",
]


@pytest.fixture(scope="module")
def pstw():
    """The dataset's first line (bytes) and the values found in each of its columns."""
    raw = PSTW_FILE.read_bytes()
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    found = {name: {row[name] for row in rows} for name in rows[0]}
    found["subdomains"] = set().union(*(found[name] for name in SUBDOMAINS))
    return raw.split(b"\n", 1)[0] + b"\n", found


@needs_pstw
def test_the_pstw_export_has_the_datasets_header_exactly(api_for, pstw):
    first_line, _found = pstw
    raw = api_for(None).get(EXPORT + "pstw.csv").getvalue()
    assert raw.split(b"\n", 1)[0] + b"\n" == first_line
    header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(header) == 57 and header[11] == " Status" and header[-1] == ""


@needs_pstw
def test_the_pstw_export_speaks_the_datasets_vocabularies(api_for, annecy, cdg74, pstw):
    _first_line, found = pstw
    rich_use_case(annecy)
    rich_use_case(cdg74, title="Agent conversationnel", techniques=["agentic", "speech", "rules"],
                  domain_codes=["police-municipale"], sourcing="research_partnership",
                  audiences=["businesses"], status="retired", status_reason="replaced",
                  ended_on="2025-06-30")  # fmt: skip
    raw = api_for(None).get(EXPORT + "pstw.csv").getvalue().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert len(rows) == 9
    for row in rows:
        for name in CONTROLLED:
            assert row[name] == "" or row[name] in found[name], (name, row[name])
        assert all(row[name] == "" or row[name] in found["subdomains"] for name in SUBDOMAINS)
        assert re.fullmatch(r"FR[0-9A-Z]{0,3}", row["NUTS 2021"])
        assert re.fullmatch(r"\d\d/\d\d/\d{4}", row["Date updated"])
        assert row[" Status"] and row["Functions of Government (COFOG level I)"]
    rich = next(row for row in rows if row["Name"] == LONG_TITLE)
    assert rich["NUTS 2021"] == "FRK28"  # Haute-Savoie
    assert rich["Geographical extent"] == "Local"
    assert rich["Responsible organisation category"] == "Local Government"
    assert rich["Functions of Government (COFOG level I)"] == "General public services"
    assert rich[" Status"] == "Implemented"
    assert (rich["Cross Sector"], rich["Cross Border"]) == ("Yes", "No")
    assert (rich["Interaction"], rich["Process type"]) == ("G2C", "Public services and engagement")
    assert rich["AI Classification (I)"] == "Communication"
    assert rich["AI Classification Subdomain (II) (main)"] == "Natural language processing"
    assert rich["AI Classification Subdomain (II) (Other I)"] == "Machine learning"
    assert rich["Start Year"] == "2024" and rich["End Year"] == ""
    assert rich["Collaboration type"] == "Private corporation"
    assert rich["Website"] == "https://code.example.org/assistant"
    retired = next(row for row in rows if row["Name"] == "Agent conversationnel")
    assert (retired[" Status"], retired["End Year"]) == ("Not in use", "2025")
    assert retired["Interaction"] == "G2B"


@needs_pstw
def test_every_pstw_crosswalk_value_is_one_the_dataset_uses(pstw):
    """The whole tables, not only the values the records above reach."""
    _first_line, found = pstw
    cw = v.PSTW_CROSSWALK
    assert set(cw["status"].values()) <= found[" Status"]
    assert set(cw["geographical_extent"].values()) <= found["Geographical extent"]
    assert set(cw["organisation_category"].values()) <= found["Responsible organisation category"]
    assert (
        set(v.COFOG_DIVISIONS.values()) - {"Defence"}
        <= found["Functions of Government (COFOG level I)"]
    )
    groups = {group for _division, group in v.DOMAIN_COFOG.values()}
    assert groups <= found["Functions of Government (COFOG level II)"]
    assert {first for first, _sub in cw["ai_classification"].values()} <= found[
        "AI Classification (I)"
    ]
    assert {sub for _first, sub in cw["ai_classification"].values()} <= found["subdomains"]
    assert set(cw["collaboration_type"].values()) <= found["Collaboration type"]
    assert set(cw["interaction"].values()) <= found["Interaction"]
    assert {cw["process_type_public"], cw["process_type_internal"]} <= found["Process type"]
    assert {cw["yes"], cw["no"]} <= found["Cross Border"] & found["Cross Sector"]
    assert cw["primary_technology"] in found["Primary Technology"]
    assert cw["country"] in found["Geographical coverage (country)"]


# --- the tables cover our vocabularies, and only open data leaves ---------------------------------


def test_each_crosswalk_covers_our_vocabularies():
    for table in (
        v.ALGORITMEREGISTER_CROSSWALK["status"],
        v.ATRS_CROSSWALK["phase"],
        v.PSTW_CROSSWALK["status"],
    ):
        assert set(table) == set(v.Status.values)
    kinds = set(v.CollectiviteKind.values)
    assert set(v.ATRS_CROSSWALK["organisation_type"]) == kinds
    assert set(v.PSTW_CROSSWALK["geographical_extent"]) == kinds
    assert set(v.PSTW_CROSSWALK["organisation_category"]) == kinds
    assert set(v.PSTW_CROSSWALK["ai_classification"]) == set(v.Technique.values) - {"other"}
    assert set(v.ATRS_CROSSWALK["function"]) == set(v.COFOG_DIVISIONS)
    domains = set(Term.objects.filter(vocabulary="domain").values_list("code", flat=True))
    assert set(v.DOMAIN_COFOG) == domains
    assert set(v.ALGORITMEREGISTER_CROSSWALK["category"]) == domains - {"autre"}
    assert set(v.ALGORITMEREGISTER_CROSSWALK["category"].values()) <= set(NL_THEMES)
    assert len(v.NUTS_2021_BY_DEPARTEMENT) == 101


@pytest.mark.parametrize("fmt", ["algoritmeregister.json", "atrs.csv", "pstw.csv"])
def test_other_registers_formats_carry_public_entries_only_to_anonymous(api_for, people, annecy,
                                                                         cdg74, fmt):  # fmt: skip
    network, private = hidden_use_cases(cdg74, annecy)
    anonymous = api_for(None).get(EXPORT + fmt).getvalue().decode("utf-8-sig")
    assert network.public_id not in anonymous and network.title not in anonymous
    assert private.public_id not in anonymous and private.title not in anonymous
    assert "74-CDG74-0001" in anonymous
    member = api_for(None, people["reader"]).get(EXPORT + fmt).getvalue().decode("utf-8-sig")
    assert network.public_id in member and private.public_id not in member
    # The filters of the benchmark apply.
    filtered = api_for(None).get(f"{EXPORT}{fmt}?collectivite=cdg74").getvalue().decode()
    assert "74-CDG74-0001" in filtered and "74-GRAND-ANNECY-0001" not in filtered


def test_the_explorer_offers_the_other_registers_formats_of_its_results(client_for):
    page = client_for(None).get("/cas-d-usage/?status=idea").content.decode()
    for fmt in ("algoritmeregister.json", "atrs.csv", "pstw.csv"):
        assert f"/api/v1/benchmark/export.{fmt}?status=idea" in page
    assert 'href="/donnees-ouvertes/"' in page


def test_the_export_formats_are_in_the_api_schema(api_for):
    schema = api_for(None).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/benchmark/export.{fmt}"]["get"]
    fmt = next(p for p in operation["parameters"] if p["name"] == "fmt")
    assert set(fmt["schema"]["enum"]) == {
        "csv", "xlsx", "json", "algoritmeregister.json", "atrs.csv", "pstw.csv"
    }  # fmt: skip
    assert "algoritmeregister.json" in operation["description"]
