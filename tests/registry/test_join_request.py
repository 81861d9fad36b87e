"""The public request to join the registry (issue 12): an agent of a body of the directory that is
not in the registry asks from /rejoindre/ (kept from robots by a honeypot, a minimum fill time and
a limit per address), the curators and the requester are e-mailed; a curator accepts (the
collectivité, its schema and the requester's invitation as first administrator) or refuses with a
reason. Nothing but the request exists before a curator accepts."""

import html
import re
import time
from pathlib import Path

import pytest
from django.core import signing
from django_tenants.utils import schema_exists
from procrastinate import testing
from procrastinate.contrib.django import app

from accounts.models import AuditEvent, Invitation, Role
from registry import join
from registry.models import Collectivite, DirectoryEntry, JoinRequest
from registry.services import collectivite_update, directory_load
from registry.services.join_requests import join_request_accept
from registry.vocabularies import JoinRequestState

DATA = Path(__file__).parent / "directory_data" / "2026"
PAGE = "/rejoindre/"
SAINT_FELIX = "/rejoindre/commune:74233/"
GRAND_ANNECY = "/rejoindre/epci:200066793/"
LIST = "/curation/demandes/"


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def directory(db, annecy):
    directory_load(DATA, millesime=2026)
    collectivite_update(annecy, directory_entry=DirectoryEntry.objects.get(key="epci:200066793"))


@pytest.fixture
def queue(settings):
    settings.EMAIL_BACKEND = "ops.mail.QueuedEmailBackend"
    in_memory = testing.InMemoryConnector()
    with app.replace_connector(in_memory):
        yield in_memory


def _mails(queue) -> list[dict]:
    return [job["args"]["message"] for job in queue.jobs.values()]


def _values(**changes) -> dict:
    values = {
        "name": "Claire Martin",
        "function": "Secrétaire de mairie",
        "email": "Claire.Martin@saint-felix.test",
        "message": "Nous testons un outil de transcription.",
        "website": "",
        "started": signing.dumps(time.time() - 10, salt=join.SIGNING_SALT),
    }
    return {**values, **changes}


@pytest.fixture
def requested(client_for, directory, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(None).post(SAINT_FELIX, _values())
    assert response.status_code == 302, _text(response)
    return JoinRequest.objects.get()


def test_the_public_page_searches_the_directory_and_marks_registered_bodies(client_for, directory):
    client = client_for(None)
    page = _text(client.get(PAGE, {"q": "anecy"}))
    assert 'href="/rejoindre/commune:74010/"' in page and "Demander l'inscription" in page
    assert 'src="/static/js/directory-picker.js"' in page
    registered = _text(client.get(PAGE, {"q": "200066793", "partial": "1"}))
    assert "<html" not in registered and "Déjà dans le registre" in registered
    assert 'href="/collectivites/grand-annecy/"' in registered
    assert "/rejoindre/epci:200066793/" not in registered
    assert "curation" not in registered
    # Its own page says so and offers no form.
    page = _text(client.get(GRAND_ANNECY))
    assert "déjà inscrite au registre" in page and 'name="email"' not in page
    # The collectivités list leads here.
    assert 'href="/rejoindre/"' in _text(client.get("/collectivites/"))


def test_a_request_is_recorded_and_mailed_to_curators_and_requester(
    client_for, people, directory, queue, django_capture_on_commit_callbacks
):
    client = client_for(None)
    form = _text(client.get(SAINT_FELIX))
    assert "Saint-Félix" in form and "217402338" in form and 'name="website"' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SAINT_FELIX, _values())
    assert response.status_code == 302 and response["Location"] == "/rejoindre/envoyee/"
    request = JoinRequest.objects.get()
    assert (request.entry.key, request.name, request.function, request.email, request.state) == (
        "commune:74233", "Claire Martin", "Secrétaire de mairie",
        "Claire.Martin@saint-felix.test", JoinRequestState.PENDING,
    )  # fmt: skip
    assert "votre demande d'inscription de Saint-Félix" in _text(client.get(response["Location"]))
    to_curators, to_requester = _mails(queue)
    assert to_curators["to"] == ["curateur@cdg74.test"]
    assert re.search(rf"http://\S+/curation/demandes/{request.pk}/", to_curators["body"])
    assert "Claire Martin (Secrétaire de mairie" in to_curators["body"]
    assert to_requester["to"] == ["Claire.Martin@saint-felix.test"]
    assert "bien reçu" in to_requester["body"]
    assert AuditEvent.objects.get(action="join_request.create").actor is None
    # No collectivité, no schema before a curator accepts.
    assert not Collectivite.objects.filter(name="Saint-Félix").exists()
    assert not schema_exists("saint_felix")


