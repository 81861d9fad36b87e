"""Representations of the curators' API: submissions, their changes, decisions (whose optional
comment is casestudies.serializers.CommentSerializer, as for members' transitions)."""

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from registry import snapshot
from registry.models import Submission

DecisionResultSerializer = inline_serializer(
    "DecisionResult",
    {
        "public_id": serializers.CharField(),
        "state": serializers.CharField(),
        "decided_at": serializers.DateTimeField(),
        "comment": serializers.CharField(),
    },
)


class RequiredCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=4000)


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class SubmissionSerializer(serializers.ModelSerializer):
    collectivite = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    submitted_by = serializers.SlugRelatedField(slug_field="email", read_only=True)
    changes = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "public_id",
            "uuid",
            "collectivite",
            "title",
            "message",
            "submitted_by",
            "submitted_at",
            "previous_state",
            "completeness",
            "missing",
            "changes",
            "payload",
        ]

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, obj):
        """Field by field, what the benchmark shows now and what is proposed."""
        return snapshot.diff(self.context["published"].get(obj.uuid), obj.payload)
