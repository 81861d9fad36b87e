"""Peers and coverage from the official directory (issue 12), on the small 2026 millésime of
tests/registry/directory_data: Haute-Savoie (74) has Annecy, Fillière, Vallières-sur-Fier and
Saint-Félix, all in the CA du Grand Annecy; Loiret (45) has Orléans, in Orléans Métropole."""

import csv
import hashlib
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import coverage as cov
from registry.models import BenchmarkEntry, Collectivite, DirectoryEntry, Tool
from registry.peers import peers_of
from registry.selectors import similar_entries
from registry.services import collectivite_update, directory_load
from tests.factories import PublishedUseCaseFactory
from tests.registry.test_directory import M2026

# Each seeded collectivité of the guide has one public case.
LINKS = {
    # slug: (directory key, other fields)
    "grand-annecy": ("epci:200066793", {}),
    "filiere": ("commune:74282", {}),
    "collectivite-a": ("commune:74010", {"kind": "commune"}),
    "collectivite-b": ("commune:45234", {"kind": "commune"}),
    "epci-b": ("epci:244500468", {"kind": "metropole", "departement": "45"}),
}


@pytest.fixture
def directory(db):
    directory_load(M2026, millesime=2026)
    linked = {}
    for slug, (key, fields) in LINKS.items():
        linked[slug] = collectivite_update(
            Collectivite.objects.get(slug=slug),
            directory_entry=DirectoryEntry.objects.get(key=key),
            **fields,
        )
    # Not in the directory: a commune of 12 000 inhabitants typed in by hand, in the Loiret.
    linked["epci-a"] = collectivite_update(
        Collectivite.objects.get(slug="epci-a"), kind="commune", population=12000, departement="45"
    )
    return linked


def _peers(slug: str) -> dict[str, tuple[str, ...]]:
    return {peer.slug: peer.rules for peer in peers_of(Collectivite.objects.get(slug=slug))}


# --- peers ---------------------------------------------------------------------------------------


def test_a_commune_s_peers_are_its_epci_s_members_its_epci_and_its_look_alikes(directory):
    # Fillière (10 075 inhabitants): Annecy is of its EPCI and its département (but 13 times
    # bigger), the Grand Annecy is its EPCI, the commune of 12 000 inhabitants is comparable.
    assert _peers("filiere") == {
        "collectivite-a": ("same_epci", "departement"),
        "grand-annecy": ("own_epci",),
        "epci-a": ("population",),
    }
    peers = peers_of(directory["filiere"])
    assert [peer.slug for peer in peers] == ["collectivite-a", "grand-annecy", "epci-a"]
    assert peers[0].reason == "même EPCI, même département"
    assert peers[1].reason == "son EPCI"
    assert peers[2].reason == "population comparable (12\xa0000 hab.)"


def test_an_epci_s_peers_are_its_member_communes(directory):
    assert _peers("grand-annecy") == {
        "filiere": ("epci_member",),
        "collectivite-a": ("epci_member",),
    }


def test_population_is_comparable_from_half_to_twice(directory):
    # Orléans (116 357): Annecy (132 117) is comparable; the 12 000 of the Loiret is not, but it
    # is a commune of the same département. Orléans Métropole is its EPCI.
    assert _peers("collectivite-b") == {
        "epci-b": ("own_epci",),
        "collectivite-a": ("population",),
        "epci-a": ("departement",),
    }
    annecy = next(p for p in peers_of(directory["collectivite-b"]) if p.slug == "collectivite-a")
    assert annecy.reason == "population comparable (132\xa0117 hab.)"
    collectivite_update(directory["epci-a"], population=58_178)  # 116 357 / 2 = 58 178.5
    assert _peers("collectivite-b")["epci-a"] == ("departement",)
    collectivite_update(directory["epci-a"], population=58_179)
    assert _peers("collectivite-b")["epci-a"] == ("population", "departement")


def test_peers_take_two_queries_whatever_their_number(directory):
    with CaptureQueriesContext(connection) as queries:
        peers = peers_of(directory["filiere"])
    assert len(peers) == 3 and len(queries) == 2


