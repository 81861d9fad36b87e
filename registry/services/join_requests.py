"""A body of the official directory asks to join the registry from the public site, and a curator
accepts or refuses (issue 12). Nothing but the request row exists until a curator accepts it: then
registry.services.members.collectivite_onboard creates the collectivité (its schema) and the
invitation of its first administrator, to the requester's address.

Every write is audited (accounts.AuditEvent, with its actor: none for the public request); the
e-mails leave after the transaction commits, in the registry's language, through the job queue."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import policy
from accounts.invitations import Sent
from accounts.models import User
from accounts.services import audit_record
from registry import addresses
from registry.models import Collectivite, JoinRequest
from registry.services.members import ONBOARDING_KINDS, collectivite_onboard, registered
from registry.vocabularies import JoinRequestState


def review_address(join_request: JoinRequest) -> str:
    return addresses.public_page("curation:join-request", join_request.pk)


def _mail(subject: str, body: str, recipients: list[str]) -> None:
    if recipients:
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients), robust=True)


def curator_addresses() -> list[str]:
    return list(
        User.objects.filter(is_active=True, is_curator=True)
        .order_by("email")
        .values_list("email", flat=True)
    )


def _refuse_if_registered(entry) -> None:
    existing = registered(entry)
    if existing is not None:
        raise ValidationError(
            _(
                "%(name)s est déjà inscrite au registre : demandez à ses administrateurs de vous "
                "inviter."
            )
            % {"name": existing.name}
        )


@transaction.atomic
def join_request_create(
    *, entry, name: str, function: str, email: str, message: str = ""
) -> JoinRequest:
    """Record a public request to join for a body of the directory that is not in the registry,
    and tell the curators (a link to its review page) and the requester (an acknowledgement).
    Refused: a body that is not one of those one can onboard, one already in the registry, and a
    second pending request for the same body from the same address."""
    if entry.kind not in ONBOARDING_KINDS or not entry.is_current:
        raise ValidationError(
            _("Cette entrée de l'annuaire n'est pas une collectivité que l'on peut inscrire.")
        )
    _refuse_if_registered(entry)
    email = (email or "").strip()
    values = {
        "name": (name or "").strip(),
        "function": (function or "").strip(),
        "email": email,
        "message": (message or "").strip(),
    }
    missing = {
        field: _("Ce champ est obligatoire.")
        for field in ("name", "function", "email")
        if not values[field]
    }
    if missing:
        raise ValidationError(missing)
    duplicate = _(
        "Vous avez déjà une demande en attente pour %(name)s : les curateurs vous répondront par "
        "courriel."
    ) % {"name": entry.name}
    if JoinRequest.objects.filter(
        entry=entry, email__iexact=email, state=JoinRequestState.PENDING
    ).exists():
        raise ValidationError(duplicate)
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(entry=entry, **values)
    except IntegrityError as error:  # the same request sent twice at once
        raise ValidationError(duplicate) from error
    audit_record(
        actor=None,
        action="join_request.create",
        target=join_request,
        changes={"entry": entry.key, "email": email, "function": values["function"]},
    )
    with translation.override(settings.LANGUAGE_CODE):
        _mail(
            _("[Registre IA] Demande d'inscription : %(name)s") % {"name": entry.name},
            _(
                "%(requester)s (%(function)s, %(email)s) demande l'inscription de %(entry)s au "
                "registre.\n\nMessage :\n%(message)s\n\n"
                "Examiner la demande : %(url)s\n"
                "Toutes les demandes : %(list)s\n"
            )
            % {
                "requester": join_request.name,
                "function": join_request.function,
                "email": join_request.email,
                "entry": entry.name,
                "message": join_request.message or _("(aucun)"),
                "url": review_address(join_request),
                "list": addresses.public_page("curation:join-requests"),
            },
            curator_addresses(),
        )
        _mail(
            _("[Registre IA] Votre demande d'inscription de %(name)s") % {"name": entry.name},
            _(
                "Bonjour %(requester)s,\n\n"
                "Nous avons bien reçu votre demande d'inscription de %(entry)s au Registre IA "
                "des collectivités. Les curateurs du CDG vont l'examiner et vous répondront par "
                "courriel, à cette adresse.\n\n"
                "Si elle est acceptée, vous recevrez une invitation pour créer votre compte : vous "
                "serez le premier administrateur de la collectivité et pourrez inviter vos "
                "collègues.\n\n"
                "Vous n'avez pas fait cette demande ? Ignorez ce message.\n"
            )
            % {"requester": join_request.name, "entry": entry.name},
            [join_request.email],
        )
    return join_request


def _check(join_request: JoinRequest, actor) -> JoinRequest:
    if not policy.is_curator(actor):
        raise PermissionDenied(_("Seuls les curateurs du CDG décident des demandes d'inscription."))
    locked = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if locked.state != JoinRequestState.PENDING:
        raise ValidationError(
            _("Cette demande a déjà été traitée (%(state)s).")
            % {"state": locked.get_state_display().lower()}
        )
    return locked


@transaction.atomic
def join_request_accept(
    *, join_request: JoinRequest, slug: str, actor, contact_email: str = "", departement: str = ""
) -> tuple[Collectivite, Sent]:
    """A curator accepts: the collectivité is onboarded from its directory entry with the slug
    chosen, the requester invited as its first administrator (collectivite_onboard sends the
    invitation), the contact address the requester's unless the curator gives another."""
    join_request = _check(join_request, actor)
    collectivite, sent = collectivite_onboard(
        entry=join_request.entry,
        slug=slug,
        contact_email=(contact_email or "").strip() or join_request.email,
        admin_email=join_request.email,
        departement=departement,
        actor=actor,
    )
    join_request.state = JoinRequestState.ACCEPTED
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.collectivite = collectivite
    join_request.save(update_fields=["state", "decided_by", "decided_at", "collectivite"])
    audit_record(
        actor=actor,
        action="join_request.accept",
        target=join_request,
        changes={"collectivite": collectivite.slug},
    )
    return collectivite, sent


@transaction.atomic
def join_request_refuse(*, join_request: JoinRequest, reason: str, actor) -> JoinRequest:
    """A curator refuses, with a reason that is e-mailed to the requester."""
    join_request = _check(join_request, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Donnez le motif du refus : il est envoyé au demandeur.")}
        )
    join_request.state = JoinRequestState.REFUSED
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.reason = reason
    join_request.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    audit_record(
        actor=actor, action="join_request.refuse", target=join_request, changes={"reason": reason}
    )
    with translation.override(settings.LANGUAGE_CODE):
        _mail(
            _("[Registre IA] Votre demande d'inscription de %(name)s")
            % {"name": join_request.entry.name},
            _(
                "Bonjour %(requester)s,\n\n"
                "Les curateurs du CDG n'ont pas retenu votre demande d'inscription de %(entry)s "
                "au Registre IA des collectivités, pour la raison suivante :\n\n%(reason)s\n\n"
                "Pour toute question, répondez à ce message.\n"
            )
            % {"requester": join_request.name, "entry": join_request.entry.name, "reason": reason},
            [join_request.email],
        )
    return join_request
