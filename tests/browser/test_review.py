"""The curator reviews a resubmission in the browser: the review page shows what changed since
the version sent back for corrections, the decisions work, the page reflows at 390 px and axe
finds no serious violation on it."""

import json
import re
import urllib.request

import pytest

from tests.browser.conftest import axe_violations, expect, login

pytestmark = pytest.mark.browser

SLUG = "collectivite-a"
CONTRIBUTOR = f"contributeur@{SLUG}.example"
CURATOR = "curateur@cdg74.example"


class CollectiviteApi:
    """The collectivité's API, as the contributor (a token), to prepare the case quickly."""

    def __init__(self, live_site):
        self.port = live_site.port
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.token = self.call(
            "POST", "auth/token/", {"email": CONTRIBUTOR, "password": live_site.demo_password}
        )["token"]

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        headers = {"Host": f"{SLUG}.localhost:{self.port}", "Content-Type": "application/json"}
        if getattr(self, "token", None):
            headers["Authorization"] = f"Token {self.token}"
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v1/{path}",
            data=json.dumps(body).encode() if body is not None else None,
            headers=headers,
            method=method,
        )
        with self.opener.open(request, timeout=20) as response:
            return json.loads(response.read() or b"{}")


def _no_horizontal_scroll(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide at {widths[1]} px"


def test_curator_reviews_a_resubmission_and_sees_what_changed_since_sending_it_back(
    page, live_site
):
    api = CollectiviteApi(live_site)
    rows = api.call("GET", "use-cases/?page_size=100")["results"]
    public_id = next(row["public_id"] for row in rows if row["publication_state"] == "published")
    api.call("PATCH", f"use-cases/{public_id}/", {"purpose": "Gagner du temps sur les courriers"})
    api.call("POST", f"use-cases/{public_id}/submit/", {"message": "Objectif ajouté"})

    # The curator opens the queue, then the submission, and sends it back.
    login(page, live_site, None, CURATOR)
    page.goto(live_site.url(None, "/curation/soumissions/"))
    page.locator("article").filter(has_text=public_id).get_by_role("link").click()
    expect(
        page.get_by_role("heading", name="Ce qui a changé depuis la version publiée")
    ).to_be_visible()
    page.get_by_role("button", name="Demander des corrections").click()
    expect(page.locator("#id_comment-error")).to_contain_text("Dites ce qui doit être corrigé")
    page.get_by_label("Commentaire pour la collectivité").fill("Précisez le contrôle humain.")
    page.get_by_role("button", name="Demander des corrections").click()
    expect(page.get_by_text(re.compile("La collectivité est prévenue"))).to_be_visible()

    # The collectivité corrects and submits again.
    api.call("PATCH", f"use-cases/{public_id}/",
             {"human_oversight": "Un agent relit chaque réponse avant envoi."})  # fmt: skip
    api.call("POST", f"use-cases/{public_id}/submit/", {"message": "Contrôle humain précisé"})

    # The review page compares the resubmission with the version sent back.
    page.goto(live_site.url(None, "/curation/soumissions/"))
    card = page.locator("article").filter(has_text=public_id)
    expect(card.get_by_text("Renvoyée après corrections")).to_be_visible()
    card.get_by_role("link").click()
    changes = page.locator("section.changes")
    expect(
        changes.get_by_role(
            "heading", name="Ce qui a changé depuis la version renvoyée pour corrections"
        )
    ).to_be_visible()
    expect(changes.get_by_text("Précisez le contrôle humain.")).to_be_visible()
    expect(changes.get_by_text("Contrôle humain précisé")).to_be_visible()
    change_list = changes.locator(".change-list").first
    expect(change_list.get_by_role("heading", name=re.compile("^Contrôle humain"))).to_be_visible()
    expect(change_list.get_by_text("Un agent relit chaque réponse avant envoi.")).to_be_visible()
    # the objective was already in the version sent back: not a change since then
    expect(change_list.get_by_role("heading", name=re.compile("^Objectifs"))).to_have_count(0)
    expect(page.locator(".review-facts .changed")).to_have_count(1)

    violations = axe_violations(page)
    assert not violations, str(violations)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    _no_horizontal_scroll(page)
    page.goto(live_site.url(None, "/curation/soumissions/"))
    _no_horizontal_scroll(page)
    violations = axe_violations(page)
    assert not violations, str(violations)

    # Published from the page.
    page.locator("article").filter(has_text=public_id).get_by_role("link").click()
    page.get_by_role("button", name="Publier", exact=True).click()
    expect(page.get_by_text(re.compile("publiée. La collectivité est prévenue"))).to_be_visible()
