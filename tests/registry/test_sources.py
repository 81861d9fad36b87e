"""Public sources read into the benchmark: the PSTW dataset (shipped whole) and the US federal
inventory (its sample), each row landing or reported with its row, column and French reason; a
re-import of the same file changes nothing; records keep the row exactly as read."""

import csv
import io
import lzma
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from registry.models import (
    BenchmarkEntry,
    BenchmarkEntryEvent,
    BenchmarkVersion,
    ImportRun,
    Source,
    SourceRecord,
)
from registry.services import benchmark_entry_annotate
from registry.services.sources import SHIPPED_PSTW, source_import
from registry.sources import adapter_for
from registry.sources.files import read_file

pytestmark = pytest.mark.django_db

US_SAMPLE = Path(__file__).parent / "source_data" / "us_inventory_2025_sample.csv"


def pstw_rows() -> tuple[list[str], list[list[str]]]:
    text = lzma.decompress(SHIPPED_PSTW.read_bytes()).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text, newline="")))
    return table[0], table[1:]


def pstw_csv(rows: list[list[str]], header: list[str] | None = None) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([header or pstw_rows()[0], *rows])
    return out.getvalue().encode("utf-8")


def pstw_row(original_id: str) -> list[str]:
    _header, rows = pstw_rows()
    return next(row for row in rows if row[0] == original_id)


def run_import(kind: str, content: bytes, file_name: str, **options) -> ImportRun:
    return source_import(adapter=adapter_for(kind), content=content, file_name=file_name, **options)


def record(original_id: str) -> SourceRecord:
    return SourceRecord.objects.select_related("source", "benchmark_entry").get(
        original_id=original_id
    )


# --- the PSTW dataset, whole ------------------------------------------------------------------


@pytest.fixture
def pstw(db) -> ImportRun:
    content, file_name = read_file(SHIPPED_PSTW)
    return run_import("pstw", content, file_name)


def test_the_whole_pstw_file_lands_or_is_reported_row_by_row(pstw):
    counts = pstw.counts
    assert pstw.state == "done" and pstw.millesime == "2025-11"
    assert counts["read"] == 2007
    assert (counts["created"], counts["skipped"], counts["rejected"]) == (1616, 391, 0)
    assert counts["read"] == counts["created"] + counts["skipped"] + counts["rejected"]
    # Every row that did not land is named, with its column and a French reason.
    assert len(pstw.rejections) == 391
    for item in pstw.rejections:
        assert item["skipped"] and item["row"] >= 2 and item["original_id"].startswith("PSTW-")
        assert item["column"] == "Primary Technology"
        assert "pas l'intelligence artificielle" in item["reason"]
    blockchain = next(item for item in pstw.rejections if item["original_id"] == "PSTW-789")
    assert "Blockchain" in blockchain["reason"]
    assert BenchmarkEntry.objects.filter(origin="public_source").count() == 1616
    assert SourceRecord.objects.filter(country="FR").count() == 69
    source = Source.objects.get(slug="pstw")
    assert source.licence == "CC BY 4.0"
    assert source.attribution == "Public Sector Tech Watch, European Commission JRC"
    assert source.columns[11] == " Status" and source.columns[-1] == ""


