"""Members joining the registry: invitations with their e-mail, and a collectivité onboarded by
a curator from the official directory with its first administrator's invitation.

The writes are accounts.invitations' and registry.services.collectivites' (their audit rows);
this module adds what they cannot know from their floor: the address of the collectivité's site
in the e-mail (registry.addresses). E-mails leave after the transaction commits (never for a
rollback), through the job queue (ops.mail.QueuedEmailBackend)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import invitations, policy
from accounts.invitations import Sent
from accounts.models import Invitation, Role
from registry import addresses, formats
from registry.models import Collectivite
from registry.services.collectivites import collectivite_create
from registry.validators import RESERVED_SLUGS, validate_slug
from registry.vocabularies import CollectiviteKind

# --- invitations and their e-mail ---------------------------------------------------------------


def invitation_address(invitation: Invitation, token: str) -> str:
    return addresses.collectivite_page(invitation.collectivite, "accounts:invitation", token)


def _send(sent: Sent) -> None:
    # In the registry's language, whatever the inviter's page was read in: the invitee has
    # chosen none yet.
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _message(sent)
    recipient = sent.invitation.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]), robust=True)


def _message(sent: Sent) -> tuple[str, str]:
    invitation = sent.invitation
    url = invitation_address(invitation, sent.token)
    author = invitation.invited_by
    values = {
        "collectivite": invitation.collectivite.name,
        "role": invitation.get_role_display().lower(),
        "author": (author.full_name or author.email) if author else _("L'équipe du registre"),
        "url": url,
        "day": formats.day_format(invitation.expires_at, "j F Y"),
    }
    body = (
        _(
            "Bonjour,\n\n"
            "%(author)s vous invite à rejoindre %(collectivite)s dans le Registre IA des "
            "collectivités, avec le rôle de %(role)s.\n\n"
            "Pour accepter, ouvrez ce lien (il sert une seule fois et vaut jusqu'au %(day)s) :\n"
            "%(url)s\n\n"
            "Si vous n'avez pas de compte, vous choisirez votre mot de passe sur cette page. Si "
            "vous en avez déjà un, connectez-vous avec lui.\n\n"
            "Vous n'attendiez pas cette invitation ? Ignorez ce message : rien ne se passera.\n"
        )
        % values
    )
    subject = _("[Registre IA] Invitation à rejoindre %(collectivite)s") % values
    return subject, body


@transaction.atomic
def member_invite(*, collectivite, email: str, role: str, actor) -> Sent:
    """Invite an address into a collectivité (see accounts.invitations.invitation_create) and
    send the e-mail with its link."""
    sent = invitations.invitation_create(
        collectivite=collectivite, email=email, role=role, actor=actor
    )
    _send(sent)
    return sent


@transaction.atomic
def member_invitation_resend(*, invitation: Invitation, actor) -> Sent:
    sent = invitations.invitation_resend(invitation=invitation, actor=actor)
    _send(sent)
    return sent


# --- onboarding from the official directory -----------------------------------------------------

ONBOARDING_KINDS = frozenset(CollectiviteKind.values)


def proposed_slug(entry) -> str:
    """A free slug from the body's name: « Saint-Félix » → saint-felix; when taken (or
    reserved), with its département (saint-felix-74), then its INSEE code or SIREN."""
    base = slugify(entry.name.replace("'", " ").replace("\u2019", " "))[:50].strip("-")
    if not base or not base[0].isalpha():
        base = f"{entry.kind}-{base}".strip("-")
    candidates = [base]
    if entry.departement:
        candidates.append(f"{base}-{entry.departement.lower()}")
    code = entry.insee_code or entry.siren
    if code:
        candidates.append(f"{base}-{code.lower()}")
    taken = set(Collectivite.objects.filter(slug__in=candidates).values_list("slug", flat=True))
    for slug in candidates:
        if slug in taken or slug in RESERVED_SLUGS:
            continue
        try:
            validate_slug(slug)
        except ValidationError:
            continue
        return slug
    return ""


def registered(entry) -> Collectivite | None:
    """The collectivité of the registry that this directory entry is (by its link, or else its
    SIREN or INSEE code), if any."""
    found = Collectivite.objects.filter(directory_entry=entry).first()
    if found is None and entry.siren:
        found = Collectivite.objects.filter(siren=entry.siren).first()
    if found is None and entry.insee_code and entry.kind == CollectiviteKind.COMMUNE:
        found = Collectivite.objects.filter(
            insee_code=entry.insee_code, kind=CollectiviteKind.COMMUNE
        ).first()
    return found


def parent_collectivite(entry) -> Collectivite | None:
    """The registry's collectivité of the entry's EPCI, when that EPCI is in the registry."""
    if entry.parent_epci_id is None:
        return None
    return registered(entry.parent_epci)


@transaction.atomic
def collectivite_onboard(
    *,
    entry,
    slug: str,
    contact_email: str,
    admin_email: str,
    actor,
    departement: str = "",
) -> tuple[Collectivite, Sent]:
    """A curator brings a body of the directory into the registry: the collectivité (its schema
    and host, by collectivite_create) with its identity from the directory, and the invitation of
    its first administrator (e-mailed). A body already in the registry is refused."""
    if not policy.is_curator(actor):
        raise PermissionDenied(_("Seuls les curateurs du CDG inscrivent une collectivité."))
    if entry.kind not in ONBOARDING_KINDS or not entry.is_current:
        raise ValidationError(
            _("Cette entrée de l'annuaire n'est pas une collectivité que l'on peut inscrire.")
        )
    existing = registered(entry)
    if existing is not None:
        raise ValidationError(
            _("%(name)s est déjà dans le registre (identifiant « %(slug)s »).")
            % {"name": existing.name, "slug": existing.slug}
        )
    slug = (slug or "").strip().lower()
    if Collectivite.objects.filter(slug=slug).exists():
        raise ValidationError(
            {
                "slug": _("L'identifiant « %(slug)s » est déjà pris : choisissez-en un autre.")
                % {"slug": slug}
            }
        )
    if not (admin_email or "").strip():
        raise ValidationError({"admin_email": _("Donnez l'adresse de son premier administrateur.")})
    collectivite = collectivite_create(
        slug=slug,
        name=entry.name,
        kind=entry.kind,
        actor=actor,
        siren=entry.siren,
        insee_code=entry.insee_code,
        departement=entry.departement or departement,
        population=entry.population,
        parent_epci=parent_collectivite(entry),
        directory_entry=entry,
        contact_email=(contact_email or "").strip(),
    )
    sent = member_invite(collectivite=collectivite, email=admin_email, role=Role.ADMIN, actor=actor)
    return collectivite, sent
