"""Input and output representations of a use case.

`UseCaseSnapshotSerializer` is what leaves the collectivité: it becomes the stored payload of the
benchmark entry. `UseCaseSerializer` adds what only members see. `UseCaseWriteSerializer`
validates input; the views hand the validated data to the services.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casestudies.models import ApproachStep, Cost, ImpactAssessment, Lesson, Metric, UseCase
from casestudies.review import completeness
from knowledge.models import Risk
from registry.models import Collectivite, Term, Tool


class ToolRefSerializer(serializers.ModelSerializer):
    vendor = serializers.CharField(source="vendor.name", default=None, read_only=True)

    class Meta:
        model = Tool
        fields = ["id", "slug", "name", "kind", "vendor"]


class DomainRefSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="label_fr")

    class Meta:
        model = Term
        fields = ["code", "label"]


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApproachStep
        fields = ["position", "text", "phase", "done"]
        read_only_fields = ["position"]


class LessonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lesson
        fields = ["category", "polarity", "text"]


class MetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = Metric
        fields = ["name", "unit", "baseline", "value", "period", "method"]


class CostSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cost
        fields = ["kind", "amount", "period", "funding_source"]


class ImpactAssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImpactAssessment
        fields = ["type", "status", "date", "link"]


class UseCaseRiskSerializer(serializers.Serializer):
    code = serializers.SlugRelatedField(
        source="risk",
        slug_field="code",
        queryset=Risk.objects.all(),
        help_text="Code du risque dans le catalogue de la base de connaissances.",
    )
    name = serializers.CharField(source="risk.name", read_only=True)
    mitigation = serializers.CharField(required=False, allow_blank=True)


class CollectiviteRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    siren = serializers.CharField()
    insee_code = serializers.CharField()
    departement = serializers.CharField()
    population_band = serializers.CharField()


SNAPSHOT_FIELDS = [
    "public_id",
    "uuid",
    "collectivite",
    "title",
    "summary",
    "context",
    "purpose",
    "department_service",
    "representative",
    "contact_email",
    "peer_contact_ok",
    "tools",
    "tool_other",
    "partner_collectivites",
    "ai_family",
    "domains",
    "techniques",
    "automation_level",
    "audiences",
    "individual_decision",
    "status",
    "status_inferred",
    "status_reason",
    "method_phase",
    "started_on",
    "pilot_on",
    "production_on",
    "ended_on",
    "ai_act_risk",
    "personal_data",
    "hosting",
    "sourcing",
    "human_oversight",
    "recourse",
    "risks_and_mitigations",
    "users_count_band",
    "satisfaction",
    "would_recommend",
    "training_done",
    "steps",
    "lessons",
    "metrics",
    "costs",
    "impact_assessments",
    "risks",
    "visibility",
    "published_at",
    "source",
]


SERVER_SIDE_FIELDS = {"public_id", "uuid", "collectivite", "status_inferred", "published_at"}


class UseCaseSnapshotSerializer(serializers.ModelSerializer):
    """What other collectivités and the public may read of a published use case."""

    collectivite = serializers.SerializerMethodField()
    tools = serializers.SerializerMethodField()
    domains = DomainRefSerializer(many=True)
    steps = StepSerializer(many=True)
    lessons = LessonSerializer(many=True)
    metrics = MetricSerializer(many=True)
    risks = UseCaseRiskSerializer(many=True)
    costs = CostSerializer(many=True)
    impact_assessments = ImpactAssessmentSerializer(many=True)
    partner_collectivites = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="slug"
    )
    contact_email = serializers.SerializerMethodField()

    class Meta:
        model = UseCase
        fields = SNAPSHOT_FIELDS

    @extend_schema_field(ToolRefSerializer(many=True))
    def get_tools(self, obj):
        # A tool merged into another by the curators is shown as the one it was merged into.
        canonical = {}
        for tool in obj.tools.all():
            tool = tool.merged_into or tool
            canonical.setdefault(tool.pk, tool)
        return ToolRefSerializer(canonical.values(), many=True).data

    @extend_schema_field(CollectiviteRefSerializer)
    def get_collectivite(self, obj) -> dict:
        return CollectiviteRefSerializer(self.context["collectivite"]).data

    def get_contact_email(self, obj) -> str:
        # Only shared when the collectivité accepts questions from its peers.
        return obj.contact_email if obj.peer_contact_ok else ""


class MissingSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    weight = serializers.IntegerField()


class UseCaseSerializer(UseCaseSnapshotSerializer):
    """A use case as its own collectivité's members see it, with its completeness."""

    contact_email = serializers.EmailField()
    completeness = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()

    def get_completeness(self, obj) -> int:
        return 0  # computed from the representation, in to_representation

    @extend_schema_field(MissingSerializer(many=True))
    def get_missing(self, obj):
        return []

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["completeness"], data["missing"] = completeness(data)
        return data

    class Meta:
        model = UseCase
        fields = [
            *SNAPSHOT_FIELDS,
            "next_review_on",
            "publication_state",
            "external_ref",
            "created_at",
            "updated_at",
            "completeness",
            "missing",
        ]


class UseCaseWriteSerializer(serializers.ModelSerializer):
    tools = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Tool.objects.filter(merged_into__isnull=True)
    )
    domains = serializers.SlugRelatedField(
        many=True,
        slug_field="code",
        queryset=Term.objects.filter(vocabulary="domain", active=True),
        help_text="Codes des domaines (vocabulaire « domain »), au moins un.",
    )
    steps = StepSerializer(many=True, required=False)
    lessons = LessonSerializer(many=True, required=False)
    metrics = MetricSerializer(many=True, required=False)
    risks = UseCaseRiskSerializer(many=True, required=False)
    costs = CostSerializer(many=True, required=False)
    impact_assessments = ImpactAssessmentSerializer(many=True, required=False)
    partner_collectivites = serializers.SlugRelatedField(
        many=True,
        required=False,
        slug_field="slug",
        queryset=Collectivite.objects.all(),
        help_text="Identifiants des collectivités qui partagent ce déploiement (mutualisation).",
    )

    class Meta:
        model = UseCase
        # What the snapshot shows, less what the registry decides (identity, inference, date),
        # plus what stays in the collectivité.
        fields = [
            *(name for name in SNAPSHOT_FIELDS if name not in SERVER_SIDE_FIELDS),
            "next_review_on",
            "external_ref",
        ]
        validators = []  # uniqueness is the service's and the database's job
        # The API asks for the core classification at once (the web form may save drafts).
        extra_kwargs = {
            name: {"required": True, "allow_blank": False}
            for name in ("ai_family", "automation_level", "status", "personal_data")
        }

    def to_internal_value(self, data):
        # A misspelt field must not be silently dropped; read-only fields sent back from a GET
        # (public_id, publication_state…) are accepted and ignored.
        if isinstance(data, dict):
            known = set(self.fields) | set(UseCaseSerializer.Meta.fields)
            unknown = sorted(set(data) - known)
            if unknown:
                raise serializers.ValidationError({name: ["Champ inconnu."] for name in unknown})
        return super().to_internal_value(data)

    def validate_domains(self, value):
        if not value:
            raise serializers.ValidationError("Choisissez au moins un domaine.")
        return value
