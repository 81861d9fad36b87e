from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from accounts import policy


class MembershipMiddleware:
    """On a collectivité's site, each page is what the policy's PAGE_RULES say (fails closed); on
    the public site, the curators' area is what PUBLIC_PAGE_RULES say (fails closed too).

    Sets `request.role` (None on the public site or for non-members). An anonymous visitor is sent
    to the sign-in page; a signed-in user who is not a member gets a 404, whatever session they
    hold, so the site reveals nothing to them; a member whose role does not allow the page gets a
    403 that says so.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.role = policy.role_of(request.user, getattr(request, "collectivite", None))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        collectivite = getattr(request, "collectivite", None)
        if collectivite is None:
            # The public site: open, but for its curators' area (PUBLIC_PAGE_RULES).
            decision = policy.public_page_decision(
                request.user, request.resolver_match.view_name, request.method
            )
            if decision == policy.NOT_AUTHENTICATED:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if decision != policy.ALLOWED:
                raise PermissionDenied(_("Cette page est réservée aux curateurs du CDG."))
            return None
        decision = policy.page_decision(
            request.user,
            collectivite,
            request.resolver_match.view_name,
            request.method,
            role=request.role,
        )
        if decision == policy.ALLOWED:
            return None
        if decision == policy.NOT_AUTHENTICATED:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if decision == policy.NOT_FOUND:
            raise Http404("not a member")
        raise PermissionDenied(_("Votre rôle dans cette collectivité ne permet pas cette action."))
