"""Issue 11's « Done when », in the browser: the curator signs in from /admin/ and lands on the
admin; a project lead previews their case, meets the live counter at 120 characters and a
conflict message rather than overwriting a colleague's change; the public record shows its
accountability fields and marks what the guide did not say. Each page reflows at 390 px and axe
finds no serious violation on it. Screenshots go to test-results/done-when/."""

import json
import re
import urllib.error
import urllib.request
import uuid

import pytest

from tests.browser.conftest import RESULTS_DIR, axe_violations, expect, login

pytestmark = pytest.mark.browser

SLUG = "grand-annecy"
CONTRIBUTOR = f"contributeur@{SLUG}.example"
ADMIN = f"admin@{SLUG}.example"
CURATOR = "curateur@cdg74.example"
SHOTS = RESULTS_DIR / "done-when"


class Api:
    """The API as one person (a token), to prepare a case quickly: a collectivité's (slug) or
    the public site's (None)."""

    def __init__(self, live_site, slug: str | None, email: str):
        self.host = f"{slug}.localhost" if slug else "localhost"
        self.port = live_site.port
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.token = None
        self.token = self.call(
            "POST", "auth/token/", {"email": email, "password": live_site.demo_password}
        )["token"]

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        headers = {"Host": f"{self.host}:{self.port}", "Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v1/{path}",
            data=json.dumps(body).encode() if body is not None else None,
            headers=headers,
            method=method,
        )
        try:
            with self.opener.open(request, timeout=20) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{method} {path}: {error.code} {error.read()[:2000]!r}") from None


def _draft(live_site, **fields) -> tuple[Api, str]:
    api = Api(live_site, SLUG, CONTRIBUTOR)
    body = {
        "title": f"Aide à la réponse aux courriels {uuid.uuid4().hex[:6]}",
        "summary": "Un assistant propose une réponse aux courriels des usagers, relue par un agent.",
        "ai_family": "generalist",
        "domains": ["relation-usagers-et-accueil"],
        "automation_level": "assistance",
        "status": "pilot",
        "personal_data": "yes",
        "visibility": "public",
        **fields,
    }
    return api, api.call("POST", "use-cases/", body)["public_id"]


def _publish(live_site, api: Api, public_id: str) -> None:
    api.call("POST", f"use-cases/{public_id}/submit/", {"message": "Prêt à publier"})
    Api(live_site, None, CURATOR).call(
        "POST", f"benchmark/review-queue/{public_id}/approve/", {"comment": "Publié"}
    )


