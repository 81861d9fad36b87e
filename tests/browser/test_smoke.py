"""The browser-test infrastructure works: real server, Debian's Chromium, sign-in, axe-core."""

import re

import pytest

from tests.browser.conftest import axe_violations, expect, login

pytestmark = pytest.mark.browser


def test_public_home_page(page, live_site):
    page.goto(live_site.url(None, "/"))
    expect(page).to_have_title(re.compile("Registre IA"))


def test_collectivite_site_asks_an_anonymous_visitor_to_sign_in(page, live_site):
    page.goto(live_site.url("grand-annecy", "/"))
    assert page.url.startswith(live_site.url("grand-annecy", "/compte/connexion/")), page.url


def test_demo_reader_signs_in_and_sees_the_guide_use_case(page, live_site):
    login(page, live_site, "grand-annecy", "lecteur@grand-annecy.example")
    assert page.url.startswith(live_site.url("grand-annecy", "/")), page.url
    expect(page.get_by_text("74-GRAND-ANNECY-0001").first).to_be_visible()


def test_axe_runs_on_the_public_home_page(page, live_site):
    """axe-core really inspects the served page: an image without a text alternative, planted
    in it, is reported (the pages' own violations are test_journeys' business)."""
    page.goto(live_site.url(None, "/"))
    page.evaluate(
        """() => {
            const probe = document.createElement("img");
            probe.id = "axe-probe";
            probe.src = "/static/axe-probe.png";
            document.body.appendChild(probe);
        }"""
    )
    violations = axe_violations(page)
    probes = [v for v in violations if v["id"] == "image-alt"]
    assert probes, str(violations)
    assert "#axe-probe" in probes[0]["targets"], str(violations)
