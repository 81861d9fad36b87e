"""Joining a collectivité in the browser (issue 12): its administrator invites a colleague from
the members page, the colleague opens the e-mail's link, chooses a password and lands on the
collectivité's site; the curators' onboarding search refreshes as one types. The new pages
reflow at 390 px and axe finds no serious violation on them."""

import re

import psycopg
import pytest

from tests.browser.conftest import axe_violations, expect, login

pytestmark = pytest.mark.browser

SLUG = "grand-annecy"
ADMIN = f"admin@{SLUG}.example"
CURATOR = "curateur@cdg74.example"
INVITEE = "nouvel.agent@grand-annecy.example"


def _no_horizontal_scroll(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide at {widths[1]} px"


def _check_page(page) -> None:
    """No serious axe violation at 1280 px, no horizontal scroll at 390 px."""
    page.set_viewport_size({"width": 1280, "height": 900})
    violations = axe_violations(page)
    assert not violations, str(violations)
    page.set_viewport_size({"width": 390, "height": 844})
    _no_horizontal_scroll(page)
    assert not axe_violations(page), page.url
    page.set_viewport_size({"width": 1280, "height": 900})


def _queued_link(live_site, email: str) -> str:
    """The invitation's link, read from the e-mail the server queued (no worker runs here)."""
    with psycopg.connect(live_site.database_url) as conn:
        body = conn.execute(
            "SELECT args->'message'->>'body' FROM procrastinate_jobs "
            "WHERE task_name = 'ops.send_email' AND args->'message'->'to' ? %s "
            "ORDER BY id DESC LIMIT 1",
            [email],
        ).fetchone()[0]
    return re.search(r"http://\S+/compte/invitation/[^/\s]+/", body).group(0)


def test_an_invitee_opens_the_link_sets_a_password_and_lands_on_the_site(page, browser, live_site):
    login(page, live_site, SLUG, ADMIN)
    page.goto(live_site.url(SLUG, "/membres/"))
    expect(page.get_by_role("heading", name="Membres", exact=True)).to_be_visible()
    _check_page(page)
    page.get_by_label("Adresse électronique professionnelle").fill(INVITEE)
    page.locator("select#id_role").select_option("contributor")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.locator(".message.success")).to_contain_text(f"Invitation envoyée à {INVITEE}")
    expect(page.locator("table").last).to_contain_text(INVITEE)
    _check_page(page)

    link = _queued_link(live_site, INVITEE)
    assert f"{SLUG}.localhost:{live_site.port}" in link
    invitee = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    try:
        invitee.goto(link)
        expect(invitee.get_by_role("heading", level=1)).to_contain_text("Rejoindre")
        _check_page(invitee)
        invitee.get_by_label("Prénom et nom").fill("Nouvel Agent")
        invitee.locator("#id_password1").fill("court")
        invitee.get_by_label("Confirmez le mot de passe").fill("court")
        invitee.get_by_role("button", name="Créer mon compte et rejoindre").click()
        expect(invitee.locator(".field-error").first).to_contain_text("trop court")
        _check_page(invitee)
        invitee.locator("#id_password1").fill("Un-vrai-mot-de-passe-2026")
        invitee.get_by_label("Confirmez le mot de passe").fill("Un-vrai-mot-de-passe-2026")
        invitee.get_by_role("button", name="Créer mon compte et rejoindre").click()
        expect(invitee).to_have_url(live_site.url(SLUG, "/"))
        expect(invitee.locator(".message.success")).to_contain_text("Bienvenue")
        expect(invitee.get_by_role("link", name="Déclarer un cas")).to_be_visible()  # contributor
        # The link served once.
        invitee.goto(link)
        expect(invitee.locator("[role='alert']")).to_contain_text("déjà été acceptée")
    finally:
        invitee.context.close()


def test_a_curator_finds_a_body_as_they_type_and_opens_its_onboarding_page(page, live_site):
    login(page, live_site, None, CURATOR)
    page.goto(live_site.url(None, "/curation/collectivites/"))
    page.get_by_label("Collectivité recherchée").press_sequentially("saint fel", delay=40)
    results = page.locator("#directory-results")
    expect(results).to_contain_text("Saint-Félix")  # no submit: the script refreshed the list
    expect(results).to_contain_text("Haute-Savoie (74)")
    _check_page(page)
    page.goto(live_site.url(None, "/curation/collectivites/?q=200066793"))
    expect(results).to_contain_text("Déjà dans le registre")
    page.goto(live_site.url(None, "/curation/collectivites/?q=74233"))
    results.get_by_role("link", name="Saint-Félix").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscrire Saint-Félix")
    expect(page.get_by_label("Identifiant")).to_have_value("saint-felix")
    _check_page(page)
