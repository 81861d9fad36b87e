"""The publication workflow: which transition, from which states, by whom. One table, consulted by
every service that changes a use case's publication state.

    draft ──submit──▶ submitted ──approve (curator)──▶ published ──unpublish──▶ unpublished
      ▲                  │  └──request_changes (curator)──▶ changes_requested ──submit──┘
      └────withdraw──────┘                                   (any state) ──archive──▶ archived
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.policy import Action, is_curator, role_allows, role_of
from registry.vocabularies import PublicationState as S


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    # Who may do it: a member's action in accounts.policy, and/or curators.
    member_action: str | None
    curator: bool


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "submit",
            "soumettre au CDG",
            frozenset({S.DRAFT, S.CHANGES_REQUESTED, S.UNPUBLISHED, S.PUBLISHED}),
            Action.SUBMIT,
            False,
        ),
        Transition(
            "withdraw", "retirer la soumission", frozenset({S.SUBMITTED}), Action.SUBMIT, False
        ),
        Transition(
            "request_changes", "demander des corrections", frozenset({S.SUBMITTED}), None, True
        ),
        Transition("approve", "publier", frozenset({S.SUBMITTED}), None, True),
        Transition(
            "unpublish",
            "dépublier",
            frozenset({S.PUBLISHED, S.SUBMITTED, S.CHANGES_REQUESTED}),
            Action.UNPUBLISH,
            True,
        ),
        Transition(
            "archive",
            "archiver",
            frozenset(set(S.values) - {S.ARCHIVED}),
            Action.ARCHIVE,
            False,
        ),
    ]
}


def check(transition_name: str, *, state: str, actor, collectivite) -> Transition:
    """Refuse, with a message that says why, a transition this actor may not make now.

    `actor=None` is the system (seed, import commands run by an operator): only the state is
    checked.
    """
    transition = TRANSITIONS[transition_name]
    if actor is not None:
        allowed = (transition.curator and is_curator(actor)) or (
            transition.member_action is not None
            and role_allows(role_of(actor, collectivite), transition.member_action)
        )
        if not allowed:
            if transition.curator and transition.member_action is None:
                reason = _("seul un curateur du CDG peut %(action)s un cas d'usage.")
            else:
                reason = _("votre rôle ne permet pas de %(action)s ce cas d'usage.")
            raise PermissionDenied(_("Action refusée : ") + reason % {"action": transition.label})
    if state not in transition.sources:
        expected = ", ".join(f"« {S(source).label} »" for source in sorted(transition.sources))
        raise ValidationError(
            _(
                "Impossible de %(action)s : le cas d'usage est « %(state)s » ; cette action "
                "demande l'état %(expected)s."
            )
            % {"action": transition.label, "state": S(state).label, "expected": expected}
        )
    return transition


def editable(state: str) -> None:
    if state == S.SUBMITTED:
        raise ValidationError(
            _(
                "Ce cas d'usage est en cours d'examen par le CDG : retirez la soumission pour le "
                "modifier."
            )
        )
    if state == S.ARCHIVED:
        raise ValidationError(_("Un cas d'usage archivé ne peut plus être modifié."))
