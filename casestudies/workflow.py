"""The publication workflow: which transition, from which states. Who may make each one is the
policy's (accounts.policy.TRANSITION_ACTORS); every service that changes a use case's publication
state asks this module, and pages ask it which actions to offer.

    draft ──submit──▶ submitted ──approve (curator)──▶ published ──unpublish──▶ unpublished
      ▲                  │  └──request_changes (curator)──▶ changes_requested ──submit──┘
      └────withdraw──────┘                                   (any state) ──archive──▶ archived
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from registry.vocabularies import PublicationState as S


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: frozenset[str]


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "submit",
            gettext_lazy("soumettre au CDG"),
            frozenset({S.DRAFT, S.CHANGES_REQUESTED, S.UNPUBLISHED, S.PUBLISHED}),
        ),
        Transition("withdraw", gettext_lazy("retirer la soumission"), frozenset({S.SUBMITTED})),
        Transition(
            "request_changes", gettext_lazy("demander des corrections"), frozenset({S.SUBMITTED})
        ),
        Transition("approve", gettext_lazy("publier"), frozenset({S.SUBMITTED})),
        Transition(
            "unpublish",
            gettext_lazy("dépublier"),
            frozenset({S.PUBLISHED, S.SUBMITTED, S.CHANGES_REQUESTED}),
        ),
        Transition("archive", gettext_lazy("archiver"), frozenset(set(S.values) - {S.ARCHIVED})),
    ]
}

# A use case in these states cannot be edited (withdraw the submission first; archived is final).
READ_ONLY_STATES = frozenset({S.SUBMITTED, S.ARCHIVED})


def check(transition_name: str, *, state: str, actor, collectivite) -> Transition:
    """Refuse, with a message that says why, a transition this actor may not make now.

    `actor=None` is the system (seed, import commands run by an operator): only the state is
    checked.
    """
    transition = TRANSITIONS[transition_name]
    if actor is not None and not policy.may_transition(actor, collectivite, transition_name):
        if policy.curators_only(transition_name):
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


def offered(name: str, *, state: str, role: str | None) -> bool:
    """Should a member's page offer this transition now (state and role allow it)?"""
    return state in TRANSITIONS[name].sources and policy.members_may(name, role)


def is_editable(state: str) -> bool:
    return state not in READ_ONLY_STATES


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
