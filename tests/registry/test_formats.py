"""French formats (« 1er décembre », « 45,5 », « 12 000 € », plurals), the legal pages read from the
settings, the exports with readable headers and a typed XLSX, the explorer's new facets."""

import csv
import io
import re
from datetime import date, datetime

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation
from openpyxl import load_workbook

from registry import exports, formats


def _text(html: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", html)


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


# --- filters ---------------------------------------------------------------------------------------


def test_the_first_of_the_month_is_1er_in_french():
    with translation.override("fr"):
        assert formats.day_format(date(2026, 12, 1)) == "1er décembre 2026"
        assert formats.day_format(date(2026, 12, 2)) == "2 décembre 2026"
        assert render("{{ d|date_fr }}", d=date(2024, 4, 1)) == "1er avril 2024"
        assert render('{{ d|date_fr:"j F Y à H:i" }}', d=datetime(2025, 1, 1, 9, 5)) == (
            "1er janvier 2025 à 09:05"
        )
        assert render("{{ d|date_fr }}", d=None) == ""
    with translation.override("en"):
        assert "1er" not in formats.day_format(date(2026, 12, 1))


def test_numbers_and_euros_in_french():
    with translation.override("fr"):
        assert _text(render("{{ v|nombre }}", v=45.5)) == "45,5"
        assert _text(render("{{ v|nombre }}", v="12000")) == "12 000"
        assert _text(render("{{ v|euros }}", v=12000)) == "12 000 €"
        assert _text(render("{{ v|euros }}", v="1234.5")) == "1 234,50 €"
        assert render("{{ v|euros }}", v=None) == ""


@pytest.mark.parametrize(
    "n, expected", [(0, "0 collectivité"), (1, "1 collectivité"), (2, "2 collectivités")]
)
def test_counts_are_singular_for_0_and_1_in_french(n, expected):
    """The site's plural messages are in a French catalogue (locale/fr): without it, gettext
    would use English's rule and write « 0 collectivités »."""
    source = (
        "{% load i18n %}{% blocktranslate count counter=n %}{{ counter }} collectivité"
        "{% plural %}{{ counter }} collectivités{% endblocktranslate %}"
    )
    with translation.override("fr"):
        assert render(source, n=n) == expected
    with translation.override("en"):
        assert render(source, n=0) == "0 local authorities"


def test_home_page_counts_agree_with_their_number(client_for):
    html = _text(client_for(None).get("/").content.decode())
    assert re.search(r"<strong>7</strong>cas d(&#x27;|')usage publiés", html)
    assert "collectivités inscrites" in html


def test_login_of_a_collectivite_names_it_without_a_wrong_article(client_for, annecy):
    html = client_for("grand-annecy").get("/compte/connexion/").content.decode()
    assert "Espace réservé aux agents : Communauté d&#x27;agglomération du Grand Annecy" in html
    assert "aux agents de Communauté" not in html


# --- legal pages -----------------------------------------------------------------------------------


def test_legal_pages_say_what_is_to_be_completed_by_default(client_for):
    html = client_for(None).get("/mentions-legales/").content.decode()
    assert html.count("à compléter") >= 3
    assert "dpo@cdg74.example" in html


def test_legal_pages_read_the_settings(client_for, settings):
    settings.LEGAL = {
        **settings.LEGAL,
        "host_name": "Hébergeur Alpin SAS",
        "host_address": "1 rue du Lac, 74000 Annecy",
        "host_phone": "04 50 00 00 00",
        "dpo_name": "Camille Martin",
        "dpo_email": "dpo@cdg74.fr",
        "accessibility_email": "a11y@cdg74.fr",
        "accessibility_date": "2026-03-01",
    }
    legal = _text(client_for(None).get("/mentions-legales/").content.decode())
    for value in ["Hébergeur Alpin SAS", "1 rue du Lac, 74000 Annecy", "04 50 00 00 00",
                  "Camille Martin", "mailto:dpo@cdg74.fr"]:  # fmt: skip
        assert value in legal, value
    statement = _text(client_for(None).get("/accessibilite/").content.decode())
    assert "Déclaration établie le 1er mars 2026." in statement
    assert "mailto:a11y@cdg74.fr" in statement


# --- exports ---------------------------------------------------------------------------------------


def test_csv_with_readable_headers(api_for):
    response = api_for(None).get("/api/v1/benchmark/export.csv?entetes=lisibles")
    assert response.status_code == 200
    assert "-lisible.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 7
    cdg = next(row for row in rows if row["Identifiant public"] == "74-CDG74-0001")
    assert cdg["État d'avancement"] == "Expérimentation"
    assert cdg["Type de collectivité"] == "Centre de gestion"
    assert cdg["Risque au sens du règlement européen sur l'IA"] == "À qualifier"
    assert "status" not in cdg and "public_id" not in cdg
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", cdg["Publié le"])


def test_stable_codes_stay_the_default_and_a_wrong_variant_is_refused(api_for):
    raw = api_for(None).get("/api/v1/benchmark/export.csv").getvalue().decode("utf-8-sig")
    header = raw.splitlines()[0].split(";")
    assert header[:2] == ["public_id", "uuid"] and "status" in header
    assert api_for(None).get("/api/v1/benchmark/export.csv?entetes=jolies").status_code == 400


def test_readable_headers_are_in_the_api_schema(api_for):
    schema = api_for(None).get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "entetes" in schema and "lisibles" in schema


@pytest.mark.parametrize("query", ["", "?entetes=lisibles"])
def test_xlsx_has_typed_dates_a_frozen_header_an_autofilter_and_widths(api_for, query):
    response = api_for(None).get(f"/api/v1/benchmark/export.xlsx{query}")
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}8"
    assert sheet.cell(1, 1).font.b
    headers = [cell.value for cell in sheet[1]]
    published = headers.index("Publié le" if query else "published_at") + 1
    cell = sheet.cell(2, published)
    assert isinstance(cell.value, datetime) and cell.is_date
    title = headers.index("Titre" if query else "title") + 1
    assert sheet.column_dimensions[sheet.cell(1, title).column_letter].width >= 30
    started = headers.index("Début" if query else "started_on") + 1
    assert sheet.cell(2, started).number_format == "DD/MM/YYYY"


