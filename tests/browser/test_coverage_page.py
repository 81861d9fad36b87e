"""The coverage page in a real browser: readable on a phone, no serious accessibility fault, and
the map's départements lead to their figures."""

import pytest

from tests.browser.conftest import axe_violations, expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
def test_coverage_page_fits_the_screen_and_has_no_serious_violation(page, live_site, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_site.url(None, "/couverture/"))
    expect(page.get_by_role("heading", name="Couverture du registre")).to_be_visible()
    scroll = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert scroll <= 0, f"horizontal scroll of {scroll} px at {width} px"
    violations = axe_violations(page)
    assert not violations, str(violations)
    page.screenshot(path=f"test-results/coverage-{width}.png", full_page=False)


def test_a_departement_of_the_map_leads_to_its_row(page, live_site):
    page.goto(live_site.url(None, "/couverture/"))
    # The seed loads the real directory: the Haute-Savoie has 279 communes.
    link = page.locator('svg.map a[href="#departement-74"]')
    expect(link).to_have_attribute("aria-label", "Haute-Savoie : 1 commune sur 279, 1 EPCI sur 21")
    assert page.locator("svg.map a").count() == 96 + 5
    link.click()
    expect(page).to_have_url(live_site.url(None, "/couverture/#departement-74"))
    expect(page.locator("#departement-74")).to_contain_text("1 sur 279")
