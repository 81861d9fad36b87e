"""The publication workflow's transitions: submit, withdraw, request changes, approve, unpublish,
archive. Each checks the workflow (state) and the policy (who), changes the state, records the
event, and writes the public side (submission, benchmark entry) in the same transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casestudies import notifications, workflow
from casestudies.models import UseCase
from casestudies.services.publication import current_collectivite, publish, snapshot
from casestudies.services.usecases import lock, record_event
from registry import services as registry_services
from registry import snapshot as declaration
from registry.models import Submission
from registry.vocabularies import PublicationState, SubmissionState, Visibility


def _transition(use_case: UseCase, actor, name: str, to_state: str, comment: str = "") -> str:
    previous = use_case.publication_state
    use_case.publication_state = to_state
    use_case.save(update_fields=["publication_state", "published_at", "updated_at"])
    record_event(use_case, actor, name, from_state=previous, to_state=to_state, comment=comment)
    return previous


def _check(transition: str, use_case: UseCase, actor) -> None:
    lock(use_case)
    workflow.check(
        transition,
        state=use_case.publication_state,
        actor=actor,
        collectivite=current_collectivite(),
    )


def _leave_benchmark(use_case: UseCase, actor, action: str, to_state: str, comment: str) -> None:
    """Unpublication and archiving: close any pending submission, remove the entry."""
    registry_services.submission_close(
        registry_services.submission_pending(use_case.uuid),
        SubmissionState.WITHDRAWN,
        actor,
        comment,
    )
    _transition(use_case, actor, action, to_state, comment)
    registry_services.benchmark_entry_remove(uuid=use_case.uuid, actor=actor, comment=comment)


def _check_core_fields(payload: dict) -> None:
    errors = {
        f.name: (
            _("Choisissez au moins un domaine avant de soumettre au CDG.")
            if f.name == "domains"
            else _("À renseigner avant de soumettre au CDG.")
        )
        for f in declaration.core_fields()
        if not payload[f.name]
    }
    if errors:
        raise ValidationError(errors)


def _required(comment: str, field: str, message: str) -> str:
    if not (comment or "").strip():
        raise ValidationError({field: message})
    return comment.strip()


@transaction.atomic
def usecase_submit(*, use_case: UseCase, actor, message: str) -> Submission:
    """Send to the CDG's curators, with a message; the review queue gets a copy to read."""
    _check("submit", use_case, actor)
    message = _required(message, "message", _("Dites en quelques mots ce que vous soumettez."))
    payload = snapshot(use_case)
    _check_core_fields(payload)
    if use_case.visibility == Visibility.PRIVATE:
        raise ValidationError(
            {
                "visibility": _(
                    "Un cas d'usage privé reste dans la collectivité : choisissez la "
                    "visibilité « réseau des membres » ou « public » pour le soumettre."
                )
            }
        )
    submission = registry_services.submission_open(
        collectivite=current_collectivite(),
        actor=actor,
        payload=payload,
        previous_state=use_case.publication_state,
        message=message,
    )
    _transition(use_case, actor, "submitted", PublicationState.SUBMITTED, message)
    transaction.on_commit(lambda: notifications.submission_received(submission.pk), robust=True)
    return submission


@transaction.atomic
def usecase_withdraw(*, use_case: UseCase, actor, comment: str = "") -> UseCase:
    _check("withdraw", use_case, actor)
    submission = registry_services.submission_pending(use_case.uuid)
    registry_services.submission_close(submission, SubmissionState.WITHDRAWN, actor, comment)
    back_to = submission.previous_state if submission else PublicationState.DRAFT
    _transition(use_case, actor, "withdrawn", back_to, comment)
    return use_case


@transaction.atomic
def usecase_request_changes(*, use_case: UseCase, actor, comment: str) -> UseCase:
    _check("request_changes", use_case, actor)
    comment = _required(comment, "comment", _("Dites ce qui doit être corrigé."))
    submission = registry_services.submission_pending(use_case.uuid)
    registry_services.submission_close(
        submission, SubmissionState.CHANGES_REQUESTED, actor, comment
    )
    _transition(use_case, actor, "changes_requested", PublicationState.CHANGES_REQUESTED, comment)
    if submission is not None:
        transaction.on_commit(lambda: notifications.decision_made(submission.pk), robust=True)
    return use_case


@transaction.atomic
def usecase_approve(*, use_case: UseCase, actor, comment: str = "", published_at=None) -> UseCase:
    """A curator publishes: the benchmark entry is written in the same transaction.

    `published_at`: the date of what is published when it is not today's news (the seed: the
    date of its source's data), shown as the record's last update and in its history."""
    _check("approve", use_case, actor)
    submission = registry_services.submission_pending(use_case.uuid)
    registry_services.submission_close(submission, SubmissionState.APPROVED, actor, comment)
    use_case.published_at = published_at or timezone.now()
    _transition(use_case, actor, "published", PublicationState.PUBLISHED, comment)
    publish(use_case, actor, at=published_at)
    if submission is not None:
        transaction.on_commit(lambda: notifications.decision_made(submission.pk), robust=True)
    return use_case


@transaction.atomic
def usecase_unpublish(*, use_case: UseCase, actor, comment: str = "") -> UseCase:
    _check("unpublish", use_case, actor)
    _leave_benchmark(use_case, actor, "unpublished", PublicationState.UNPUBLISHED, comment)
    return use_case


@transaction.atomic
def usecase_archive(*, use_case: UseCase, actor, comment: str = "") -> UseCase:
    """Archive, never destroy: the use case leaves the benchmark and can no longer change."""
    _check("archive", use_case, actor)
    _leave_benchmark(use_case, actor, "archived", PublicationState.ARCHIVED, comment)
    return use_case
