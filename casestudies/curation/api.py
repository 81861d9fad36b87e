"""The curators' API on the public site: the review queue and its decisions, unpublishing."""

from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from casestudies.curation import services
from casestudies.curation.serializers import (
    DecisionResultSerializer,
    RequiredCommentSerializer,
    SubmissionSerializer,
)
from casestudies.serializers import CommentSerializer
from registry import selectors
from registry.models import BenchmarkEntry


@extend_schema_view(
    list=extend_schema(summary="File d'examen : soumissions en attente (curateurs)"),
    retrieve=extend_schema(summary="Une soumission en attente (curateurs)"),
)
class ReviewQueueViewSet(viewsets.ReadOnlyModelViewSet):
    policy_name = "review-queue"
    serializer_class = SubmissionSerializer
    lookup_field = "public_id"
    lookup_value_regex = r"[^/]+"
    filter_backends = []

    def get_queryset(self):
        return selectors.review_queue()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return {**context, "published": {}}
        # One query for the published versions of the page, whatever its length.
        page_uuids = getattr(self, "_page_uuids", None)
        context["published"] = selectors.published_payloads(page_uuids)
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._page_uuids = [submission.uuid for submission in page] if page is not None else None
        return page

    def get_object(self):
        submission = super().get_object()
        self._page_uuids = [submission.uuid]
        return submission

    def _decide(self, decision, body_serializer):
        body = body_serializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        submission = self.get_object()
        services.submission_decide(
            submission=submission,
            decision=decision,
            actor=self.request.user,
            comment=body.validated_data.get("comment", ""),
        )
        return Response(
            {
                "public_id": submission.public_id,
                "state": submission.state,
                "decided_at": submission.decided_at,
                "comment": submission.decision_comment,
            }
        )

    @extend_schema(
        summary="Publier la soumission",
        request=CommentSerializer,
        responses=DecisionResultSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, public_id=None):
        return self._decide("approve", CommentSerializer)

    @extend_schema(
        summary="Demander des corrections (commentaire obligatoire)",
        request=RequiredCommentSerializer,
        responses=DecisionResultSerializer,
    )
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, public_id=None):
        return self._decide("request_changes", RequiredCommentSerializer)


class BenchmarkDecisionViewSet(viewsets.GenericViewSet):
    """Curators' decisions on a published entry that change the collectivité's use case."""

    policy_name = "benchmark-decision"
    lookup_field = "public_id"
    lookup_value_regex = r"[^/]+"
    queryset = BenchmarkEntry.objects.all()
    serializer_class = CommentSerializer
    filter_backends = []

    @extend_schema(
        summary="Dépublier une entrée (curateurs)",
        request=CommentSerializer,
        responses={204: None},
    )
    @action(detail=True, methods=["post"])
    def unpublish(self, request, public_id=None):
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.entry_unpublish(
            entry=self.get_object(),
            actor=request.user,
            comment=body.validated_data.get("comment", ""),
        )
        return Response(status=204)
