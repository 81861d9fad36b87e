"""The public record (issue 11): what is filled in is shown and exported, the fields of the best
registers (legal basis, data used, documentation, public contact, last verification) go from the
collectivité's API to the public page, the history of published versions, « Signaler une erreur »
(to the collectivité's admins and the curators, kept from robots) and the print view."""

import csv
import html
import io
import time
from pathlib import Path

import pytest
from django.core import signing
from procrastinate import testing
from procrastinate.contrib.django import app

from registry import exports, report, snapshot
from registry.models import BenchmarkEntry, BenchmarkEntryEvent
from tests.casestudies.test_api_usecases import BASE, _payload

REPORT_VALUES = {"message": "Le nom de l'outil est faux.", "email": "", "website": ""}


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def queue(settings):
    settings.EMAIL_BACKEND = "ops.mail.QueuedEmailBackend"
    in_memory = testing.InMemoryConnector()
    with app.replace_connector(in_memory):
        yield in_memory


def _mails(queue) -> list[dict]:
    return [job["args"]["message"] for job in queue.jobs.values()]


@pytest.fixture
def published(api_for, people):
    """A use case written through the collectivité's API with every new field, then approved."""
    client = api_for("grand-annecy", people["admin"])
    body = _payload(
        recourse="Recours gracieux auprès du maire.",
        individual_decision=True,
        started_on="2024-01-10",
        production_on="2025-03-01",
        hosting="saas_eu",
        legal_basis="Article L2121-23 du CGCT (comptes rendus des séances).",
        legal_basis_links="https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006389928",
        data_sources="Enregistrements audio des réunions de service.",
        personal_data_categories="Voix et noms des participants.",
        documentation_url="https://code.example.org/compte-rendu",
        public_contact_email="numerique@grand-annecy.test",
        costs=[{"kind": "annual_licence", "amount": "4800.00", "period": "2025"}],
        impact_assessments=[{"type": "dpia", "status": "done", "date": "2025-01-15"}],
    )
    created = client.post(BASE, body, format="json")
    assert created.status_code == 201, created.json()
    public_id = created.json()["public_id"]
    client.post(f"{BASE}{public_id}/submit/", {"message": "Fiche"}, format="json")
    approved = api_for(None, people["curator"]).post(
        f"/api/v1/benchmark/review-queue/{public_id}/approve/", {}, format="json"
    )
    assert approved.status_code == 200, approved.content
    return BenchmarkEntry.objects.get(public_id=public_id)


def test_the_page_shows_what_is_filled_in_and_the_new_fields(client_for, published):
    page = _text(client_for(None).get(f"/cas-d-usage/{published.public_id}/"))
    for text in (
        "Voies de recours",
        "Recours gracieux auprès du maire.",
        "Fonde des décisions individuelles",
        "10 janvier 2024",
        "1er mars 2025",
        "Hébergement",
        "Fondement juridique",
        "Article L2121-23 du CGCT",
        'href="https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006389928"',
        "Données utilisées",
        "Voix et noms des participants.",
        'href="https://code.example.org/compte-rendu"',
        'href="mailto:numerique@grand-annecy.test"',
        "Dernière mise à jour",
        "pas encore confirmée",
        "Historique des versions publiées",
        "Signaler une erreur",
    ):
        assert text in page, text


