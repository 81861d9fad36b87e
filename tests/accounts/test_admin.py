"""Accounts and memberships: the role matrix, and what a curator may not do to accounts in
the public admin."""

from accounts.models import Role


def test_a_curator_cannot_take_over_an_operator_account(client_for, people, make_user):
    operator = make_user("ops@plateforme.test", superuser=True)
    client = client_for(None, people["curator"])
    page = client.get(f"/admin/accounts/user/{operator.pk}/change/").content.decode()
    assert 'name="email"' not in page  # read-only for a curator
    response = client.post(f"/admin/accounts/user/{operator.pk}/password/",
                           {"password1": "Taken-over-4242", "password2": "Taken-over-4242"})  # fmt: skip
    assert response.status_code == 403
    operator.refresh_from_db()
    assert not operator.check_password("Taken-over-4242")
    assert client.get(f"/admin/accounts/user/{people['reader'].pk}/delete/").status_code == 403


def test_a_curator_cannot_make_a_cdg_account_member_of_a_collectivite(client_for, people, annecy):
    client = client_for(None, people["curator"])
    response = client.post("/admin/accounts/membership/add/", {
        "user": people["curator"].pk, "collectivite": annecy.pk, "role": "admin",
    })  # fmt: skip
    assert response.status_code == 403  # only operators give memberships
    assert not people["curator"].memberships.exists()


def test_a_curator_cannot_open_a_collectivite_to_anyone(client_for, people, annecy, make_user):
    """Issue 10, defect 1: a curator created an account, made it admin of a collectivité, and read
    its private cases; or took over a member's account through its password or address."""
    accomplice = make_user("complice@exemple.test")
    client = client_for(None, people["curator"])
    response = client.post("/admin/accounts/membership/add/", {
        "user": accomplice.pk, "collectivite": annecy.pk, "role": "admin",
    })  # fmt: skip
    assert response.status_code == 403
    assert not accomplice.memberships.exists()
    reader = people["reader"]
    response = client.post(f"/admin/accounts/user/{reader.pk}/password/",
                           {"password1": "Taken-over-4242", "password2": "Taken-over-4242"})  # fmt: skip
    assert response.status_code == 403
    reader.refresh_from_db()
    assert not reader.check_password("Taken-over-4242")
    response = client.post(f"/admin/accounts/user/{reader.pk}/change/", {"email": "moi@cdg74.test"})
    assert response.status_code == 403
    reader.refresh_from_db()
    assert reader.email == "lecteur@annecy.test"
    # The CDG's own team stays theirs to manage, but nobody but an operator sets a password.
    colleague = make_user("collegue@cdg74.test", curator=True)
    assert client.get(f"/admin/accounts/user/{colleague.pk}/change/").status_code == 200
    assert client.get(f"/admin/accounts/user/{colleague.pk}/password/").status_code == 403


def test_an_operator_gives_memberships(client_for, make_user, annecy):
    operator = make_user("ops@plateforme.test", superuser=True)
    newcomer = make_user("nouvelle@annecy.test")
    response = client_for(None, operator).post("/admin/accounts/membership/add/", {
        "user": newcomer.pk, "collectivite": annecy.pk, "role": "contributor",
    })  # fmt: skip
    assert response.status_code == 302
    assert newcomer.memberships.get().role == "contributor"


def test_curator_cannot_make_someone_a_superuser(client_for, people):
    target = people["reader"]
    response = client_for(None, people["curator"]).get(f"/admin/accounts/user/{target.pk}/change/")
    assert response.status_code == 200
    assert 'name="is_superuser"' not in response.content.decode()


def test_membership_roles_are_what_the_matrix_says(people, annecy):
    from accounts.policy import role_of

    assert role_of(people["reader"], annecy) == Role.READER
    assert role_of(people["curator"], annecy) is None
