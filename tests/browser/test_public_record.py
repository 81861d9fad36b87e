"""The public record in the browser (issue 11): a seeded record's page reflows at 390 px and axe
finds no serious or critical violation on it; its « Signaler une erreur » form is labelled."""

import pytest

from tests.browser.conftest import expect
from tests.browser.test_members import _check_page

pytestmark = pytest.mark.browser


def test_a_public_record_reflows_and_passes_axe(page, live_site):
    page.goto(live_site.url(None, "/cas-d-usage/74-GRAND-ANNECY-0001/"))
    expect(page.get_by_role("heading", name="Historique des versions publiées")).to_be_visible()
    expect(page.get_by_label("Ce qui est inexact ou manque")).to_be_visible()
    _check_page(page)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/record-shots/record-live-{width}.png", full_page=True)
