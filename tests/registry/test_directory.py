"""The official directory (issue 12): load and refresh of a millésime, search, read API, seed."""

import io
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent
from casestudies.seed import seed_identities
from registry.models import Collectivite, DirectoryEntry, DirectoryRelease
from registry.services import (
    SHIPPED_DIRECTORY,
    directory_body_create,
    directory_body_update,
    directory_load,
)
from registry.vocabularies import DirectoryKind

DATA = Path(__file__).parent / "directory_data"
M2025 = DATA / "2025"
M2026 = DATA / "2026"
API = "/api/v1/directory/"


@pytest.fixture
def loaded(db):
    return directory_load(M2025, millesime=2025)


def _entry(key: str) -> DirectoryEntry:
    return DirectoryEntry.objects.get(key=key)


def _first(query: str) -> DirectoryEntry:
    return DirectoryEntry.objects.search(query).first()


# --- load ----------------------------------------------------------------------------------------


def test_a_millesime_loads_every_body_with_its_links(loaded):
    assert dict(loaded.created) == {
        "region": 2,
        "departement": 2,
        "ca": 1,
        "metropole": 1,
        "commune": 5,
        "commune_deleguee": 1,
    }
    annecy = _entry("commune:74010")
    assert (annecy.siren, annecy.departement, annecy.region) == ("200063402", "74", "84")
    assert annecy.postcodes == ["74000", "74370", "74600", "74940", "74960"]
    assert annecy.parent_epci == _entry("epci:200066793")
    assert annecy.millesime == 2025 and annecy.is_current and not annecy.managed_by_curators
    assert _entry("commune_deleguee:74011").parent == annecy
    epci = _entry("epci:200066793")
    assert (epci.kind, epci.get_kind_display()) == ("ca", "Communauté d'agglomération")
    assert _entry("epci:244500468").get_kind_display() == "Métropole"
    assert epci.member_communes.count() == 4
    assert _entry("departement:74").population == 130721 + 10075 + 1700 + 600
    release = DirectoryRelease.objects.get(millesime=2025)
    assert AuditEvent.objects.filter(action="directory_loaded", object_id=str(release.pk)).exists()


def test_a_second_load_of_the_same_millesime_changes_nothing(loaded):
    stamps = dict(DirectoryEntry.objects.values_list("key", "updated_at"))
    audits = AuditEvent.objects.count()
    again = directory_load(M2025, millesime=2025)
    assert not again.changed
    assert again.unchanged == sum(loaded.created.values())
    assert dict(DirectoryEntry.objects.values_list("key", "updated_at")) == stamps
    assert AuditEvent.objects.count() == audits
    out = io.StringIO()
    call_command("load_directory", str(M2025), "--millesime", "2025", stdout=out)
    assert "rien n'a changé" in out.getvalue()


def test_the_next_millesime_reports_new_and_merged_communes(loaded):
    report = directory_load(M2026, millesime=2026)
    assert report.new_communes == [("74233", "Saint-Félix")]
    assert report.merged_communes == [("74289", "Vallières-sur-Fier", [("74274", "Val-de-Fier")])]
    assert report.retired == {"commune": 1}
    assert report.updated["commune"] == 2  # Annecy's population, Vallières' name
    merged = _entry("commune:74274")
    assert not merged.is_current and merged.millesime == 2025
    assert merged.successor == _entry("commune:74289")
    assert _entry("commune_deleguee:74274").parent == _entry("commune:74289")
    assert _entry("commune:74010").millesime == 2026
    # Merged communes stay findable by their former code; the body comes first.
    assert _first("74274").key == "commune:74289"
    assert "commune:74274" not in {e.key for e in DirectoryEntry.objects.search("74274")}


def test_the_command_reports_what_changed(loaded):
    out = io.StringIO()
    call_command("load_directory", str(M2026), "--millesime", "2026", stdout=out)
    text = out.getvalue()
    assert "millésime 2026 chargé" in text
    assert "74233 Saint-Félix" in text
    assert "74289 Vallières-sur-Fier ← 74274 Val-de-Fier" in text


def test_an_older_millesime_is_refused(loaded):
    with pytest.raises(ValidationError, match="plus ancien"):
        directory_load(M2025, millesime=2024)


def test_a_load_never_erases_what_the_curators_entered(loaded):
    departement = _entry("departement:74")
    directory_body_update(departement, siren="227400017")
    cdg = directory_body_create(
        kind=DirectoryKind.CDG, name="CDG de la Haute-Savoie", departement="74"
    )
    directory_load(M2026, millesime=2026)
    assert _entry("departement:74").siren == "227400017"
    cdg.refresh_from_db()
    assert cdg.is_current and cdg.managed_by_curators


def test_official_data_are_not_edited_by_hand(loaded):
    with pytest.raises(ValidationError):
        directory_body_update(_entry("commune:74010"), name="Anneci")
    with pytest.raises(ValidationError):
        directory_body_create(kind=DirectoryKind.COMMUNE, name="Commune inventée")


# --- search --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("anecy", "commune:74010"),
        ("Annecy", "commune:74010"),
        ("74010", "commune:74010"),
        ("200063402", "commune:74010"),
        ("74000", "commune:74010"),
        ("orleans", "commune:45234"),
        ("ORLÉANS", "commune:45234"),
        ("grand annecy", "epci:200066793"),
        ("fillere", "commune:74282"),
        ("fi", "commune:74282"),
        ("annecy le vieux", "commune_deleguee:74011"),
        ("74011", "commune:74010"),
    ],
)
def test_search_by_name_code_siren_or_postcode(loaded, query, key):
    assert _first(query).key == key