def test_similar_cases_come_from_peers_first_and_say_why(directory):
    subject = PublishedUseCaseFactory(collectivite=directory["filiere"], tool_slugs=["delibia"])
    entry = BenchmarkEntry.objects.get(public_id=subject.public_id)
    # The guide's cases of these (one each) share no tool with it: give them Délib-IA.
    slugs = ("cdg74", "epci-a", "grand-annecy", "collectivite-a")
    tool = Tool.objects.get(slug="delibia")
    BenchmarkEntry.objects.filter(collectivite__slug__in=slugs).update(tool_ids=[tool.pk])
    with CaptureQueriesContext(connection) as queries:
        similar = similar_entries(entry, ["public"])
    # The peers (2), the benchmark's version, the ranking; then the ranking comes from the cache.
    assert len(queries) == 4, [q["sql"][:80] for q in queries.captured_queries]
    with CaptureQueriesContext(connection) as queries:
        assert similar_entries(entry, ["public"]) == similar
    assert len(queries) == 3, [q["sql"][:80] for q in queries.captured_queries]
    shown = [(item["uc"]["collectivite"]["slug"], str(item["reason"])) for item in similar]
    by_slug = {}
    for slug, reason in shown:
        by_slug.setdefault(slug, reason)
    assert by_slug["collectivite-a"] == "même EPCI, même département"
    assert by_slug["grand-annecy"] == "son EPCI"
    order = [slug for slug, _reason in shown]
    assert order.index("collectivite-a") < order.index("epci-a")
    if "cdg74" in order:
        assert order.index("epci-a") < order.index("cdg74")
        assert by_slug["cdg74"] == ""


def test_the_use_case_page_says_why_a_similar_case_is_shown(client_for, directory):
    subject = PublishedUseCaseFactory(collectivite=directory["filiere"], tool_slugs=["delibia"])
    PublishedUseCaseFactory(collectivite=directory["grand-annecy"], tool_slugs=["delibia"])
    html = client_for(None).get(f"/cas-d-usage/{subject.public_id}/").content.decode()
    similar = html[html.index('id="similaires"') :]
    assert "Proposé car : son EPCI." in similar


# --- coverage ------------------------------------------------------------------------------------


def _tallies(area):
    return (
        (area.communes.members, area.communes.publishing, area.communes.total),
        (area.epci.members, area.epci.publishing, area.epci.total),
    )


def test_coverage_figures_match_a_hand_count(directory):
    # Fillière's case is for the network only: an anonymous visitor does not see it.
    BenchmarkEntry.objects.filter(collectivite=directory["filiere"]).update(visibility="network")
    figures = cov.coverage(["public"])
    assert figures.millesime == 2026
    assert [(r.code, r.name) for r in figures.regions] == [
        ("84", "Auvergne-Rhône-Alpes"),
        ("24", "Centre-Val de Loire"),
    ]
    deps = {dep.code: dep for dep in figures.departements}
    # Haute-Savoie: Annecy and Fillière of 4 communes (only Annecy's case is public), the
    # Grand Annecy of 1 EPCI.
    assert deps["74"].name == "Haute-Savoie"
    assert _tallies(deps["74"]) == ((2, 1, 4), (1, 1, 1))
    # Loiret: Orléans of 1 commune, Orléans Métropole of 1 EPCI; the commune of 12 000 typed in
    # by hand has no directory entry: not placed.
    assert _tallies(deps["45"]) == ((1, 1, 1), (1, 1, 1))
    assert _tallies(figures.regions[0]) == _tallies(deps["74"])
    assert _tallies(figures.france) == ((3, 2, 5), (2, 2, 2))
    assert cov.area_sentence(deps["74"]) == "Haute-Savoie : 2 communes sur 4, 1 EPCI sur 1"
    # A member of the network sees Fillière's case.
    assert _tallies(cov.coverage(["public", "network"]).france) == ((3, 3, 5), (2, 2, 2))


def test_coverage_takes_two_queries_whatever_the_number_of_departements(directory):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        cov.coverage(["public"])
    assert len(queries) == 4  # the directory's totals, then cached for this millésime
    with CaptureQueriesContext(connection) as queries:
        cov.coverage(["public"])
    assert len(queries) == 2
    for code in ("01", "38", "73"):
        DirectoryEntry.objects.create(
            key=f"departement:{code}", kind="departement", name=f"D{code}", insee_code=code,
            departement=code, region="84", source="official",
        )  # fmt: skip
        DirectoryEntry.objects.create(
            key=f"commune:{code}001", kind="commune", name=f"C{code}", insee_code=f"{code}001",
            departement=code, region="84", source="official",
        )  # fmt: skip
    cache.clear()  # as a new load would (its key changes)
    with CaptureQueriesContext(connection) as queries:
        figures = cov.coverage(["public"])
    assert len(queries) == 4
    assert len(figures.departements) == 5
    assert figures.regions[0].communes.total == 4 + 3


