"""Any CSV or XLSX read by column mapping (issue 13): a French list built here (SIRET with spaces,
one with a wrong key, « Type de collectivité », « Statut du projet », dates as MM/AAAA, themes,
partners, a 900-character description) lands row by row or is reported with its row, its column
and a French reason; a re-import changes nothing; the profile is the command's and the curators'
pages'. Only curators map and import."""

import csv
import html
import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook
from procrastinate import testing
from procrastinate.contrib.django import app

from accounts.models import AuditEvent
from registry import mapping_views, tasks
from registry.models import (
    BenchmarkEntry,
    DirectoryEntry,
    ImportRun,
    MappingProfile,
    Source,
    SourceRecord,
    SourceUpload,
)
from registry.services import collectivite_update, directory_load
from registry.services import mapping as services
from registry.services.sources import source_import, source_import_prepare, source_import_run
from registry.sources import SourceFileError, adapter_for
from registry.sources import mapping as m
from registry.validators import validate_siret

pytestmark = pytest.mark.django_db

DIRECTORY = Path(__file__).parent / "directory_data" / "2026"
HEADER = [
    "N°",
    "Collectivité",
    "SIRET",
    "Type de collectivité",
    "Département",
    "Nom du projet",
    "Description",
    "Statut du projet",
    "Date de lancement",
    "Thèmes",
    "Partenaires",
    "Lien",
]
LONG = ("L'agglomération analyse les demandes de subvention des associations. " * 14).strip()
ROWS = [
    # 2: the Grand Annecy by its SIRET, written with spaces as people write it.
    [
        "1",
        "Grand Annecy",
        "200 066 793 00015",
        "Communauté d'agglomération",
        "74",
        "Tri des courriers entrants",
        "Un outil lit les courriers et propose le service destinataire.",
        "Déployé",
        "03/2023",
        "Mobilité ; Environnement",
        "Université Savoie Mont Blanc",
        "https://www.grandannecy.fr/ia/courrier",
    ],
    # 3: a SIRET whose key is wrong.
    [
        "2",
        "Fillière",
        "200 062 586 00019",
        "Commune",
        "74",
        "Agent conversationnel de l'accueil",
        "Répond aux questions des habitants sur l'état civil.",
        "En expérimentation",
        "09/2024",
        "Relation usagers et accueil",
        "",
        "",
    ],
    # 4: a description of 900 characters, kept whole (no silent cut).
    [
        "3",
        "Annecy",
        "",
        "Ville",
        "Haute-Savoie (74)",
        "Analyse des demandes de subvention",
        LONG,
        "Abandonné",
        "11/2022",
        "Finances ; Gastronomie",
        "Mistral AI",
        "",
    ],
    # 5: a month that does not exist.
    [
        "4",
        "Annecy",
        "",
        "Commune",
        "74",
        "Traduction des pages du site",
        "Traduit les pages en anglais et en italien.",
        "En expérimentation",
        "13/2024",
        "Communication",
        "",
        "",
    ],
    # 6: a status no one mapped.
    [
        "5",
        "Vallières-sur-Fier",
        "",
        "Commune",
        "74",
        "Comptage des véhicules",
        "Caméras et comptage automatique.",
        "Bientôt",
        "",
        "Mobilité",
        "",
        "",
    ],
]
PROFILE = "Réseau IA Savoie"


def french_csv(rows=ROWS, header=HEADER) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8")


def load_directory(annecy) -> None:
    """The small directory of Haute-Savoie; the Grand Annecy linked to its EPCI's entry."""
    directory_load(DIRECTORY, millesime=2026)
    collectivite_update(annecy, directory_entry=DirectoryEntry.objects.get(key="epci:200066793"))


@pytest.fixture
def directory(db, annecy):
    load_directory(annecy)


COLUMN_MAP = {
    "N°": "original_id",
    "Collectivité": "organisation_name",
    "SIRET": "siret",
    "Type de collectivité": "collectivite_kind",
    "Département": "departement",
    "Nom du projet": "title",
    "Description": "summary",
    "Statut du projet": "status",
    "Date de lancement": "started_on",
    "Thèmes": "domains",
    "Partenaires": "partners",
    "Lien": "original_url",
}


