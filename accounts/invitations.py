"""Invitations into a collectivité, and the members' changes its administrators make.

Every write is a service with its actor and an AuditEvent row, in one transaction; the policy
(accounts.policy.may_invite, may_manage_members, may_make_member) is asked here too, whatever
page or command calls.

The link's secret: a random token (`secrets.token_urlsafe`, 256 bits), of which only its SHA-256
digest is stored. Why not a signed token (django.core.signing)? Single use, revocation, expiry and
"sent again, the old link is dead" are states of the row anyway, so a signature would add a
second mechanism without removing the first; and with only the digest stored, neither a copy of
the database nor the public admin holds a usable link (the link exists in the e-mail only), while
rotating SECRET_KEY does not kill the pending invitations. The digest of a replaced token is kept
(`replaced_token_hashes`) to tell its holder that a newer e-mail was sent.

The e-mail itself is written one floor up (registry.services.members): it links to the
collectivité's site, whose address this app does not know. These functions return the token of a
new link for it; a caller that sends no e-mail leaves an invitation nobody can open.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import Invitation, Membership, Role, User
from accounts.services import audit_record, membership_remove, membership_set, user_create

INVITATION_VALIDITY = timedelta(days=7)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, _digest(token)


def _normalise(email: str) -> str:
    return User.objects.normalize_email((email or "").strip()).lower()


def _refused(user, collectivite, role) -> None:
    if not policy.may_invite(user, collectivite, role):
        raise PermissionDenied(
            _(
                "Seuls les administrateurs de la collectivité invitent ses membres (un curateur "
                "du CDG invite seulement son premier administrateur)."
            )
        )


# --- sending ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """An invitation just (re)sent, and the token of its link (to put in the e-mail)."""

    invitation: Invitation
    token: str
    again: bool  # an open invitation to that address existed: it was sent again


@transaction.atomic
def invitation_create(*, collectivite, email: str, role: str, actor) -> Sent:
    """Invite an address with a role. An open invitation to the same address is sent again
    (new link, new expiry, the role asked now)."""
    _refused(actor, collectivite, role)
    email = _normalise(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {
                "email": _(
                    "Saisissez une adresse électronique valide (exemple : prenom.nom@mairie.fr)."
                )
            }
        ) from None
    if role not in Role.values:
        raise ValidationError({"role": _("Choisissez un rôle de la liste.")})
    account = User.objects.filter(email__iexact=email).first()
    if account is not None:
        if Membership.objects.filter(user=account, collectivite=collectivite).exists():
            raise ValidationError(
                {"email": _("%(email)s est déjà membre de cette collectivité.") % {"email": email}}
            )
        if not policy.may_make_member(actor, account):
            raise ValidationError(
                {
                    "email": _(
                        "Cette adresse est celle d'un compte du CDG (curateur ou exploitant) : "
                        "seul un exploitant de la plateforme peut le rendre membre d'une "
                        "collectivité."
                    )
                }
            )
    existing = (
        Invitation.objects.select_for_update()
        .open()
        .filter(collectivite=collectivite, email=email)
        .first()
    )
    if existing is not None:
        before = existing.role
        existing.role = role
        token = _rotate(existing)
        audit_record(
            actor=actor,
            action="invitation_resent",
            target=existing,
            changes={"role": {"before": before, "after": role}} if before != role else {},
        )
        return Sent(existing, token, again=True)
    token, digest = _new_token()
    now = timezone.now()
    invitation = Invitation(
        email=email,
        collectivite=collectivite,
        role=role,
        invited_by=policy_actor(actor),
        token_hash=digest,
        sent_at=now,
        expires_at=now + INVITATION_VALIDITY,
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        actor=actor,
        action="invitation_created",
        target=invitation,
        changes={
            "email": {"before": None, "after": email},
            "role": {"before": None, "after": role},
        },
    )
    return Sent(invitation, token, again=False)


def policy_actor(user):
    return user if user is not None and user.is_authenticated else None


def _rotate(invitation: Invitation) -> str:
    """A new link (the old one dead) valid for INVITATION_VALIDITY from now."""
    token, digest = _new_token()
    now = timezone.now()
    invitation.replaced_token_hashes = [*invitation.replaced_token_hashes, invitation.token_hash]
    invitation.token_hash = digest
    invitation.sent_at = now
    invitation.expires_at = now + INVITATION_VALIDITY
    invitation.save()
    return token


def _locked_open(invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise ValidationError(_("Cette invitation a déjà été acceptée."))
    if locked.revoked_at is not None:
        raise ValidationError(_("Cette invitation a été annulée."))
    return locked


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor) -> Sent:
    """Send an open invitation again (an expired one too): a new link, valid 7 days; the link of
    the previous e-mail no longer works."""
    invitation = _locked_open(invitation)
    _refused(actor, invitation.collectivite, invitation.role)
    token = _rotate(invitation)
    audit_record(actor=actor, action="invitation_resent", target=invitation)
    return Sent(invitation, token, again=True)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    invitation = _locked_open(invitation)
    _refused(actor, invitation.collectivite, invitation.role)
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = policy_actor(actor)
    invitation.save()
    audit_record(actor=actor, action="invitation_revoked", target=invitation)
    return invitation


# --- opening the link ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    """What a link leads to: the invitation (None: unknown), and why it cannot be accepted
    (None: it can). `account`: the existing account of the invited address, if any."""

    invitation: Invitation | None
    problem: str | None
    account: User | None = None


def _day(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


def invitation_open(token: str, collectivite) -> Opened:
    """The invitation of a link opened on this collectivité's site, and its state in French."""
    digest = _digest(token or "")
    invitation = (
        Invitation.objects.select_related("collectivite")
        .filter(collectivite=collectivite, token_hash=digest)
        .first()
    )
    if invitation is None:
        replaced = Invitation.objects.filter(
            collectivite=collectivite, replaced_token_hashes__contains=[digest]
        ).first()
        if replaced is not None and replaced.is_open:
            return Opened(
                replaced,
                _(
                    "Ce lien a été remplacé : une nouvelle invitation vous a été envoyée depuis. "
                    "Utilisez le lien du courriel le plus récent."
                ),
            )
        if replaced is not None:
            invitation = replaced  # accepted or revoked since: say that instead
        else:
            return Opened(
                None,
                _(
                    "Ce lien d'invitation n'est pas valide. Vérifiez qu'il est complet (copiez-le "
                    "en entier depuis le courriel) ou demandez une nouvelle invitation à un "
                    "administrateur de la collectivité."
                ),
            )
    return Opened(invitation, _problem(invitation), _account(invitation))


