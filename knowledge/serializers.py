from rest_framework import serializers

from knowledge.models import Article, GlossaryTerm, Phase, Risk


class ArticleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = [
            "slug",
            "title",
            "chapter",
            "chapter_title",
            "section",
            "position",
            "summary",
            "body",
            "source",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class GlossaryTermSerializer(serializers.ModelSerializer):
    article = serializers.SlugRelatedField(
        slug_field="slug", queryset=Article.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = GlossaryTerm
        fields = ["slug", "term", "definition", "article"]


class RiskSerializer(serializers.ModelSerializer):
    article = serializers.SlugRelatedField(
        slug_field="slug", queryset=Article.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Risk
        fields = [
            "code",
            "slug",
            "kind",
            "name",
            "description",
            "mitigations",
            "article",
            "position",
        ]


class PhaseSerializer(serializers.ModelSerializer):
    article = serializers.SlugRelatedField(
        slug_field="slug", queryset=Article.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Phase
        fields = ["code", "slug", "name", "position", "summary", "steps", "article"]
