"""The two admin sites: the public one (curators and operators, on BASE_DOMAIN) and each
collectivité's (its members, on its host). Every app registers its models on them; who may
enter and do what is the policy's (accounts.policy)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from accounts import policy


class _PolicySite(admin.AdminSite):
    def has_permission(self, request):
        return policy.admin_site_allows(
            self.name,
            request.user,
            role=getattr(request, "role", None),
            collectivite=getattr(request, "collectivite", None),
        )

    def login(self, request, extra_context=None):
        # One sign-in page for the whole site, the admin's included; what the admin's own login
        # page was asked to reach is where the sign-in leads (never back to this page).
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse(f"{self.name}:index")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse(f"{self.name}:index")
        if request.user.is_authenticated and self.has_permission(request):
            return redirect(target)
        return redirect_to_login(target, settings.LOGIN_URL)


class PublicAdminSite(_PolicySite):
    """The public admin: the CDG's curators and the platform's operators."""

    site_header = _("Registre IA des collectivités — administration commune")
    site_title = _("Administration commune")
    index_title = _("Référentiel commun")
    index_template = "admin/registry/index.html"


class CollectiviteAdminSite(_PolicySite):
    site_header = _("Registre IA — administration de la collectivité")
    site_title = _("Administration de la collectivité")
    index_title = _("Nos cas d'usage")
    # Django's LogEntry lives in the public schema and knows nothing of schemas: the "recent
    # actions" panel is left out, and the history is the use case's own (UseCaseEvent).
    index_template = "admin/collectivite_index.html"

    def each_context(self, request):
        context = super().each_context(request)
        context["site_header"] = f"{self.site_header} · {request.collectivite.name}"
        return context


public_admin = PublicAdminSite(name="public_admin")
collectivite_admin = CollectiviteAdminSite(name="collectivite_admin")
