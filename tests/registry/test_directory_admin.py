"""The directory in the curators' admin: official entries read-only, bodies the data do not
list (centres de gestion, syndicats, CCAS…) added and edited by curators, through the service."""

import pytest
from django.test import Client

from accounts.models import AuditEvent
from registry.directory import DirectoryEntry
from tests.conftest import host_of

ADD = "/admin/registry/directoryentry/add/"


@pytest.fixture
def curator_client(people):
    client = Client(HTTP_HOST=host_of(None))
    client.force_login(people["curator"])
    return client


def test_a_curator_adds_a_body_the_official_data_do_not_list(curator_client):
    response = curator_client.post(ADD, {
        "kind": "syndicat", "name": "Syndicat intercommunal des eaux du Salève",
        "siren": "", "insee_code": "", "departement": "74", "region": "84", "population": "",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    body = DirectoryEntry.objects.get(name="Syndicat intercommunal des eaux du Salève")
    assert body.managed_by_curators and body.key.startswith("curators:")
    assert AuditEvent.objects.filter(action="directory_body_created").exists()
    assert DirectoryEntry.objects.search("saleve").filter(pk=body.pk).exists()


def test_a_commune_cannot_be_added_by_hand_and_a_bad_siren_is_a_form_error(curator_client):
    page = curator_client.get(ADD).content.decode()
    assert 'value="commune"' not in page and 'value="syndicat"' in page
    response = curator_client.post(ADD, {"kind": "syndicat", "name": "Syndicat X",
                                          "siren": "123", "departement": "74"})  # fmt: skip
    assert response.status_code == 200
    assert not DirectoryEntry.objects.filter(name="Syndicat X").exists()


@pytest.mark.parametrize("who", ["anonymous", "admin", "curator"])
def test_who_sees_the_directory_in_the_admin(people, who):
    client = Client(HTTP_HOST=host_of(None))
    if who != "anonymous":
        client.force_login(people[who])
    status = client.get("/admin/registry/directoryentry/").status_code
    assert status == {"anonymous": 302, "admin": 302, "curator": 200}[who]
