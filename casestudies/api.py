"""A collectivité's REST API (<slug>.<BASE_DOMAIN>/api/v1/): its own use cases."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from casestudies import selectors, services
from casestudies.filters import UseCaseFilter
from casestudies.serializers import (
    CommentSerializer,
    HistoryEventSerializer,
    SubmitSerializer,
    UseCaseSerializer,
    UseCaseWriteSerializer,
)
from config import throttling
from registry import page_cache


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


@extend_schema_view(
    list=extend_schema(summary="Cas d'usage de la collectivité (tous états)"),
    retrieve=extend_schema(summary="Un cas d'usage"),
    create=extend_schema(
        summary="Déclarer un cas d'usage",
        request=UseCaseWriteSerializer,
        responses={201: UseCaseSerializer},
    ),
    update=extend_schema(
        summary="Remplacer un cas d'usage",
        request=UseCaseWriteSerializer,
        responses=UseCaseSerializer,
    ),
    partial_update=extend_schema(
        summary="Modifier un cas d'usage",
        request=UseCaseWriteSerializer,
        responses=UseCaseSerializer,
    ),
    destroy=extend_schema(
        summary="Archiver un cas d'usage (jamais détruit)",
        responses={204: OpenApiResponse(description="Archivé")},
    ),
)
class UseCaseViewSet(
    throttling.CountedWithKeptAnswer,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    policy_name = "usecase"
    serializer_class = UseCaseSerializer
    lookup_field = "public_id"
    lookup_value_regex = r"[^/]+"
    filter_backends = [DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter]
    filterset_class = UseCaseFilter
    search_fields = ["public_id", "title", "summary", "context", "purpose"]
    ordering_fields = ["public_id", "title", "status", "created_at", "updated_at", "published_at"]
    ordering = ["public_id"]

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return selectors.usecase_full()
        # A write reads the use case again after its lock (the services) and renders it fresh
        # (_render): prefetching its lists here would cost 9 queries for nothing.
        return selectors.usecase_list().prefetch_related(None)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "collectivite": self.request.collectivite}

    def _render(self, use_case, status_code=status.HTTP_200_OK, *, fresh=None):
        if fresh is None:
            fresh = selectors.usecase_full().get(pk=use_case.pk)
        response = Response(self.get_serializer(fresh).data, status=status_code)
        # The version to send back as If-Match: a write made on a stale copy gets a 412.
        response["ETag"] = f'"{services.version_of(fresh)}"'
        return response

    def list(self, request, *args, **kwargs):
        # The policy has let the request through: its answer is the same for every member until
        # the next write of the collectivité's use cases or of the benchmark.
        def compute():
            response = self.finalize_response(request, super(UseCaseViewSet, self).list(request))
            return response.render()

        return page_cache.kept_for_members(
            request,
            "usecase-list",
            compute,
            version=selectors.data_version(),
            read=self.read_counted,
        )

    def counted_with_kept(self, request) -> bool:
        """The list: its throttle is counted in the round trip that reads the kept answer."""
        return self.action == "list"

    def retrieve(self, request, *args, **kwargs):
        use_case = self.get_object()  # read with everything its representation needs
        return self._render(use_case, fresh=use_case)

    def _expected_version(self) -> str | None:
        wanted = self.request.headers.get("If-Match", "").strip()
        if not wanted or wanted == "*":
            return None
        return wanted.removeprefix("W/").strip('"')

    def _validated(self, partial=False, instance=None):
        serializer = UseCaseWriteSerializer(instance, data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def create(self, request, *args, **kwargs):
        use_case = services.usecase_create(actor=request.user, **self._validated())
        return self._render(use_case, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        use_case = self.get_object()
        data = self._validated(partial=partial, instance=use_case)
        try:
            updated = services.usecase_update(
                use_case=use_case,
                actor=request.user,
                expected_version=self._expected_version(),
                **data,
            )
        except services.StaleWrite as error:
            raise PreconditionFailed(" ".join(error.messages)) from None
        return self._render(updated, fresh=updated)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        services.usecase_archive(use_case=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _transition(self, service, text_field="comment"):
        body = CommentSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        use_case = self.get_object()
        service(
            use_case=use_case,
            actor=self.request.user,
            **{text_field: body.validated_data.get("comment", "")},
        )
        return self._render(use_case)

    @extend_schema(
        summary="Soumettre au CDG (message obligatoire)",
        request=SubmitSerializer,
        responses=UseCaseSerializer,
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, public_id=None):
        body = SubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        use_case = self.get_object()
        services.usecase_submit(
            use_case=use_case, actor=request.user, message=body.validated_data["message"]
        )
        return self._render(use_case)

    @extend_schema(
        summary="Retirer la soumission", request=CommentSerializer, responses=UseCaseSerializer
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, public_id=None):
        return self._transition(services.usecase_withdraw)

    @extend_schema(
        summary="Publier (curateurs du CDG ; une collectivité soumet)",
        request=CommentSerializer,
        responses=UseCaseSerializer,
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, public_id=None):
        return self._transition(services.usecase_approve)

    @extend_schema(
        summary="Retirer du référentiel commun",
        request=CommentSerializer,
        responses=UseCaseSerializer,
    )
    @action(detail=True, methods=["post"])
    def unpublish(self, request, public_id=None):
        return self._transition(services.usecase_unpublish)

    @extend_schema(
        summary="Confirmer que la fiche est à jour (date de dernière vérification)",
        request=None,
        responses=UseCaseSerializer,
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, public_id=None):
        use_case = self.get_object()
        services.usecase_verify(use_case=use_case, actor=request.user)
        return self._render(use_case)

    @extend_schema(
        summary="Historique : qui, quand, quoi", responses=HistoryEventSerializer(many=True)
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, public_id=None):
        use_case = self.get_object()
        return Response(HistoryEventSerializer(selectors.usecase_history(use_case), many=True).data)
