from django.conf import settings
from rest_framework import serializers

from registry.models import Collectivite, Tool


class CollectiviteSerializer(serializers.ModelSerializer):
    population_band = serializers.CharField(read_only=True)
    parent_epci = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    site = serializers.SerializerMethodField()
    published_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Collectivite
        fields = [
            "slug",
            "name",
            "kind",
            "siren",
            "insee_code",
            "departement",
            "population",
            "population_band",
            "parent_epci",
            "cdg_member",
            "is_anonymised",
            "website",
            "site",
            "published_count",
        ]

    def get_site(self, obj) -> str:
        return f"{obj.slug}.{settings.BASE_DOMAIN}"


class ToolSerializer(serializers.ModelSerializer):
    vendor = serializers.CharField(source="vendor.name", default=None, read_only=True)
    collectivites_count = serializers.SerializerMethodField()
    by_status = serializers.SerializerMethodField()

    class Meta:
        model = Tool
        fields = [
            "id",
            "slug",
            "name",
            "aliases",
            "vendor",
            "kind",
            "underlying_model",
            "licence",
            "hosting_options",
            "website",
            "description",
            "deprecated",
            "collectivites_count",
            "by_status",
        ]

    def _usage(self, obj) -> dict:
        return self.context["usage"].get(obj.pk, {"collectivites_count": 0, "by_status": {}})

    def get_collectivites_count(self, obj) -> int:
        return self._usage(obj)["collectivites_count"]

    def get_by_status(self, obj) -> dict[str, int]:
        return self._usage(obj)["by_status"]


class StatsRowSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class StatsSerializer(serializers.Serializer):
    by = serializers.ListField(child=serializers.CharField())
    total = serializers.IntegerField()
    results = StatsRowSerializer(many=True)
