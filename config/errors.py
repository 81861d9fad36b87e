"""Error answers that Django would give in English or as a bare 500: a French page, or JSON
under /api/. They render standalone templates (no context processor): the database may be down.
"""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS = (OperationalError, InterfaceError)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _page(template: str, status: int, context=None) -> HttpResponse:
    return HttpResponse(loader.render_to_string(template, context or {}), status=status)


def too_large_message() -> str:
    return _(
        "Envoi trop volumineux : la limite est de %(size)s Mo. Réduisez le texte ou le fichier."
    ) % {"size": _limit_mb()}


def _limit_mb():
    return round((settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) / 1024 / 1024, 1)


def database_unavailable(request) -> HttpResponse:
    if _is_api(request):
        response = JsonResponse(
            {
                "detail": _(
                    "Service momentanément indisponible (base de données) : réessayez dans "
                    "quelques instants."
                )
            },
            status=503,
        )
    else:
        response = _page("503.html", 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def bad_request(request, exception):
    """handler400: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413, too many fields a 400, both
    in French; anything else is Django's 400."""
    if isinstance(exception, RequestDataTooBig):
        if _is_api(request):
            return JsonResponse({"detail": too_large_message()}, status=413)
        return _page("413.html", 413, {"message": too_large_message()})
    if isinstance(exception, TooManyFieldsSent):
        message = _("Formulaire trop long : trop de champs envoyés.")
        if _is_api(request):
            return JsonResponse({"detail": message}, status=400)
        return _page("413.html", 400, {"message": message})
    if _is_api(request):
        return JsonResponse({"detail": _("Requête invalide.")}, status=400)
    return defaults.bad_request(request, exception)


def not_found(request, exception):
    """handler404: JSON under /api/ (an address no route knows, like a view's own 404)."""
    if _is_api(request):
        return JsonResponse({"detail": _("Introuvable.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500: while PostgreSQL is down, a 503 with Retry-After (JSON under /api/)."""
    error = sys.exc_info()[1]
    while error is not None and not isinstance(error, DATABASE_ERRORS):
        error = error.__cause__ or error.__context__
    if error is not None:
        return database_unavailable(request)
    if _is_api(request):
        return JsonResponse({"detail": _("Erreur du serveur.")}, status=500)
    return defaults.server_error(request)
