import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from registry import vocabularies as v
from registry.models import BenchmarkEntry, Term
from registry.synonyms import search_query


class _Choices(forms.MultipleChoiceField):
    """A repeated parameter; an empty value (an HTML form's « Tous », `?status=`) is dropped, not
    refused: the API's schema says so of every filter (allowEmptyValue)."""

    def to_python(self, value):
        return [item for item in super().to_python(value) if item != ""]


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """A filter on a vocabulary: repeat it for several values, leave it empty for all."""

    field_class = _Choices


class _AnyValues(_Choices):
    """A repeated parameter of free values (slugs, codes…); a NUL character is refused."""

    def valid_value(self, value):
        return "\x00" not in value


class _IdValues(_AnyValues):
    def validate(self, value):
        super().validate(value)
        # isdigit() alone accepts "²", which int() refuses: ASCII digits only.
        if not all(item.isascii() and item.isdigit() and int(item) < 2**63 for item in value):
            raise forms.ValidationError(_("Identifiant d'outil attendu (nombre entier)."))


class _DomainValues(_AnyValues):
    def validate(self, value):
        super().validate(value)
        known = set(
            Term.objects.filter(vocabulary=v.TermVocabulary.DOMAIN, code__in=value).values_list(
                "code", flat=True
            )
        )
        unknown = sorted(set(value) - known)
        if unknown:
            # The codes go in params: django-filter formats the message with them (once); a value
            # formatted into the message beforehand ("%s") would be formatted a second time.
            raise forms.ValidationError(
                _("Domaine inconnu : %(codes)s."), params={"codes": ", ".join(unknown)}
            )


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class ValuesFilter(ChoicesFilter):
    field_class = _AnyValues


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class IdValuesFilter(ValuesFilter):
    field_class = _IdValues


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class DomainValuesFilter(ValuesFilter):
    field_class = _DomainValues


class _YearValues(_AnyValues):
    def validate(self, value):
        super().validate(value)
        if not all(item.isascii() and item.isdigit() and len(item) == 4 for item in value):
            raise forms.ValidationError(_("Année attendue (quatre chiffres)."))


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class YearValuesFilter(ValuesFilter):
    field_class = _YearValues


class BenchmarkFilter(django_filters.FilterSet):
    """Filters of the cross-collectivité benchmark. Repeat a parameter to accept several values
    (`?status=pilot&status=production`)."""

    q = django_filters.CharFilter(method="filter_q", label=_("recherche en texte intégral"))
    origin = ChoicesFilter(
        choices=v.Origin.choices,
        label=_("origine : déclaré par la collectivité ou source publique (non validée)"),
    )
    collectivite = ValuesFilter(field_name="collectivite_slug")
    collectivite_kind = ChoicesFilter(choices=v.CollectiviteKind.choices)
    population_band = ChoicesFilter(choices=v.PopulationBand.choices)
    departement = ValuesFilter()
    domain = DomainValuesFilter(method="filter_domain")
    year = YearValuesFilter(method="filter_year", label=_("année de publication"))
    tool = IdValuesFilter(method="filter_tool")
    ai_family = ChoicesFilter(choices=v.AIFamily.choices)
    status = ChoicesFilter(choices=v.Status.choices)
    ai_act_risk = ChoicesFilter(choices=v.AIActRisk.choices)
    technique = ChoicesFilter(choices=v.Technique.choices, method="filter_technique")
    automation_level = ChoicesFilter(choices=v.AutomationLevel.choices)
    personal_data = ChoicesFilter(choices=v.PersonalData.choices)
    method_phase = ChoicesFilter(choices=v.MethodPhase.choices)
    published_after = django_filters.DateFilter(field_name="published_at", lookup_expr="date__gte")
    published_before = django_filters.DateFilter(field_name="published_at", lookup_expr="date__lte")
    started_after = django_filters.DateFilter(field_name="started_on", lookup_expr="gte")
    started_before = django_filters.DateFilter(field_name="started_on", lookup_expr="lte")
    production_after = django_filters.DateFilter(field_name="production_on", lookup_expr="gte")
    production_before = django_filters.DateFilter(field_name="production_on", lookup_expr="lte")
    ordering = django_filters.OrderingFilter(
        fields=[
            ("published_at", "published_at"),
            ("title", "title"),
            ("status", "status"),
            ("collectivite_slug", "collectivite"),
            ("public_id", "public_id"),
        ]
    )

    class Meta:
        model = BenchmarkEntry
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One row per entry and no join: DISTINCT (django-filter's default for multiple choices)
        # would only make PostgreSQL hash every stored payload (measured: 10 times slower at 1,000).
        for benchmark_filter in self.filters.values():
            benchmark_filter.distinct = False

    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(search_vector=search_query(value))

    def filter_year(self, queryset, name, value):
        return queryset.filter(published_at__year__in=[int(item) for item in value])

    def filter_domain(self, queryset, name, value):
        return queryset.filter(domains__overlap=value)

    def filter_tool(self, queryset, name, value):
        return queryset.filter(tool_ids__overlap=[int(item) for item in value])

    def filter_technique(self, queryset, name, value):
        return queryset.filter(techniques__overlap=value)
