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
    page.goto(live_site.url(None, "/"))
    violations = axe_violations(page)
    # Not asserted yet (the pages are being rewritten): report only.
    # Once they are settled: assert not violations, str(violations)
    print(f"\n[axe] {page.url}\n{violations}")
    assert isinstance(violations, list)
