"""The federation API (<BASE_DOMAIN>/api/v1/): the curated cross-collectivité benchmark.

Reads only the public schema's benchmark table: no request ever visits a collectivité's schema.
"""

import hashlib
import json

from django.db.models import OuterRef, Subquery, TextField, Value
from django.db.models.functions import Cast, Concat
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import exceptions, generics, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.policy import visibility_scope
from config import throttling
from registry import coverage, exports, page_cache, selectors
from registry import services as registry_services
from registry.filters import BenchmarkFilter
from registry.models import BenchmarkEntry, DirectoryEntry, Tool
from registry.serializers import (
    AlgoritmeregisterRecordSerializer,
    AnnotationSerializer,
    CollectiviteSerializer,
    CoverageSerializer,
    DirectorySearchResultSerializer,
    DirectorySearchSerializer,
    StatsSerializer,
    ToolSerializer,
    UseCaseSnapshotSerializer,
)
from registry.vocabularies import Visibility

CONDITIONAL_HEADERS = {"Vary": "Accept, Authorization, Cookie"}


class BenchmarkMixin:
    """Visibility scope, filters and conditional GET shared by the benchmark's views."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = BenchmarkFilter

    def scope(self) -> list[str]:
        if not hasattr(self, "_scope"):
            self._scope = visibility_scope(self.request.user)
        return self._scope

    def get_queryset(self):
        return selectors.benchmark_entries(self.scope())

    def filtered(self):
        return selectors.by_relevance(
            self.filter_queryset(self.get_queryset()), self.request.query_params
        )

    def version(self) -> int:
        if not hasattr(self, "_version"):
            self._version = page_cache.benchmark_version_for(self.request)
        return self._version

    def cached(self, kind: str, compute):
        return selectors.cached_answer(
            kind,
            version=self.version(),
            scope=self.scope(),
            params=selectors.query_params(self.request.query_params),
            compute=compute,
        )

    def etag(self) -> str:
        key = json.dumps(
            [
                self.version(),
                self.scope(),
                self.request.path,
                selectors.query_params(self.request.query_params, ignore=()),
                self.request.accepted_renderer.format,
            ]
        )
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
    OpenApiParameter(
        "q",
        str,
        description=(
            "Recherche en français, sans tenir compte des accents ni des majuscules, avec les "
            "synonymes tenus par les curateurs (« RH » trouve « ressources humaines », "
            '« Scrum » trouve « SCUM »). Syntaxe : « "expression exacte" », « -mot » pour '
            "exclure, « or » entre deux possibilités."
        ),
    ),
]


@extend_schema(parameters=BENCHMARK_PARAMETERS)
class BenchmarkUseCaseViewSet(
    throttling.CountedWithKeptAnswer, BenchmarkMixin, viewsets.GenericViewSet
):
    """Published use cases of every collectivité, as their stored snapshot."""

    policy_name = "benchmark"
    serializer_class = UseCaseSnapshotSerializer
    lookup_field = "public_id"
    lookup_value_regex = r"[^/]+"

    def counted_with_kept(self, request) -> bool:
        """An anonymous caller's JSON list: the same page for every one of them
        (registry.page_cache), and their throttle counted in the round trip that reads it."""
        return (
            self.action == "list"
            and request.accepted_renderer.format == "json"
            and page_cache.anonymous_visitor(request)
        )

    @extend_schema(summary="Cas d'usage publiés de toutes les collectivités")
    def list(self, request):
        etag = self.etag()
        counted_with_kept = self.counted_with_kept(request)
        if unchanged := self.not_modified(etag):
            if counted_with_kept:
                self.count_now(request)
            return unchanged
        if counted_with_kept:
            return page_cache.kept(
                request,
                "benchmark-list",
                lambda: self.list_page(etag),
                version=self.version(),
                read=self.read_counted,
            )
        return self.list_page(etag)

    def list_page(self, etag: str):
        request = self.request
        queryset = self.filtered()
        # The count of a filtered benchmark is computed once per version of the benchmark.
        count = self.cached("count", queryset.count)
        rows = queryset.annotate(payload_text=Cast("payload", TextField()))
        page = self.paginate_queryset(
            selectors.CountedQuerySet(rows.values_list("payload_text", flat=True), count)
        )
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
        row = (
            self.get_queryset()
            .filter(public_id=public_id)
            .values_list("payload", "contact_email")
            .first()
        )
        if row is None:
            raise exceptions.NotFound(_("Aucun cas d'usage publié avec cet identifiant."))
        payload, contact_email = row
        if Visibility.NETWORK in self.scope():
            # Peers (members of the network) may see whom to ask, when the collectivité agrees.
            payload["contact_email"] = contact_email
        return Response(payload)


class StatsView(BenchmarkMixin, generics.GenericAPIView):
    policy_name = "benchmark-stats"

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
                {
                    "by": [
                        _("Donnez une ou deux dimensions différentes parmi : %(known)s%(unknown)s.")
                        % {
                            "known": ", ".join(selectors.STAT_DIMENSIONS),
                            "unknown": _(" (inconnue : %s)") % ", ".join(unknown)
                            if unknown
                            else "",
                        }
                    ]
                }
            )
        etag = self.etag()
        if unchanged := self.not_modified(etag):
            return unchanged
        queryset = self.filter_queryset(self.get_queryset())

        def compute():
            return {
                "by": dimensions,
                "total": queryset.count(),
                "results": selectors.benchmark_stats(queryset, dimensions),
            }

        # Counts change only when the benchmark does: computed once per version and question.
        body = self.cached("stats", compute)
        return self.conditional(Response(body), etag)


# The formats of the export, by extension (registry.exports: a new format is added there).
EXPORT_TYPES = exports.EXPORT_TYPES


class ExportView(BenchmarkMixin, generics.GenericAPIView):
    policy_name = "benchmark-export"
    pagination_class = None  # one file with every record that the filters keep

    @extend_schema(
        summary="Export du référentiel filtré (CSV, XLSX, JSON et formats d'autres registres)",
        description=(
            "Les fiches que les filtres retiennent, dans l'un de ces formats : `csv`, `xlsx`, "
            "`json` (nos formats) ; `algoritmeregister.json` (registre néerlandais des "
            "algorithmes, norme de publication 1.0), `atrs.csv` (norme britannique de "
            "transparence algorithmique, champs du niveau 1) et `pstw.csv` (colonnes du "
            "Public Sector Tech Watch de la Commission européenne). Correspondances champ par "
            "champ : docs/interoperability.md. Les fichiers sont envoyés au fil de l'eau "
            "(sauf le XLSX)."
        ),
        parameters=[
            *BENCHMARK_PARAMETERS,
            OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=list(EXPORT_TYPES)),
            OpenApiParameter("sep", str, enum=[";", ","], description="Séparateur du CSV (;)"),
            OpenApiParameter(
                "entetes",
                str,
                enum=["codes", exports.READABLE],
                description=(
                    "CSV et XLSX : « codes » (par défaut), en-têtes et valeurs en codes stables ; "
                    "« lisibles », en-têtes en français et libellés des vocabulaires à la place "
                    "des codes (les identifiants restent)."
                ),
            ),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, EXPORT_TYPES["xlsx"]): OpenApiTypes.BINARY,
            # The JSON export is the list of the published records, as the detail gives them;
            # the Algoritmeregister's is a list of its records (another JSON shape).
            (200, "application/json"): PolymorphicProxySerializer(
                component_name="ExportJSON",
                serializers=[UseCaseSnapshotSerializer, AlgoritmeregisterRecordSerializer],
                resource_type_field_name=None,
                many=True,
            ),
        },
    )
    def get(self, request, fmt):
        separator = request.query_params.get("sep") or ";"
        if separator not in (";", ","):
            raise exceptions.ValidationError({"sep": [_("Séparateur « ; » ou « , » attendu.")]})
        headers = request.query_params.get("entetes") or "codes"
        if headers not in ("codes", exports.READABLE):
            raise exceptions.ValidationError({"entetes": [_("« codes » ou « lisibles » attendu.")]})
        readable = headers == exports.READABLE
        payloads = self.filtered().values_list("payload", flat=True).iterator(chunk_size=500)
        content = exports.chunks(fmt, payloads, delimiter=separator, readable=readable)
        response = StreamingHttpResponse(content, content_type=EXPORT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{export_filename(fmt, readable)}"'
        return response


def export_filename(fmt: str, readable: bool = False) -> str:
    """« registre-ia-collectivites-20261201.csv », « …-lisible.xlsx », « …-pstw.csv »."""
    stamp = timezone.localtime().strftime("%Y%m%d")
    extension = fmt.rsplit(".", 1)[-1]
    variant = fmt.rsplit(".", 1)[0] if "." in fmt else ""
    if readable and fmt in ("csv", "xlsx"):
        variant = "lisible"
    return f"registre-ia-collectivites-{stamp}{'-' + variant if variant else ''}.{extension}"


class CollectiviteListView(generics.ListAPIView):
    policy_name = "collectivite-list"
    serializer_class = CollectiviteSerializer

    @extend_schema(summary="Collectivités, avec le nombre de leurs cas d'usage publiés")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.collectivites_with_counts(visibility_scope(self.request.user))


class ToolListView(generics.ListAPIView):
    policy_name = "tool-list"
    serializer_class = ToolSerializer
    # Tools merged into another are aliases now, not catalogue entries.
    queryset = (
        Tool.objects.filter(merged_into__isnull=True).select_related("vendor").order_by("name")
    )

    @extend_schema(summary="Catalogue des outils et nombre de collectivités qui les utilisent")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_serializer_context(self):
        usage = selectors.tool_usage(visibility_scope(self.request.user))
        return {**super().get_serializer_context(), "usage": usage}


class DirectorySearchView(generics.GenericAPIView):
    """The official directory (open data): what an as-you-type picker calls. One query."""

    policy_name = "directory"
    serializer_class = DirectorySearchResultSerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(
        summary="Annuaire officiel : recherche par nom, code INSEE, SIREN ou code postal",
        description=(
            "Communes, EPCI, départements, régions (découpage administratif officiel, "
            "millésime chargé) et organismes saisis par les curateurs. Les meilleures "
            "correspondances d'abord ; une commune fusionnée est trouvée par son ancien code."
        ),
        parameters=[DirectorySearchSerializer],
        responses=DirectorySearchResultSerializer,
    )
    def get(self, request):
        query = DirectorySearchSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        entries = DirectoryEntry.objects.search(params["q"])
        if params.get("kind"):
            entries = entries.filter(kind__in=sorted(params["kind"]))
        if params.get("departement"):
            entries = entries.filter(departement=params["departement"])
        departement_name = DirectoryEntry.objects.filter(
            key=Concat(Value("departement:"), OuterRef("departement"))
        ).values("name")[:1]
        entries = entries.select_related("parent_epci", "parent").annotate(
            departement_name=Subquery(departement_name)
        )
        results = list(entries[: params["page_size"]])
        return Response(self.get_serializer({"q": params["q"], "results": results}).data)


class CoverageView(generics.GenericAPIView):
    """How much of France the registry covers (public schema only, two to four queries)."""

    policy_name = "coverage"
    serializer_class = CoverageSerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(
        summary="Couverture : communes et EPCI du registre par région et par département",
        description=(
            "Pour chaque région et chaque département (et la France entière) : combien de "
            "communes et d'EPCI à fiscalité propre sont dans le registre (`members`), combien "
            "d'entre eux ont publié au moins un cas d'usage visible de l'appelant "
            "(`publishing`), sur le total de l'annuaire officiel en vigueur (`total`). Un EPCI "
            "compte dans le département de la plupart de ses communes. Les mêmes chiffres en "
            "CSV : /couverture/couverture.csv."
        ),
        responses=CoverageSerializer,
    )
    def get(self, request):
        figures = coverage.coverage(visibility_scope(request.user))
        return Response(self.get_serializer(figures).data)


class BenchmarkCurationViewSet(viewsets.GenericViewSet):
    """Curators' annotations of a published entry (its unpublication changes the collectivité's
    use case: casestudies.curation)."""

    policy_name = "benchmark-curation"
    lookup_field = "public_id"
    lookup_value_regex = r"[^/]+"
    queryset = BenchmarkEntry.objects.all()
    serializer_class = AnnotationSerializer
    filter_backends = []

    @extend_schema(
        summary="Annoter une entrée (curateurs)",
        request=AnnotationSerializer,
        responses=AnnotationSerializer,
    )
    @action(detail=True, methods=["patch"])
    def annotations(self, request, public_id=None):
        entry = self.get_object()
        body = AnnotationSerializer(entry, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        entry = registry_services.benchmark_entry_annotate(
            entry=entry, actor=request.user, **body.validated_data
        )
        return Response(AnnotationSerializer(entry).data)