def test_a_pstw_record_field_by_field_against_its_row(pstw):
    header, _rows = pstw_rows()
    row = dict(zip(header, pstw_row("PSTW-1027"), strict=True))
    nantes = record("PSTW-1027")
    # The row exactly as read: leading space of « Status », the unnamed last column, spaces.
    assert nantes.raw == row
    assert nantes.raw[" Status"] == "Implemented" and nantes.raw[""] == ""
    assert nantes.raw["Application type"] == "Taking decisions on benefits  "
    assert nantes.original_url == row["Website"]
    assert nantes.organisation_name == "Nantes Métropole & Ville" and nantes.country == "FR"
    entry = nantes.benchmark_entry
    payload = entry.payload
    assert entry.public_id == "PSTW-1027" and entry.origin == "public_source"
    assert entry.collectivite is None and entry.visibility == "public"
    assert payload["title"] == "Nantes Social Water Pricing"
    assert payload["status"] == "production"  # Implemented
    assert payload["started_on"] == "2020-01-01" and payload["date_precision"] == {
        "started_on": "year"
    }
    assert [d["code"] for d in payload["domains"]] == ["action-sociale"]  # COFOG 10.9
    assert payload["techniques"] == ["classical_ml"]  # Machine learning
    assert payload["audiences"] == ["citizens"]  # G2C
    assert payload["ai_act_risk"] == "to_assess"
    assert payload["summary"] in row["Description"].replace("\n", " ") or payload[
        "summary"
    ].endswith("…")
    assert "amélioration du service public" in payload["purpose"]
    assert entry.published_at.date().isoformat() == "2024-10-14"  # Date updated, day first
    provenance = payload["provenance"]
    assert provenance["original_id"] == "PSTW-1027"
    assert provenance["licence"] == "CC BY 4.0"
    assert provenance["attribution"] == "Public Sector Tech Watch, European Commission JRC"
    assert payload["collectivite"]["slug"] == ""
    assert payload["collectivite"]["name"] == "Nantes Métropole & Ville"

    customs = record("PSTW-41").benchmark_entry.payload
    assert customs["status"] == "production"
    assert [d["code"] for d in customs["domains"]] == ["police-municipale"]  # Police Services
    assert customs["techniques"] == ["classical_ml", "rules"]
    assert customs["audiences"] == ["agents"]  # G2G
    assert customs["provenance"]["match"]["rule"] == "not_local"  # central government

    austria = record("PSTW-1").benchmark_entry.payload
    assert austria["status"] == "retired"  # Not in use
    assert austria["costs"][0]["funding_source"] == "Financement national"
    assert austria["provenance"]["country"] == "AT" and austria["provenance"]["match"] is None


def test_a_pstw_xlsx_gives_the_same_records_as_its_csv():
    header, _rows = pstw_rows()
    rows = [pstw_row(original_id) for original_id in ("PSTW-1", "PSTW-41", "PSTW-1027")]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        # A spreadsheet keeps years as numbers.
        sheet.append([int(cell) if cell.isdigit() else cell for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    run = run_import("pstw", out.getvalue(), "PSTW_Dataset.xlsx")
    assert (run.counts["read"], run.counts["created"]) == (3, 3)
    from_xlsx = {r.original_id: r.mapped for r in SourceRecord.objects.all()}
    SourceRecord.objects.all().delete()
    run_import("pstw", pstw_csv(rows), "PSTW_Dataset.csv")
    from_csv = {r.original_id: r.mapped for r in SourceRecord.objects.all()}
    assert from_xlsx == from_csv


def test_every_defective_pstw_row_is_reported_with_its_row_and_column():
    header, _rows = pstw_rows()
    status = header.index(" Status")
    good = pstw_row("PSTW-1027")
    no_id = ["", *good[1:]]
    bad_status = [*good]
    bad_status[0], bad_status[status] = "PSTW-9001", "Maybe"
    no_name = [*good]
    no_name[0], no_name[1] = "PSTW-9002", ""
    duplicate = [*pstw_row("PSTW-41")]
    duplicate[1] = "Another name, same id"
    duplicate[0] = "PSTW-1027"
    long_title = [*good]
    long_title[0], long_title[1] = "PSTW-9003", "A" * 80 + " " + "B" * 80
    content = pstw_csv([good, no_id, bad_status, no_name, duplicate, good, long_title])
    run = run_import("pstw", content, "pstw.csv")
    assert run.counts["read"] == 7
    assert (run.counts["created"], run.counts["rejected"]) == (2, 5)
    by_row = {(item["row"], item["column"]): item["reason"] for item in run.rejections}
    assert by_row[(3, "PSTW ID")] == "Identifiant PSTW manquant."
    assert "« Maybe » inconnu" in by_row[(4, " Status")]
    assert by_row[(5, "Name")] == "Nom du projet manquant."
    assert by_row[(6, "")] == "Identifiant « PSTW-1027 » déjà lu à la ligne 2."
    assert by_row[(7, "")] == "Ligne identique à la ligne 2 : lue une seule fois."
    shortened = record("PSTW-9003")
    assert len(shortened.benchmark_entry.title) <= 120
    assert shortened.benchmark_entry.title.endswith("…")
    assert any("raccourci à 120" in note for note in shortened.notes)
    assert shortened.raw["Name"] == long_title[1]


def test_a_file_without_the_pstw_columns_is_refused_whole():
    run = run_import("pstw", b"id;name\n1;x\n", "autre.csv")
    assert run.state == "failed"
    assert "Public Sector Tech Watch" in run.error and "« PSTW ID »" in run.error
    assert not SourceRecord.objects.exists()


# --- re-imports -------------------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(pstw):
    content, file_name = read_file(SHIPPED_PSTW)
    version = BenchmarkVersion.objects.get(pk=1).version
    events = BenchmarkEntryEvent.objects.count()
    updated = dict(BenchmarkEntry.objects.values_list("pk", "updated_at"))
    with CaptureQueriesContext(connection) as queries:
        again = run_import("pstw", content, file_name)
    assert again.counts["unchanged"] == 1616
    assert (again.counts["created"], again.counts["updated"]) == (0, 0)
    assert again.counts["skipped"] == 391
    assert BenchmarkVersion.objects.get(pk=1).version == version
    assert BenchmarkEntryEvent.objects.count() == events
    assert dict(BenchmarkEntry.objects.values_list("pk", "updated_at")) == updated
    # No write but the run's: a lookup of the hashes and a progress line per batch of 500.
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))
    ]
    assert all("registry_importrun" in sql for sql in writes)
    assert len(queries.captured_queries) < 25


