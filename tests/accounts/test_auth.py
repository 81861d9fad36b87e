"""Signing in, passwords and API tokens: what an account can and cannot do to get in."""

import re

from django.core import mail

from accounts.models import User
from tests.conftest import PASSWORD

LIST = "/api/v1/benchmark/use-cases/"


def test_password_reset_sends_a_link_that_works(client_for, people):
    client = client_for(None)
    response = client.post("/compte/mot-de-passe/oubli/", {"email": "lecteur@annecy.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://[^\s]+/compte/mot-de-passe/[^\s]+/", mail.outbox[0].body).group(0)
    path = link.split("localhost", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    final = client.post(form_page.redirect_chain[-1][0], {
        "new_password1": "Un-nouveau-mot-de-passe-74", "new_password2": "Un-nouveau-mot-de-passe-74",
    })  # fmt: skip
    assert final.status_code == 302
    people["reader"].refresh_from_db()
    assert people["reader"].check_password("Un-nouveau-mot-de-passe-74")


def test_repeated_failed_sign_ins_pause_the_account_on_that_address(client_for, people):
    client = client_for("grand-annecy")
    for _attempt in range(10):
        client.post("/compte/connexion/", {"username": "lecteur@annecy.test", "password": "non"})
    response = client.post("/compte/connexion/", {"username": "lecteur@annecy.test",
                                                   "password": PASSWORD})  # fmt: skip
    assert response.status_code == 200
    assert "Trop de tentatives" in response.content.decode()
    assert User.objects.get(email="lecteur@annecy.test").last_login is None


def test_a_malformed_token_is_a_401_not_a_500(api_for):
    client = api_for(None)
    client.credentials(HTTP_AUTHORIZATION="Token \x00abc")
    assert client.get("/api/v1/benchmark/use-cases/").status_code == 401


def test_token_refused_with_a_wrong_password_or_missing_fields(api_for, people):
    client = api_for(None)
    wrong = client.post("/api/v1/auth/token/",
                        {"email": "lecteur@annecy.test", "password": "non"}, format="json")  # fmt: skip
    assert wrong.status_code == 401
    missing = client.post("/api/v1/auth/token/", {"email": "pas-une-adresse"}, format="json")
    assert missing.status_code == 400
    assert {"email", "password"} <= set(missing.json())
    bogus = api_for(None)
    bogus.credentials(HTTP_AUTHORIZATION="Token 0000")
    assert bogus.get(LIST).status_code == 401