def save_profile(curator) -> MappingProfile:
    """The profile of the French list, with its new source (prefix RIAS)."""
    return services.mapping_profile_save(
        actor=curator,
        name=PROFILE,
        new_source={
            "name": "Réseau IA Savoie",
            "publisher": "Réseau des territoires numériques de Savoie",
            "licence": "Licence Ouverte 2.0",
            "licence_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            "attribution": "Réseau IA Savoie, liste des projets 2025",
            "url": "https://reseau-ia-savoie.example/projets",
            "id_prefix": "RIAS",
        },
        column_map=COLUMN_MAP,
        value_maps={},
        date_format="mm/yyyy",
        list_separator=";",
        country="FR",
        description="",
        columns=HEADER,
    )


@pytest.fixture
def profile(db, people):
    return save_profile(people["curator"])


def run_import(profile, content=None, file_name="reseau-ia-savoie_2025.csv", **options):
    adapter = adapter_for("mapping", profile=profile)
    return source_import(
        adapter=adapter, content=content or french_csv(), file_name=file_name, **options
    )


def record(original_id: str) -> SourceRecord:
    return SourceRecord.objects.select_related("benchmark_entry", "directory_entry").get(
        source__slug="reseau-ia-savoie", original_id=original_id
    )


# --- identifiers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "valid"),
    [
        ("732 829 320 00074", True),  # INSEE's example
        ("73282932000075", False),
        ("200 066 793 00015", True),
        ("200 066 793 00016", False),
        ("35600000000048", True),  # La Poste's head office: Luhn
        ("35600000049837", True),  # a post office: digits add up to a multiple of 5
        ("35600000049838", False),
        ("7328293200007", False),  # 13 digits
    ],
)
def test_a_siret_is_read_without_its_spaces_and_its_key_checked(written, valid):
    digits = m.digits_of(written)
    if valid:
        validate_siret(digits)
    else:
        with pytest.raises(Exception, match="SIRET"):
            validate_siret(digits)


def test_dates_are_read_in_the_profile_format():
    assert m.read_date("03/2023", "mm/yyyy") == ("2023-03-01", "month")
    assert m.read_date("3/2023", "mm/yyyy") == ("2023-03-01", "month")
    assert m.read_date("13/2024", "mm/yyyy") == (None, "")
    assert m.read_date("15/03/2024", "dd/mm/yyyy") == ("2024-03-15", "day")
    # Day first in France, whatever the US reading would say.
    assert m.read_date("02/03/2024", "auto") == ("2024-03-02", "day")
    assert m.read_date("mars 2024", "auto") == ("2024-03-01", "month")
    # A spreadsheet's own date reads in any format.
    assert m.read_date("2024-03-15 00:00:00", "mm/yyyy") == ("2024-03-15", "day")
    assert m.departement_of("Haute-Savoie (74)") == "74"
    assert m.departement_of("74000") == "74" and m.departement_of("97400") == "974"
    assert m.departement_of("2A") == "2A" and m.departement_of("Savoie") == ""


# --- the French list, row by row ----------------------------------------------------------------


