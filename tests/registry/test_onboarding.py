"""A curator onboards a collectivité from the official directory (issue 12): search (plain form
and the as-you-type list), identity filled from the directory, slug proposed, the collectivité and
its first administrator's invitation created (the e-mail queued), a body never onboarded twice."""

import html
import re
from pathlib import Path

import pytest
from django_tenants.utils import schema_exists
from procrastinate import testing
from procrastinate.contrib.django import app

from accounts.models import AuditEvent, Invitation, Role
from registry.models import Collectivite, DirectoryEntry, Domain
from registry.services import collectivite_update, directory_load
from registry.services.members import proposed_slug

DATA = Path(__file__).parent / "directory_data" / "2026"
PAGE = "/curation/collectivites/"
SAINT_FELIX = "/curation/collectivites/inscrire/commune:74233/"


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def directory(db, annecy):
    directory_load(DATA, millesime=2026)
    # The Grand Annecy is in the registry as its EPCI (the seed does it with the real directory).
    collectivite_update(annecy, directory_entry=DirectoryEntry.objects.get(key="epci:200066793"))


@pytest.fixture
def queue(settings):
    settings.EMAIL_BACKEND = "ops.mail.QueuedEmailBackend"
    in_memory = testing.InMemoryConnector()
    with app.replace_connector(in_memory):
        yield in_memory


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("admin", 403), ("other", 403), ("curator", 200)]
)
def test_only_curators_open_the_onboarding_pages(client_for, people, directory, who, status):
    client = client_for(None, None if who == "anonymous" else people[who])
    for url in (
        PAGE,
        f"{PAGE}?q=annecy",
        SAINT_FELIX,
        f"{PAGE}grand-annecy/premier-administrateur/",
    ):
        assert client.get(url).status_code == status, url
    assert client.post(SAINT_FELIX, {}).status_code in (status, 400 if status == 200 else status)


def test_the_search_lists_bodies_and_marks_those_already_in_the_registry(client_for, people,
                                                                          directory):  # fmt: skip
    client = client_for(None, people["curator"])
    page = _text(client.get(PAGE, {"q": "anecy"}))
    assert "Annecy" in page and "INSEE 74010" in page
    assert 'href="/curation/collectivites/inscrire/commune:74010/"' in page
    assert "<form" in page and 'src="/static/js/directory-picker.js"' in page
    registered = _text(client.get(PAGE, {"q": "200066793"}))
    assert "Déjà dans le registre" in registered
    assert "inscrire/epci:200066793/" not in registered
    assert "/curation/collectivites/grand-annecy/premier-administrateur/" in registered
    # The list alone, for the script that refreshes it as the curator types.
    partial = _text(client.get(PAGE, {"q": "saint felix", "partial": "1"}))
    assert (
        "Saint-Félix" in partial
        and "<html" not in partial
        and "2 482" in partial.replace("\xa0", " ")
    )
    # Parts of a commune are not bodies one can onboard.
    assert "Annecy-le-Vieux" not in _text(client.get(PAGE, {"q": "annecy le vieux"}))
    assert "au moins 2 caractères" in _text(client.get(PAGE, {"q": "a"}))


def test_the_entry_page_fills_the_identity_and_proposes_a_slug(client_for, people, directory):
    page = _text(client_for(None, people["curator"]).get(SAINT_FELIX))
    for value in ("Saint-Félix", "Commune", "217402338", "74233", "Haute-Savoie (74)", "2 482"):
        assert value in page.replace("\xa0", " "), value
    assert 'value="saint-felix"' in page
    entry = DirectoryEntry.objects.get(key="commune:74233")
    Collectivite.objects.filter(slug="filiere").update(slug="saint-felix")  # taken: add the dept
    assert proposed_slug(entry) == "saint-felix-74"
    assert proposed_slug(DirectoryEntry.objects.get(key="epci:200066793")) == "ca-du-grand-annecy"


def test_onboarding_creates_the_collectivite_and_queues_its_admin_s_invitation(
    client_for, people, directory, queue, django_capture_on_commit_callbacks
):
    client = client_for(None, people["curator"])
    values = {
        "slug": "saint-felix",
        "contact_email": "mairie@saint-felix.test",
        "admin_email": "Secretaire@Saint-Felix.test",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SAINT_FELIX, values)
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}saint-felix/premier-administrateur/"
    felix = Collectivite.objects.get(slug="saint-felix")
    entry = DirectoryEntry.objects.get(key="commune:74233")
    assert (felix.name, felix.kind, felix.siren, felix.insee_code, felix.departement) == (
        "Saint-Félix", "commune", "217402338", "74233", "74",
    )  # fmt: skip
    assert (felix.population, felix.directory_entry, felix.contact_email) == (
        2482, entry, "mairie@saint-felix.test",
    )  # fmt: skip
    assert felix.parent_epci == Collectivite.objects.get(slug="grand-annecy")
    assert schema_exists("saint_felix")
    assert Domain.objects.filter(tenant=felix, is_primary=True).exists()
    invitation = Invitation.objects.get(collectivite=felix)
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "secretaire@saint-felix.test", Role.ADMIN, people["curator"],
    )  # fmt: skip
    [job] = queue.jobs.values()
    message = job["args"]["message"]
    assert message["to"] == ["secretaire@saint-felix.test"]
    assert re.search(r"//saint-felix\.[^/]+/compte/invitation/[\w-]+/", message["body"])
    assert (
        AuditEvent.objects.get(action="collectivite_created", object_id=str(felix.pk)).actor
        == (people["curator"])
    )
    # The confirmation page, then the body is never offered twice.
    done = _text(client.get(response["Location"]))
    assert "secretaire@saint-felix.test" in done and "Renvoyer" in done
    again = client.post(SAINT_FELIX, {**values, "slug": "saint-felix-bis"})
    assert again.status_code == 200
    assert "Déjà dans le registre" in _text(again)
    assert Collectivite.objects.filter(directory_entry=entry).count() == 1
    assert "Déjà dans le registre" in _text(client.get(PAGE, {"q": "74233"}))


def test_onboarding_refuses_a_taken_slug_and_missing_addresses(client_for, people, directory):
    client = client_for(None, people["curator"])
    response = client.post(SAINT_FELIX, {"slug": "filiere", "contact_email": "",
                                         "admin_email": "a@saint-felix.test"})  # fmt: skip
    assert response.status_code == 400
    response = client.post(SAINT_FELIX, {"slug": "filiere", "contact_email": "m@saint-felix.test",
                                         "admin_email": "a@saint-felix.test"})  # fmt: skip
    assert response.status_code == 400
    assert "L'identifiant « filiere » est déjà pris" in _text(response)
    assert not Collectivite.objects.filter(name="Saint-Félix").exists()
    assert not Invitation.objects.exists()


def test_a_curator_invites_no_one_into_a_collectivite_that_has_an_administrator(
    client_for, people, directory
):
    client = client_for(None, people["curator"])
    url = f"{PAGE}grand-annecy/premier-administrateur/"
    page = _text(client.get(url))
    assert "a un administrateur" in page and "admin_email" not in page
    response = client.post(url, {"admin_email": "complice@exemple.test"}, follow=True)
    assert "a déjà un administrateur" in _text(response)
    assert not Invitation.objects.exists()
