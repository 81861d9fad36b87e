from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions

from accounts.policy import Action, role_allows, role_of

VIEW_ACTIONS = {
    "list": Action.VIEW,
    "retrieve": Action.VIEW,
    "history": Action.VIEW,
    "create": Action.CREATE,
    "update": Action.EDIT,
    "partial_update": Action.EDIT,
}
# Transitions (submit, withdraw, publish, unpublish, archive) are checked by the workflow itself,
# which knows both the role and the state and says why a refusal happens.


class CollectiviteRolePermission(permissions.BasePermission):
    """Members act by role (accounts.policy); anyone else gets 404, so nothing is revealed."""

    def has_permission(self, request, view):
        role = role_of(request.user, getattr(request, "collectivite", None))
        if role is None:
            raise exceptions.NotFound(_("Introuvable."))
        action = VIEW_ACTIONS.get(getattr(view, "action", None), Action.VIEW)
        if not role_allows(role, action):
            raise exceptions.PermissionDenied(
                _("Votre rôle dans cette collectivité ne permet pas cette action.")
            )
        return True
