"""What agents, project leads and curators do in the browser, end to end, and accessibility."""

import re
import uuid

import pytest

from tests.browser.conftest import axe_violations, expect, login

pytestmark = pytest.mark.browser


def test_visitor_filters_the_explorer_and_opens_a_use_case(page, live_site):
    page.goto(live_site.url(None, "/cas-d-usage/"))
    page.get_by_role("checkbox", name=re.compile(r"Ressources humaines")).check()
    page.get_by_role("button", name="Appliquer les filtres").click()
    expect(page).to_have_url(re.compile(r"domain=ressources-humaines"))
    expect(page.get_by_role("heading", name=re.compile(r"^2 cas d'usage"))).to_be_visible()
    page.get_by_role("link", name="Modernisation de la gestion des arrêtés de carrière").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Modernisation de la gestion des arrêtés de carrière"
    )
    expect(page.get_by_text("Création du circuit de contrôle")).to_be_visible()
    # the filtered address can be shared: it opens on the same results
    page.go_back()
    expect(page.get_by_role("checkbox", name=re.compile(r"Ressources humaines"))).to_be_checked()


def test_a_use_case_goes_from_the_form_to_the_explorer(browser, live_site):
    title = f"Tri du courrier entrant {uuid.uuid4().hex[:6]}"

    # A contributor declares it, meeting a field error first.
    contributor = browser.new_context(locale="fr-FR").new_page()
    login(contributor, live_site, "grand-annecy", "contributeur@grand-annecy.example")
    contributor.goto(live_site.url("grand-annecy", "/cas-d-usage/nouveau/"))
    contributor.get_by_label("Résumé").fill("Un outil propose le service destinataire du courrier.")
    contributor.get_by_role("button", name="Créer le brouillon et continuer").click()
    title_field = contributor.get_by_label("Titre")
    expect(title_field).to_have_attribute("aria-invalid", "true")
    expect(contributor.locator("#id_title-error")).to_have_text("Ce champ est obligatoire.")
    expect(contributor.get_by_role("alert")).to_contain_text("erreurs")
    title_field.fill(title)
    contributor.get_by_role("button", name="Créer le brouillon et continuer").click()
    expect(contributor).to_have_url(re.compile(r"/modifier/classification/$"))
    contributor.get_by_label("Mistral").check()
    contributor.get_by_label("Famille d'IA").select_option("business")
    contributor.get_by_label("Relation usagers et accueil").check()
    contributor.get_by_label("Niveau d'automatisation").select_option("recommendation")
    contributor.get_by_label("État d'avancement").select_option("pilot")
    contributor.get_by_label("Données personnelles", exact=True).select_option("yes")
    contributor.get_by_role("button", name="Enregistrer et continuer").click()
    expect(contributor).to_have_url(re.compile(r"/modifier/demarche/$"))
    contributor.locator("#id_steps-0-text").fill("Analyse de 500 courriers types")
    contributor.locator("#id_steps-1-text").fill("Test sur un mois au service courrier")
    contributor.get_by_role("button", name="Enregistrer et continuer").click()
    expect(contributor).to_have_url(re.compile(r"/modifier/resultats/$"))
    contributor.get_by_role("button", name="Enregistrer et continuer").click()
    contributor.get_by_label("Public (données ouvertes)").check()
    contributor.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(contributor.get_by_role("heading", level=1)).to_have_text(title)
    public_id = re.search(r"/cas-d-usage/([^/]+)/", contributor.url).group(1)

    # The collectivité's admin submits it to the CDG.
    admin = browser.new_context(locale="fr-FR").new_page()
    login(admin, live_site, "grand-annecy", "admin@grand-annecy.example")
    admin.goto(live_site.url("grand-annecy", f"/cas-d-usage/{public_id}/"))
    admin.get_by_label("Message au CDG").fill("Expérimentation terminée, résultats encourageants.")
    admin.get_by_role("button", name="Soumettre au CDG74").click()
    expect(admin.get_by_text("Soumis au CDG74.")).to_be_visible()

    # Not in the explorer yet.
    visitor = browser.new_context(locale="fr-FR").new_page()
    visitor.goto(live_site.url(None, "/cas-d-usage/?q=courrier+entrant"))
    expect(visitor.get_by_role("link", name=title)).to_have_count(0)

    # The curator publishes it from the review queue.
    curator = browser.new_context(locale="fr-FR").new_page()
    login(curator, live_site, None, "curateur@cdg74.example")
    curator.goto(live_site.url(None, "/curation/soumissions/"))
    curator.get_by_role("link", name=title).click()
    expect(curator.get_by_text("Analyse de 500 courriers types")).to_be_visible()
    curator.get_by_role("button", name="Publier", exact=True).click()
    expect(curator.get_by_text(re.compile("La collectivité est prévenue"))).to_be_visible()

    # Now it is in the explorer, and its page shows the approach.
    visitor.goto(live_site.url(None, "/cas-d-usage/?q=courrier+entrant"))
    visitor.get_by_role("link", name=title).click()
    expect(visitor.get_by_text("Test sur un mois au service courrier")).to_be_visible()


@pytest.mark.parametrize(
    ("slug", "path", "who"),
    [
        (None, "/", None),
        (None, "/cas-d-usage/?status=pilot", None),
        (None, "/cas-d-usage/74-CDG74-0001/", None),
        (None, "/tableau-de-bord/", None),
        ("grand-annecy", "/cas-d-usage/nouveau/", "contributeur@grand-annecy.example"),
        ("grand-annecy", "/cas-d-usage/74-GRAND-ANNECY-0001/modifier/classification/",
         "contributeur@grand-annecy.example"),
    ],
)  # fmt: skip
def test_no_serious_accessibility_violation(page, live_site, slug, path, who):
    if who:
        login(page, live_site, slug, who)
    page.goto(live_site.url(slug, path))
    violations = axe_violations(page)
    assert not violations, str(violations)


def test_form_errors_are_accessible_too(page, live_site):
    login(page, live_site, "grand-annecy", "contributeur@grand-annecy.example")
    page.goto(live_site.url("grand-annecy", "/cas-d-usage/nouveau/"))
    page.get_by_role("button", name="Créer le brouillon et continuer").click()
    expect(page.locator("#id_title-error")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, str(violations)


def test_the_form_works_with_the_keyboard_alone(page, live_site):
    login(page, live_site, "grand-annecy", "contributeur@grand-annecy.example")
    page.goto(live_site.url("grand-annecy", "/cas-d-usage/nouveau/"))

    def tab_to(element_id: str, limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if (
                page.evaluate("() => document.activeElement && document.activeElement.id")
                == element_id
            ):
                return
        raise AssertionError(f"Tab never reached #{element_id}")

    tab_to("id_title")
    page.keyboard.type("Traduction des courriers au clavier")
    tab_to("id_summary")
    page.keyboard.type("Un outil traduit les courriers reçus dans une autre langue.")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused field must show a visible focus"
    for _ in range(40):
        page.keyboard.press("Tab")
        label = page.evaluate("() => document.activeElement.textContent.trim()")
        if label == "Créer le brouillon et continuer":
            break
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/modifier/classification/$"))


def test_explorer_layout_screenshot(page, live_site):
    """Keeps a picture of the explorer for review (test-results/explorer.png)."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_site.url(None, "/cas-d-usage/"))
    page.screenshot(path="test-results/explorer.png", full_page=False)
    box = page.get_by_role("button", name="Rechercher", exact=True).bounding_box()
    assert box["height"] < 80, box  # the search button stays a button, not a column
