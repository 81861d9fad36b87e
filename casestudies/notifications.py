"""E-mails of the curation workflow, sent after the transaction commits (never for a rollback).

Links point to the right site with its port (registry.addresses, from settings.PUBLIC_BASE_URL):
the curators to the review page of the submission on the public site, the collectivité to its
use case on its own site."""

from django.core.mail import send_mail
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User
from registry import addresses
from registry.models import Submission
from registry.vocabularies import SubmissionState


def review_address(submission: Submission) -> str:
    return addresses.public_page("curation:review", submission.pk)


def submission_received(submission_id: int) -> int:
    submission = Submission.objects.select_related("collectivite", "submitted_by").get(
        pk=submission_id
    )
    curators = list(
        User.objects.filter(is_active=True, is_curator=True).values_list("email", flat=True)
    )
    if not curators:
        return 0
    author = submission.submitted_by.email if submission.submitted_by else _("le système")
    body = _(
        "%(collectivite)s soumet « %(title)s » (%(public_id)s) au référentiel commun.\n\n"
        "Message de %(author)s :\n%(message)s\n\nComplétude : %(score)s/100.\n\n"
        "Examiner la soumission : %(url)s\n"
        "Toutes les soumissions en attente : %(queue)s\n"
    ) % {
        "collectivite": submission.collectivite.name,
        "title": submission.title,
        "public_id": submission.public_id,
        "author": author,
        "message": submission.message,
        "score": submission.completeness,
        "url": review_address(submission),
        "queue": addresses.public_page("curation:queue"),
    }
    return send_mail(
        _("[Registre IA] Nouvelle soumission : %s") % submission.title,
        body,
        None,
        curators,
    )


def decision_recipients(submission: Submission) -> list[str]:
    """Who hears of a decision: the member who submitted, and the collectivité's admins."""
    admins = Membership.objects.filter(
        collectivite=submission.collectivite, role=Role.ADMIN, user__is_active=True
    ).values_list("user__email", flat=True)
    recipients = []
    author = submission.submitted_by
    if author is not None and author.is_active:
        recipients.append(author.email)
    recipients.extend(email for email in admins.order_by("user__email") if email not in recipients)
    return recipients


def decision_made(submission_id: int) -> int:
    submission = Submission.objects.select_related("collectivite", "submitted_by").get(
        pk=submission_id
    )
    recipients = decision_recipients(submission)
    if not recipients:
        return 0
    decision = submission.get_state_display()
    values = {
        "title": submission.title,
        "public_id": submission.public_id,
        "decision": decision,
        "comment": submission.decision_comment or _("(pas de commentaire)"),
        "url": addresses.collectivite_page(
            submission.collectivite, "usecase-detail", submission.public_id
        ),
    }
    if submission.state == SubmissionState.CHANGES_REQUESTED:
        body = (
            _(
                "Le CDG a examiné « %(title)s » (%(public_id)s) et demande des corrections avant "
                "de le publier dans le registre commun.\n\n"
                "Commentaire du curateur :\n%(comment)s\n\n"
                "Corrigez la fiche puis soumettez-la à nouveau : %(url)s\n"
            )
            % values
        )
    else:
        body = (
            _(
                "Le CDG a examiné « %(title)s » (%(public_id)s) : %(decision)s.\n\n"
                "Commentaire du curateur :\n%(comment)s\n\n"
                "La fiche : %(url)s\n"
            )
            % values
        )
    return send_mail(
        _("[Registre IA] %(decision)s : %(title)s")
        % {"decision": decision, "title": submission.title},
        body,
        None,
        recipients,
    )