def _account(invitation: Invitation) -> User | None:
    return User.objects.filter(email__iexact=invitation.email).first()


def _problem(invitation: Invitation) -> str | None:
    name = invitation.collectivite.name
    if invitation.accepted_at is not None:
        return _(
            "Cette invitation a déjà été acceptée le %(day)s : elle ne sert qu'une fois. "
            "Connectez-vous avec votre adresse et votre mot de passe."
        ) % {"day": _day(invitation.accepted_at)}
    if invitation.revoked_at is not None:
        return _(
            "Cette invitation a été annulée par un administrateur de %(name)s le %(day)s. Si "
            "vous pensez que c'est une erreur, demandez-lui une nouvelle invitation."
        ) % {"name": name, "day": _day(invitation.revoked_at)}
    if invitation.expires_at <= timezone.now():
        return _(
            "Cette invitation a expiré le %(day)s (elle vaut 7 jours). Demandez à un "
            "administrateur de %(name)s de vous l'envoyer à nouveau."
        ) % {"name": name, "day": _day(invitation.expires_at)}
    if not policy.may_invite(invitation.invited_by, invitation.collectivite, invitation.role):
        return _(
            "Cette invitation n'est plus valable : la personne qui l'a envoyée n'a plus le droit "
            "d'inviter dans %(name)s. Demandez une nouvelle invitation à un de ses "
            "administrateurs."
        ) % {"name": name}
    account = _account(invitation)
    if account is not None and not account.is_active:
        return _(
            "Le compte de cette adresse est désactivé. Contactez un administrateur de %(name)s."
        ) % {"name": name}
    if account is not None and not policy.may_make_member(invitation.invited_by, account):
        return _(
            "Cette adresse est celle d'un compte du CDG : seul un exploitant de la plateforme "
            "peut le rendre membre d'une collectivité."
        )
    return None


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User | None = None, password: str = "", full_name: str = ""
) -> User:
    """Accept an invitation: with `user`, the signed-in account of the invited address joins;
    without, an account is created with the password the invitee chose. Single use."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    problem = _problem(invitation)
    if problem is not None:
        raise ValidationError(problem)
    existing = _account(invitation)
    if user is None:
        if existing is not None:
            raise ValidationError(
                _("Un compte existe déjà pour cette adresse : connectez-vous pour accepter.")
            )
        user = user_create(email=invitation.email, password=password, full_name=full_name.strip())
        audit_record(
            actor=user, action="user_created", target=user, changes={"invitation": invitation.pk}
        )
    elif existing is None or existing.pk != user.pk:
        raise PermissionDenied(
            _("Cette invitation est adressée à %(email)s : connectez-vous avec ce compte.")
            % {"email": invitation.email}
        )
    if not Membership.objects.filter(user=user, collectivite=invitation.collectivite).exists():
        # Granted by the invitation's author (the audit row says so), accepted by the invitee.
        membership_set(
            user=user,
            collectivite=invitation.collectivite,
            role=invitation.role,
            actor=invitation.invited_by,
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save()
    audit_record(actor=user, action="invitation_accepted", target=invitation)
    return user


# --- members ------------------------------------------------------------------------------------


def _check_manager(actor, collectivite) -> None:
    if not policy.may_manage_members(actor, collectivite):
        raise PermissionDenied(
            _("Seuls les administrateurs de la collectivité gèrent ses membres.")
        )


def _is_last_admin(membership: Membership) -> bool:
    admins = list(
        Membership.objects.select_for_update(of=("self",))
        .filter(collectivite=membership.collectivite, role=Role.ADMIN, user__is_active=True)
        .values_list("pk", flat=True)
    )
    return admins == [membership.pk]


@transaction.atomic
def member_role_change(*, membership: Membership, role: str, actor) -> Membership:
    _check_manager(actor, membership.collectivite)
    if role not in Role.values:
        raise ValidationError({"role": _("Choisissez un rôle de la liste.")})
    if membership.role == Role.ADMIN and role != Role.ADMIN and _is_last_admin(membership):
        raise ValidationError(
            _(
                "%(name)s est le dernier administrateur de la collectivité : nommez d'abord un "
                "autre administrateur, puis changez son rôle."
            )
            % {"name": membership.user}
        )
    return membership_set(
        user=membership.user, collectivite=membership.collectivite, role=role, actor=actor
    )


@transaction.atomic
def member_remove(*, membership: Membership, actor) -> None:
    _check_manager(actor, membership.collectivite)
    if membership.user_id == getattr(actor, "pk", None):
        raise ValidationError(
            _(
                "Vous ne pouvez pas vous retirer vous-même : demandez-le à un autre "
                "administrateur de la collectivité."
            )
        )
    if membership.role == Role.ADMIN and _is_last_admin(membership):
        raise ValidationError(
            _(
                "%(name)s est le dernier administrateur de la collectivité : nommez d'abord un "
                "autre administrateur."
            )
            % {"name": membership.user}
        )
    membership_remove(membership=membership, actor=actor)