def test_the_exports_carry_the_lists_and_the_new_fields(published):
    row = next(
        csv.DictReader(
            io.StringIO(exports.to_csv([published.payload]).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert (
        row["recourse"] == "Recours gracieux auprès du maire."
        and row["individual_decision"] == "oui"
    )
    assert "text=Relire toujours." in row["lessons"] and "category=quality" in row["lessons"]
    assert "name=Temps gagné" in row["metrics"] and "value=3.50" in row["metrics"]
    assert "amount=4800.00" in row["costs"] and "type=dpia" in row["impact_assessments"]
    assert "risks" in row
    assert row["legal_basis_links"].startswith("https://www.legifrance.gouv.fr/")
    assert row["public_contact_email"] == "numerique@grand-annecy.test"
    # The lists of rows are exported, never read back by an import.
    for name in ("lessons", "metrics", "costs", "risks", "impact_assessments"):
        assert snapshot.COLUMNS_BY_NAME[name].derived


def test_a_link_that_is_not_an_address_is_refused(api_for, people, draft_use_case):
    response = api_for("grand-annecy", people["contributor"]).patch(
        f"{BASE}{draft_use_case.public_id}/", {"legal_basis_links": "legifrance"}, format="json"
    )
    assert response.status_code == 400 and "legal_basis_links" in response.json()


def test_the_collectivite_confirms_its_record_is_up_to_date(api_for, client_for, people, published):
    reader = api_for("grand-annecy", people["reader"])
    assert reader.post(f"{BASE}{published.public_id}/verify/").status_code == 403
    response = api_for("grand-annecy", people["contributor"]).post(
        f"{BASE}{published.public_id}/verify/"
    )
    assert response.status_code == 200, response.content
    assert response.json()["verified_on"]
    published.refresh_from_db()
    assert published.payload["verified_on"] == response.json()["verified_on"]
    assert BenchmarkEntryEvent.objects.filter(uuid=published.uuid, action="verified").exists()
    history = (
        api_for("grand-annecy", people["reader"])
        .get(f"{BASE}{published.public_id}/history/")
        .json()
    )
    assert any(event["action"] == "verified" for event in history)
    page = _text(client_for(None).get(f"/cas-d-usage/{published.public_id}/"))
    assert "pas encore confirmée" not in page
    assert "Fiche confirmée à jour par la collectivité" in page


def test_the_history_lists_the_published_versions_and_what_changed(
    api_for, client_for, people, published
):
    client = api_for("grand-annecy", people["admin"])
    client.patch(
        f"{BASE}{published.public_id}/", {"recourse": "Recours au tribunal."}, format="json"
    )
    client.post(f"{BASE}{published.public_id}/submit/", {"message": "Recours"}, format="json")
    api_for(None, people["curator"]).post(
        f"/api/v1/benchmark/review-queue/{published.public_id}/approve/", {}, format="json"
    )
    page = _text(client_for(None).get(f"/cas-d-usage/{published.public_id}/"))
    history = page[page.index("Historique des versions publiées") :]
    assert "Nouvelle version publiée : voies de recours" in history
    assert "Publication" in history


def _report(client, entry, **changes):
    values = {
        **REPORT_VALUES,
        "started": signing.dumps(time.time() - 10, salt=report.ErrorReportForm.signing_salt),
        **changes,
    }
    return client.post(f"/cas-d-usage/{entry.public_id}/signaler/", values)


def test_an_error_report_reaches_the_admins_and_the_curators(
    client_for, people, published, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _report(client_for(None), published, email="citoyen@example.org")
    assert response.status_code == 302
    (mail,) = _mails(queue)
    assert set(mail["to"]) == {"admin@annecy.test", "curateur@cdg74.test"}
    assert "Le nom de l'outil est faux." in mail["body"]
    assert "citoyen@example.org" in mail["body"]
    assert f"/cas-d-usage/{published.public_id}/" in mail["body"]


def test_robots_and_floods_are_kept_out(
    client_for, published, queue, django_capture_on_commit_callbacks
):
    client = client_for(None)
    with django_capture_on_commit_callbacks(execute=True):
        assert _report(client, published, website="http://spam.example").status_code == 400
        too_fast = _report(
            client,
            published,
            started=signing.dumps(time.time(), salt=report.ErrorReportForm.signing_salt),
        )
        assert too_fast.status_code == 400
        assert _report(client, published, started="forged").status_code == 400
        assert not _mails(queue)
        for _ in range(report.REPORT_RATE.limit):
            assert _report(client, published).status_code == 302
        refused = _report(client, published)
    assert refused.status_code == 429 and "Trop de signalements" in _text(refused)
    # Sent back on the record's page, its summary focused (seen on a phone, read out).
    assert 'id="erreurs"' in _text(refused) and "js/error-summary.js" in _text(refused)
    assert len(_mails(queue)) == report.REPORT_RATE.limit


def test_the_record_prints_without_navigation_or_forms():
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "site.css").read_text()
    print_css = css[css.index("@media print") :]
    for selector in (".site-header", ".site-footer", "form", ".no-print", "attr(href)"):
        assert selector in print_css


def test_the_confirmation_button_of_the_members_page(client_for, people, published):
    page = f"/cas-d-usage/{published.public_id}/"
    reader = _text(client_for("grand-annecy", people["reader"]).get(page))
    assert "Je confirme que cette fiche est à jour" not in reader
    assert client_for("grand-annecy", people["reader"]).post(f"{page}verifier/").status_code in (
        403,
        404,
    )
    contributor = client_for("grand-annecy", people["contributor"])
    assert "Je confirme que cette fiche est à jour" in _text(contributor.get(page))
    response = contributor.post(f"{page}verifier/", follow=True)
    assert "la fiche est confirmée à jour" in _text(response)
    assert "Dernière vérification par la collectivité" in _text(response)
    published.refresh_from_db()
    assert published.payload["verified_on"]