def test_the_french_list_lands_or_is_reported_row_by_row(directory, profile):
    run = run_import(profile)
    assert run.state == "done" and run.millesime == "2025"
    counts = run.counts
    assert (counts["read"], counts["created"], counts["rejected"]) == (5, 2, 3)
    by_row = {(item["row"], item["column"]): item["reason"] for item in run.rejections}
    assert set(by_row) == {(3, "SIRET"), (5, "Date de lancement"), (6, "Statut du projet")}
    assert "SIRET « 200 062 586 00019 » refusé" in by_row[(3, "SIRET")]
    assert "clé de contrôle" in by_row[(3, "SIRET")]
    assert by_row[(5, "Date de lancement")] == (
        "Date « 13/2024 » illisible : format attendu MM/AAAA (ex. 03/2024)."
    )
    assert (
        "« Bientôt » n'a pas de correspondance pour « État d'avancement »"
        in by_row[(6, "Statut du projet")]
    )
    assert "Expérimentation" in by_row[(6, "Statut du projet")]  # the values it may take
    assert {item["original_id"] for item in run.rejections} == {"2", "4", "5"}

    annecy = record("1")
    # The row exactly as read: the SIRET with its spaces.
    assert annecy.raw == dict(zip(HEADER, ROWS[0], strict=True))
    assert annecy.raw["SIRET"] == "200 066 793 00015"
    assert annecy.original_url == "https://www.grandannecy.fr/ia/courrier"
    assert (annecy.match_rule, annecy.match_confidence) == ("siret", 100)
    assert annecy.directory_entry.key == "epci:200066793"
    entry = annecy.benchmark_entry
    payload = entry.payload
    assert entry.public_id == "RIAS-1" and entry.origin == "public_source"
    assert entry.collectivite is None and entry.collectivite_kind == "ca"
    assert payload["title"] == "Tri des courriers entrants"
    assert payload["status"] == "production"  # « Déployé »
    assert payload["started_on"] == "2023-03-01"
    assert payload["date_precision"] == {"started_on": "month"}
    assert [d["code"] for d in payload["domains"]] == ["mobilite", "environnement"]
    assert payload["context"] == "Partenaires : Université Savoie Mont Blanc"
    assert payload["provenance"]["licence"] == "Licence Ouverte 2.0"
    assert payload["provenance"]["attribution"] == "Réseau IA Savoie, liste des projets 2025"
    assert payload["source"] == "Réseau IA Savoie, liste des projets 2025 (Licence Ouverte 2.0)"


def test_a_900_character_description_is_never_cut_silently(directory, profile):
    assert len(LONG) > 900
    run_import(profile)
    subsidies = record("3")
    payload = subsidies.benchmark_entry.payload
    # The summary keeps our limit, cut at a word and said so; the context keeps every word.
    assert len(payload["summary"]) <= 400 and payload["summary"].endswith("…")
    assert LONG.startswith(payload["summary"][:-1].rstrip())
    assert payload["context"] == f"{LONG}\n\nPartenaires : Mistral AI"
    assert subsidies.raw["Description"] == LONG
    [note] = [n for n in subsidies.notes if "Description" in n]
    assert f"texte de {len(LONG)} caractères" in note and "repris dans le contexte" in note
    assert payload["provenance"]["notes"] == subsidies.notes
    # « Abandonné » onto our « abandoned »; the theme no one mapped is noted, not lost.
    assert payload["status"] == "abandoned"
    assert [d["code"] for d in payload["domains"]] == ["finances"]
    assert any("« Gastronomie » sans correspondance" in n for n in subsidies.notes)
    # Matched by its name, its kind (« Ville ») and its département.
    assert subsidies.match_rule == "name_departement"
    assert subsidies.directory_entry.key == "commune:74010"


def test_importing_the_same_file_again_changes_nothing_and_a_new_value_map_maps_again(
    directory, profile, people
):
    first = run_import(profile)
    entries = {
        e.public_id: e.updated_at for e in BenchmarkEntry.objects.filter(origin="public_source")
    }
    again = run_import(profile)
    assert (again.counts["unchanged"], again.counts["created"], again.counts["updated"]) == (
        2,
        0,
        0,
    )
    assert again.counts["rejected"] == first.counts["rejected"] == 3
    assert {
        e.public_id: e.updated_at for e in BenchmarkEntry.objects.filter(origin="public_source")
    } == entries
    # The curator maps « Bientôt »: the next import maps every row again, and row 6 lands.
    services.mapping_profile_save(
        actor=people["curator"],
        profile=profile,
        value_maps={"status": {"Bientôt": "idea"}},
    )
    profile.refresh_from_db()
    assert profile.value_maps == {"status": {"bientot": "idea"}}
    third = run_import(profile)
    assert (third.counts["created"], third.counts["updated"], third.counts["rejected"]) == (1, 2, 2)
    assert record("5").benchmark_entry.status == "idea"


