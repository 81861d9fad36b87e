"""What both APIs share: error format, pagination, throttling, the token endpoint's base."""

import io

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser

from config.errors import too_large_message


def _is_integer(raw: str) -> bool:
    """ASCII digits only: str.isdigit() accepts "²", which int() refuses."""
    return raw.isascii() and raw.isdigit() and len(raw) < 19


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "payload_too_large"


class DatabaseUnavailable(exceptions.APIException):
    status_code = 503
    default_code = "database_unavailable"


class StrictJSONParser(JSONParser):
    """DRF's JSON parser, refusing what PostgreSQL or Python cannot take with a clear 400:
    a NUL character anywhere (key or value; PostgreSQL refuses it in text), named by its field,
    and JSON nested too deep for Python (RecursionError)."""

    def parse(self, stream, media_type=None, parser_context=None):
        # DRF reads the body as a stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE check.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge(too_large_message())
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON invalide : imbrication trop profonde.")) from None
        where = _nul_character_path(data)
        if where is not None:
            field, path = where
            raise exceptions.ValidationError(
                {field: [_("Caractère nul interdit (%(path)s).") % {"path": path}]}
            )
        return data


def _nul_character_path(data):
    """(top-level field, full path) of the first string holding a NUL character, or None."""
    stack = [(data, "", None)]
    while stack:
        value, path, field = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return field or "non_field_errors", path or "corps"
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                if "\x00" in str(key):
                    return field or "non_field_errors", child
                stack.append((item, child, field or str(key)))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                stack.append((item, f"{path}[{index}]", field))
    return None


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's, answering at once the callers that take anything (no `Accept`, or `*/*`: curl,
    scripts, wrk) without a format in the address: the view's first renderer, as DRF's own
    negotiation concludes after parsing (4 % of the benchmark list's time under load)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        first = renderers[0] if renderers else None
        if (
            first is not None
            and format_suffix is None
            and request.headers.get("accept", "*/*") == "*/*"
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
            and "*" not in first.media_type
        ):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)


class Pagination(PageNumberPagination):
    """`page` and `page_size` (≤ 100); a bad value is a 400 that says which, never a silent fix.
    Empty (`?page=`), each is absent, like every optional parameter (config/api_schema.py)."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:
            return self.page_size
        if not _is_integer(raw) or not 1 <= int(raw) <= self.max_page_size:
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
        raw = request.query_params.get(self.page_query_param) or "1"
        if raw == "last":
            return paginator.num_pages
        if not _is_integer(raw) or int(raw) < 1:
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
