"""Members of a collectivité, managed by its administrators on its own site (issue 12): the
access matrix, the last administrator, every change audited with its actor."""

import html

import pytest

from accounts.models import AuditEvent, Membership, Role


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def operator(make_user):
    return make_user("ops@plateforme.test", superuser=True)


@pytest.mark.parametrize(
    ("who", "list_status", "manages"),
    [
        ("anonymous", 302, False),
        ("reader", 200, False),
        ("contributor", 200, False),
        ("admin", 200, True),
        ("other", 404, False),  # admin of another collectivité: nothing is revealed
        ("curator", 404, False),  # curators are not members
        ("operator", 200, True),
    ],
)
def test_who_sees_and_who_manages_the_members(client_for, people, operator, who, list_status,
                                              manages):  # fmt: skip
    user = {"anonymous": None, "operator": operator}.get(who, people.get(who))
    client = client_for("grand-annecy", user)
    response = client.get("/membres/")
    assert response.status_code == list_status
    if list_status == 200:
        text = _text(response)
        assert "lecteur@annecy.test" in text and "Administrateur" in text
        assert ("Inviter un membre" in text) is manages
        assert ("Invitations en attente" in text) is manages
    target = Membership.objects.get(user=people["reader"])
    posts = {
        "/membres/inviter/": {"email": "x@annecy.test", "role": "reader"},
        f"/membres/{target.pk}/role/": {"role": "admin"},
        f"/membres/{target.pk}/retirer/": {},
    }
    for url, data in posts.items():
        status = client.post(url, data).status_code
        if manages:
            assert status == 302, url
        else:
            assert status == {200: 403}.get(list_status, list_status), url
    assert Membership.objects.filter(user=people["reader"]).exists() is not manages


def test_the_nav_links_to_the_members_page_for_members(client_for, people):
    assert (
        'href="/membres/"' in client_for("grand-annecy", people["reader"]).get("/").content.decode()
    )


def test_an_admin_changes_a_role_and_removes_a_member_audited(client_for, people):
    admin = client_for("grand-annecy", people["admin"])
    contributor = Membership.objects.get(user=people["contributor"])
    response = admin.post(f"/membres/{contributor.pk}/role/", {"role": "admin"}, follow=True)
    assert "est maintenant administrateur" in _text(response)
    contributor.refresh_from_db()
    assert contributor.role == Role.ADMIN
    event = AuditEvent.objects.get(action="membership_changed", object_id=str(contributor.pk))
    assert event.actor == people["admin"]
    assert event.changes == {"role": {"before": "contributor", "after": "admin"}}
    reader = Membership.objects.get(user=people["reader"])
    confirm = admin.get(f"/membres/{reader.pk}/retirer/")
    assert confirm.status_code == 200
    assert "n'aura plus accès" in _text(confirm)
    response = admin.post(f"/membres/{reader.pk}/retirer/", follow=True)
    assert "ne fait plus partie" in _text(response)
    assert not Membership.objects.filter(pk=reader.pk).exists()
    event = AuditEvent.objects.get(action="membership_removed", object_id=str(reader.pk))
    assert event.actor == people["admin"]
    # The removed reader's account stays; they no longer see anything of the collectivité.
    assert client_for("grand-annecy", people["reader"]).get("/membres/").status_code == 404


def test_the_last_administrator_is_neither_demoted_nor_removed(client_for, people, operator):
    mine = Membership.objects.get(user=people["admin"])
    admin = client_for("grand-annecy", people["admin"])
    response = admin.post(f"/membres/{mine.pk}/role/", {"role": "reader"}, follow=True)
    assert "dernier administrateur" in _text(response)
    mine.refresh_from_db()
    assert mine.role == Role.ADMIN
    response = admin.post(f"/membres/{mine.pk}/retirer/", follow=True)
    assert "Vous ne pouvez pas vous retirer vous-même" in _text(response)
    response = client_for("grand-annecy", operator).post(
        f"/membres/{mine.pk}/retirer/", follow=True
    )
    assert "dernier administrateur" in _text(response)
    assert Membership.objects.filter(pk=mine.pk).exists()
    # With a second administrator, the first may step down.
    second = Membership.objects.get(user=people["contributor"])
    admin.post(f"/membres/{second.pk}/role/", {"role": "admin"})
    admin.post(f"/membres/{mine.pk}/role/", {"role": "reader"})
    mine.refresh_from_db()
    assert mine.role == Role.READER
    assert not AuditEvent.objects.filter(action="membership_removed").exists()


def test_members_of_another_collectivite_are_out_of_reach(client_for, people):
    theirs = Membership.objects.get(user=people["other"])
    admin = client_for("grand-annecy", people["admin"])
    assert admin.post(f"/membres/{theirs.pk}/role/", {"role": "reader"}).status_code == 404
    assert admin.post(f"/membres/{theirs.pk}/retirer/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == Role.ADMIN
    assert "agent@cdg74.test" not in admin.get("/membres/").content.decode()


def test_an_invitation_from_the_page_is_listed_pending(client_for, people):
    admin = client_for("grand-annecy", people["admin"])
    response = admin.post(
        "/membres/inviter/", {"email": "Nouvel.Agent@annecy.test", "role": "contributor"},
        follow=True,
    )  # fmt: skip
    text = _text(response)
    assert "Invitation envoyée à nouvel.agent@annecy.test (rôle : contributeur)" in text
    assert "valable jusqu'au" in text
    again = admin.post("/membres/inviter/", {"email": "nouvel.agent@annecy.test", "role": "reader"},
                       follow=True)  # fmt: skip
    assert "elle a été renvoyée avec un nouveau lien (rôle : lecteur)" in _text(again)
