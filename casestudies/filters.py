import django_filters
from django.db.models import Q

from casestudies.models import UseCase
from registry import vocabularies as v


class UseCaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=v.Status.choices)
    ai_family = django_filters.MultipleChoiceFilter(choices=v.AIFamily.choices)
    ai_act_risk = django_filters.MultipleChoiceFilter(choices=v.AIActRisk.choices)
    automation_level = django_filters.MultipleChoiceFilter(choices=v.AutomationLevel.choices)
    personal_data = django_filters.MultipleChoiceFilter(choices=v.PersonalData.choices)
    hosting = django_filters.MultipleChoiceFilter(choices=v.Hosting.choices)
    sourcing = django_filters.MultipleChoiceFilter(choices=v.Sourcing.choices)
    method_phase = django_filters.MultipleChoiceFilter(choices=v.MethodPhase.choices)
    users_count_band = django_filters.MultipleChoiceFilter(choices=v.UsersCountBand.choices)
    would_recommend = django_filters.MultipleChoiceFilter(choices=v.WouldRecommend.choices)
    visibility = django_filters.MultipleChoiceFilter(choices=v.Visibility.choices)
    publication_state = django_filters.MultipleChoiceFilter(choices=v.PublicationState.choices)
    technique = django_filters.MultipleChoiceFilter(
        choices=v.Technique.choices, method="filter_overlap", field_name="techniques"
    )
    audience = django_filters.MultipleChoiceFilter(
        choices=v.Audience.choices, method="filter_overlap", field_name="audiences"
    )
    domain = django_filters.CharFilter(field_name="domains__code", distinct=True)
    tool = django_filters.NumberFilter(method="filter_tool")
    individual_decision = django_filters.BooleanFilter()
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")
    updated_after = django_filters.DateFilter(field_name="updated_at", lookup_expr="date__gte")
    updated_before = django_filters.DateFilter(field_name="updated_at", lookup_expr="date__lte")
    published_after = django_filters.DateFilter(field_name="published_at", lookup_expr="date__gte")
    published_before = django_filters.DateFilter(field_name="published_at", lookup_expr="date__lte")
    started_after = django_filters.DateFilter(field_name="started_on", lookup_expr="gte")
    started_before = django_filters.DateFilter(field_name="started_on", lookup_expr="lte")

    class Meta:
        model = UseCase
        fields = []

    def filter_overlap(self, queryset, name, value):
        return queryset.filter(Q(**{f"{name}__overlap": value})) if value else queryset

    def filter_tool(self, queryset, name, value):
        # A tool merged into another counts as the one it was merged into.
        return queryset.filter(Q(tools__id=value) | Q(tools__merged_into_id=value)).distinct()
