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
    assert response.status_code == 200  # the form refuses the choice
    assert not people["curator"].memberships.exists()


def test_curator_cannot_make_someone_a_superuser(client_for, people):
    target = people["reader"]
    response = client_for(None, people["curator"]).get(f"/admin/accounts/user/{target.pk}/change/")
    assert response.status_code == 200
    assert 'name="is_superuser"' not in response.content.decode()


def test_membership_roles_are_what_the_matrix_says(people, annecy):
    from accounts.policy import role_of

    assert role_of(people["reader"], annecy) == Role.READER
    assert role_of(people["curator"], annecy) is None
