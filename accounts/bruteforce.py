"""Brute-force protection, shared by every host and process.

Sign-in (web form on every host, token endpoint on every host): django-axes, its counters in the
public schema's `axes_accessattempt` table, one per account (e-mail, normalised) and client
address; after AXES_FAILURE_LIMIT failures the pair is refused until AXES_COOLOFF_TIME after the
last one. Password reset: counters in the shared cache, per client address (a visible French
error, the same whether the address exists or not) and per account (silently nothing more sent).
"""

import hashlib
import math
from datetime import timedelta

from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions, status


def normalised_username(request, credentials) -> str | None:
    """AXES_USERNAME_CALLABLE: `Agent@X.fr ` and `agent@x.fr` are one account's counter."""
    credentials = credentials or {}
    # authenticate(username=…) from both the form and the token endpoint; axes names it after
    # AXES_USERNAME_FORM_FIELD.
    username = credentials.get("username") or credentials.get("email")
    if username is None and request is not None:
        username = getattr(request, "POST", {}).get("username")
    return str(username).strip().lower() if username else None


def client_address(request) -> str:
    return get_client_ip_address(request) or ""


def wait_minutes(request, username: str | None) -> int:
    """Minutes until the locked pair may try again (at least 1)."""
    cool_off: timedelta = settings.AXES_COOLOFF_TIME
    last = (
        AccessAttempt.objects.filter(
            username=username, ip_address=getattr(request, "axes_ip_address", None)
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    remaining = cool_off if last is None else last + cool_off - timezone.now()
    return max(1, math.ceil(remaining.total_seconds() / 60))


def locked_message(minutes: int) -> str:
    return ngettext(
        "Trop de tentatives de connexion échouées : réessayez dans %(minutes)s minute, ou "
        "utilisez « Mot de passe oublié ».",
        "Trop de tentatives de connexion échouées : réessayez dans %(minutes)s minutes, ou "
        "utilisez « Mot de passe oublié ».",
        minutes,
    ) % {"minutes": minutes}


def is_locked_out(request) -> bool:
    """Whether django-axes refused (or just locked) this sign-in attempt."""
    return bool(
        getattr(request, "axes_locked_out", False)
        or getattr(getattr(request, "_request", None), "axes_locked_out", False)
    )


class LockedOut(exceptions.APIException):
    """The token endpoint's answer for a locked account: 429, French `detail`, Retry-After."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self, minutes: int):
        super().__init__(locked_message(minutes))
        self.wait = minutes * 60


def lockout_response(request, original_response, credentials):
    """AXES_LOCKOUT_CALLABLE. The sign-in form and the token endpoint already answered with the
    French message (form error / JSON 429): keep their response."""
    if original_response is not None:
        return original_response
    minutes = wait_minutes(request, normalised_username(request, credentials))
    response = JsonResponse({"detail": locked_message(minutes)}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


# Password reset: per client address, then per account.
RESET_PER_ADDRESS = 5
RESET_PER_ACCOUNT = 3
RESET_WINDOW = 15 * 60


def _hit(key: str, limit: int) -> bool:
    """Count one request; True while under the limit (the window starts at the first one)."""
    if cache.add(key, 1, RESET_WINDOW):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, RESET_WINDOW)
        return True


def reset_allowed_from(request) -> bool:
    return _hit(f"password-reset:address:{client_address(request)}", RESET_PER_ADDRESS)


def reset_allowed_for(email: str) -> bool:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return _hit(f"password-reset:account:{digest}", RESET_PER_ACCOUNT)


def reset_refused_message() -> str:
    return _(
        "Trop de demandes de réinitialisation depuis votre adresse : réessayez dans "
        "%(minutes)s minutes."
    ) % {"minutes": RESET_WINDOW // 60}