def test_a_body_already_in_the_registry_cannot_be_requested(client_for, directory):
    response = client_for(None).post(GRAND_ANNECY, _values(email="a@grand-annecy.test"))
    assert response.status_code == 200 and "déjà inscrite" in _text(response)
    assert not JoinRequest.objects.exists()


def test_a_second_pending_request_from_the_same_address_is_refused(client_for, requested):
    response = client_for(None).post(SAINT_FELIX, _values(email="claire.martin@SAINT-FELIX.test"))
    assert response.status_code == 400
    assert "déjà une demande en attente" in _text(response)
    assert JoinRequest.objects.count() == 1
    # A colleague may ask too.
    other = client_for(None).post(SAINT_FELIX, _values(email="dgs@saint-felix.test"))
    assert other.status_code == 302 and JoinRequest.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"website": "http://spam.example"}, "n'a pas pu être envoyée"),
        ({"started": "now"}, "trop vite"),
        ({"started": "falsifié"}, "a expiré"),
        ({"started": ""}, "a expiré"),
        ({"email": "pas-une-adresse"}, "adresse e-mail valide"),
        ({"function": ""}, "obligatoire"),
    ],
)
def test_robots_and_incomplete_forms_are_refused(client_for, directory, changes, error):
    if changes.get("started") == "now":  # signed as the test runs, not as it is collected
        changes = {"started": signing.dumps(time.time(), salt=join.SIGNING_SALT)}
    response = client_for(None).post(SAINT_FELIX, _values(**changes))
    assert response.status_code == 400
    assert error in _text(response)
    assert not JoinRequest.objects.exists()
    if error == "a expiré":  # the page comes back with a fresh time: the next send can leave
        started = re.search(r'name="started" value="([^"]+)"', _text(response)).group(1)
        assert time.time() - signing.loads(started, salt=join.SIGNING_SALT) < 60


def test_requests_are_limited_per_client_address(client_for, directory):
    client = client_for(None)
    for number in range(join.RATE_LIMIT):
        response = client.post(SAINT_FELIX, _values(email=f"agent{number}@saint-felix.test"))
        assert response.status_code == 302
    response = client.post(SAINT_FELIX, _values(email="encore@saint-felix.test"))
    assert response.status_code == 429 and "Trop de demandes" in _text(response)
    assert JoinRequest.objects.count() == join.RATE_LIMIT
    other = client_for(None)
    other.defaults["REMOTE_ADDR"] = "192.0.2.7"
    assert other.post(SAINT_FELIX, _values(email="autre@saint-felix.test")).status_code == 302


def test_a_curator_accepts_and_the_requester_is_invited_as_first_administrator(
    client_for, people, requested, queue, django_capture_on_commit_callbacks
):
    client = client_for(None, people["curator"])
    url = f"{LIST}{requested.pk}/"
    assert "Saint-Félix" in _text(client.get(LIST))
    page = _text(client.get(url))
    assert 'value="saint-felix"' in page and 'value="Claire.Martin@saint-felix.test"' in page
    assert "Secrétaire de mairie" in page and "217402338" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"decision": "accept", "accept-slug": "st-felix", "accept-contact_email": ""},
        )
    assert response.status_code == 400  # the contact address is required (prefilled)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "decision": "accept",
                "accept-slug": "st-felix",
                "accept-contact_email": "mairie@saint-felix.test",
            },
        )
    assert response.status_code == 302
    felix = Collectivite.objects.get(slug="st-felix")
    assert (felix.name, felix.siren, felix.contact_email) == (
        "Saint-Félix", "217402338", "mairie@saint-felix.test",
    )  # fmt: skip
    assert schema_exists("st_felix")
    invitation = Invitation.objects.get(collectivite=felix)
    assert (invitation.email, invitation.role) == ("claire.martin@saint-felix.test", Role.ADMIN)
    requested.refresh_from_db()
    assert (requested.state, requested.decided_by, requested.collectivite) == (
        JoinRequestState.ACCEPTED, people["curator"], felix,
    )  # fmt: skip
    assert AuditEvent.objects.get(action="join_request.accept").actor == people["curator"]
    [invite] = [m for m in _mails(queue) if "Invitation" in m["subject"]]
    assert invite["to"] == ["claire.martin@saint-felix.test"]
    assert "Acceptée" in _text(client.get(url, follow=True))
    # Decided once.
    again = client.post(url, {"decision": "refuse", "refuse-reason": "Non"}, follow=True)
    assert "déjà été traitée" in _text(again)
    assert JoinRequest.objects.get().state == JoinRequestState.ACCEPTED


