"""What both APIs share: error format, pagination, throttling, the token endpoint's base."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Domain rules raise Django's ValidationError in services: answer 400 with field messages."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=serializers.as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied) and exc.args:
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Introuvable."))
    return drf_exception_handler(exc, context)


class Pagination(PageNumberPagination):
    """`page` and `page_size` (≤ 100); a bad value is a 400 that says which, never a silent fix."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {
                    "page_size": [
                        _("Entier de 1 à %(max)s attendu (reçu : %(raw)r).")
                        % {"max": self.max_page_size, "raw": raw}
                    ]
                }
            )
        return int(raw)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "1")
        if raw == "last":
            return paginator.num_pages
        if not raw.isdigit() or int(raw) < 1:
            raise exceptions.ValidationError(
                {"page": [_("Numéro de page invalide : %r (entier à partir de 1).") % raw]}
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            raise exceptions.ValidationError(
                {"page": [_("Cette page n'existe pas : elle dépasse le nombre de résultats.")]}
            ) from None
