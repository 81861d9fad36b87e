"""Matching a French record of a public source to the directory of collectivités: SIRET/SIREN,
else INSEE code, else name and département, with the rule and the confidence; the unmatched
ones listed for a curator, whose match the next imports keep."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from registry.directory import DirectoryEntry
from registry.models import SourceRecord
from registry.services.sources import source_import
from registry.sources import Identity, adapter_for
from registry.sources.matching import Matcher
from tests.conftest import host_of
from tests.registry.test_sources import pstw_csv, pstw_row, pstw_rows

pytestmark = pytest.mark.django_db


def entry(key, kind, name, *, departement="", insee_code="", siren="", region="", population=0):
    body = DirectoryEntry(
        key=key,
        kind=kind,
        name=name,
        departement=departement,
        insee_code=insee_code,
        siren=siren,
        region=region,
        population=population or None,
        source="official",
    )
    body.refresh_search()
    body.save()
    return body


@pytest.fixture
def directory(db):
    return {
        "nantes": entry("commune:44109", "commune", "Nantes", departement="44",
                        insee_code="44109", siren="214401093", region="52", population=320732),
        "nantes_metropole": entry("epci:244400404", "metropole", "Nantes Métropole",
                                  departement="44", siren="244400404", region="52"),
        "saint_etienne": entry("commune:42218", "commune", "Saint-Étienne", departement="42",
                               insee_code="42218", siren="214202186", region="84"),
        "idf": entry("region:11", "region", "Île-de-France", insee_code="11", region="11"),
        "saint_denis_93": entry("commune:93066", "commune", "Saint-Denis", departement="93",
                                insee_code="93066", region="11"),
        "saint_denis_974": entry("commune:97411", "commune", "Saint-Denis", departement="974",
                                 insee_code="97411", region="04"),
        "annecy": entry("commune:74010", "commune", "Annecy", departement="74",
                        insee_code="74010", siren="200063402", region="84"),
    }  # fmt: skip


def match(identity: Identity):
    return Matcher().match_many([identity])[0]


def test_siret_then_siren_then_insee(directory):
    by_siret = match(Identity(name="?", siret="214 401 093 00018"))
    assert (by_siret.rule, by_siret.confidence, by_siret.entry) == (
        "siret",
        100,
        directory["nantes"],
    )
    by_siren = match(Identity(name="?", siren="244400404"))
    assert (by_siren.rule, by_siren.entry) == ("siren", directory["nantes_metropole"])
    by_insee = match(Identity(name="?", insee_code="74010"))
    assert (by_insee.rule, by_insee.confidence, by_insee.entry) == (
        "insee",
        95,
        directory["annecy"],
    )
    # A SIRET that the directory does not know: the next rules are tried.
    fallback = match(Identity(name="Annecy", siret="99999999900011", departements=("74",)))
    assert (fallback.rule, fallback.entry) == ("name_departement", directory["annecy"])


def test_name_and_departement_in_french_or_in_english(directory):
    city = match(Identity(name="City of Saint-Étienne", departements=("01", "42", "69")))
    assert (city.rule, city.confidence, city.entry) == (
        "name_departement",
        85,
        directory["saint_etienne"],
    )
    # Two bodies bear the name: the kind the source names first.
    nantes = match(
        Identity(name="Nantes Métropole & Ville", departements=("44", "49"), kinds=("commune",))
    )
    assert (nantes.rule, nantes.confidence, nantes.entry) == (
        "name_departement",
        70,
        directory["nantes_metropole"],
    )
    region = match(Identity(name="Île-de-France Regional Council", kinds=("region",)))
    assert (region.rule, region.confidence, region.entry) == ("name", 60, directory["idf"])


def test_an_ambiguous_or_unknown_name_is_left_for_a_curator(directory):
    ambiguous = match(Identity(name="Ville de Saint-Denis"))
    assert ambiguous.rule == "unmatched" and ambiguous.entry is None
    assert sorted(ambiguous.candidates) == ["commune:93066", "commune:97411"]
    placed = match(Identity(name="Ville de Saint-Denis", departements=("93",)))
    assert placed.entry == directory["saint_denis_93"]
    assert match(Identity(name="Paris Banliux Sud", departements=("91",))).rule == "unmatched"
    assert match(Identity(name="Prefecture de l'Ile de France")).rule == "not_local"
    assert match(Identity(name="Ministry of the Interior", local=False)).rule == "not_local"


def test_an_import_matches_its_french_records_and_lists_the_others(directory, people):
    header, _rows = pstw_rows()
    nuts, organisation = header.index("NUTS 2021"), header.index("Responsible organisation")
    unknown = [*pstw_row("PSTW-1027")]
    unknown[0], unknown[organisation], unknown[nuts] = "PSTW-9100", "Ville de Saint-Denis", "FR"
    rows = [pstw_row("PSTW-1027"), pstw_row("PSTW-1096"), pstw_row("PSTW-41"), unknown]
    run = source_import(adapter=adapter_for("pstw"), content=pstw_csv(rows), file_name="p.csv")
    assert run.counts["match_name_departement"] == 2 and run.counts["match_unmatched"] == 1
    nantes = SourceRecord.objects.get(original_id="PSTW-1027")
    assert (nantes.directory_entry, nantes.match_rule, nantes.match_confidence) == (
        directory["nantes_metropole"],
        "name_departement",
        70,
    )
    entry_payload = nantes.benchmark_entry.payload
    assert entry_payload["collectivite"]["kind"] == "metropole"
    assert entry_payload["collectivite"]["siren"] == "244400404"
    assert nantes.benchmark_entry.departement == "44"
    assert (
        SourceRecord.objects.get(original_id="PSTW-1096").directory_entry
        == directory["saint_etienne"]
    )

    # The curator's list: French records of local bodies that no rule matched.
    curator = Client(HTTP_HOST=host_of(None))
    curator.force_login(people["curator"])
    page = curator.get("/admin/registry/sourcerecord/?a_rapprocher=oui").content.decode()
    assert ">PSTW-9100</a>" in page
    assert ">PSTW-1027</a>" not in page and ">PSTW-41</a>" not in page

    # The curator matches it; the benchmark entry follows, and a re-import keeps it.
    record = SourceRecord.objects.get(original_id="PSTW-9100")
    response = curator.post(
        f"/admin/registry/sourcerecord/{record.pk}/change/",
        {"directory_entry": directory["saint_denis_93"].pk},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    record.refresh_from_db()
    assert (record.match_rule, record.match_confidence) == ("curator", 100)
    assert record.benchmark_entry.departement == "93"
    assert record.benchmark_entry.payload["provenance"]["match"]["rule"] == "curator"
    rows[3] = [*rows[3]]
    rows[3][1] = "Renamed in the source"
    again = source_import(adapter=adapter_for("pstw"), content=pstw_csv(rows), file_name="p.csv")
    assert again.counts["updated"] == 1
    record.refresh_from_db()
    assert record.directory_entry == directory["saint_denis_93"]
    assert record.match_rule == "curator"
    assert (
        ">PSTW-9100</a>"
        not in curator.get("/admin/registry/sourcerecord/?a_rapprocher=oui").content.decode()
    )


def test_a_french_list_with_sirets_matches_in_bulk(directory):
    """What a column-mapping import gives (Identity with SIRET): codes in one query."""
    identities = [Identity(name=f"n{i}", siret="21440109300018") for i in range(300)]
    with CaptureQueriesContext(connection) as queries:
        matches = Matcher().match_many(identities)
    assert {m.entry for m in matches} == {directory["nantes"]}
    assert len(queries.captured_queries) == 1
