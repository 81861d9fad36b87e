"""One failure counter per account and client address, shared by the web sign-in and the token
endpoint of every host (django-axes, public schema); the password reset is throttled too."""

import pytest
from django.core import mail

from accounts.models import Role
from tests.conftest import PASSWORD

LOGIN = "/compte/connexion/"
TOKEN = "/api/v1/auth/token/"
RESET = "/compte/mot-de-passe/oubli/"


@pytest.fixture
def agent(make_user, annecy, cdg74):
    from accounts.services import membership_set

    user = make_user("agent@deux.test", collectivite=annecy, role=Role.CONTRIBUTOR)
    membership_set(user=user, collectivite=cdg74, role=Role.READER)
    return user


def _fail_on_web(client_for, slug, times, email="agent@deux.test"):
    client = client_for(slug)
    for _attempt in range(times):
        client.post(LOGIN, {"username": email, "password": "mauvais"})


def test_failures_on_one_host_lock_the_account_on_every_host_and_the_api(
    client_for, api_for, agent
):
    _fail_on_web(client_for, "grand-annecy", 10)
    # The right password, on another collectivité's host: refused, with the waiting time.
    response = client_for("cdg74").post(LOGIN, {"username": agent.email, "password": PASSWORD})
    page = response.content.decode()
    assert "Trop de tentatives de connexion échouées : réessayez dans 15 minutes" in page
    assert "_auth_user_id" not in response.client.session
    # Public host too.
    response = client_for(None).post(LOGIN, {"username": agent.email, "password": PASSWORD})
    assert "Trop de tentatives" in response.content.decode()
    # And the token endpoint of any host.
    for slug in (None, "cdg74"):
        response = api_for(slug).post(
            TOKEN, {"email": agent.email, "password": PASSWORD}, format="json"
        )
        assert response.status_code == 429
        assert "réessayez dans 15 minutes" in response.json()["detail"]
        assert response["Retry-After"] == "900"


def test_token_failures_count_with_web_failures_whatever_the_case_of_the_address(
    client_for, api_for, agent
):
    for index in range(5):
        api_for("cdg74").post(
            TOKEN, {"email": "Agent@Deux.test", "password": f"faux{index}"}, format="json"
        )
    _fail_on_web(client_for, None, 5, email="AGENT@deux.test ")
    response = api_for("grand-annecy").post(
        TOKEN, {"email": agent.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429


def test_nine_failures_then_the_right_password_signs_in_and_resets_the_counter(
    client_for, api_for, agent
):
    _fail_on_web(client_for, "grand-annecy", 9)
    response = client_for("cdg74").post(LOGIN, {"username": agent.email, "password": PASSWORD})
    assert response.status_code == 302
    _fail_on_web(client_for, "grand-annecy", 9)
    response = api_for(None).post(
        TOKEN, {"email": agent.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200


def test_another_client_address_is_not_locked(client_for, agent):
    _fail_on_web(client_for, "grand-annecy", 10)
    response = client_for("grand-annecy").post(
        LOGIN, {"username": agent.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.7"
    )
    assert response.status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(client_for, agent):
    _fail_on_web(client_for, "grand-annecy", 10)
    response = client_for("grand-annecy").post(
        LOGIN, {"username": agent.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="192.0.2.8"
    )
    assert "Trop de tentatives" in response.content.decode()


def test_password_reset_is_throttled_per_address_revealing_nothing(client_for, agent):
    client = client_for(None)
    for index in range(5):
        email = agent.email if index % 2 else f"inconnu{index}@nulle-part.test"
        assert client.post(RESET, {"email": email}).status_code == 302
    known = client.post(RESET, {"email": agent.email})
    unknown = client.post(RESET, {"email": "personne@nulle-part.test"})
    assert known.status_code == unknown.status_code == 429
    message = (
        "Trop de demandes de réinitialisation depuis votre adresse : réessayez dans 15 minutes."
    )
    assert message in known.content.decode()
    assert message in unknown.content.decode()
    # From another address, it works again.
    assert client.post(RESET, {"email": agent.email}, REMOTE_ADDR="192.0.2.9").status_code == 302


def test_password_reset_sends_at_most_three_mails_per_account(client_for, agent):
    for index in range(5):
        response = client_for(None).post(
            RESET, {"email": agent.email}, REMOTE_ADDR=f"192.0.2.{index + 1}"
        )
        assert response.status_code == 302  # the same answer each time
    assert len(mail.outbox) == 3


def test_the_lockout_message_is_translated_for_english_visitors(client_for, api_for, agent):
    _fail_on_web(client_for, "grand-annecy", 10)
    response = api_for(None).post(
        TOKEN, {"email": agent.email, "password": PASSWORD}, format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.json()["detail"].startswith("Too many failed sign-in attempts: try again in 15")
