"""Bulk import of use cases by curators (command and admin)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import tenant_context
from openpyxl import Workbook, load_workbook

from casestudies.imports import import_use_cases, read_rows, template_csv, template_xlsx
from casestudies.models import UseCase, UseCaseEvent
from registry.exports import COLUMNS

HEADER = "title;summary;status;ai_family;automation_level;personal_data;domains;tool_ids;steps;visibility;started_on"


def _csv(*lines: str) -> bytes:
    return ("\ufeff" + "\n".join([HEADER, *lines]) + "\n").encode("utf-8")


GOOD = [
    "Tri du courrier;Classement automatique du courrier entrant par service.;pilot;business;recommendation;yes;relation-usagers-et-accueil;Mistral;Cadrage | Test | Bilan;public;2025-02-01",
    "Résumé de délibérations;Premier jet des synthèses de délibérations.;Expérimentation;IA généraliste;assistance;no;administration-generale-et-assemblees | juridique;Delibia|ChatGPT;;network;01/03/2025",
]


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "cas.csv"
    path.write_bytes(_csv(*GOOD))
    return path


def _count(collectivite):
    with tenant_context(collectivite):
        return UseCase.objects.count()


def test_command_imports_all_rows_with_labels_codes_and_names(annecy, good_file, capsys):
    call_command("import_use_cases", "grand-annecy", str(good_file))
    out = capsys.readouterr()
    assert "2 cas ont été créés" in out.out
    assert "2/2 lignes" in out.err  # the progress bar
    connection.set_schema_to_public()
    with tenant_context(annecy):
        mail = UseCase.objects.get(title="Tri du courrier")
        assert list(mail.steps.values_list("text", flat=True)) == ["Cadrage", "Test", "Bilan"]
        assert list(mail.tools.values_list("slug", flat=True)) == ["mistral"]
        assert str(mail.started_on) == "2025-02-01"
        deliberations = UseCase.objects.get(title="Résumé de délibérations")
        assert deliberations.status == "pilot" and deliberations.ai_family == "generalist"
        assert set(deliberations.tools.values_list("slug", flat=True)) == {"delibia", "chatgpt"}
        assert set(deliberations.domains.values_list("code", flat=True)) == {
            "administration-generale-et-assemblees",
            "juridique",
        }
        assert deliberations.publication_state == "draft"


def test_reimporting_the_same_file_changes_nothing(annecy, good_file, capsys):
    call_command("import_use_cases", "grand-annecy", str(good_file))
    connection.set_schema_to_public()
    with tenant_context(annecy):
        events = UseCaseEvent.objects.count()
        stamps = list(UseCase.objects.order_by("pk").values_list("updated_at", flat=True))
    call_command("import_use_cases", "grand-annecy", str(good_file))
    assert "0 cas ont été créés, 0 ont été mis à jour, 2 inchangés" in capsys.readouterr().out
    connection.set_schema_to_public()
    with tenant_context(annecy):
        assert UseCase.objects.count() == 3
        assert UseCaseEvent.objects.count() == events
        assert list(UseCase.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_a_changed_row_updates_its_use_case(annecy, good_file, tmp_path, capsys):
    call_command("import_use_cases", "grand-annecy", str(good_file))
    changed = tmp_path / "v2.csv"
    changed.write_bytes(_csv(GOOD[0].replace(";pilot;", ";production;"), GOOD[1]))
    connection.set_schema_to_public()
    call_command("import_use_cases", "grand-annecy", str(changed))
    assert "1 ont été mis à jour, 1 inchangés" in capsys.readouterr().out
    connection.set_schema_to_public()
    with tenant_context(annecy):
        assert UseCase.objects.get(title="Tri du courrier").status == "production"


def test_bad_rows_write_nothing_and_every_error_names_row_and_column(annecy, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv(
        GOOD[0],
        "Sans résumé;;pilot;business;assistance;no;juridique;;;public;",
        "Mauvais état;Un résumé correct.;termine;business;assistance;peut-être;inconnu;Outil fantôme;;public;hier",
    ))  # fmt: skip
    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("import_use_cases", "grand-annecy", str(path))
    errors = capsys.readouterr().err
    for expected in ["Ligne 3, colonne summary", "Ligne 4, colonne status", "Ligne 4, colonne personal_data",
                     "Ligne 4, colonne domains", "Ligne 4, colonne tool_ids", "Ligne 4, colonne started_on"]:  # fmt: skip
        assert expected in errors, (expected, errors)
    assert "Ligne 2" not in errors
    connection.set_schema_to_public()
    assert _count(annecy) == 1  # the good row was not written either


def test_dry_run_reports_and_writes_nothing(annecy, good_file, capsys):
    call_command("import_use_cases", "grand-annecy", str(good_file), "--dry-run")
    assert "Simulation : 2 cas seraient créés" in capsys.readouterr().out
    connection.set_schema_to_public()
    assert _count(annecy) == 1


def test_unknown_columns_and_missing_required_ones_are_refused(annecy, tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("titre;summary\nx;y\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"Colonne.*inconnue.*titre"):
        call_command("import_use_cases", "grand-annecy", str(path))
    path.write_text("title;summary\nx;y\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"obligatoire.*ai_family"):
        call_command("import_use_cases", "grand-annecy", str(path))


def test_unknown_collectivite_or_file(annecy, good_file):
    with pytest.raises(CommandError, match="inconnue"):
        call_command("import_use_cases", "nulle-part", str(good_file))
    with pytest.raises(CommandError, match="introuvable"):
        call_command("import_use_cases", "grand-annecy", "/nope.csv")


def test_the_export_imports_back_into_another_collectivite(annecy, cdg74, api_for):
    exported = (
        api_for(None).get("/api/v1/benchmark/export.xlsx?collectivite=grand-annecy").getvalue()
    )
    rows = read_rows(exported, "export.xlsx")
    for _number, row in rows:
        row["public_id"] = ""  # a new collectivité: new ids
    report = import_use_cases(collectivite=cdg74, rows=rows, actor=None)
    assert report.ok, report.errors
    assert len(report.created) == 1
    with tenant_context(cdg74):
        copy = UseCase.objects.get(public_id=report.created[0])
        assert copy.title == "Accompagnement de l'expertise juridique"
        assert list(copy.tools.values_list("slug", flat=True)) == ["lexisnexis"]
        assert copy.status_inferred is True


def test_import_by_public_id_must_match_this_collectivite(annecy, cdg74):
    rows = [(2, {"public_id": "74-CDG74-0001", "title": "x", "summary": "y", "status": "pilot",
                 "ai_family": "business", "automation_level": "assistance", "personal_data": "no",
                 "domains": "juridique"})]  # fmt: skip
    report = import_use_cases(collectivite=annecy, rows=rows, actor=None)
    assert report.errors == [
        "Ligne 2, colonne public_id : « 74-CDG74-0001 » n'existe pas dans "
        "Communauté d'agglomération du Grand Annecy."
    ]


def test_templates_have_the_export_columns():
    assert template_csv().decode("utf-8-sig").strip().split(";") == COLUMNS
    sheet = load_workbook(io.BytesIO(template_xlsx())).worksheets[0]
    assert [cell.value for cell in sheet[1]] == COLUMNS


def test_xlsx_import(annecy, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    for line in GOOD:
        sheet.append(line.split(";"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_use_cases(collectivite=annecy, rows=read_rows(buffer.getvalue(), "x.xlsx"),
                              actor=None)  # fmt: skip
    assert report.ok and len(report.created) == 2


# --- the admin pages ------------------------------------------------------------------------------


def test_curator_imports_from_the_admin_with_a_dry_run_first(client_for, people, annecy):
    client = client_for(None, people["curator"])
    page = client.get("/admin/import/")
    assert page.status_code == 200
    assert (
        client.get("/admin/import/?template=csv")
        .content.decode("utf-8-sig")
        .startswith("public_id;")
    )
    upload = io.BytesIO(_csv(*GOOD))
    upload.name = "cas.csv"
    response = client.post("/admin/import/", {"collectivite": annecy.pk, "file": upload,
                                              "dry_run": "on"})  # fmt: skip
    assert "2 cas seraient créés" in response.content.decode()
    assert _count(annecy) == 1
    upload = io.BytesIO(_csv(*GOOD))
    upload.name = "cas.csv"
    response = client.post("/admin/import/", {"collectivite": annecy.pk, "file": upload})
    assert "2 cas ont été créés" in response.content.decode()
    connection.set_schema_to_public()
    assert _count(annecy) == 3


@pytest.mark.parametrize("who", ["reader", "admin", "other"])
def test_import_page_is_for_curators_only(client_for, people, who):
    assert client_for(None, people[who]).get("/admin/import/").status_code == 302


def test_a_huge_csv_field_is_a_clear_import_error(annecy):
    from casestudies.imports import ImportFileError, read_rows

    with pytest.raises(ImportFileError, match="illisible"):
        read_rows(("title;summary\n" + "x" * 200_000 + ";y\n").encode(), "big.csv")
