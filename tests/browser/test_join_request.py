"""The public join request in the browser (issue 12): a visitor finds their commune in the
directory as they type, sends the request, a curator accepts it from the curators' list and the
requester's invitation leaves. (Thônes, not Saint-Félix: the curators' onboarding test of
test_members.py needs Saint-Félix unregistered on the same live site.) /rejoindre/ and the curators' pages reflow at 390 px, and axe finds
no serious violation on them."""

import pytest

from registry.join import MIN_FILL_SECONDS
from tests.browser.conftest import expect, login
from tests.browser.test_members import _check_page, _queued_link

pytestmark = pytest.mark.browser

CURATOR = "curateur@cdg74.example"
REQUESTER = "secretariat@thones.example"


def test_a_visitor_asks_to_join_and_a_curator_accepts(page, browser, live_site):
    visitor = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    try:
        visitor.goto(live_site.url(None, "/collectivites/"))
        visitor.get_by_role("link", name="Votre collectivité n'est pas encore inscrite ?").click()
        expect(visitor.get_by_role("heading", level=1)).to_contain_text("Demander l'inscription")
        _check_page(visitor)
        visitor.get_by_label("Collectivité recherchée").press_sequentially("thones", delay=40)
        results = visitor.locator("#directory-results")
        expect(results).to_contain_text("Thônes")  # accents ignored, no submit
        _check_page(visitor)
        visitor.goto(live_site.url(None, "/rejoindre/?q=200066793"))
        expect(results).to_contain_text("Déjà dans le registre")
        visitor.goto(live_site.url(None, "/rejoindre/?q=74280"))
        results.get_by_role("link", name="Thônes").first.click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text(
            "Demander l'inscription de Thônes"
        )
        _check_page(visitor)
        visitor.get_by_label("Vos prénom et nom").fill("Claire Martin")
        visitor.get_by_label("Qui vous êtes : votre fonction").fill("Secrétaire de mairie")
        visitor.get_by_label("Votre adresse électronique professionnelle").fill("thones.fr")
        visitor.get_by_role("button", name="Envoyer la demande").click()
        expect(visitor.locator("#erreurs")).to_be_focused()  # seen on a phone, read out
        expect(visitor.locator(".field-error")).to_contain_text("adresse e-mail valide")
        _check_page(visitor)
        visitor.get_by_label("Votre adresse électronique professionnelle").fill(REQUESTER)
        visitor.get_by_label("Message aux curateurs (facultatif)").fill("Bonjour !")
        visitor.wait_for_timeout(MIN_FILL_SECONDS * 1000 + 200)  # a person takes that long
        visitor.get_by_role("button", name="Envoyer la demande").click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text("Votre demande est envoyée")
        expect(visitor.locator(".message.success")).to_contain_text(REQUESTER)
        _check_page(visitor)
    finally:
        visitor.context.close()

    login(page, live_site, None, CURATOR)
    page.goto(live_site.url(None, "/"))
    page.get_by_role("link", name="Demandes d'inscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demandes d'inscription")
    _check_page(page)
    page.get_by_role("link", name="Thônes").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thônes")
    expect(page.locator("main")).to_contain_text("Secrétaire de mairie")
    expect(page.get_by_label("Identifiant")).to_have_value("thones")
    expect(page.get_by_label("Adresse de contact de la collectivité")).to_have_value(REQUESTER)
    _check_page(page)
    page.get_by_role("button", name="Refuser la demande").click()
    expect(page.locator(".field-error").first).to_contain_text("obligatoire")
    page.get_by_role("button", name="Accepter et envoyer l'invitation").click()
    expect(page.locator(".message.success")).to_contain_text("Demande acceptée")
    expect(page.locator("main")).to_contain_text("Acceptée")
    _check_page(page)
    link = _queued_link(live_site, REQUESTER)
    assert f"thones.localhost:{live_site.port}" in link
