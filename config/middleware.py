"""Guards that apply to every request, before any view."""

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import Http404, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _

from config import errors


class RefuseNulInPathMiddleware:
    """A NUL character in the path (`/cas-d-usage/%00/`) names no resource: 404, before any view
    passes it to PostgreSQL (which refuses NUL in text: a 500). Query values are checked by the
    filters (400 naming the parameter) and the search (ignored), JSON bodies by the API's parser.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("Introuvable.")}, status=404)
            raise Http404("NUL character in the path")
        return self.get_response(request)


class ApiCachingHeadersMiddleware:
    """API answers depend on the Authorization header: say so to every cache (`Vary`), and keep
    token-authenticated answers out of shared caches (`Cache-Control: private`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            patch_vary_headers(response, ["Authorization"])
            if request.META.get("HTTP_AUTHORIZATION"):
                patch_cache_control(response, private=True)  # drops any "public"
        return response


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` on every answer: the features the registry never uses are off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class FrenchNotFoundUnderDebugMiddleware:
    """With DEBUG (`make run`), Django answers an unknown address with its English technical
    page: a newcomer gets the French 404 page instead, as in production (config.errors.not_found).
    Debug pages stay for real errors."""

    def __init__(self, get_response):
        if not settings.DEBUG:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404 and response.get("Content-Type", "").startswith("text/html"):
            return errors.not_found(request, None)
        return response
