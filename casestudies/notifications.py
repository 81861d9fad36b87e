"""E-mails of the curation workflow, sent after the transaction commits (never for a rollback)."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User
from registry.models import Submission


def _site(host: str) -> str:
    return f"http://{host}/" if settings.DEBUG else f"https://{host}/"


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
        "Message de %(author)s :\n%(message)s\n\nComplétude : %(score)s/100.\n"
        "File d'examen : %(url)sapi/v1/benchmark/review-queue/\n"
    ) % {
        "collectivite": submission.collectivite.name,
        "title": submission.title,
        "public_id": submission.public_id,
        "author": author,
        "message": submission.message,
        "score": submission.completeness,
        "url": _site(settings.BASE_DOMAIN),
    }
    return send_mail(
        _("[Registre IA] Nouvelle soumission : %s") % submission.title,
        body,
        None,
        curators,
    )


def decision_made(submission_id: int) -> int:
    submission = Submission.objects.select_related("collectivite").get(pk=submission_id)
    admins = list(
        Membership.objects.filter(
            collectivite=submission.collectivite, role=Role.ADMIN, user__is_active=True
        ).values_list("user__email", flat=True)
    )
    if not admins:
        return 0
    decision = submission.get_state_display()
    body = _("Le CDG a examiné « %(title)s » (%(public_id)s) : %(decision)s.\n\n%(comment)s\n") % {
        "title": submission.title,
        "public_id": submission.public_id,
        "decision": decision,
        "comment": submission.decision_comment,
    }
    return send_mail(
        _("[Registre IA] %(decision)s : %(title)s")
        % {"decision": decision, "title": submission.title},
        body,
        None,
        admins,
    )