def test_the_contact_address_defaults_to_the_requester_s(client_for, people, requested):
    felix, _sent = join_request_accept(join_request=requested, slug="saint-felix",
                                       actor=people["curator"])  # fmt: skip
    assert felix.contact_email == "Claire.Martin@saint-felix.test"


def test_a_curator_refuses_with_a_reason_mailed_to_the_requester(
    client_for, people, requested, queue, django_capture_on_commit_callbacks
):
    client = client_for(None, people["curator"])
    url = f"{LIST}{requested.pk}/"
    response = client.post(url, {"decision": "refuse", "refuse-reason": "  "})
    assert response.status_code == 400 and "obligatoire" in _text(response)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"decision": "refuse", "refuse-reason": "Adresse personnelle, pas de la mairie."}
        )
    assert response.status_code == 302
    requested.refresh_from_db()
    assert requested.state == JoinRequestState.REFUSED
    assert requested.reason == "Adresse personnelle, pas de la mairie."
    [mail] = _mails(queue)
    assert mail["to"] == ["Claire.Martin@saint-felix.test"]
    assert "Adresse personnelle, pas de la mairie." in mail["body"]
    assert not Collectivite.objects.filter(name="Saint-Félix").exists()
    assert not schema_exists("saint_felix")
    assert "Refusée" in _text(client.get(LIST))


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("reader", 403), ("admin", 403), ("other", 403), ("curator", 200)],
)
def test_only_curators_open_the_review_pages(client_for, people, requested, who, status):
    client = client_for(None, None if who == "anonymous" else people[who])
    url = f"{LIST}{requested.pk}/"
    for page in (LIST, url):
        response = client.get(page)
        assert response.status_code == status, page
        if who == "anonymous":
            assert "/compte/connexion/" in response["Location"] or "login" in response["Location"]
    post = client.post(url, {"decision": "refuse", "refuse-reason": "Non"})
    assert post.status_code == (302 if who == "curator" else status)
    expected = JoinRequestState.REFUSED if who == "curator" else JoinRequestState.PENDING
    assert JoinRequest.objects.get().state == expected
    # The public pages are anyone's.
    assert client.get(PAGE).status_code == 200


def test_a_body_onboarded_meanwhile_can_only_be_refused(client_for, people, requested):
    client = client_for(None)
    assert client.post(SAINT_FELIX, _values(email="dgs@saint-felix.test")).status_code == 302
    first, second = JoinRequest.objects.order_by("id")
    curator = client_for(None, people["curator"])
    accept = {"decision": "accept", "accept-slug": "saint-felix",
              "accept-contact_email": "mairie@saint-felix.test"}  # fmt: skip
    assert curator.post(f"{LIST}{first.pk}/", accept).status_code == 302
    page = _text(curator.get(f"{LIST}{second.pk}/"))
    assert "entre-temps entrée dans le registre" in page and "accept-slug" not in page
    response = curator.post(
        f"{LIST}{second.pk}/", {**accept, "accept-slug": "saint-felix-2"}, follow=True
    )
    assert "ne peut qu'être refusée" in _text(response)
    assert JoinRequest.objects.get(pk=second.pk).state == JoinRequestState.PENDING
    assert Collectivite.objects.filter(name="Saint-Félix").count() == 1
    # A public request for it is now refused too.
    assert "déjà inscrite" in _text(client.get(SAINT_FELIX))


def test_the_public_admin_shows_requests_to_curators_without_changing_them(
    client_for, people, requested
):
    client = client_for(None, people["curator"])
    assert "Claire Martin" in _text(client.get("/admin/registry/joinrequest/"))
    url = f"/admin/registry/joinrequest/{requested.pk}/change/"
    assert client.get(url).status_code == 200
    client.post(url, {"state": "accepted", "reason": "forcé"})
    assert JoinRequest.objects.get().state == JoinRequestState.PENDING
    assert client.get("/admin/registry/joinrequest/add/").status_code == 403
