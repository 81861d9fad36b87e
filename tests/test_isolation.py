"""Tenant isolation: who sees what of a collectivité, by host, by id and in the admin."""

import pytest

from tests.conftest import PASSWORD
from tests.factories import DraftUseCaseFactory, PublishedUseCaseFactory

SECRET = "Projet confidentiel de la DRH"


@pytest.fixture
def secret(annecy):
    """A private draft of the Grand Annecy: nothing of it may show outside its members."""
    return DraftUseCaseFactory(collectivite=annecy, title=SECRET, visibility="private")


@pytest.mark.parametrize("who", ["reader", "contributor", "admin"])
def test_members_see_their_use_cases(client_for, people, secret, who):
    client = client_for("grand-annecy", people[who])
    assert client.get("/").status_code == 200
    response = client.get(f"/cas-d-usage/{secret.public_id}/")
    assert response.status_code == 200
    assert SECRET in response.content.decode()


@pytest.mark.parametrize("who", ["other", "curator"])
def test_non_members_get_404_for_every_page_of_the_collectivite(client_for, people, secret, who):
    client = client_for("grand-annecy", people[who])
    public_id = secret.public_id
    for path in [
        "/",
        f"/cas-d-usage/{public_id}/",
        "/admin/",
        "/admin/casestudies/usecase/",
        "/cas-d-usage/74-GRAND-ANNECY-9999/",
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "confidentiel" not in response.content.decode()


def test_a_member_cannot_read_another_collectivites_use_case_by_id(client_for, people, secret):
    """The CDG74 admin asks their own host for Annecy's public id: it is not in their schema."""
    public_id = secret.public_id
    response = client_for("cdg74", people["other"]).get(f"/cas-d-usage/{public_id}/")
    assert response.status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in_for_every_page(client_for, secret):
    client = client_for("grand-annecy")
    public_id = secret.public_id
    for path in ["/", f"/cas-d-usage/{public_id}/", "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/compte/connexion/" in response["Location"]


def test_signing_in_on_a_collectivite_site_with_a_foreign_account_gives_nothing(client_for, people):
    client = client_for("grand-annecy")
    response = client.post(
        "/compte/connexion/", {"username": "agent@cdg74.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 404


def test_a_session_opened_on_one_host_is_not_reused_on_another(client_for, people, secret):
    client = client_for("cdg74")
    client.post("/compte/connexion/", {"username": "agent@cdg74.test", "password": PASSWORD})
    assert client.get("/").status_code == 200
    # Same browser, another collectivité: the session cookie of cdg74.localhost is host-only.
    response = client.get("/", HTTP_HOST="grand-annecy.localhost")
    assert response.status_code in (302, 404)
    assert "confidentiel" not in response.content.decode()


def test_wrong_password_gives_a_french_error(client_for, people):
    response = client_for("grand-annecy").post(
        "/compte/connexion/", {"username": "lecteur@annecy.test", "password": "faux"}
    )
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect" in response.content.decode()


def test_inactive_member_gets_nothing(client_for, people):
    user = people["reader"]
    user.is_active = False
    user.save()
    response = client_for("grand-annecy", user).get("/")
    assert response.status_code in (302, 404)


def test_reader_sees_admin_read_only(client_for, people):
    client = client_for("grand-annecy", people["reader"])
    assert client.get("/admin/casestudies/usecase/").status_code == 200
    assert client.get("/admin/casestudies/usecase/add/").status_code == 403


def test_contributor_can_open_the_add_form(client_for, people):
    client = client_for("grand-annecy", people["contributor"])
    assert client.get("/admin/casestudies/usecase/add/").status_code == 200


def test_collectivite_admin_only_lists_its_own_use_cases(client_for, people, annecy, cdg74):
    own = PublishedUseCaseFactory(collectivite=annecy).public_id
    foreign = PublishedUseCaseFactory(collectivite=cdg74).public_id
    response = client_for("grand-annecy", people["admin"]).get("/admin/casestudies/usecase/")
    body = response.content.decode()
    assert own in body
    assert foreign not in body


def test_collectivite_admin_cannot_delete_a_use_case(client_for, people, annecy, secret):
    pk = secret.pk
    response = client_for("grand-annecy", people["admin"]).get(
        f"/admin/casestudies/usecase/{pk}/delete/"
    )
    assert response.status_code == 403


def test_public_admin_is_for_curators_only(client_for, people):
    assert client_for(None, people["curator"]).get("/admin/").status_code == 200
    assert (
        client_for(None, people["curator"]).get("/admin/registry/collectivite/").status_code == 200
    )
    for who in ["reader", "admin", "other"]:
        response = client_for(None, people[who]).get("/admin/")
        assert response.status_code == 302, who
    assert client_for(None).get("/admin/").status_code == 302


def test_public_admin_does_not_show_on_collectivite_hosts(client_for, people):
    """/admin/ on a collectivité host is its own admin: no registry or accounts in it."""
    response = client_for("grand-annecy", people["admin"]).get("/admin/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/admin/accounts/" not in body and "/admin/registry/" not in body


# --- the admin's account pages, by route, caller and host form -------------------------------

ACCOUNT_PAGES = [
    "/admin/accounts/user/",
    "/admin/accounts/user/{member}/change/",
    "/admin/accounts/user/{member}/password/",
    "/admin/accounts/membership/",
    "/admin/accounts/membership/add/",
    "/admin/accounts/membership/{membership}/change/",
]
# What each caller gets on the public host: 302 to the sign-in page, 200, or 403.
ACCOUNT_MATRIX = {
    "anonymous": [302, 302, 302, 302, 302, 302],
    "reader": [302, 302, 302, 302, 302, 302],
    "admin": [302, 302, 302, 302, 302, 302],
    "curator": [200, 200, 403, 200, 403, 200],
    "operator": [200, 200, 200, 200, 200, 200],
}
HOST_FORMS = {"plain": None, "upper case": "LOCALHOST", "trailing dot": "localhost."}


@pytest.mark.parametrize("host_form", sorted(HOST_FORMS))
@pytest.mark.parametrize("who", sorted(ACCOUNT_MATRIX))
def test_the_admin_account_pages_by_caller_and_host_form(client_for, people, make_user, who,
                                                         host_form):  # fmt: skip
    member = people["reader"]
    users = {**people, "operator": make_user("ops@plateforme.test", superuser=True)}
    client = client_for(None, None if who == "anonymous" else users[who])
    if HOST_FORMS[host_form]:
        client.defaults["HTTP_HOST"] = HOST_FORMS[host_form]
    membership = member.memberships.get()
    for path, expected in zip(ACCOUNT_PAGES, ACCOUNT_MATRIX[who], strict=True):
        url = path.format(member=member.pk, membership=membership.pk)
        response = client.get(url)
        assert response.status_code == expected, (url, who, host_form)
        if expected == 302:  # the admin's sign-in, which leads to the site's one
            assert response["Location"].startswith(("/admin/login/", "/compte/connexion/"))


@pytest.mark.parametrize("who", ["reader", "admin", "other", "curator"])
def test_no_admin_account_page_on_a_collectivite_s_host(client_for, people, who):
    member = people["reader"]
    for path in ACCOUNT_PAGES[:3]:
        url = path.format(member=member.pk, membership=0)
        response = client_for("grand-annecy", people[who]).get(url)
        assert response.status_code == 404, (url, who)