def _no_horizontal_scroll(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide at {widths[1]} px"


def _check(page, name: str | None = None) -> None:
    """No serious axe violation and no horizontal scroll, at 1280 then 390 px; screenshots."""
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        _no_horizontal_scroll(page)
        violations = axe_violations(page)
        assert not violations, f"{page.url} at {width} px: {violations}"
        if name:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


# --- the curator -------------------------------------------------------------------------------

ENGLISH = ["Public id", "Title", "State", "Submitted by", "Completeness", "Par state", "Created at"]


def test_the_curator_signs_in_from_the_admin_and_lands_on_it(page, live_site):
    page.goto(live_site.url(None, "/admin/"))
    expect(page).to_have_url(re.compile(r"/compte/connexion/\?next=/admin/$"))
    form = page.locator("form").filter(has=page.locator("input[name='password']"))
    form.get_by_label("Adresse électronique").fill(CURATOR)
    form.locator("input[name='password']").fill(live_site.demo_password)
    form.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(live_site.url(None, "/admin/"))
    expect(page.get_by_role("heading", name="Référentiel commun")).to_be_visible()
    expect(page.locator("input[name='password']")).to_have_count(0)
    page.reload()  # and stays there: no loop through the sign-in page
    expect(page).to_have_url(live_site.url(None, "/admin/"))
    _check(page, "admin-index")
    # The submissions' list and every other list of the curator's admin speak French.
    links = page.locator("#content-main a[href$='/']").evaluate_all(
        "links => [...new Set(links.map(a => a.getAttribute('href')))]"
        ".filter(h => /^\\/admin\\/\\w+\\/\\w+\\/$/.test(h))"
    )
    assert "/admin/registry/submission/" in links, links
    for href in links:
        page.goto(live_site.url(None, href))
        # Its labels, not its rows: a public source's record may have an English title.
        page.evaluate("() => document.querySelectorAll('#content tbody').forEach(t => t.remove())")
        text = page.locator("#content").inner_text()
        found = [word for word in ENGLISH if re.search(rf"\b{word}\b", text)]
        assert not found, (href, found)
    page.goto(live_site.url(None, "/admin/registry/submission/"))
    _check(page, "admin-submissions")


def test_a_member_signed_in_without_access_is_told_why_not_sent_round(page, live_site):
    login(page, live_site, None, f"lecteur@{SLUG}.example")
    page.goto(live_site.url(None, "/admin/"))
    expect(page).to_have_url(re.compile(r"/compte/connexion/\?next=/admin/$"))
    expect(page.get_by_role("status")).to_contain_text(
        f"Vous êtes connecté avec le compte lecteur@{SLUG}.example, qui n'a pas accès"
    )


# --- the project lead --------------------------------------------------------------------------

RICH = {
    "context": "Les agents d'accueil reçoivent 300 courriels par semaine.",
    "purpose": "Répondre en deux jours au plus.",
    "human_oversight": "Un agent relit et valide chaque réponse.",
    "recourse": "L'usager peut demander une réponse écrite par un agent.",
    "legal_basis": "Mission de service public d'accueil des usagers (CRPA, art. L112-8).",
    "legal_basis_links": "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000031367350",
    "data_sources": "Courriels reçus à l'adresse d'accueil.",
    "personal_data_categories": "Identité et coordonnées des usagers.",
    "documentation_url": "https://example.org/documentation-assistant",
    "public_contact_email": "numerique@grand-annecy.example",
    "training_done": "Deux demi-journées de formation pour les agents d'accueil.",
    "metrics": [{"name": "Délai de réponse", "unit": "jours", "baseline": "5", "value": "45.5"}],
    "costs": [{"kind": "annual_licence", "amount": "12000", "period": "2025"}],
    "risks": [{"code": "bias_automation", "mitigation": "Relecture systématique par un agent."}],
    "lessons": [{"category": "quality", "polarity": "success", "text": "Relire toujours."}],
    "steps": [{"text": "Choisir l'outil"}, {"text": "Former les agents"}],
}


def _sections(page) -> list[tuple[str, str]]:
    """The facts of the record's sections (label, value), as a reader sees them."""
    return page.locator("section[aria-labelledby^='section-'] dl.facts").evaluate_all(
        "lists => lists.flatMap(dl => [...dl.querySelectorAll('dt')].map(dt => "
        "[dt.innerText.trim(), dt.nextElementSibling.innerText.trim()]))"
    )


def _lists(page) -> list[str]:
    return page.locator(
        "section[aria-labelledby^='section-'] li, section[aria-labelledby^='section-'] td"
    ).all_inner_texts()


def test_a_project_lead_previews_what_the_public_page_will_show(browser, live_site):
    api, public_id = _draft(live_site, **RICH)
    lead = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    login(lead, live_site, SLUG, CONTRIBUTOR)
    lead.goto(live_site.url(SLUG, f"/cas-d-usage/{public_id}/"))
    expect(
        lead.get_by_role("heading", name="La fiche telle que le registre commun la publiera")
    ).to_be_visible()
    for text in (RICH["context"], RICH["purpose"], RICH["human_oversight"], "Délai de réponse",
                 "45,5", "12 000 €", "Relecture systématique par un agent.", "Relire toujours.",
                 RICH["legal_basis"], RICH["data_sources"]):  # fmt: skip
        expect(lead.locator("main").get_by_text(text, exact=False).first).to_be_visible()
    _check(lead, "member-case")
    preview_facts, preview_lists = _sections(lead), _lists(lead)

    _publish(live_site, api, public_id)
    visitor = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    visitor.goto(live_site.url(None, f"/cas-d-usage/{public_id}/"))
    assert _sections(visitor) == preview_facts
    assert _lists(visitor) == preview_lists
    lead.context.close()
    visitor.context.close()


def test_the_title_counter_speaks_at_120_characters_and_nothing_is_cut(page, live_site):
    _api, public_id = _draft(live_site)
    login(page, live_site, SLUG, CONTRIBUTOR)
    page.goto(live_site.url(SLUG, f"/cas-d-usage/{public_id}/modifier/description/"))
    title = page.locator("#id_title")
    counter = page.locator("#id_title-count")
    title.fill("A" * 119)
    expect(counter).to_have_text("119 / 120 caractères")
    title.press("End")
    title.press_sequentially("B")
    expect(counter).to_have_text("120 / 120 caractères : limite atteinte")
    title.press_sequentially("C")
    expect(counter).to_have_text(
        "121 / 120 caractères : 1 de trop, raccourcissez avant d'enregistrer"
    )
    assert len(title.input_value()) == 121  # typed, not cut
    _check(page, "form-counter")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.locator("#erreurs")).to_be_focused()
    expect(page.locator("#id_title-error")).to_contain_text("au plus 120 caractères")
    assert len(page.locator("#id_title").input_value()) == 121
    _check(page, "form-title-error")