def test_an_xlsx_with_numbers_and_dates_gives_the_same_records(directory, profile):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    row = list(ROWS[0])
    row[0] = 1  # a number
    row[2] = 20006679300015  # a SIRET turned into a number by the spreadsheet
    row[8] = datetime(2023, 3, 1)  # « 03/2023 » turned into a date
    sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    run = run_import(profile, out.getvalue(), "liste.xlsx")
    assert (run.counts["created"], run.counts["rejected"]) == (1, 0)
    annecy = record("1")
    assert annecy.match_rule == "siret"
    assert annecy.benchmark_entry.payload["started_on"] == "2023-03-01"


def test_a_file_without_the_profile_columns_is_refused_whole(profile):
    run = run_import(profile, b"Nom du projet;Autre\nx;y\n", "autre.csv")
    assert run.state == "failed"
    assert f"profil « {PROFILE} »" in run.error and "« SIRET »" in run.error
    assert not SourceRecord.objects.filter(source=profile.source).exists()


def test_a_profile_is_checked_before_it_is_saved(people, profile):
    with pytest.raises(Exception) as caught:
        services.mapping_profile_save(
            actor=people["curator"],
            name="Autre",
            source=profile.source,
            column_map={"A": "status", "B": "status", "C": "nothing"},
            value_maps={"status": {"oui": "maybe"}},
            columns=["A", "B", "C"],
        )
    errors = caught.value.message_dict
    text = " ".join(errors["column_map"])
    assert "champ « nothing » inconnu" in text
    assert "ne reçoit qu'une colonne" in text
    assert "Choisissez la colonne qui donne « Titre »" in text
    assert "code(s) inconnu(s) maybe" in " ".join(errors["value_maps"])
    with pytest.raises(Exception) as caught:
        services.mapping_profile_save(
            actor=people["curator"],
            name=PROFILE.upper(),
            new_source={"name": "X", "id_prefix": "RIAS"},
            column_map={"A": "title"},
            columns=["A"],
        )
    errors = caught.value.message_dict
    assert errors["name"] == ["Un autre profil porte déjà ce nom : choisissez-en un autre."]


def test_the_new_source_gets_its_prefix_once_and_the_write_is_audited(people, profile):
    source = profile.source
    assert (source.adapter, source.slug, source.id_prefix) == (
        "mapping",
        "reseau-ia-savoie",
        "RIAS",
    )
    assert AuditEvent.objects.filter(action="mapping_profile_created", object_id=str(profile.pk))
    assert AuditEvent.objects.filter(action="source_created", object_id=str(source.pk))
    with pytest.raises(Exception) as caught:
        services.mapping_profile_save(
            actor=people["curator"],
            name="Deuxième liste",
            new_source={
                "name": "Deuxième",
                "publisher": "X",
                "licence": "CC BY 4.0",
                "attribution": "X",
                "id_prefix": "rias",
            },
            column_map={"A": "title"},
            columns=["A"],
        )
    assert "déjà celui de la source « Réseau IA Savoie »" in " ".join(
        caught.value.message_dict["source_id_prefix"]
    )


# --- the command ------------------------------------------------------------------------------


def test_the_command_reads_a_file_with_its_profile(directory, profile, tmp_path):
    path = tmp_path / "reseau-ia-savoie_2025.csv"
    path.write_bytes(french_csv())
    out = io.StringIO()
    call_command(
        "import_source", "mapping", str(path), "--profile", PROFILE, "--dry-run", stdout=out
    )
    text = out.getvalue()
    assert "Essai à blanc" in text and "5 lignes lues, 2 à créer" in text and "3 rejetées" in text
    assert "ligne 3 (2), colonne « SIRET » : SIRET « 200 062 586 00019 » refusé" in text
    assert not SourceRecord.objects.filter(source=profile.source).exists()
    call_command("import_source", "mapping", str(path), "--profile", PROFILE.lower(), stdout=out)
    assert SourceRecord.objects.filter(source=profile.source).count() == 2
    with pytest.raises(CommandError, match="a besoin de son profil"):
        call_command("import_source", "mapping", str(path))
    with pytest.raises(CommandError, match=f"Profils enregistrés : « {PROFILE} »"):
        call_command("import_source", "mapping", str(path), "--profile", "Inconnu")


def test_the_adapter_wants_a_profile():
    with pytest.raises(SourceFileError):
        adapter_for("mapping")


