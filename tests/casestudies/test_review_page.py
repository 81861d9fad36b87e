"""The curators' review page (/curation/soumissions/<id>/) and its queue: who may open them, what
they show (in French, changes first, the difference with the version sent back), the decisions
taken there, and the e-mails around them."""

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.urls import get_resolver
from django_tenants.utils import tenant_context

from accounts import policy
from casestudies.curation.services import submission_decide
from casestudies.models import UseCase
from casestudies.services import usecase_submit, usecase_update
from knowledge.models import Risk
from registry.models import BenchmarkEntry, Submission
from tests.factories import PublishedUseCaseFactory

QUEUE = "/curation/soumissions/"
BASE_URL = "http://localhost:8302"


def _text(response) -> str:
    """The page's text, tags removed, spaces (non-breaking ones too) made plain."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


@pytest.fixture
def risks(db):
    return list(Risk.objects.order_by("id")[:2])


@pytest.fixture
def resubmission(annecy, people, risks, django_capture_on_commit_callbacks):
    """A published case, changed and submitted, sent back by the curator, corrected and sent
    again: the submission waiting for review (the contributor submits each time)."""
    use_case = PublishedUseCaseFactory(
        collectivite=annecy,
        title="Aide à la rédaction des arrêtés",
        hosting="saas_eu",
        status="pilot",
    )
    contributor, curator = people["contributor"], people["curator"]
    with tenant_context(annecy):
        usecase_update(
            use_case=use_case,
            actor=contributor,
            metrics=[
                {
                    "name": "Délai de rédaction d'un arrêté",
                    "unit": "minutes",
                    "baseline": "45",
                    "value": "20",
                }
            ],
            costs=[{"kind": "annual_licence", "amount": "12000", "period": "par an"}],
            risks=[{"risk": risks[0], "mitigation": "Relecture par un agent"}],
        )
        first = usecase_submit(use_case=use_case, actor=contributor, message="Indicateurs ajoutés")
    submission_decide(
        submission=first,
        decision="request_changes",
        actor=curator,
        comment="Précisez le contrôle humain.",
    )
    with tenant_context(annecy):
        use_case = UseCase.objects.get(pk=use_case.pk)
        usecase_update(
            use_case=use_case,
            actor=contributor,
            human_oversight="Chaque arrêté est relu et signé par un gestionnaire.",
        )
        second = usecase_submit(use_case=use_case, actor=contributor, message="Contrôle précisé")
    return second


# --- who may open the pages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("reader", 403), ("admin", 403), ("other", 403), ("curator", 200)],
)
def test_only_curators_open_the_queue_and_the_review_page(
    client_for, people, submitted_use_case, who, status
):
    submission = Submission.objects.get(uuid=submitted_use_case.uuid)
    client = client_for(None, None if who == "anonymous" else people[who])
    for path in (QUEUE, f"{QUEUE}{submission.pk}/"):
        response = client.get(path)
        assert response.status_code == status, path
        if who == "anonymous":
            assert response["Location"].startswith("/compte/connexion/?next=")


def test_a_member_cannot_decide_through_the_page(client_for, people, submitted_use_case):
    submission = Submission.objects.get(uuid=submitted_use_case.uuid)
    response = client_for(None, people["admin"]).post(
        f"{QUEUE}{submission.pk}/", {"decision": "approve"}
    )
    assert response.status_code == 403
    anonymous = client_for(None).post(f"{QUEUE}{submission.pk}/", {"decision": "approve"})
    assert anonymous.status_code == 302
    submission.refresh_from_db()
    assert submission.state == "pending"


def test_every_curators_page_is_declared_in_the_policy():
    names = [
        f"curation:{pattern.name}"
        for resolver in get_resolver("config.urls_public").url_patterns
        if getattr(resolver, "namespace", None) == "curation"
        for pattern in resolver.url_patterns
    ]
    assert names
    assert all(name in policy.PUBLIC_PAGE_RULES for name in names)
    # what the policy does not list in the curators' area is refused, even to curators
    curator_like = type("U", (), {"is_authenticated": True, "is_active": True,
                                  "is_superuser": True, "is_curator": True})()  # fmt: skip
    assert policy.public_page_decision(curator_like, "curation:queue", "delete") == "forbidden"
    assert policy.public_page_decision(curator_like, "curation:later", "get") == "forbidden"
    assert policy.public_page_decision(None, "explorer", "get") == "allowed"


# --- what the page shows --------------------------------------------------------------------------


def test_the_queue_lists_pending_submissions_with_a_link_to_their_page(
    client_for, people, resubmission
):
    response = client_for(None, people["curator"]).get(QUEUE)
    assert f'href="{QUEUE}{resubmission.pk}/"' in response.content.decode()
    text = _text(response)
    assert "Aide à la rédaction des arrêtés" in text
    assert "Renvoyée après corrections" in text


def test_the_review_page_speaks_french_and_shows_the_rows_readably(
    client_for, people, resubmission
):
    response = client_for(None, people["curator"]).get(f"{QUEUE}{resubmission.pk}/")
    assert response.status_code == 200
    text = _text(response)
    # labels and vocabulary labels, never codes
    for french in ("Hébergement", "SaaS hébergé dans l'UE", "État d'avancement",
                   "Expérimentation", "Coûts", "Licence annuelle", "Indicateurs",
                   "Risques rencontrés", "Mesure prise : Relecture par un agent"):  # fmt: skip
        assert french in text, french
    for code in ("saas_eu", "pilot", "annual_licence", "with_conditions", "True", "False",
                 "human_oversight", "impact_assessments"):  # fmt: skip
        assert not re.search(rf"\b{code}\b", text), code
    # money in euros, French style; an indicator with its values and unit
    assert "12 000 €" in text
    assert "Valeur de départ : 45 minutes" in text and "Valeur mesurée : 20 minutes" in text
    # completeness and what is missing
    assert f"Complétude : {resubmission.completeness} / 100" in text
    assert "Il manque :" in text and "Enseignements" in text
    # the sections in the form's order
    sections = ["Identité", "Outils et partenaires", "Classification", "Avancement",
                "Réglementation et données", "Contrôle humain, recours et risques",
                "Résultats et enseignements", "Publication"]  # fmt: skip
    sheet = text[text.index("La fiche soumise") :]
    positions = [sheet.index(name) for name in sections]
    assert positions == sorted(positions)
    # the two decisions
    assert 'value="approve"' in response.content.decode()
    assert 'value="request_changes"' in response.content.decode()


def test_a_resubmission_shows_the_difference_with_the_version_sent_back(
    client_for, people, resubmission
):
    response = client_for(None, people["curator"]).get(f"{QUEUE}{resubmission.pk}/")
    body, text = response.content.decode(), _text(response)
    assert "Ce qui a changé depuis la version renvoyée pour corrections" in text
    # the comment that asked for changes, next to the answer and what changed since
    changes = text[text.index("Ce qui a changé depuis") : text.index("Votre décision")]
    assert "a demandé : Précisez le contrôle humain." in changes
    assert "La collectivité répond : Contrôle précisé" in changes
    assert "1 champ modifié" in changes
    assert "Contrôle humain" in changes
    assert "Maintenant Chaque arrêté est relu et signé par un gestionnaire." in changes
    # indicators and costs were in the version sent back already: not changes since then…
    assert "Indicateurs" not in changes.split("Par rapport à la version publiée")[0]
    # …but they are changes to the published version, listed apart
    assert "Par rapport à la version publiée : 4 champs modifiés" in changes
    # the changed field is highlighted in the sheet too
    assert re.search(r'<div class="changed">\s*<dt>Contrôle humain', body)
    assert body.count('<div class="changed">') == 1
    # the exchange: both submissions and the decision in between
    assert "Corrections demandées" in text and "Indicateurs ajoutés" in text


def test_a_change_to_a_published_case_is_compared_with_the_published_version(
    client_for, people, annecy, published_use_case
):
    with tenant_context(annecy):
        usecase_update(use_case=published_use_case, actor=None, hosting="on_premise")
        submission = usecase_submit(use_case=published_use_case, actor=None, message="Hébergé")
    text = _text(client_for(None, people["curator"]).get(f"{QUEUE}{submission.pk}/"))
    assert "Ce qui a changé depuis la version publiée" in text
    assert "Hébergement" in text


def test_a_first_submission_has_nothing_to_compare_with(client_for, people, submitted_use_case):
    submission = Submission.objects.get(uuid=submitted_use_case.uuid)
    text = _text(client_for(None, people["curator"]).get(f"{QUEUE}{submission.pk}/"))
    assert "Première soumission de ce cas d'usage" in text
    assert "modifié" not in text.split("Première soumission")[1].split("Votre décision")[0]


# --- decisions through the page ---------------------------------------------------------------


def test_asking_for_corrections_needs_a_comment(client_for, people, resubmission):
    client = client_for(None, people["curator"])
    response = client.post(f"{QUEUE}{resubmission.pk}/",
                           {"decision": "request_changes", "comment": "  "})  # fmt: skip
    assert response.status_code == 200
    assert "Dites ce qui doit être corrigé" in _text(response)
    assert 'aria-invalid="true"' in response.content.decode()
    resubmission.refresh_from_db()
    assert resubmission.state == "pending"


def test_asking_for_corrections_tells_the_contributor_and_the_admins(
    client_for, people, resubmission, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL = BASE_URL
    client = client_for(None, people["curator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{QUEUE}{resubmission.pk}/",
                               {"decision": "request_changes",
                                "comment": "Ajoutez les voies de recours."})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == QUEUE
    resubmission.refresh_from_db()
    assert resubmission.state == "changes_requested"
    assert resubmission.decided_by == people["curator"]
    [message] = mail.outbox
    assert (
        message.subject == "[Registre IA] Corrections demandées : Aide à la rédaction des arrêtés"
    )
    assert message.to == ["contrib@annecy.test", "admin@annecy.test"]
    assert "Ajoutez les voies de recours." in message.body
    link = f"http://grand-annecy.localhost:8302/cas-d-usage/{resubmission.public_id}/"
    assert link in message.body


def test_publishing_from_the_page(
    client_for, people, resubmission, django_capture_on_commit_callbacks
):
    client = client_for(None, people["curator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{QUEUE}{resubmission.pk}/", {"decision": "approve"}, follow=True)
    assert "publiée" in _text(response)
    resubmission.refresh_from_db()
    assert resubmission.state == "approved"
    entry = BenchmarkEntry.objects.get(uuid=resubmission.uuid)
    assert entry.payload["human_oversight"].startswith("Chaque arrêté")
    assert mail.outbox[0].subject.startswith("[Registre IA] Publiée")
    # decided: the page shows the decision, no more buttons; a second decision is refused
    page = client.get(f"{QUEUE}{resubmission.pk}/")
    assert 'value="approve"' not in page.content.decode()
    again = client.post(f"{QUEUE}{resubmission.pk}/", {"decision": "request_changes",
                                                        "comment": "x"}, follow=True)  # fmt: skip
    assert "déjà été examinée" in _text(again)
    resubmission.refresh_from_db()
    assert resubmission.state == "approved"


# --- the curators' e-mail ---------------------------------------------------------------------


def test_the_curators_e_mail_links_to_the_review_page(
    annecy, people, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL = BASE_URL
    use_case = PublishedUseCaseFactory(collectivite=annecy)
    with tenant_context(annecy):
        usecase_update(use_case=use_case, actor=None, purpose="Gagner du temps")
        with django_capture_on_commit_callbacks(execute=True):
            submission = usecase_submit(use_case=use_case, actor=people["contributor"],
                                        message="Objectif ajouté")  # fmt: skip
    [message] = mail.outbox
    assert message.to == ["curateur@cdg74.test"]
    assert f"{BASE_URL}/curation/soumissions/{submission.pk}/" in message.body
    assert "/api/v1/" not in message.body


def test_the_public_base_url_defaults_to_the_run_port():
    code = "from django.conf import settings; print(settings.PUBLIC_BASE_URL)"
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "PORT": "8123", "BASE_DOMAIN": "localhost",
           "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "PATH": ""}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"],
                          env=env, capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    assert done.stdout.strip() == "http://localhost:8123"