def test_coverage_page_has_a_map_with_titles_and_links_and_a_table(
    client_for, directory, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client_for(None).get("/couverture/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and 'class="map"' in html
    # The Haute-Savoie on the map: its title says its figures, its link goes to its row.
    assert re.search(
        r'<a href="#departement-74" aria-label="Haute-Savoie : 2 communes sur 4, 1 EPCI sur 1">'
        r"<title>Haute-Savoie : 2 communes sur 4, 1 EPCI sur 1</title><path class=\"cov-2\"",
        html,
    )
    # Départements the small directory does not list are not drawn.
    assert 'href="#departement-29"' not in html
    assert '<tr id="departement-74" class="departement">' in html
    assert '<tr id="region-84" class="region">' in html
    assert "France</strong> : 3 communes sur 5, 2 EPCI sur 2." in html
    assert 'href="/couverture/couverture.csv"' in html
    assert "CC BY 4.0" in html


def test_coverage_csv_has_the_same_figures(client_for, directory):
    response = client_for(None).get("/couverture/couverture.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == [
        "Niveau", "Code", "Nom", "Région", "Communes dans le registre",
        "Communes ayant publié un cas", "Communes de l'annuaire", "EPCI dans le registre",
        "EPCI ayant publié un cas", "EPCI de l'annuaire",
    ]  # fmt: skip
    assert rows[1] == ["France", "FR", "France", "", "3", "3", "5", "2", "2", "2"]
    assert ["Département", "74", "Haute-Savoie", "Auvergne-Rhône-Alpes", "2", "2", "4", "1",
            "1", "1"] in rows  # fmt: skip
    assert len(rows) == 1 + 1 + 2 + 2


def test_coverage_api_is_open_and_documented(client_for, directory):
    response = client_for(None).get("/api/v1/coverage/")
    assert response.status_code == 200
    body = response.json()
    assert body["millesime"] == 2026
    assert body["france"]["communes"] == {"members": 3, "publishing": 3, "total": 5}
    haute_savoie = body["regions"][0]["departements"][0]
    assert haute_savoie == {
        "code": "74",
        "name": "Haute-Savoie",
        "communes": {"members": 2, "publishing": 2, "total": 4},
        "epci": {"members": 1, "publishing": 1, "total": 1},
    }
    schema = client_for(None).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/coverage/"]["get"]
    assert operation["summary"].startswith("Couverture")
    assert "CoverageTally" in schema["components"]["schemas"]


def test_the_vendored_map_is_the_one_its_readme_names(directory):
    digest = hashlib.sha256(cov.MAP_FILE.read_bytes()).hexdigest()
    assert digest in (cov.MAP_DIR / "README.md").read_text(encoding="utf-8")
    assert "Attribution 4.0 International" in (cov.MAP_DIR / "LICENSE.md").read_text("utf-8")
    codes = [code for code, _d in cov.map_shapes()]
    assert len(codes) == 96 and {"2A", "2B", "74", "75"} <= set(codes)


# --- an EPCI's page --------------------------------------------------------------------------------


def test_an_epci_page_lists_its_member_communes_and_who_takes_part(
    client_for, directory, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        html = client_for(None).get("/collectivites/grand-annecy/").content.decode()
    members = html[html.index('id="membres"') : html.index('id="pairs"')]
    assert "4 communes membres d'après l'annuaire officiel, dont 2 dans le registre" in members
    for name in ("Annecy", "Fillière", "Saint-Félix", "Vallières-sur-Fier"):
        assert name in members
    assert '<a href="/collectivites/filiere/">Fillière</a>' in members
    assert "Oui, 1 cas publié" in members
    assert members.count(">Non</td>") == 2
    # Its peers, with their rule.
    peers = html[html.index('id="pairs"') :]
    assert "commune membre de l&#x27;EPCI" in peers


def test_a_commune_page_names_its_epci_and_its_peers(client_for, directory):
    html = client_for(None).get("/collectivites/filiere/").content.decode()
    assert '<a href="/collectivites/grand-annecy/">CA du Grand Annecy</a>' in html
    assert 'id="membres"' not in html
    peers = html[html.index('id="pairs"') :]
    assert "3 collectivités comparables" in peers
    assert "population comparable (12\xa0000 hab.)" in peers