def test_a_changed_row_is_replaced_keeping_the_curators_annotations():
    rows = [pstw_row("PSTW-1027"), pstw_row("PSTW-41")]
    run_import("pstw", pstw_csv(rows), "pstw.csv")
    entry = BenchmarkEntry.objects.get(public_id="PSTW-1027")
    benchmark_entry_annotate(entry=entry, actor=None, featured=True, curator_note="À suivre")
    header, _ = pstw_rows()
    rows[0] = [*rows[0]]
    rows[0][header.index(" Status")] = "Not in use"
    again = run_import("pstw", pstw_csv(rows), "pstw.csv")
    assert (again.counts["updated"], again.counts["unchanged"]) == (1, 1)
    entry.refresh_from_db()
    assert entry.status == "retired" and entry.featured and entry.curator_note == "À suivre"
    assert entry.payload["curation"]["featured"] is True
    event = BenchmarkEntryEvent.objects.filter(uuid=entry.uuid).latest("id")
    assert event.action == "replaced"
    assert event.changes["status"] == {"before": "production", "after": "retired"}


def test_a_dry_run_reads_and_counts_but_writes_nothing():
    run = run_import("pstw", pstw_csv([pstw_row("PSTW-1027")]), "pstw.csv", dry_run=True)
    assert run.state == "done" and run.dry_run and run.counts["created"] == 1
    assert (
        not SourceRecord.objects.exists()
        and not BenchmarkEntry.objects.filter(origin="public_source").exists()
    )


# --- the US federal inventory -------------------------------------------------------------------


@pytest.fixture
def us(db) -> ImportRun:
    return run_import("us-inventory", US_SAMPLE.read_bytes(), US_SAMPLE.name)


def us_rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(US_SAMPLE.read_text(encoding="utf-8-sig"))))


def test_the_us_sample_lands_or_is_reported(us):
    assert us.state == "done"
    assert us.counts["read"] == 200
    assert (us.counts["created"], us.counts["skipped"], us.counts["rejected"]) == (198, 2, 0)
    withheld = {(item["row"], item["column"], item["original_id"]) for item in us.rejections}
    assert withheld == {(76, "is_withheld", "NASA-790"), (115, "is_withheld", "NASA-718")}
    assert all("pas rendu public" in item["reason"] for item in us.rejections)


