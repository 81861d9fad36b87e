"""Invitations into a collectivité (issue 12): sent through the job queue, accepted by a new or an
existing account, expired, revoked, replayed, sent again; what curators may do (issue 10,
defect 1)."""

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from procrastinate import testing
from procrastinate.contrib.django import app

from accounts.invitations import invitation_create, invitation_open
from accounts.models import AuditEvent, Invitation, Membership, Role, User
from registry.services.members import member_invite
from tests.conftest import PASSWORD

QUEUED = "ops.mail.QueuedEmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
LINK = re.compile(r"https?://\S+/compte/invitation/[^/\s]+/")


@pytest.fixture
def queue(settings):
    settings.EMAIL_BACKEND = QUEUED
    settings.EMAIL_DELIVERY_BACKEND = LOCMEM
    in_memory = testing.InMemoryConnector()
    with app.replace_connector(in_memory):
        yield in_memory


def run_jobs():
    app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)


@pytest.fixture
def invite(people, annecy, django_capture_on_commit_callbacks):
    """Invite an address into the Grand Annecy as its admin; return the link's path."""

    def make(email="nouvelle@annecy.test", role=Role.CONTRIBUTOR, actor=None):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            member_invite(
                collectivite=annecy, email=email, role=role, actor=actor or people["admin"]
            )
        return urlsplit(LINK.search(mail.outbox[before].body).group(0)).path

    return make


def test_the_invitation_mail_goes_through_the_queue_and_links_to_the_collectivite_site(
    queue, people, annecy, django_capture_on_commit_callbacks
):
    # Written in French even when the inviter reads the site in English.
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        member_invite(
            collectivite=annecy, email="Nouvelle@Annecy.test ", role="reader", actor=people["admin"]
        )
    [job] = queue.jobs.values()
    assert job["task_name"] == "ops.send_email"
    assert job["args"]["message"]["to"] == ["nouvelle@annecy.test"]
    assert mail.outbox == []  # not sent in the request
    run_jobs()
    [message] = mail.outbox
    assert message.subject == f"[Registre IA] Invitation à rejoindre {annecy.name}"
    assert "rôle de lecteur" in message.body
    link = LINK.search(message.body).group(0)
    assert urlsplit(link).hostname.startswith("grand-annecy.")
    # Only the digest of the link's secret is stored.
    invitation = Invitation.objects.get()
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert invitation.expires_at - invitation.sent_at == timedelta(days=7)


