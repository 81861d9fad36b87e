"""Who may do what in a collectivité: one table, consulted by the admin, pages and API alike."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Role


class Action(models.TextChoices):
    VIEW = "view", _("consulter")
    CREATE = "create", _("créer")
    EDIT = "edit", _("modifier")
    SUBMIT = "submit", _("soumettre au CDG")
    UNPUBLISH = "unpublish", _("dépublier")
    ARCHIVE = "archive", _("archiver")


ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.READER: frozenset({Action.VIEW}),
    Role.CONTRIBUTOR: frozenset({Action.VIEW, Action.CREATE, Action.EDIT, Action.SUBMIT}),
    Role.ADMIN: frozenset(Action.values),
}


def membership_of(user, collectivite) -> Membership | None:
    if collectivite is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, collectivite=collectivite).first()


def role_of(user, collectivite) -> str | None:
    """The user's role in the collectivité; platform superusers act as its admin."""
    if not user.is_authenticated or not user.is_active or collectivite is None:
        return None
    membership = membership_of(user, collectivite)
    if membership is not None:
        return membership.role
    if user.is_superuser:
        return Role.ADMIN
    return None


def role_allows(role: str | None, action: str) -> bool:
    return role is not None and action in ROLE_ACTIONS[role]


def can(user, collectivite, action: str) -> bool:
    return role_allows(role_of(user, collectivite), action)


def is_curator(user) -> bool:
    """CDG curators (and platform operators) decide what reaches the shared benchmark."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.is_curator)
    )
