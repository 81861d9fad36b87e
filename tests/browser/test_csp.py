"""The Content-Security-Policy blocks nothing the pages need: no violation in the console on the
main pages (public site, a collectivité's site signed in, the API documentation)."""

import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "/",
    "/cas-d-usage/",
    "/cas-d-usage/74-GRAND-ANNECY-0001/",
    "/tableau-de-bord/",
    "/outils/",
    "/collectivites/",
    "/connaissances/",
    "/compte/connexion/",
    "/compte/mot-de-passe/oubli/",
    "/api/docs/",
    "/api/redoc/",
    "/api/v1/tools/?format=api",
]
# Nothing is expected to be blocked: Redoc's bundle is vendored with its CDN logo replaced
# (static/vendor/README.md).
EXPECTED_BLOCKS: tuple[str, ...] = ()
MEMBER_PAGES = ["/", "/cas-d-usage/74-GRAND-ANNECY-0001/", "/maturite/", "/maturite/resultat/"]


def _collect_csp_errors(page) -> list[str]:
    errors: list[str] = []

    def on_console(message):
        text = message.text
        if (
            message.type == "error"
            and "Content Security Policy" in text
            and not any(url in text for url in EXPECTED_BLOCKS)
        ):
            errors.append(f"{page.url}: {text}")

    page.on("console", on_console)
    return errors


def test_no_csp_violation_on_the_public_pages(page, live_site):
    errors = _collect_csp_errors(page)
    for path in PUBLIC_PAGES:
        response = page.goto(live_site.url(None, path))
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "camera=()" in response.headers["permissions-policy"]
        page.wait_for_load_state("networkidle")
    assert errors == []


def test_no_csp_violation_on_a_collectivites_pages(page, live_site):
    errors = _collect_csp_errors(page)
    login(page, live_site, "grand-annecy", "admin@grand-annecy.example")
    for path in MEMBER_PAGES:
        page.goto(live_site.url("grand-annecy", path))
        page.wait_for_load_state("networkidle")
    assert errors == []
