"""The federation API (<BASE_DOMAIN>/api/v1/): the curated cross-collectivité benchmark.

Reads only the public schema's benchmark table: no request ever visits a collectivité's schema.
"""

import hashlib
import json

from django.contrib.postgres.search import SearchRank
from django.db.models import F, TextField
from django.db.models.functions import Cast
from django.http import HttpResponse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, viewsets
from rest_framework.response import Response

from casestudies.serializers import UseCaseSnapshotSerializer
from registry import exports, selectors
from registry.filters import BenchmarkFilter
from registry.models import Tool
from registry.search import search_query
from registry.serializers import CollectiviteSerializer, StatsSerializer, ToolSerializer

CONDITIONAL_HEADERS = {"Vary": "Accept, Authorization, Cookie"}


class BenchmarkMixin:
    """Visibility scope, filters and conditional GET shared by the benchmark's views."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = BenchmarkFilter

    def scope(self) -> list[str]:
        if not hasattr(self, "_scope"):
            self._scope = selectors.viewer_scope(self.request.user)
        return self._scope

    def get_queryset(self):
        return selectors.benchmark_entries(self.scope())

    def filtered(self):
        queryset = self.filter_queryset(self.get_queryset())
        q = self.request.query_params.get("q", "").strip()
        if q and "ordering" not in self.request.query_params:
            # Most relevant first when searching, unless the caller chose an order.
            rank = SearchRank(F("search_vector"), search_query(q))
            queryset = queryset.annotate(rank=rank).order_by("-rank", "public_id")
        return queryset

    def etag(self) -> str:
        params = sorted(self.request.query_params.lists())
        key = json.dumps(
            [selectors.benchmark_version(), self.scope(), self.request.path, params,
             self.request.accepted_renderer.format],
        )  # fmt: skip
        return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'

    def not_modified(self, etag: str):
        wanted = self.request.headers.get("If-None-Match", "")
        if etag in [tag.strip() for tag in wanted.split(",")]:
            return Response(status=304, headers={"ETag": etag, **CONDITIONAL_HEADERS})
        return None

    @staticmethod
    def conditional(response, etag: str):
        response["ETag"] = etag
        for header, value in CONDITIONAL_HEADERS.items():
            response[header] = value
        return response


BENCHMARK_PARAMETERS = [
    OpenApiParameter("q", str, description="Recherche en français, sans tenir compte des accents"),
]


@extend_schema(parameters=BENCHMARK_PARAMETERS)
class BenchmarkUseCaseViewSet(BenchmarkMixin, viewsets.GenericViewSet):
    """Published use cases of every collectivité, as their stored snapshot."""

    serializer_class = UseCaseSnapshotSerializer
    lookup_field = "public_id"
    lookup_value_regex = r"[0-9AB]{2,3}-[A-Z0-9-]+"

    @extend_schema(summary="Cas d'usage publiés de toutes les collectivités")
    def list(self, request):
        etag = self.etag()
        if unchanged := self.not_modified(etag):
            return unchanged
        rows = self.filtered().annotate(payload_text=Cast("payload", TextField()))
        page = self.paginate_queryset(rows.values_list("payload_text", flat=True))
        paginator = self.paginator
        # The stored snapshots are spliced in as they are, never decoded and re-encoded.
        body = '{"count":%d,"next":%s,"previous":%s,"results":[%s]}' % (  # noqa: UP031
            paginator.page.paginator.count,
            json.dumps(paginator.get_next_link()),
            json.dumps(paginator.get_previous_link()),
            ",".join(page),
        )
        if request.accepted_renderer.format != "json":
            return self.conditional(Response(json.loads(body)), etag)
        return self.conditional(HttpResponse(body, content_type="application/json"), etag)

    @extend_schema(summary="Un cas d'usage publié")
    def retrieve(self, request, public_id=None):
        entry = self.get_queryset().filter(public_id=public_id).values_list("payload").first()
        if entry is None:
            raise exceptions.NotFound("Aucun cas d'usage publié avec cet identifiant.")
        return Response(entry[0])


class StatsView(BenchmarkMixin, generics.GenericAPIView):
    @extend_schema(
        summary="Comptes par une ou deux dimensions",
        parameters=[
            *BENCHMARK_PARAMETERS,
            OpenApiParameter(
                "by",
                str,
                many=True,
                required=True,
                enum=list(selectors.STAT_DIMENSIONS),
                description="Une ou deux dimensions (répéter le paramètre)",
            ),
        ],
        responses=StatsSerializer,
    )
    def get(self, request):
        dimensions = request.query_params.getlist("by")
        unknown = [name for name in dimensions if name not in selectors.STAT_DIMENSIONS]
        if not 1 <= len(dimensions) <= 2 or unknown or len(set(dimensions)) != len(dimensions):
            raise exceptions.ValidationError(
                {"by": [
                    "Donnez une ou deux dimensions différentes parmi : "
                    + ", ".join(selectors.STAT_DIMENSIONS)
                    + (f" (inconnue : {', '.join(unknown)})" if unknown else "") + "."
                ]}
            )  # fmt: skip
        etag = self.etag()
        if unchanged := self.not_modified(etag):
            return unchanged
        queryset = self.filter_queryset(self.get_queryset())
        results = selectors.benchmark_stats(queryset, dimensions)
        total = queryset.count()
        return self.conditional(
            Response({"by": dimensions, "total": total, "results": results}), etag
        )


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


class ExportView(BenchmarkMixin, generics.GenericAPIView):
    @extend_schema(
        summary="Export du référentiel filtré (CSV, XLSX, JSON)",
        parameters=[
            *BENCHMARK_PARAMETERS,
            OpenApiParameter("sep", str, enum=[";", ","], description="Séparateur du CSV (;)"),
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, fmt):
        separator = request.query_params.get("sep", ";")
        if separator not in (";", ","):
            raise exceptions.ValidationError({"sep": ["Séparateur « ; » ou « , » attendu."]})
        payloads = self.filtered().values_list("payload", flat=True).iterator(chunk_size=500)
        if fmt == "csv":
            content = exports.to_csv(payloads, delimiter=separator)
        elif fmt == "xlsx":
            content = exports.to_xlsx(payloads)
        else:
            content = exports.to_json(payloads)
        stamp = timezone.localtime().strftime("%Y%m%d")
        response = HttpResponse(content, content_type=EXPORT_TYPES[fmt])
        response["Content-Disposition"] = (
            f'attachment; filename="registre-ia-collectivites-{stamp}.{fmt}"'
        )
        return response


class CollectiviteListView(generics.ListAPIView):
    serializer_class = CollectiviteSerializer

    @extend_schema(summary="Collectivités, avec le nombre de leurs cas d'usage publiés")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.collectivites_with_counts(selectors.viewer_scope(self.request.user))


class ToolListView(generics.ListAPIView):
    serializer_class = ToolSerializer
    queryset = Tool.objects.select_related("vendor").order_by("name")

    @extend_schema(summary="Catalogue des outils et nombre de collectivités qui les utilisent")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_serializer_context(self):
        usage = selectors.tool_usage(selectors.viewer_scope(self.request.user))
        return {**super().get_serializer_context(), "usage": usage}
