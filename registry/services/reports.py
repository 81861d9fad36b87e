"""« Signaler une erreur » on a public record: anyone may tell the collectivité and the CDG's
curators that something on the page is wrong. The message leaves by e-mail after the transaction
commits (the job queue, ops.mail.QueuedEmailBackend), to the collectivité's administrators and the
curators; nothing else is stored. The form's spam guard and rate limit are the view's
(registry.report)."""

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Membership, Role
from registry import addresses
from registry.models import BenchmarkEntry
from registry.services.join_requests import curator_addresses


def report_recipients(entry: BenchmarkEntry) -> list[str]:
    """The collectivité's active administrators, then the curators, each address once."""
    # A public source's record has no collectivité: the curators only.
    admins = Membership.objects.filter(
        collectivite_id=entry.collectivite_id, role=Role.ADMIN, user__is_active=True
    ).order_by("user__email")
    if entry.collectivite_id is None:
        admins = admins.none()
    return list(
        dict.fromkeys([*admins.values_list("user__email", flat=True), *curator_addresses()])
    )


def error_report_send(*, entry: BenchmarkEntry, message: str, email: str = "") -> list[str]:
    """Mail the report to whoever can correct the record; the recipients are returned."""
    recipients = report_recipients(entry)
    if not recipients:
        return []
    body = _(
        "Une personne signale une erreur sur la fiche publique « %(title)s » (%(public_id)s) de "
        "%(collectivite)s.\n\nSon message :\n%(message)s\n\n%(reply)s\n\nLa fiche publique : "
        "%(url)s\n\nCe message vient du formulaire « Signaler une erreur » du registre, ouvert à "
        "tous : vérifiez l'information avant de corriger la fiche.\n"
    ) % {
        "title": entry.title,
        "public_id": entry.public_id,
        "collectivite": entry.collectivite.name
        if entry.collectivite_id
        else _("%(organisation)s (source publique : %(source)s)")
        % {
            "organisation": entry.organisation_name or "—",
            "source": (entry.payload.get("provenance") or {}).get("name", ""),
        },
        "message": message,
        "reply": (_("Adresse pour lui répondre : %s") % email)
        if email
        else _("La personne n'a pas laissé d'adresse."),
        "url": addresses.public_page("usecase-page", entry.public_id),
    }
    subject = _("[Registre IA] Erreur signalée : %s") % entry.title
    headers = {"Reply-To": email} if email else {}
    transaction.on_commit(lambda: _send(subject, body, recipients, headers), robust=True)
    return recipients


def _send(subject: str, body: str, recipients: list[str], headers: dict) -> None:
    EmailMessage(subject, body, None, recipients, headers=headers).send()
