"""The public site's pages: explorer, use case and tool pages, dashboard, home, languages."""

import re

import pytest

from tests.factories import PublishedUseCaseFactory

PUBLIC_PAGES = ["/", "/cas-d-usage/", "/cas-d-usage/74-CDG74-0001/", "/collectivites/",
                "/collectivites/cdg74/", "/outils/", "/outils/delibia/", "/tableau-de-bord/", "/couverture/",
                "/mentions-legales/", "/accessibilite/", "/donnees-personnelles/", "/licence/",
                "/compte/connexion/", "/compte/mot-de-passe/oubli/"]  # fmt: skip


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_render_in_french_and_load_nothing_from_outside(client_for, path):
    response = client_for(None).get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert re.search(r"<title>[^<]+— Registre IA des collectivités</title>", html)
    assert 'href="#contenu"' in html  # skip link
    loads = re.findall(
        r"""<(?:script|img|link|iframe)[^>]+(?:src|href)=["']((?:https?:)?//[^"']+)""", html
    )
    assert loads == [], loads


def test_explorer_filters_live_in_the_url_and_count(client_for):
    client = client_for(None)
    html = client.get("/cas-d-usage/?status=idea&status=design").content.decode()
    assert "3 cas d&#x27;usage" in html or "3 cas d'usage" in html
    assert "Initiation d&#x27;une dynamique intercommunale" in html
    assert "Modernisation de la gestion des arrêtés de carrière" not in html
    assert 'value="idea" checked' in html
    assert "/api/v1/benchmark/export.csv?status=idea&amp;status=design" in html


def test_explorer_search_is_accent_insensitive(client_for):
    html = client_for(None).get("/cas-d-usage/?q=arretes+de+carriere").content.decode()
    assert "Modernisation de la gestion des arrêtés de carrière" in html
    assert "1 cas d" in html


def test_explorer_paginates(client_for, annecy):
    for index in range(21):
        PublishedUseCaseFactory(collectivite=annecy, title=f"Cas numéro {index}")
    client = client_for(None)
    first = client.get("/cas-d-usage/").content.decode()
    assert "Page 1 sur 2" in first and "page=2" in first
    assert "Page 2 sur 2" in client.get("/cas-d-usage/?page=2").content.decode()


def test_explorer_explains_a_bad_address(client_for):
    response = client_for(None).get("/cas-d-usage/?status=termine")
    assert response.status_code == 400
    assert "valeurs inconnues" in response.content.decode()


def test_network_use_cases_show_to_members_only(client_for, people, cdg74):
    public_id = PublishedUseCaseFactory(
        collectivite=cdg74, title="Cas réservé au réseau", visibility="network"
    ).public_id
    assert client_for(None).get(f"/cas-d-usage/{public_id}/").status_code == 404
    assert "Cas réservé au réseau" not in client_for(None).get("/cas-d-usage/").content.decode()
    for who in ("reader", "curator"):
        response = client_for(None, people[who]).get(f"/cas-d-usage/{public_id}/")
        assert response.status_code == 200, who


def test_use_case_page_shows_steps_tools_and_similar_cases_peers_first(client_for, annecy, cdg74):
    same_kind = PublishedUseCaseFactory(
        collectivite=annecy, title="Autre cas juridique d'agglomération"
    ).public_id
    other_kind = PublishedUseCaseFactory(
        collectivite=cdg74, title="Cas juridique d'un centre de gestion"
    ).public_id
    subject = PublishedUseCaseFactory(
        collectivite=annecy, title="Veille juridique outillée", tool_slugs=["lexisnexis"]
    ).public_id
    html = client_for(None).get(f"/cas-d-usage/{subject}/").content.decode()
    assert 'href="/outils/lexisnexis/"' in html
    similar = html[html.index('id="similaires"') :]
    assert similar.index(same_kind) < similar.index(other_kind)
    steps = client_for(None).get("/cas-d-usage/74-CDG74-0001/").content.decode()
    assert steps.index("Formation des agents") < steps.index("Création du circuit de contrôle")


def test_tool_page_lists_who_uses_it_and_at_what_stage(client_for):
    html = client_for(None).get("/outils/delibia/").content.decode()
    assert "Collectivité expérimentant l&#x27;outil" in html
    assert "Expérimentation" in html


def test_dashboard_has_a_table_for_every_chart(client_for):
    html = client_for(None).get("/tableau-de-bord/").content.decode()
    assert html.count("<canvas") == 3
    assert html.count("<table") == 3
    assert 'id="chart-data" type="application/json"' in html
    assert "/static/vendor/chartjs/chart.umd.min.js" in html


# --- the collectivité's site --------------------------------------------------------------------


def test_a_visitor_can_switch_to_english_and_back(client_for):
    client = client_for(None)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/cas-d-usage/"})
    assert response.status_code == 302 and response["Location"] == "/cas-d-usage/"
    html = client.get("/cas-d-usage/").content.decode()
    assert '<html lang="en"' in html
    assert "Se connecter" not in html
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert '<html lang="fr"' in client.get("/").content.decode()


def test_the_home_page_counts_a_new_collectivite_at_once(client_for, db):
    from registry.services import collectivite_create

    assert "<strong>7</strong>" in client_for(None).get("/").content.decode()
    collectivite_create(slug="thones", name="Commune de Thônes", kind="commune")
    assert "<strong>8</strong>" in client_for(None).get("/").content.decode()


def test_favicon_ico_leads_to_the_site_icon_on_every_host(client_for):
    for slug in (None, "grand-annecy"):
        response = client_for(slug).get("/favicon.ico")
        assert response.status_code == 301, slug
        assert response["Location"].endswith("favicon.svg"), slug