def test_a_new_user_accepts_with_the_password_they_choose(client_for, invite, people, annecy):
    path = invite()
    client = client_for("grand-annecy")
    page = client.get(path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Rejoindre Communauté d&#x27;agglomération du Grand Annecy" in text
    assert "nouvelle@annecy.test" in text
    refused = client.post(path, {"password1": "court", "password2": "court"})
    assert refused.status_code == 200
    assert "trop court" in refused.content.decode()
    response = client.post(
        path,
        {"full_name": "Nadia Nouvelle", "password1": "Un-mot-de-passe-42", "password2": "Un-mot-de-passe-42"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(email="nouvelle@annecy.test")
    assert user.check_password("Un-mot-de-passe-42") and user.full_name == "Nadia Nouvelle"
    assert Membership.objects.get(user=user, collectivite=annecy).role == Role.CONTRIBUTOR
    home = client.get("/")  # signed in, a member
    assert home.status_code == 200
    assert "Bienvenue" in home.content.decode()
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == user and invitation.accepted_at is not None
    membership = Membership.objects.get(user=user)
    events = AuditEvent.objects.filter(
        object_type="accounts.invitation", object_id=str(invitation.pk)
    ) | AuditEvent.objects.filter(object_type="accounts.membership", object_id=str(membership.pk))
    actions = {(e.object_type, e.action): e.actor for e in events}
    assert actions == {
        ("accounts.invitation", "invitation_created"): people["admin"],
        # Granted by the invitation's author, accepted by the invitee.
        ("accounts.membership", "membership_created"): people["admin"],
        ("accounts.invitation", "invitation_accepted"): user,
    }


def test_an_existing_account_signs_in_then_accepts(client_for, invite, make_user, cdg74, annecy):
    agent = make_user("agent@filiere.test", collectivite=cdg74, role=Role.READER)
    path = invite(email="agent@filiere.test", role=Role.READER)
    anonymous = client_for("grand-annecy")
    text = anonymous.get(path).content.decode()
    assert "Un compte existe déjà" in text and "password1" not in text
    assert anonymous.post(path).status_code == 302  # to the sign-in page, nothing accepted
    assert not Membership.objects.filter(user=agent, collectivite=annecy).exists()
    someone_else = client_for("grand-annecy", make_user("autre@annecy.test"))
    assert "est adressée à agent@filiere.test" in someone_else.get(path).content.decode()
    client = client_for("grand-annecy", agent)
    assert "Accepter l'invitation" in client.get(path).content.decode()
    assert client.post(path).status_code == 302
    assert Membership.objects.get(user=agent, collectivite=annecy).role == Role.READER
    assert agent.memberships.count() == 2
    assert User.objects.filter(email="agent@filiere.test").count() == 1


def test_a_replayed_link_is_refused_once_accepted(client_for, invite):
    path = invite()
    client = client_for("grand-annecy")
    values = {"password1": "Un-mot-de-passe-42", "password2": "Un-mot-de-passe-42"}
    assert client.post(path, values).status_code == 302
    for again in (client_for("grand-annecy"), client):
        response = again.get(path)
        assert response.status_code == 410
        assert "déjà été acceptée" in response.content.decode()
        assert again.post(path, values).status_code == 410
    assert User.objects.filter(email="nouvelle@annecy.test").count() == 1


def test_an_expired_link_says_so(client_for, invite):
    path = invite()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client = client_for("grand-annecy")
    response = client.get(path)
    assert response.status_code == 410
    assert "a expiré le" in response.content.decode()
    values = {"password1": "Un-mot-de-passe-42", "password2": "Un-mot-de-passe-42"}
    assert client.post(path, values).status_code == 410
    assert not User.objects.filter(email="nouvelle@annecy.test").exists()


def test_a_revoked_link_says_so(client_for, invite, people):
    path = invite()
    invitation = Invitation.objects.get()
    admin = client_for("grand-annecy", people["admin"])
    response = admin.post(f"/membres/invitations/{invitation.pk}/annuler/")
    assert response.status_code == 302
    assert "annulée" in admin.get("/membres/").content.decode()
    answer = client_for("grand-annecy").get(path)
    assert answer.status_code == 410
    assert "a été annulée par un administrateur de Communauté" in answer.content.decode()
    event = AuditEvent.objects.get(action="invitation_revoked")
    assert event.actor == people["admin"]


def test_sending_again_kills_the_old_link(client_for, invite, people):
    old = invite()
    invitation = Invitation.objects.get()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))  # expired: resendable
    admin = client_for("grand-annecy", people["admin"])
    before = len(mail.outbox)
    with_callbacks = admin.post(f"/membres/invitations/{invitation.pk}/renvoyer/")
    assert with_callbacks.status_code == 302
    # The e-mail leaves after the commit; the test client's request ran in the test's transaction.
    assert len(mail.outbox) == before
    new = invite()  # inviting the same address again also sends it again
    assert Invitation.objects.count() == 1
    assert new != old
    response = client_for("grand-annecy").get(old)
    assert response.status_code == 410
    assert "Ce lien a été remplacé" in response.content.decode()
    assert client_for("grand-annecy").get(new).status_code == 200
    assert AuditEvent.objects.filter(action="invitation_resent").count() == 2


def test_a_link_is_only_good_on_its_collectivite_s_site(client_for, invite):
    path = invite()
    assert client_for("cdg74").get(path).status_code == 404
    assert client_for(None).get(path).status_code == 404
    response = client_for("grand-annecy").get("/compte/invitation/pas-un-vrai-jeton/")
    assert response.status_code == 404
    assert "n'est pas valide" in html.unescape(response.content.decode())


def test_inviting_refuses_members_and_cdg_accounts(people, annecy):
    with pytest.raises(ValidationError, match="déjà membre"):
        invitation_create(
            collectivite=annecy, email="lecteur@annecy.test", role="admin", actor=people["admin"]
        )
    with pytest.raises(ValidationError, match="compte du CDG"):
        invitation_create(
            collectivite=annecy, email="curateur@cdg74.test", role="reader", actor=people["admin"]
        )
    for member in ("reader", "contributor", "other"):
        with pytest.raises(PermissionDenied):
            invitation_create(
                collectivite=annecy, email="x@annecy.test", role="reader", actor=people[member]
            )


def test_a_curator_invites_a_first_administrator_only(people, annecy, make_user, client_for):
    """Issue 10, defect 1 and issue 12: a curator invites the FIRST administrator of a
    collectivité, nothing else, and never a CDG account."""
    curator = people["curator"]
    with pytest.raises(PermissionDenied):  # the Grand Annecy has an admin
        invitation_create(collectivite=annecy, email="a@annecy.test", role="admin", actor=curator)
    Membership.objects.filter(collectivite=annecy, role=Role.ADMIN).delete()
    with pytest.raises(PermissionDenied):  # not a reader, not a contributor
        invitation_create(collectivite=annecy, email="a@annecy.test", role="reader", actor=curator)
    with pytest.raises(ValidationError, match="compte du CDG"):
        invitation_create(
            collectivite=annecy, email="curateur@cdg74.test", role="admin", actor=curator
        )
    sent = invitation_create(
        collectivite=annecy, email="premier@annecy.test", role="admin", actor=curator
    )
    assert invitation_open(sent.token, annecy).problem is None
    # Once the collectivité has an administrator, the curator's invitation is worth nothing.
    make_user("admin2@annecy.test", collectivite=annecy, role=Role.ADMIN)
    assert "n'est plus valable" in invitation_open(sent.token, annecy).problem
    path = f"/compte/invitation/{sent.token}/"
    response = client_for("grand-annecy").post(
        path, {"password1": "Un-mot-de-passe-42", "password2": "Un-mot-de-passe-42"}
    )
    assert response.status_code == 410
    assert not User.objects.filter(email="premier@annecy.test").exists()


def test_the_invitation_form_explains_a_refusal(client_for, people):
    admin = client_for("grand-annecy", people["admin"])
    response = admin.post("/membres/inviter/", {"email": "contrib@annecy.test", "role": "admin"})
    assert response.status_code == 400
    assert "contrib@annecy.test est déjà membre de cette collectivité." in response.content.decode()
    response = admin.post("/membres/inviter/", {"email": "pas-une-adresse", "role": "admin"})
    assert response.status_code == 400
    assert not Invitation.objects.exists()
    assert PASSWORD  # the people's password, unused here: they are signed in by force_login
