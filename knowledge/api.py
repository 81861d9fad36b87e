"""Knowledge base in the federation API: read-only for everyone, writable by curators."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from knowledge import services
from knowledge.models import Article, GlossaryTerm, Phase, Risk
from knowledge.serializers import (
    ArticleSerializer,
    GlossaryTermSerializer,
    PhaseSerializer,
    RiskSerializer,
)


class KnowledgeViewSet(viewsets.ModelViewSet):
    policy_name = "knowledge"
    filter_backends = []
    # Entries are edited, never deleted (use cases and pages refer to them).
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    # The service that writes this model (and its search vector).
    save_service = staticmethod(services.entry_save)

    def perform_create(self, serializer):
        instance = self.queryset.model(**serializer.validated_data)
        serializer.instance = self._save(instance)

    def perform_update(self, serializer):
        for name, value in serializer.validated_data.items():
            setattr(serializer.instance, name, value)
        self._save(serializer.instance)

    def _save(self, instance):
        return self.save_service(instance, actor=self.request.user)


@extend_schema_view(list=extend_schema(summary="Articles de la base de connaissances"))
class ArticleViewSet(KnowledgeViewSet):
    queryset = Article.objects.all()
    serializer_class = ArticleSerializer
    lookup_field = "slug"
    save_service = staticmethod(services.article_save)


@extend_schema_view(list=extend_schema(summary="Glossaire"))
class TermViewSet(KnowledgeViewSet):
    queryset = GlossaryTerm.objects.select_related("article")
    serializer_class = GlossaryTermSerializer
    lookup_field = "slug"
    save_service = staticmethod(services.term_save)


@extend_schema_view(list=extend_schema(summary="Catalogue des risques (biais, juridiques…)"))
class RiskViewSet(KnowledgeViewSet):
    queryset = Risk.objects.select_related("article")
    serializer_class = RiskSerializer
    lookup_field = "code"


@extend_schema_view(list=extend_schema(summary="Les quatre phases de la méthode"))
class PhaseViewSet(KnowledgeViewSet):
    queryset = Phase.objects.select_related("article")
    serializer_class = PhaseSerializer
    lookup_field = "code"
