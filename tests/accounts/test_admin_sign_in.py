"""Signing in to an admin site goes through the site's one sign-in page, and back to the admin."""

from tests.conftest import PASSWORD


def test_a_curator_signed_out_reaches_the_admin_after_signing_in(client_for, people):
    client = client_for(None)
    first = client.get("/admin/", follow=True)
    assert first.redirect_chain[-1][0] == "/compte/connexion/?next=/admin/"
    signed = client.post(
        "/compte/connexion/?next=/admin/",
        {"username": people["curator"].email, "password": PASSWORD},
        follow=True,
    )
    assert signed.redirect_chain[-1][0] == "/admin/"
    assert signed.status_code == 200
    assert "Référentiel commun" in signed.content.decode()


def test_the_admin_login_page_sends_a_signed_in_curator_where_they_were_going(client_for, people):
    client = client_for(None, people["curator"])
    response = client.get("/admin/login/?next=/admin/registry/tool/")
    assert response.status_code == 302 and response["Location"] == "/admin/registry/tool/"


def test_the_admin_login_page_never_leads_to_another_site(client_for, people):
    client = client_for(None, people["curator"])
    response = client.get("/admin/login/?next=https://example.org/")
    assert response["Location"] == "/admin/"
