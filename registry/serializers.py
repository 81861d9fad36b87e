from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from registry import registers, snapshot
from registry.models import BenchmarkEntry, Collectivite, Tool
from registry.vocabularies import DirectoryKind, MatchRule, Origin, QualityFlag


class CollectiviteSerializer(serializers.ModelSerializer):
    population_band = serializers.CharField(read_only=True)
    parent_epci = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
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
    vendor = serializers.CharField(
        source="vendor.name", default=None, read_only=True, allow_null=True
    )
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


# --- the published format of a use case, as DRF sees it (from registry.snapshot) ----------------


class ToolRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    vendor = serializers.CharField(allow_null=True)


class DomainRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class CollectiviteRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    siren = serializers.CharField()
    insee_code = serializers.CharField()
    departement = serializers.CharField()
    population_band = serializers.CharField()


def declared_field(f: snapshot.Field, **options) -> serializers.Field:
    """The DRF field of a declared field, with its French label and vocabulary."""
    options = {"label": f.title, "help_text": f.help_text or None, **options}
    if f.kind == snapshot.CHOICE:
        return serializers.ChoiceField(choices=f.choices(), allow_blank=True, **options)
    if f.kind == snapshot.CHOICES:
        return serializers.ListField(child=serializers.ChoiceField(choices=f.choices()), **options)
    if f.kind == snapshot.BOOL:
        return serializers.BooleanField(**options)
    if f.kind == snapshot.INT:
        return serializers.IntegerField(allow_null=True, **options)
    if f.kind == snapshot.DECIMAL:
        return serializers.DecimalField(
            max_digits=14, decimal_places=f.decimal_places, allow_null=True, **options
        )
    if f.kind == snapshot.DATE:
        return serializers.DateField(allow_null=True, **options)
    if f.kind == snapshot.DATETIME:
        return serializers.DateTimeField(allow_null=True, **options)
    if f.kind == snapshot.UUID:
        return serializers.UUIDField(**options)
    if f.kind == snapshot.TERMS:
        return DomainRefSerializer(many=True, **options)
    if f.kind == snapshot.TOOLS:
        return ToolRefSerializer(many=True, **options)
    if f.kind == snapshot.COLLECTIVITES:
        return serializers.ListField(child=serializers.CharField(), **options)
    if f.kind == snapshot.COLLECTIVITE:
        return CollectiviteRefSerializer(**options)
    if f.kind == snapshot.CHILDREN:
        return child_serializer(f)(many=True, **options)
    return serializers.CharField(allow_blank=True, **options)


def child_serializer(f: snapshot.Field) -> type[serializers.Serializer]:
    fields = {child.name: declared_field(child) for child in f.children}
    name = "".join(part.capitalize() for part in f.name.split("_")) + "RowSerializer"
    return type(name, (serializers.Serializer,), fields)


class SnapshotSerializer(serializers.Serializer):
    """A use case as registry.snapshot.build() writes it: the fields are generated from the
    declaration (for validation of nothing, and for the OpenAPI schema); the representation is
    the declaration's own."""

    for_members = False

    def to_representation(self, instance):
        return snapshot.build(instance, self.context["collectivite"], for_members=self.for_members)


def _snapshot_serializer(name: str, fields: list[snapshot.Field], **attrs):
    declared = {f.name: declared_field(f, read_only=True) for f in fields}
    return type(name, (SnapshotSerializer,), {**declared, **attrs})


class SourceMatchSerializer(serializers.Serializer):
    rule = serializers.ChoiceField(choices=MatchRule.choices, help_text=_("Règle utilisée"))
    confidence = serializers.IntegerField(allow_null=True, help_text=_("Confiance, sur 100"))
    directory_key = serializers.CharField(help_text=_("Entrée de l'annuaire (vide : aucune)"))
    directory_name = serializers.CharField()
    candidates = serializers.ListField(
        child=serializers.CharField(), help_text=_("Entrées possibles, pour un curateur")
    )


