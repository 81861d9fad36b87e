"""The collectivité's API representations of a use case, read from the one declaration of the
published format (registry.snapshot): `UseCaseSerializer` is what members read (the snapshot
and what only members see, with the completeness), `UseCaseWriteSerializer` validates input;
the views hand the validated data to the services."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casestudies.models import ApproachStep, Cost, ImpactAssessment, Lesson, Metric, UseCase
from knowledge.models import Risk
from registry import snapshot
from registry.models import Collectivite, Term, Tool
from registry.serializers import SnapshotSerializer, declared_field

# A list holds at most this many rows (refused before any row is read).
MAX_ROWS = snapshot.MAX_ROWS


class MissingSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    weight = serializers.IntegerField()


class _MemberRepresentation(SnapshotSerializer):
    for_members = True

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["completeness"], data["missing"] = snapshot.completeness(data)
        return data


UseCaseSerializer = type(
    "UseCaseSerializer",
    (_MemberRepresentation,),
    {
        **{f.name: declared_field(f, read_only=True) for f in snapshot.member_fields()},
        "completeness": serializers.IntegerField(read_only=True),
        "missing": extend_schema_field(MissingSerializer(many=True))(
            serializers.ListField(read_only=True)
        ),
        "__doc__": "A use case as its own collectivité's members see it, with its completeness.",
    },
)


def _row_serializer(model, name: str) -> type[serializers.ModelSerializer]:
    declared = snapshot.get(name)
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": [child.name for child in declared.children],
            "read_only_fields": [child.name for child in declared.children if not child.writable],
        },
    )
    return type(f"{model.__name__}Serializer", (serializers.ModelSerializer,), {"Meta": meta})


class UseCaseRiskSerializer(serializers.Serializer):
    code = serializers.SlugRelatedField(
        source="risk",
        slug_field="code",
        queryset=Risk.objects.all(),
        help_text=snapshot.get("risks").child("code").help_text,
    )
    name = serializers.CharField(source="risk.name", read_only=True)
    mitigation = serializers.CharField(required=False, allow_blank=True)


ROW_SERIALIZERS = {
    "steps": _row_serializer(ApproachStep, "steps"),
    "lessons": _row_serializer(Lesson, "lessons"),
    "metrics": _row_serializer(Metric, "metrics"),
    "costs": _row_serializer(Cost, "costs"),
    "impact_assessments": _row_serializer(ImpactAssessment, "impact_assessments"),
    "risks": UseCaseRiskSerializer,
}


class UseCaseWriteSerializer(serializers.ModelSerializer):
    tools = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Tool.objects.filter(merged_into__isnull=True)
    )
    domains = serializers.SlugRelatedField(
        many=True,
        slug_field="code",
        queryset=Term.objects.filter(vocabulary="domain", active=True),
        help_text=gettext_lazy("Codes des domaines (vocabulaire « domain »), au moins un."),
    )
    partner_collectivites = serializers.SlugRelatedField(
        many=True,
        required=False,
        slug_field="slug",
        queryset=Collectivite.objects.all(),
        help_text=snapshot.help_text("partner_collectivites"),
    )
    steps = ROW_SERIALIZERS["steps"](many=True, required=False, max_length=MAX_ROWS)
    lessons = ROW_SERIALIZERS["lessons"](many=True, required=False, max_length=MAX_ROWS)
    metrics = ROW_SERIALIZERS["metrics"](many=True, required=False, max_length=MAX_ROWS)
    costs = ROW_SERIALIZERS["costs"](many=True, required=False, max_length=MAX_ROWS)
    impact_assessments = ROW_SERIALIZERS["impact_assessments"](
        many=True, required=False, max_length=MAX_ROWS
    )
    risks = ROW_SERIALIZERS["risks"](many=True, required=False, max_length=MAX_ROWS)

    class Meta:
        model = UseCase
        # What members write, as the declaration says (the registry decides the rest).
        fields = [f.name for f in snapshot.writable_fields()]
        validators = []  # uniqueness is the service's and the database's job
        # The API asks for the core fields at once (the web form may save drafts); those with
        # a default (risk to assess, private) need not be sent.
        extra_kwargs = {
            f.name: {"required": True, "allow_blank": False}
            for f in snapshot.core_fields()
            if f.kind == snapshot.CHOICE and not UseCase._meta.get_field(f.name).has_default()
        }

    def to_internal_value(self, data):
        # A misspelt field must not be silently dropped; read-only fields sent back from a GET
        # (public_id, publication_state…) are accepted and ignored.
        if isinstance(data, dict):
            known = set(self.fields) | set(UseCaseSerializer._declared_fields)
            unknown = sorted(set(data) - known)
            if unknown:
                raise serializers.ValidationError({name: [_("Champ inconnu.")] for name in unknown})
        return super().to_internal_value(data)

    def validate_domains(self, value):
        if not value:
            raise serializers.ValidationError(_("Choisissez au moins un domaine."))
        return value


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class SubmitSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=2000)


class HistoryEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    source = serializers.ChoiceField(choices=["use_case", "benchmark"])
    action = serializers.CharField()
    action_label = serializers.CharField(help_text="L'action, en français")
    actor = serializers.CharField(allow_null=True)
    from_state = serializers.CharField(allow_blank=True)
    to_state = serializers.CharField(allow_blank=True)
    comment = serializers.CharField(allow_blank=True)
    changes = serializers.DictField()
