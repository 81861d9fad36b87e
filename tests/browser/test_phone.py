"""On a 390 px phone: no page of the public site or of a collectivité's is wider than the screen
(WCAG 1.4.10 reflow), the header's menu opens and closes, the explorer's sort applies on change,
and axe finds nothing serious on these pages."""

import pytest

from tests.browser.conftest import axe_violations, expect, login

pytestmark = pytest.mark.browser

PUBLIC = ["/", "/cas-d-usage/", "/cas-d-usage/74-CDG74-0001/", "/collectivites/",
          "/collectivites/grand-annecy/", "/outils/", "/tableau-de-bord/", "/mentions-legales/",
          "/accessibilite/", "/donnees-personnelles/", "/licence/", "/compte/connexion/",
          # issue 11, search: a search widened by synonyms, the knowledge base's search, a risk,
          # a phase and the bibliography at their French addresses
          "/cas-d-usage/?q=RH", "/connaissances/recherche/?q=agent+conversationnel",
          "/connaissances/risques/biais-d-automatisation/",
          "/connaissances/methode/deploiement-des-ia-metiers/",
          "/connaissances/bibliographie/",
          "/donnees-ouvertes/"]  # fmt: skip


def _width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.fixture
def phone(browser):
    ctx = browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 390, "height": 844}
    )
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    yield page
    ctx.close()


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_fit_a_phone(phone, live_site, path):
    phone.goto(live_site.url(None, path))
    assert _width(phone) <= 390, path
    violations = axe_violations(phone)
    assert not violations, violations


def test_the_menu_opens_and_closes_on_a_phone(phone, live_site):
    phone.goto(live_site.url(None, "/"))
    button = phone.get_by_role("button", name="Menu")
    explorer = phone.locator("#menu-principal").get_by_role("link", name="Explorer")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(explorer).to_be_hidden()
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(explorer).to_be_visible()
    assert _width(phone) <= 390
    phone.keyboard.press("Escape")
    expect(explorer).to_be_hidden()
    expect(button).to_be_focused()


def test_on_a_wide_screen_the_links_are_shown_without_a_menu(page, live_site):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_site.url(None, "/"))
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.locator("#menu-principal").get_by_role("link", name="Explorer")).to_be_visible()


def test_a_collectivite_site_fits_a_phone_and_has_the_menu(phone, live_site):
    login(phone, live_site, "grand-annecy", "admin@grand-annecy.example")
    for path in ["/", "/membres/", "/maturite/"]:
        phone.goto(live_site.url("grand-annecy", path))
        assert _width(phone) <= 390, path
    button = phone.get_by_role("button", name="Menu")
    button.click()
    expect(phone.locator("#menu-principal").get_by_role("link", name="Membres")).to_be_visible()


def test_the_explorer_sorts_on_change_and_shows_results_before_filters(phone, live_site):
    # The guide's cases only (the seed adds the PSTW's records, origin « public_source »): the
    # checked facet stays in the sorted address.
    phone.goto(live_site.url(None, "/cas-d-usage/?origin=declared"))
    expect(phone.locator("#filtres")).not_to_have_attribute("open", "")
    expect(phone.get_by_role("button", name="Trier")).to_be_hidden()
    results = phone.locator("#resultats").bounding_box()
    filters = phone.locator("#filtres").bounding_box()
    assert results["y"] < filters["y"]
    with phone.expect_navigation():
        phone.get_by_label("Trier par").select_option("title")
    assert "ordering=title" in phone.url and "origin=declared" in phone.url
    first = phone.locator(".result h3").first.inner_text()
    assert first.startswith("Accompagnement"), first


@pytest.mark.parametrize("width", [390, 1280])
def test_breadcrumbs_show_their_separators_and_the_language_button_looks_active(
    browser, live_site, width
):
    ctx = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    page = ctx.new_page()
    try:
        page.goto(live_site.url(None, "/connaissances/risques/biais-d-automatisation/"))
        crumbs = page.locator("nav.breadcrumb li")
        expect(crumbs).to_have_count(3)
        separator = crumbs.nth(1).evaluate(
            "li => { const s = getComputedStyle(li, '::before');"
            " return {content: s.content, color: s.color, display: s.display}; }"
        )
        assert separator["content"] == '"\u203a"' and separator["display"] != "none", separator
        assert separator["color"] not in ("rgba(0, 0, 0, 0)", "transparent"), separator
        expect(crumbs.nth(2)).to_have_attribute("aria-current", "page")
        button = page.locator("footer form.language button")
        expect(button).to_be_enabled()
        style = button.evaluate(
            "b => { const s = getComputedStyle(b);"
            " return {opacity: s.opacity, background: s.backgroundColor, cursor: s.cursor}; }"
        )
        # Not greyed: fully opaque, on the site's blue, with a hand cursor.
        assert style["opacity"] == "1" and style["cursor"] == "pointer", style
        red, _green, blue = (int(n) for n in style["background"][4:-1].split(",")[:3])
        assert blue > red + 60, style
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    finally:
        ctx.close()


def test_a_search_says_which_synonyms_it_used(phone, live_site):
    # The guide's cases (the seeded public sources may also speak of Scrum).
    phone.goto(live_site.url(None, "/cas-d-usage/?q=Scrum&origin=declared"))
    expect(phone.locator(".synonyms-used")).to_contain_text("« Scrum » (aussi « SCUM »)")
    expect(phone.locator(".result")).to_have_count(1)
    phone.goto(live_site.url(None, "/connaissances/recherche/?q=RH"))
    expect(phone.locator(".synonyms-used")).to_contain_text("« ressources humaines »")
    assert _width(phone) <= 390