class ProvenanceSerializer(serializers.Serializer):
    """Where a public source's record comes from, with the licence it is reused under."""

    source = serializers.CharField(help_text=_("Identifiant de la source"))
    name = serializers.CharField()
    publisher = serializers.CharField()
    licence = serializers.CharField()
    licence_url = serializers.CharField()
    attribution = serializers.CharField(help_text=_("Mention à citer avec la fiche"))
    url = serializers.CharField()
    millesime = serializers.CharField()
    original_id = serializers.CharField(help_text=_("Identifiant dans la source"))
    original_url = serializers.CharField(help_text=_("Adresse de la fiche dans la source"))
    read_at = serializers.DateTimeField(help_text=_("Lue dans la source le"))
    organisation = serializers.CharField(help_text=_("Organisation nommée par la source"))
    country = serializers.CharField(help_text=_("Pays (code ISO)"))
    match = SourceMatchSerializer(
        allow_null=True, help_text=_("Rapprochement avec l'annuaire (fiches françaises)")
    )
    notes = serializers.ListField(
        child=serializers.CharField(), help_text=_("Ce qui n'a pas été repris, et pourquoi")
    )


UseCaseSnapshotSerializer = _snapshot_serializer(
    "UseCaseSnapshotSerializer",
    snapshot.published_fields(),
    origin=serializers.ChoiceField(
        choices=Origin.choices,
        read_only=True,
        help_text=_(
            "« declared » : déclaré par la collectivité et publié par le CDG ; "
            "« public_source » : repris d'une source publique, non validé par la collectivité."
        ),
    ),
    provenance=ProvenanceSerializer(
        read_only=True,
        allow_null=True,
        help_text=_("La source publique d'une fiche « public_source » (null sinon)."),
    ),
)


class AnnotationSerializer(serializers.ModelSerializer):
    curated_domains = serializers.ListField(child=serializers.CharField(), required=False)
    curated_tool_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    quality_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=QualityFlag.choices), required=False
    )

    class Meta:
        model = BenchmarkEntry
        fields = [
            "featured",
            "curator_note",
            "curated_domains",
            "curated_tool_ids",
            "quality_flags",
        ]