def test_readable_headers_are_french_labels():
    with translation.override("fr"):
        headers = [exports.header_of(name) for name in exports.readable_columns()]
    assert headers[:4] == ["Identifiant public", "Identifiant universel",
                           "Collectivité (identifiant)", "Collectivité"]  # fmt: skip
    assert all(not re.fullmatch(r"[a-z_]+", header) for header in headers), headers


def test_the_explorer_offers_the_readable_and_the_stable_exports(client_for):
    html = client_for(None).get("/cas-d-usage/?status=idea").content.decode()
    assert "/api/v1/benchmark/export.xlsx?status=idea&amp;entetes=lisibles" in html
    assert "/api/v1/benchmark/export.csv?status=idea" in html
    assert "/api/v1/benchmark/export.json?status=idea" in html
    licence = client_for(None).get("/licence/").content.decode()
    assert "entetes=lisibles" in licence and ".json" in licence


# --- explorer ----------------------------------------------------------------------------------------


def test_explorer_facets_for_departement_collectivite_and_year(client_for):
    client = client_for(None)
    html = _text(client.get("/cas-d-usage/").content.decode())
    for legend in ["Département", "Collectivité", "Année de publication"]:
        assert f"<legend>{legend}</legend>" in html, legend
    assert 'name="departement" value="74"' in html
    # The département by its name, not its bare code; the collectivité by its name.
    assert 'value="74" > 74 — Haute-Savoie <span class="meta">' in html
    assert "Communauté d&#x27;agglomération du Grand Annecy <span" in html
    page = _text(client.get("/collectivites/grand-annecy/").content.decode())
    assert "<dd>74 — Haute-Savoie</dd>" in page
    assert "<td>74 — Haute-Savoie</td>" in _text(client.get("/collectivites/").content.decode())
    checked = _text(client.get("/cas-d-usage/?departement=2A").content.decode())
    assert "2A — Corse-du-Sud <span" in checked and "0 cas d" in checked
    assert 'name="collectivite" value="grand-annecy"' in html
    year = re.search(r'name="year" value="(\d{4})"', html).group(1)
    assert f"{year} <span" in html  # the year is not grouped like a number (« 2 026 »)
    one = _text(client.get("/cas-d-usage/?collectivite=grand-annecy").content.decode())
    assert "1 cas d" in one and "Accompagnement de l" in one
    assert "1 actif" in one
    assert "0 cas d" in _text(client.get("/cas-d-usage/?year=1999").content.decode())
    assert client.get("/cas-d-usage/?year=20x6").status_code == 400


def test_explorer_results_come_before_the_filters_and_sorting_has_a_button(client_for):
    html = client_for(None).get("/cas-d-usage/").content.decode()
    assert html.index('id="resultats"') < html.index('id="filtres"')
    assert '<details class="filters-panel" id="filtres" open>' in html
    assert 'class="secondary sort-apply"' in html
    assert "js/explorer.js" in html


@override_settings(LANGUAGE_CODE="fr")
def test_the_header_has_a_menu_button_for_phones(client_for):
    html = client_for(None).get("/").content.decode()
    assert 'aria-controls="menu-principal"' in html and 'aria-expanded="false"' in html
    assert 'id="menu-principal"' in html and "js/menu.js" in html
