"""A curator imports a network's list by column mapping (issue 13), in the browser: uploads a
French CSV, finds its columns guessed from their names, says how its dates are written and what
« Bientôt » means, previews the first rows as they will be stored (a wrong SIRET named with its
row and column), saves the profile with its source and imports; the report lists what landed and
what did not, and the records are in the explorer. Every page reflows at 390 px, and axe finds no
serious violation on them."""

import csv
import io

import pytest

from tests.browser.conftest import expect, login
from tests.browser.test_members import _check_page

pytestmark = pytest.mark.browser

CURATOR = "curateur@cdg74.example"
ROWS = [
    [
        "N°",
        "Collectivité",
        "SIRET",
        "Type de collectivité",
        "Nom du projet",
        "Description",
        "Statut du projet",
        "Date de lancement",
        "Thèmes",
    ],
    [
        "1",
        "Grand Annecy",
        "200 066 793 00015",
        "Communauté d'agglomération",
        "Tri des courriers entrants",
        "Un outil lit les courriers et propose le service destinataire.",
        "Déployé",
        "03/2023",
        "Mobilité ; Environnement",
    ],
    [
        "2",
        "Fillière",
        "200 062 586 00019",
        "Commune",
        "Agent conversationnel de l'accueil",
        "Répond aux questions des habitants.",
        "En expérimentation",
        "09/2024",
        "Relation usagers et accueil",
    ],
    [
        "3",
        "Vallières-sur-Fier",
        "",
        "Commune",
        "Comptage des véhicules",
        "Caméras et comptage automatique.",
        "Bientôt",
        "",
        "Mobilité",
    ],
]


def _file() -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";").writerows(ROWS)
    return out.getvalue().encode("utf-8")


def test_a_curator_maps_previews_and_imports_a_list(page, live_site):
    login(page, live_site, None, CURATOR)
    page.goto(live_site.url(None, "/"))
    page.get_by_role("link", name="Importer une liste").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer une liste de projets")
    _check_page(page)
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(
        files=[{"name": "reseau-ia-savoie_2025.csv", "mimeType": "text/csv", "buffer": _file()}]
    )
    page.get_by_role("button", name="Déposer et faire correspondre les colonnes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Faire correspondre les colonnes de « reseau-ia-savoie_2025.csv »"
    )
    # The columns guessed from their names, their first values shown beside them.
    expect(page.get_by_label("Nom du projet")).to_have_value("title")
    expect(page.get_by_label("SIRET", exact=True)).to_have_value("siret")
    expect(page.get_by_label("Statut du projet")).to_have_value("status")
    expect(page.locator("main")).to_contain_text("Exemples : « Déployé », « En expérimentation »")
    # The known values already chosen, the unknown one said.
    expect(page.get_by_label("« Déployé »")).to_have_value("production")
    expect(page.get_by_label("« Bientôt »")).to_have_value("__none__")
    _check_page(page)

    page.get_by_label("Les dates du fichier s'écrivent").select_option("mm/yyyy")
    page.get_by_label("« Bientôt »").select_option(label="Idée / veille")
    page.get_by_role("button", name="Appliquer et prévisualiser").click()
    preview = page.locator(".preview")
    expect(preview).to_contain_text("2 reprises")
    expect(preview).to_contain_text("1 rejetée")
    first = preview.locator(".preview-row").first
    expect(first).to_contain_text("Ligne 2 — Tri des courriers entrants")
    expect(first).to_contain_text("mars 2023")
    expect(first).to_contain_text("Mobilité, Environnement")
    expect(first).to_contain_text("CA du Grand Annecy (SIRET, confiance 100 %)")
    rejected = preview.locator(".preview-row.rejected")
    expect(rejected).to_contain_text("Ligne 3 — Agent conversationnel de l'accueil")
    expect(rejected).to_contain_text("« SIRET » : SIRET « 200 062 586 00019 » refusé")
    expect(page.get_by_label("« Bientôt »")).to_have_value("idea")
    _check_page(page)

    # Import without naming the source: refused, the summary says where.
    page.get_by_label("Nom du profil").fill("Réseau IA Savoie (navigateur)")
    page.get_by_role("button", name="Enregistrer le profil et importer").click()
    expect(page.locator("#erreurs")).to_be_focused()
    expect(page.locator("#erreurs")).to_contain_text(
        "Nom de la source : Indiquez le nom de la source."
    )
    _check_page(page)
    page.get_by_label("Nom de la source").fill("Réseau IA Savoie (navigateur)")
    page.get_by_label("Qui la publie").fill("Réseau des territoires numériques de Savoie")
    page.get_by_label("Licence", exact=True).fill("Licence Ouverte 2.0")
    page.get_by_label("Mention à citer avec chaque fiche").fill("Réseau IA Savoie, 2025")
    page.get_by_label("Préfixe des identifiants publics").fill("RIASNAV")
    page.get_by_role("button", name="Enregistrer le profil et importer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Import de « reseau-ia-savoie_2025.csv »"
    )
    report = page.locator("main")
    expect(report).to_contain_text("Terminé")
    expect(report).to_contain_text("2 fiches créées")
    expect(report).to_contain_text("1 ligne rejetée")
    expect(report).to_contain_text("clé de contrôle incorrecte")
    _check_page(page)
    page.get_by_role(
        "link", name="Voir les fiches des sources publiques dans l'explorateur"
    ).click()
    page.goto(live_site.url(None, "/cas-d-usage/RIASNAV-3/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Comptage des véhicules")
    expect(page.locator("main")).to_contain_text("Source publique, non validée par la collectivité")
    # The saved profile is listed, with its command line.
    page.goto(live_site.url(None, "/curation/sources/"))
    expect(page.locator("main")).to_contain_text(
        'import_source mapping FICHIER --profile "Réseau IA Savoie (navigateur)"'
    )
