import re

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

TOKEN_RE = re.compile(r"^[0-9a-f]{40}$")


class StrictTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a malformed key before it reaches the database
    (a NUL byte in a header made PostgreSQL fail with a 500)."""

    def authenticate_credentials(self, key):
        if not TOKEN_RE.match(key):
            raise exceptions.AuthenticationFailed(_("Jeton invalide."))
        return super().authenticate_credentials(key)
