from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from accounts.policy import role_of

# Paths of a collectivité's site that anyone may reach: signing in and out, static files.
# The API authenticates by token inside DRF and applies the same policy there.
OPEN_PREFIXES = (
    "/compte/connexion/",
    "/compte/deconnexion/",
    "/compte/mot-de-passe/",
    "/static/",
    "/api/",
    "/i18n/",
)


class MembershipMiddleware:
    """On a collectivité's site, only its members get anything.

    Sets `request.role` (None on the public site or for non-members). An anonymous visitor is sent
    to the sign-in page; a signed-in user who is not a member gets a 404, whatever session they
    hold, so the site reveals nothing to them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        collectivite = getattr(request, "collectivite", None)
        request.role = role_of(request.user, collectivite)
        if collectivite is None or request.path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        if request.role is None:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            raise Http404("not a member")
        return self.get_response(request)