class BlankAsNullField(serializers.CharField):
    """A text column stored blank when unknown, served as null (declared nullable)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class DirectoryRefSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    siren = BlankAsNullField()
    insee_code = BlankAsNullField()


class DirectoryEntrySerializer(serializers.Serializer):
    """An entry of the official directory, as a picker shows it."""

    key = serializers.CharField(
        read_only=True, help_text="Identifiant stable d'un millésime à l'autre (ex. commune:74010)"
    )
    name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=DirectoryKind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    insee_code = BlankAsNullField()
    siren = BlankAsNullField()
    departement = BlankAsNullField(help_text="Code du département")
    departement_name = serializers.CharField(read_only=True, allow_null=True)
    region = BlankAsNullField(help_text="Code de la région")
    postcodes = serializers.ListField(child=serializers.CharField(), read_only=True)
    population = serializers.IntegerField(read_only=True, allow_null=True)
    parent_epci = DirectoryRefSerializer(read_only=True, allow_null=True)
    parent = DirectoryRefSerializer(
        read_only=True,
        allow_null=True,
        help_text="Commune de rattachement d'une commune déléguée ou associée, d'un arrondissement",
    )
    former_codes = serializers.ListField(child=serializers.CharField(), read_only=True)
    managed_by_curators = serializers.BooleanField(read_only=True)
    millesime = serializers.IntegerField(read_only=True, allow_null=True)


DIRECTORY_MAX_RESULTS = 50
QUERY_MESSAGE = _(
    "Donnez au moins 2 caractères : un nom, un code INSEE, un SIREN ou un code postal."
)


class _OptionalChoices(serializers.MultipleChoiceField):
    """A repeated query parameter; an empty value (`?kind=`) means no restriction."""

    def to_internal_value(self, data):
        return super().to_internal_value([item for item in data if item != ""])


class DirectorySearchSerializer(serializers.Serializer):
    """The query of a directory search (`q`, `page_size`, `kind`, `departement`)."""

    q = serializers.CharField(
        min_length=2,
        max_length=100,
        help_text=_("Nom (accents et fautes de frappe tolérés), code INSEE, SIREN ou code postal"),
        error_messages={
            "required": QUERY_MESSAGE,
            "blank": QUERY_MESSAGE,
            "min_length": QUERY_MESSAGE,
            "max_length": _("100 caractères au plus."),
        },
    )
    page_size = serializers.IntegerField(
        min_value=1,
        max_value=DIRECTORY_MAX_RESULTS,
        default=10,
        help_text=_("Nombre de réponses, les meilleures d'abord (10 ; au plus 50)"),
        error_messages={
            key: _("Entier de 1 à 50 attendu.")
            for key in ("invalid", "min_value", "max_value", "max_string_length")
        },
    )
    kind = _OptionalChoices(
        choices=DirectoryKind.choices,
        required=False,
        help_text=_("Seulement ces types (répéter le paramètre)"),
        error_messages={"invalid_choice": _("Type inconnu : « {input} ».")},
    )
    departement = serializers.RegexField(
        r"^(?:\d{2,3}|2[AB])$",
        required=False,
        allow_blank=True,
        help_text=_("Seulement ce département (code, ex. 74)"),
        error_messages={"invalid": _("Code de département attendu (ex. 74, 2A, 974).")},
    )


class DirectorySearchResultSerializer(serializers.Serializer):
    q = serializers.CharField()
    results = DirectoryEntrySerializer(many=True)


class CoverageTallySerializer(serializers.Serializer):
    members = serializers.IntegerField(help_text=_("Dans le registre"))
    publishing = serializers.IntegerField(help_text=_("Dont ayant publié au moins un cas d'usage"))
    total = serializers.IntegerField(help_text=_("Dans l'annuaire officiel (en vigueur)"))


class CoverageAreaSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Code INSEE de la région ou du département"))
    name = serializers.CharField()
    communes = CoverageTallySerializer()
    epci = CoverageTallySerializer(help_text=_("EPCI à fiscalité propre (CC, CA, CU, métropoles)"))


class CoverageRegionSerializer(CoverageAreaSerializer):
    departements = CoverageAreaSerializer(many=True)


class CoverageSerializer(serializers.Serializer):
    millesime = serializers.IntegerField(
        allow_null=True, help_text=_("Millésime de l'annuaire officiel chargé")
    )
    france = CoverageAreaSerializer()
    regions = CoverageRegionSerializer(many=True)


# --- the Algoritmeregister's records (export.algoritmeregister.json), for the API's schema --------


def _link_serializer(grouping: str) -> type[serializers.Serializer]:
    title_limit, link_limit = registers.ALGORITMEREGISTER_GROUPING[grouping]
    required = grouping not in registers.ALGORITMEREGISTER_OPTIONAL_LINK
    name = "".join(part.title() for part in grouping.split("_"))
    return type(
        f"Algoritmeregister{name}Serializer",
        (serializers.Serializer,),
        {
            "title": serializers.CharField(max_length=title_limit),
            "link": serializers.CharField(max_length=link_limit, required=required),
        },
    )


def _algoritmeregister_field(name: str, limit: int | None) -> serializers.Field:
    enums = registers.ALGORITMEREGISTER_ENUMS
    if name in registers.ALGORITMEREGISTER_GROUPING:
        return _link_serializer(name)(many=True)
    if name == "category":
        return serializers.ListField(child=serializers.ChoiceField(choices=enums[name]))
    if name in enums:
        return serializers.ChoiceField(choices=enums[name])
    return serializers.CharField(max_length=limit, allow_blank=True)


AlgoritmeregisterRecordSerializer = type(
    "AlgoritmeregisterRecordSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "A record of the Dutch Algoritmeregister's publication standard 1.0.",
        **{
            name: _algoritmeregister_field(name, limit)
            for name, limit in registers.ALGORITMEREGISTER_FIELDS.items()
        },
    },
)