def test_a_colleague_s_change_is_not_overwritten(browser, live_site):
    _api, public_id = _draft(live_site)
    url = f"/cas-d-usage/{public_id}/modifier/description/"
    pages = []
    for email in (CONTRIBUTOR, ADMIN):
        tab = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
        login(tab, live_site, SLUG, email)
        tab.goto(live_site.url(SLUG, url))
        pages.append(tab)
    lead, colleague = pages
    # The colleague renames the case first.
    colleague.locator("#id_title").fill("Titre choisi par l'administratrice")
    colleague.get_by_role("button", name="Enregistrer et continuer").click()
    expect(colleague).to_have_url(re.compile(r"/modifier/classification/$"))
    # The project lead, on the page opened before, writes the summary and saves.
    summary = "Le résumé que la cheffe de projet vient d'écrire, à ne pas perdre."
    lead.locator("#id_summary").fill(summary)
    lead.get_by_role("button", name="Enregistrer et continuer").click()
    alert = lead.locator(".messages, [role='alert']").filter(has_text="a été modifié depuis")
    expect(alert).to_contain_text("Rien n'a été enregistré")
    expect(alert).to_contain_text("par Admin grand-annecy")
    expect(alert).to_contain_text("montrent la nouvelle version")
    expect(lead.locator("#id_summary")).to_have_value(summary)  # the input is kept
    # what the colleague wrote is in the form now, not what the lead had read
    expect(lead.locator("#id_title")).to_have_value("Titre choisi par l'administratrice")
    _check(lead, "form-conflict")
    lead.get_by_role("button", name="Enregistrer et continuer").click()
    expect(lead).to_have_url(re.compile(r"/modifier/classification/$"))
    lead.goto(live_site.url(SLUG, f"/cas-d-usage/{public_id}/"))
    expect(lead.get_by_role("heading", level=1)).to_have_text("Titre choisi par l'administratrice")
    expect(lead.locator("p.lead")).to_have_text(summary)
    for tab in pages:
        tab.context.close()


# --- the public record -------------------------------------------------------------------------