# --- the curators' pages ------------------------------------------------------------------------


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _upload(client, content=None, name="reseau-ia-savoie_2025.csv"):
    return client.post(
        "/curation/sources/",
        {"file": SimpleUploadedFile(name, content or french_csv(), "text/csv")},
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("admin", 403), ("contributor", 403), ("other", 403), ("curator", 200)],
)
def test_only_curators_map_and_import(client_for, people, profile, who, status):
    upload = SourceUpload.objects.create(
        file_name="liste.csv", content=french_csv(), file_sha256="x", columns=HEADER, rows_total=5
    )
    run = ImportRun.objects.create(source=profile.source, adapter="mapping", file_name="x.csv")
    client = client_for(None, None if who == "anonymous" else people[who])
    for url in (
        "/curation/sources/",
        f"/curation/sources/fichiers/{upload.pk}/",
        f"/curation/sources/imports/{run.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == status, url
        if who == "anonymous":
            assert "/compte/connexion/" in response["Location"]
    before = SourceUpload.objects.count()
    response = _upload(client)
    assert response.status_code == (302 if who == "curator" else status)
    post = client.post(f"/curation/sources/fichiers/{upload.pk}/", {"action": "import"})
    assert post.status_code == (400 if who == "curator" else status)
    if who != "curator":
        assert SourceUpload.objects.count() == before
        assert ImportRun.objects.count() == 1


def _form_data(page_context, **changes) -> dict:
    """What the page's form sends as it is shown (its initial choices), with changes."""
    form = page_context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = value if not hasattr(value, "pk") else value.pk
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_curator_maps_previews_and_imports_a_french_list(client_for, people, directory):
    client = client_for(None, people["curator"])
    response = _upload(client)
    upload = SourceUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/curation/sources/fichiers/{upload.pk}/"
    assert upload.columns == HEADER and upload.rows_total == 5

    page = client.get(response["Location"])
    assert page.status_code == 200
    text = _text(page)
    form = page.context["form"]
    # A first guess from the column names.
    guessed = {column: form[name].value() for column, name in form.column_fields}
    assert guessed["Nom du projet"] == "title" and guessed["SIRET"] == "siret"
    assert guessed["Statut du projet"] == "status" and guessed["Thèmes"] == "domains"
    assert guessed["Partenaires"] == "partners" and guessed["Description"] == "summary"
    assert "Exemples : « Déployé », « En expérimentation », « Abandonné »" in text
    # The values of « Statut du projet », the known ones already chosen.
    [status_group] = [g for g, _rows in form.value_groups if g.target.name == "status"]
    found = {f.text: f.code for f in status_group.values}
    assert found == {
        "En expérimentation": "pilot",
        "Déployé": "production",
        "Abandonné": "abandoned",
        "Bientôt": None,
    }
    # The preview: the first rows as stored, the errors by row and column.
    assert "Ligne 2 — Tri des courriers entrants" in text
    assert "RIAS" not in text  # no source yet: a provisional prefix
    assert "« SIRET »</strong> : SIRET « 200 062 586 00019 » refusé" in text
    assert "« Statut du projet »</strong> : « Bientôt » n'a pas de correspondance" in text
    assert "CA du Grand Annecy (SIRET, confiance 100 %)" in text
    assert "Sur les 5 lignes du fichier" in text

    # The curator writes the dates' format and « Bientôt » → Idée, and previews.
    [rows] = [rows for g, rows in form.value_groups if g is status_group]
    status_field = next(name for f, name in rows if f.text == "Bientôt")
    data = _form_data(
        page.context,
        date_format="mm/yyyy",
        **{status_field: "idea"},
        name=PROFILE,
        source_name="Réseau IA Savoie",
        source_publisher="Réseau des territoires numériques de Savoie",
        source_licence="Licence Ouverte 2.0",
        source_attribution="Réseau IA Savoie, liste des projets 2025",
        source_id_prefix="rias",
    )
    preview = client.post(f"/curation/sources/fichiers/{upload.pk}/", {**data, "action": "preview"})
    assert preview.status_code == 200
    text = _text(preview)
    assert "RIAS-1" in text and "mars 2023" in text
    assert "3 reprises" in text and "2 rejetées" in text
    assert not MappingProfile.objects.exists() and not SourceRecord.objects.exists()

    # Import: the profile is saved with its source, the file imported at once.
    done = client.post(f"/curation/sources/fichiers/{upload.pk}/", {**data, "action": "import"})
    assert done.status_code == 302
    run = ImportRun.objects.get()
    assert done["Location"] == f"/curation/sources/imports/{run.pk}/"
    assert (run.adapter, run.profile, run.state) == ("mapping", PROFILE, "done")
    assert (run.counts["created"], run.counts["rejected"]) == (3, 2)
    profile = MappingProfile.objects.get()
    assert profile.value_maps["status"]["bientot"] == "idea"
    assert profile.value_maps["status"]["deploye"] == "production"
    assert profile.column_map["SIRET"] == "siret" and profile.date_format == "mm/yyyy"
    assert profile.source.id_prefix == "RIAS"
    report = _text(client.get(done["Location"]))
    assert "3 fiches créées" in report and "2 lignes rejetées" in report
    assert "clé de contrôle" in report
    assert BenchmarkEntry.objects.get(public_id="RIAS-5").status == "idea"
    # The next edition of the list opens with its profile.
    _upload(client, name="reseau-ia-savoie_2026.csv")
    assert SourceUpload.objects.order_by("-pk").first().profile == profile


def test_a_refused_file_and_a_missing_title_are_said_in_french(client_for, people):
    client = client_for(None, people["curator"])
    response = _upload(client, content=b"\xff\xfe\x00\x00garbage", name="liste.xlsx")
    assert response.status_code == 400
    assert "Fichier XLSX illisible" in _text(response)
    _upload(client, content=b"Colonne A;Colonne B\n1;2\n")
    upload = SourceUpload.objects.get()
    page = client.get(f"/curation/sources/fichiers/{upload.pk}/")
    assert "Choisissez la colonne qui donne « Titre » : il est obligatoire." in _text(page)
    response = client.post(
        f"/curation/sources/fichiers/{upload.pk}/",
        {**_form_data(page.context), "action": "import", "name": "X"},
    )
    assert response.status_code == 400
    assert not ImportRun.objects.exists()


def test_a_large_file_is_imported_in_the_job_queue_with_its_progress(
    client_for, people, profile, directory, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(mapping_views, "QUEUE_THRESHOLD_BYTES", 100)
    client = client_for(None, people["curator"])
    _upload(client)
    upload = SourceUpload.objects.get()
    assert upload.profile == profile  # its columns are the profile's
    page = client.get(f"/curation/sources/fichiers/{upload.pk}/")
    in_memory = testing.InMemoryConnector()
    with app.replace_connector(in_memory):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/curation/sources/fichiers/{upload.pk}/",
                {**_form_data(page.context), "action": "import"},
            )
        run = ImportRun.objects.get()
        assert response["Location"] == f"/curation/sources/imports/{run.pk}/"
        assert run.state == "pending" and run.profile == PROFILE
        waiting = _text(client.get(response["Location"]))
        assert "Cette page se met à jour toute seule" in waiting
        assert re.search(r'<meta http-equiv="refresh" content="3">', waiting)
        [job] = in_memory.jobs.values()
        assert job["task_name"] == "registry.import_source"
        assert job["args"] == {"run_id": run.pk}
    # The job's body, as the worker runs it (its thread would not see this test's transaction).
    tasks.import_source(**job["args"])
    run.refresh_from_db()
    assert run.state == "done" and run.rows_done == 5
    assert (run.counts["created"], run.counts["rejected"]) == (2, 3)
    assert run.content is None


def test_a_run_whose_profile_is_gone_fails_with_its_reason(profile):
    run = source_import_prepare(
        adapter=m.MappingAdapter(profile), content=french_csv(), file_name="liste.csv"
    )
    MappingProfile.objects.filter(pk=profile.pk).delete()
    run = source_import_run(run.pk)
    assert run.state == "failed" and f"« {PROFILE} » inconnu" in run.error
    assert Source.objects.filter(pk=profile.source_id).exists()
