"""Guards that apply to every request, before any view."""

from functools import cache

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.messages.storage import default_storage
from django.core.exceptions import MiddlewareNotUsed
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty
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


@cache
def _site_policy() -> str:
    return build_policy()


@receiver(setting_changed)
def _forget_site_policy(setting, **_kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_policy.cache_clear()


class CSPMiddleware(LibraryCSPMiddleware):
    """django-csp's, with the site's policy (settings.CONTENT_SECURITY_POLICY) built once per
    process instead of for every answer (3 % of the benchmark list's time under load). An answer
    whose policy differs goes through django-csp's own code: a view's decorator (`_csp_*`
    attributes), a nonce, a report-only policy, excluded prefixes, or DEBUG's error pages."""

    def process_response(self, request, response):
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or (settings.CONTENT_SECURITY_POLICY or {}).get("EXCLUDE_URL_PREFIXES")
            or any(name.startswith("_csp_") for name in vars(response))
        ):
            return super().process_response(request, response)
        if HEADER not in response:
            response[HEADER] = _site_policy()
        # As django-csp: a nonce asked for after the header is written is an error, not a no-op.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class MessageMiddleware(DjangoMessageMiddleware):
    """Django's, with the messages' storage made on first use: most answers (the API's, kept
    pages) neither read nor add a message, and making the cookie and session storages costs 3 %
    of the benchmark list's time. A storage never used has nothing to save: same answers."""

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        stored = getattr(request, "_messages", None)
        if type(stored) is SimpleLazyObject and stored._wrapped is empty:
            return response
        return super().process_response(request, response)


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