def test_the_public_record_shows_its_accountability_fields(browser, live_site):
    api, public_id = _draft(live_site, **RICH)
    _publish(live_site, api, public_id)
    lead = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    login(lead, live_site, SLUG, ADMIN)
    lead.goto(live_site.url(SLUG, f"/cas-d-usage/{public_id}/"))
    lead.get_by_role("button", name="Je confirme que cette fiche est à jour").click()
    expect(
        lead.get_by_text(re.compile("Dernière vérification par la collectivité"))
    ).to_be_visible()
    lead.context.close()

    page = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    page.goto(live_site.url(None, f"/cas-d-usage/{public_id}/"))
    facts = dict(_sections(page))
    assert facts["Fondement juridique"] == RICH["legal_basis"]
    link = page.get_by_role("link", name=RICH["legal_basis_links"])
    expect(link).to_have_attribute("href", RICH["legal_basis_links"])
    assert facts["Données utilisées"] == RICH["data_sources"]
    assert facts["Catégories de données personnelles"] == RICH["personal_data_categories"]
    expect(page.get_by_role("link", name=RICH["documentation_url"])).to_be_visible()
    assert facts["Voies de recours"] == RICH["recourse"]
    contact = page.locator("section[aria-labelledby='contact']")
    expect(contact.get_by_role("link", name=RICH["public_contact_email"])).to_have_attribute(
        "href", f"mailto:{RICH['public_contact_email']}"
    )
    header = page.locator("dl.facts").first
    expect(header.get_by_text("Dernière mise à jour")).to_be_visible()
    verified = header.locator("dt", has_text="Dernière vérification").locator("+ dd")
    expect(verified.locator("time")).to_be_visible()
    versions = page.locator("section[aria-labelledby='versions'] li")
    expect(versions.filter(has_text="Publication")).to_have_count(1)
    expect(versions.filter(has_text="Fiche confirmée à jour par la collectivité")).to_have_count(1)
    report = page.locator("section[aria-labelledby='signaler']")
    expect(report.get_by_role("heading", name="Signaler une erreur")).to_be_visible()
    _check(page, "record-accountable")
    report.get_by_label("Ce qui est inexact ou manque").fill(
        "Le coût annuel indiqué ne comprend pas la formation."
    )
    page.wait_for_timeout(3100)  # the spam guard refuses a form sent within 3 seconds
    report.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_text("Merci : votre signalement a été transmis")).to_be_visible()
    page.context.close()


def test_a_seeded_record_marks_what_the_guide_does_not_say(page, live_site):
    page.goto(live_site.url(None, "/cas-d-usage/74-CDG74-0001/"))
    notice = page.get_by_role("note")
    expect(notice).to_contain_text("Informations déduites, à confirmer")
    expect(notice).to_contain_text("famille d'IA")
    facts = dict(_sections(page))
    assert "IA métier déduit de la source, à confirmer par la collectivité" in facts["Famille d'IA"]
    assert "déduit" not in facts["Référent"]
    assert "Direction ou service" not in facts  # the guide names none: none is invented
    expect(page.locator("dl.facts").first).to_contain_text("1er janvier 2025")
    _check(page, "record-seeded")
    page.goto(live_site.url(None, "/cas-d-usage/EPCI-B-0001/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Collectivité expérimentant l'outil")
    page.goto(live_site.url(None, "/collectivites/epci-b/"))
    expect(page.locator("dl.facts")).to_contain_text("non indiqué par la source")


# --- every page of the issue: reflow and axe ---------------------------------------------------

PUBLIC_PAGES = ["/connaissances/", "/outils/whatsnext/", "/outils/perplexity/",
                "/collectivites/epci-a/", "/couverture/", "/rejoindre/", "/nulle-part/",
                "/cas-d-usage/?departement=74", "/cas-d-usage/FILIERE-0001/"]  # fmt: skip


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_the_public_pages_of_the_issue_reflow_and_pass_axe(page, live_site, path):
    page.goto(live_site.url(None, path))
    _check(page)


def test_the_member_pages_of_the_issue_reflow_and_pass_axe(page, live_site):
    _api, public_id = _draft(live_site, **RICH)
    login(page, live_site, SLUG, CONTRIBUTOR)
    paths = ["/", f"/cas-d-usage/{public_id}/", "/cas-d-usage/nouveau/"] + [
        f"/cas-d-usage/{public_id}/modifier/{step}/"
        for step in ("description", "classification", "demarche", "resultats", "visibilite")
    ]
    for path in paths:
        page.goto(live_site.url(SLUG, path))
        _check(page, "member" + re.sub(r"[^a-z]+", "-", path.replace(public_id, "")).rstrip("-"))


def test_the_curator_pages_of_the_issue_reflow_and_pass_axe(page, live_site):
    login(page, live_site, None, CURATOR)
    for path in ("/curation/soumissions/", "/curation/collectivites/", "/curation/demandes/",
                 "/admin/registry/tool/", "/admin/registry/collectivite/"):  # fmt: skip
        page.goto(live_site.url(None, path))
        _check(page)