def test_a_us_record_field_by_field_against_its_row(us):
    row = us_rows()[0]
    va = record("VA-25-4960")
    assert va.raw == row
    payload = va.benchmark_entry.payload
    assert va.benchmark_entry.public_id == "US-VA-25-4960"
    assert payload["title"] == "VASQIP Mortality Calculator"
    assert payload["status"] == "production"  # Deployed
    assert payload["techniques"] == ["classical_ml"]  # Classical ML
    assert [d["code"] for d in payload["domains"]] == ["sante"]  # Health and Medical
    assert payload["sourcing"] == "in_house"  # In-house Development
    assert payload["department_service"] == "VHA: Veterans Health Administration"
    assert payload["collectivite"]["name"] == "Department of Veterans Affairs"
    # Multi-line text kept with its paragraphs.
    assert payload["context"] == row["problem_solved"].strip()
    assert "\n\n" in payload["context"]
    assert payload["provenance"]["country"] == "US"
    assert va.benchmark_entry.organisation_name == "Department of Veterans Affairs"


def test_the_us_file_real_defects(us):
    rows = us_rows()
    # A title over 120 characters: shortened, the whole name kept in the raw row.
    doi = record("DOI-0001")
    assert len(rows[45]["use_case_name"]) == 131
    assert (
        len(doi.benchmark_entry.title) <= 120
        and doi.raw["use_case_name"] == rows[45]["use_case_name"]
    )
    # No identifier: one derived from agency and name, the same at every import.
    derived = SourceRecord.objects.filter(original_id__regex=r"^HHS-[0-9a-f]{10}$")
    assert derived.count() == 28
    assert all(any("identifiant absent" in note for note in r.notes) for r in derived)
    # A bare number is unique within its agency only.
    assert {"TREAS-35", "EPA-35", "NSF-25", "TREAS-25"} <= set(
        SourceRecord.objects.values_list("original_id", flat=True)
    )
    # A value outside the data dictionary: read through the crosswalk, and said.
    science = record("TREAS-35")
    assert science.benchmark_entry.payload["domains"][0]["code"] == "systemes-d-information"
    assert any("n'est pas une réponse du dictionnaire" in note for note in science.notes)
    # Blank cells: nothing invented.
    blank_stage = SourceRecord.objects.filter(raw__development_stage="").first()
    assert blank_stage.benchmark_entry.status == ""
    # A contact that is no address is left out, and said.
    treasury_page = SourceRecord.objects.filter(
        raw__contact_email="https://home.treasury.gov/utility/contact"
    ).first()
    assert treasury_page.benchmark_entry.payload["public_contact_email"] == ""
    assert any("adresse électronique" in note for note in treasury_page.notes)


def test_the_us_import_is_idempotent_with_derived_ids(us):
    again = run_import("us-inventory", US_SAMPLE.read_bytes(), US_SAMPLE.name)
    assert (again.counts["unchanged"], again.counts["created"], again.counts["updated"]) == (
        198,
        0,
        0,
    )


def test_a_us_row_without_name_nor_identifier_is_rejected():
    header = list(us_rows()[0])
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    # (A row of empty cells is no row: this one says something, but not what it is.)
    writer.writerow(dict.fromkeys(header, "") | {"benefits": "Faster answers."})
    writer.writerow(dict.fromkeys(header, "") | {"agency": "DOE", "id": "DOE-1"})
    run = run_import("us-inventory", out.getvalue().encode(), "us.csv")
    assert run.counts["rejected"] == 2
    reasons = {(item["row"], item["column"]) for item in run.rejections}
    assert reasons == {(2, "use_case_name"), (2, "id"), (3, "use_case_name")}


# --- the command ------------------------------------------------------------------------------


def test_the_command_names_every_row_that_did_not_land():
    out = io.StringIO()
    call_command("import_source", "us-inventory", str(US_SAMPLE), "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Essai à blanc (rien n'est écrit)" in text and "198 à créer" in text
    assert "ligne 76 (NASA-790), colonne « is_withheld »" in text
    assert not SourceRecord.objects.exists()
    # Not the PSTW's columns: the whole file is refused, in French, and the run says so.
    with pytest.raises(CommandError, match="« PSTW ID »"):
        call_command("import_source", "pstw", str(SHIPPED_PSTW.parent / "README.md"))
    assert ImportRun.objects.filter(state="failed").exists()


def test_the_command_names_what_is_not_there():
    with pytest.raises(CommandError, match="Profil de correspondance « reseau » inconnu"):
        call_command("import_source", "mapping", str(US_SAMPLE), "--profile", "reseau")
    with pytest.raises(CommandError, match="introuvable"):
        call_command("import_source", "pstw", "/nulle/part.csv")
