"""Thin adapters of the policy (accounts.policy) for DRF and for Django's admin: they decide
nothing themselves."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from accounts import policy


class PolicyPermission(permissions.BasePermission):
    """Every API view: the policy's rule for its `policy_name` and action (refused if none)."""

    def has_permission(self, request, view):
        method = request.method.lower()
        if method not in view.http_method_names or getattr(view, method, None) is None:
            return True  # no handler: DRF answers 405, nothing runs
        action = getattr(view, "action", None) or request.method.lower()
        decision = policy.api_decision(
            request.user,
            getattr(request, "collectivite", None),
            getattr(view, "policy_name", None),
            action,
        )
        if decision == policy.NOT_FOUND:
            raise exceptions.NotFound(_("Introuvable."))
        if decision == policy.NOT_AUTHENTICATED:
            raise exceptions.NotAuthenticated(
                _("Connectez-vous avec un compte de curateur du CDG.")
            )
        if decision != policy.ALLOWED:
            rule = policy.api_rule(getattr(view, "policy_name", None), action)
            raise exceptions.PermissionDenied(
                _("Réservé aux curateurs du CDG.")
                if rule == policy.CURATOR
                else _("Votre rôle dans cette collectivité ne permet pas cette action.")
            )
        return True


class PolicyAdminMixin:
    """Admin rights come from the policy's table for this site and model, never from Django's
    per-model permissions. A model the table does not list is out of reach."""

    def _allows(self, request, permission: str) -> bool:
        return policy.admin_allows(
            self.admin_site.name,
            self.opts.label_lower,
            permission,
            request.user,
            getattr(request, "role", None),
        )

    def has_module_permission(self, request):
        return self._allows(request, "view")

    def has_view_permission(self, request, obj=None):
        return self._allows(request, "view")

    def has_add_permission(self, request, *args):
        return self._allows(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._allows(request, "change")

    def has_delete_permission(self, request, obj=None):
        return self._allows(request, "delete")
