"""The APIs' exception handler (DRF's EXCEPTION_HANDLER). Apart from config.api: this module
imports DRF's views, whose class body reads the parser and pagination settings that name
config.api; kept apart, no import order can make the two modules wait for each other."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler

from config.api import DatabaseUnavailable, PayloadTooLarge
from config.errors import DATABASE_ERRORS, RETRY_AFTER_SECONDS, too_large_message


def exception_handler(exc, context):
    """Domain rules raise Django's ValidationError in services: answer 400 with field messages."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=serializers.as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied) and exc.args:
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Introuvable."))
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(too_large_message())
    elif isinstance(exc, DATABASE_ERRORS):
        exc = DatabaseUnavailable(
            _(
                "Service momentanément indisponible (base de données) : réessayez dans quelques "
                "instants."
            )
        )
        exc.wait = RETRY_AFTER_SECONDS
    return drf_exception_handler(exc, context)
