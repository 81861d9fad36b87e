"""Public sources' records in the read path: the same explorer, page, API, statistics and
exports as the declared cases, always marked « source publique, non validée par la
collectivité » with their source and licence, filterable by origin and counted apart. Anyone
reads them; only curators import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from procrastinate import testing
from procrastinate.contrib.django import app

from registry.models import BenchmarkEntry, ImportRun, SourceRecord
from registry.services import sources as source_services
from registry.services.reports import report_recipients
from registry.services.sources import source_import
from registry.sources import adapter_for
from registry.tasks import IMPORT_SOURCE_TASK, import_source
from tests.registry.test_sources import US_SAMPLE, pstw_csv, pstw_row

pytestmark = pytest.mark.django_db

NOT_VALIDATED = "Source publique, non validée par la collectivité"
API = "/api/v1/benchmark/use-cases/"


@pytest.fixture
def public_records(db):
    rows = [pstw_row(original_id) for original_id in ("PSTW-1", "PSTW-41", "PSTW-1027")]
    return source_import(adapter=adapter_for("pstw"), content=pstw_csv(rows), file_name="p.csv")


@pytest.fixture
def both(public_records, published_use_case):
    return published_use_case


def test_the_api_filters_by_origin_and_marks_each_record(both, api_for):
    client = api_for(None)
    everything = client.get(API).json()
    public = client.get(API, {"origin": "public_source"}).json()
    declared = client.get(API, {"origin": "declared"}).json()
    assert public["count"] == 3 and declared["count"] >= 1
    assert everything["count"] == public["count"] + declared["count"]
    assert {item["origin"] for item in public["results"]} == {"public_source"}
    assert {item["origin"] for item in declared["results"]} == {"declared"}
    assert all(item["provenance"] is None for item in declared["results"])
    record = client.get(f"{API}PSTW-1027/").json()
    assert record["provenance"]["licence"] == "CC BY 4.0"
    assert record["provenance"]["attribution"] == (
        "Public Sector Tech Watch, European Commission JRC"
    )
    assert record["provenance"]["original_id"] == "PSTW-1027"
    refused = client.get(API, {"origin": "imported"})
    assert refused.status_code == 400 and "origin" in refused.json()


def test_statistics_count_them_apart(both, api_for):
    stats = api_for(None).get("/api/v1/benchmark/stats/", {"by": "origin"}).json()
    counts = {row["origin"]: row["count"] for row in stats["results"]}
    assert counts["public_source"] == 3 and counts["declared"] >= 1


@pytest.mark.parametrize("who", ["anonymous", "reader", "other", "curator"])
def test_everyone_sees_them_marked_with_source_and_licence(both, people, client_for, who):
    client = client_for(None, None if who == "anonymous" else people[who])
    explorer = client.get("/cas-d-usage/").content.decode()
    assert "<legend>Origine</legend>" in explorer
    assert "Source publique" in explorer and "Déclaré par la collectivité" in explorer
    listed = client.get("/cas-d-usage/", {"origin": "public_source"}).content.decode()
    assert listed.count(NOT_VALIDATED) == 3 and "CC BY 4.0" in listed
    assert both.title not in listed
    page = client.get("/cas-d-usage/PSTW-1027/")
    assert page.status_code == 200
    text = page.content.decode()
    assert NOT_VALIDATED in text and "Public Sector Tech Watch" in text
    assert "CC BY 4.0" in text and "Public Sector Tech Watch, European Commission JRC" in text
    assert "La ligne d'origine, telle que la source la publie" in text
    # A declared case's page says nothing of the kind.
    declared = client.get(f"/cas-d-usage/{both.public_id}/").content.decode()
    assert NOT_VALIDATED not in declared


def test_the_home_page_and_the_dashboard_count_them_apart(both, client_for):
    declared = BenchmarkEntry.objects.filter(origin="declared").count()
    home = client_for(None).get("/").content.decode()
    assert f"<strong>{declared}</strong>cas d'usage publié" in home
    assert "3 fiches reprises de sources publiques" in home
    dashboard = client_for(None).get("/tableau-de-bord/").content.decode()
    assert "Fiches reprises de sources publiques (comptées à part)" in dashboard


def test_exports_carry_the_origin_source_and_licence(both, api_for):
    content = api_for(None).get("/api/v1/benchmark/export.csv").getvalue().decode("utf-8-sig")
    header, *rows = content.splitlines()
    columns = header.split(";") if ";" in header else header.split(",")
    assert {"origin", "source_name", "source_licence", "source_attribution"} <= set(columns)
    assert any("public_source" in row and "CC BY 4.0" in row for row in rows)


def test_an_error_report_on_a_public_record_goes_to_the_curators_only(both, people):
    entry = BenchmarkEntry.objects.get(public_id="PSTW-1027")
    recipients = report_recipients(entry)
    assert people["curator"].email in recipients
    assert people["admin"].email not in recipients


def test_a_curator_takes_a_public_record_out_of_the_benchmark(public_records, people, api_for):
    client = api_for(None, people["curator"])
    response = client.post("/api/v1/benchmark/use-cases/PSTW-41/unpublish/", {}, format="json")
    assert response.status_code == 204
    assert not BenchmarkEntry.objects.filter(public_id="PSTW-41").exists()
    assert SourceRecord.objects.filter(original_id="PSTW-41").exists()


# --- who imports ------------------------------------------------------------------------------

UPLOAD = "/admin/sources/importer/"


@pytest.mark.parametrize("who", ["anonymous", "reader", "admin", "other"])
def test_only_curators_reach_the_upload_page(people, client_for, who):
    client = client_for(None, None if who == "anonymous" else people[who])
    assert client.get(UPLOAD).status_code == 302
    with US_SAMPLE.open("rb") as upload:
        response = client.post(UPLOAD, {"kind": "us-inventory", "file": upload})
    assert response.status_code in (302, 403)
    assert not SourceRecord.objects.exists() and not ImportRun.objects.exists()


def test_a_curator_imports_from_the_upload_page(people, client_for):
    client = client_for(None, people["curator"])
    page = client.get(UPLOAD).content.decode()
    assert "Public Sector Tech Watch" in page and "mapping" not in page
    with US_SAMPLE.open("rb") as upload:
        response = client.post(UPLOAD, {"kind": "us-inventory", "file": upload})
    assert response.status_code == 200
    text = response.content.decode()
    assert "200 lignes lues : 198 créées" in text
    run = ImportRun.objects.get()
    assert run.created_by == people["curator"] and run.state == "done"
    assert SourceRecord.objects.count() == 198
    detail = client.get(f"/admin/registry/importrun/{run.pk}/change/").content.decode()
    assert "is_withheld" in detail and "NASA-790" in detail


def test_a_bad_file_is_said_in_french_and_imports_nothing(people, client_for):
    client = client_for(None, people["curator"])
    response = client.post(
        UPLOAD,
        {"kind": "pstw", "file": _upload("autre.csv", b"a,b\n1,2\n")},
    )
    assert "Public Sector Tech Watch" in response.content.decode()
    assert "manquante" in response.content.decode()
    assert not SourceRecord.objects.exists()


def _upload(name, content):
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def queue():
    in_memory = testing.InMemoryConnector()
    with app.replace_connector(in_memory):
        yield in_memory


def test_a_large_file_runs_in_the_job_queue_with_its_progress(
    people, client_for, queue, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(source_services, "QUEUE_THRESHOLD_BYTES", 1000)
    client = client_for(None, people["curator"])
    with django_capture_on_commit_callbacks(execute=True), US_SAMPLE.open("rb") as upload:
        response = client.post(UPLOAD, {"kind": "us-inventory", "file": upload})
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/registry/importrun/{run.pk}/change/"
    assert run.state == "pending" and run.content is not None
    waiting = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in waiting
    jobs = [job for job in queue.jobs.values() if job["task_name"] == IMPORT_SOURCE_TASK]
    assert [job["args"] for job in jobs] == [{"run_id": run.pk}]

    import_source(**jobs[0]["args"])  # what the worker does
    run.refresh_from_db()
    assert run.state == "done" and run.content is None
    assert (run.rows_done, run.rows_total) == (200, 200) and run.progress == 100
    assert run.counts["created"] == 198
    assert 'http-equiv="refresh"' not in client.get(response["Location"]).content.decode()