def test_search_of_nothing_alike_finds_nothing(loaded):
    assert not DirectoryEntry.objects.search("zzzz").exists()
    assert not DirectoryEntry.objects.search("  ").exists()


# --- API -----------------------------------------------------------------------------------------


def test_the_api_answers_anyone_in_one_query(loaded, client_for):
    client = client_for(None)
    client.get(API, {"q": "x"})  # the throttle's first write, out of the count
    with CaptureQueriesContext(connection) as queries:
        response = client.get(API, {"q": "anecy"})
    assert response.status_code == 200
    directory_queries = [q for q in queries.captured_queries if "directoryentry" in q["sql"]]
    assert len(directory_queries) == 1
    first = response.json()["results"][0]
    assert first == {
        "key": "commune:74010",
        "name": "Annecy",
        "kind": "commune",
        "kind_label": "Commune",
        "insee_code": "74010",
        "siren": "200063402",
        "departement": "74",
        "departement_name": "Haute-Savoie",
        "region": "84",
        "postcodes": ["74000", "74370", "74600", "74940", "74960"],
        "population": 130721,
        "parent_epci": {
            "key": "epci:200066793",
            "name": "CA du Grand Annecy",
            "siren": "200066793",
            "insee_code": None,
        },
        "parent": None,
        "former_codes": ["74011"],
        "managed_by_curators": False,
        "millesime": 2025,
    }


def test_the_api_filters_and_bounds_its_answers(loaded, client_for):
    client = client_for(None)
    results = client.get(API, {"q": "annecy", "page_size": 1}).json()["results"]
    assert [r["key"] for r in results] == ["commune:74010"]
    epci = client.get(API, {"q": "annecy", "kind": ["ca", "metropole"]}).json()["results"]
    assert [r["key"] for r in epci] == ["epci:200066793"]
    loiret = client.get(API, {"q": "or", "departement": "45"}).json()["results"]
    assert {r["departement"] for r in loiret} == {"45"}


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "q", "Donnez au moins 2 caractères"),
        ({"q": "a"}, "q", "Donnez au moins 2 caractères"),
        ({"q": "annecy", "page_size": "51"}, "page_size", "Entier de 1 à 50 attendu."),
        ({"q": "annecy", "page_size": "0"}, "page_size", "Entier de 1 à 50 attendu."),
        ({"q": "annecy", "kind": "mairie"}, "kind", "Type inconnu"),
        ({"q": "annecy", "departement": "Savoie"}, "departement", "Code de département"),
    ],
)
def test_a_bad_query_is_a_french_400(loaded, client_for, params, field, message):
    response = client_for(None).get(API, params)
    assert response.status_code == 400
    assert message in response.json()[field][0]


def test_the_schema_declares_the_directory_and_its_nullable_fields(client_for):
    schema = client_for(None).get("/api/schema/?format=json").json()
    entry = schema["components"]["schemas"]["DirectoryEntry"]["properties"]
    for name in ("siren", "insee_code", "departement", "population", "parent_epci", "parent"):
        assert entry[name].get("nullable") is True, name
    parameters = {p["name"] for p in schema["paths"]["/api/v1/directory/"]["get"]["parameters"]}
    assert {"q", "page_size", "kind", "departement"} <= parameters


# --- seed ----------------------------------------------------------------------------------------


def test_the_seed_fills_the_guides_named_bodies_from_the_directory(db):
    directory_load(M2026, millesime=2026)
    collectivites = {c.slug: c for c in Collectivite.objects.all()}
    report = type("Report", (), {"count": lambda self, kind, created: None})()
    seed_identities(collectivites, report)
    annecy = Collectivite.objects.get(slug="grand-annecy")
    assert (annecy.siren, annecy.directory_entry.key) == ("200066793", "epci:200066793")
    filiere = Collectivite.objects.get(slug="filiere")
    assert (filiere.insee_code, filiere.siren, filiere.parent_epci) == (
        "74282",
        "200062586",
        annecy,
    )
    cdg = Collectivite.objects.get(slug="cdg74")
    assert cdg.directory_entry.managed_by_curators
    assert cdg.directory_entry.kind == DirectoryKind.CDG
    for slug in ("collectivite-a", "epci-a", "collectivite-b", "epci-b"):
        anonymous = Collectivite.objects.get(slug=slug)
        assert (anonymous.siren, anonymous.insee_code, anonymous.directory_entry) == ("", "", None)
    # Twice: nothing more.
    before = AuditEvent.objects.count()
    seed_identities(collectivites | {c.slug: c for c in Collectivite.objects.all()}, report)
    assert AuditEvent.objects.count() == before


# --- the shipped millésime -----------------------------------------------------------------------


def test_the_shipped_millesime_loads_in_seconds(db):
    started = time.monotonic()
    report = directory_load(SHIPPED_DIRECTORY, millesime=2026)
    seconds = time.monotonic() - started
    assert report.counts["communes_file"] == 37_590
    communes = DirectoryEntry.objects.filter(kind=DirectoryKind.COMMUNE)
    assert communes.count() == 34_969
    assert communes.filter(departement="74").count() == 279
    assert DirectoryEntry.objects.filter(kind__in=["cc", "ca", "cu", "metropole"]).count() == 1_255
    assert _first("anecy").key == "commune:74010"
    assert _first("200063402").key == "commune:74010"
    assert seconds < 60
