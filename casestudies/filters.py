import django_filters
from django.db.models import Q

from casestudies.models import UseCase
from registry import vocabularies as v
from registry.filters import ChoicesFilter


class UseCaseFilter(django_filters.FilterSet):
    status = ChoicesFilter(choices=v.Status.choices)
    ai_family = ChoicesFilter(choices=v.AIFamily.choices)
    ai_act_risk = ChoicesFilter(choices=v.AIActRisk.choices)
    automation_level = ChoicesFilter(choices=v.AutomationLevel.choices)
    personal_data = ChoicesFilter(choices=v.PersonalData.choices)
    hosting = ChoicesFilter(choices=v.Hosting.choices)
    sourcing = ChoicesFilter(choices=v.Sourcing.choices)
    method_phase = ChoicesFilter(choices=v.MethodPhase.choices)
    users_count_band = ChoicesFilter(choices=v.UsersCountBand.choices)
    would_recommend = ChoicesFilter(choices=v.WouldRecommend.choices)
    visibility = ChoicesFilter(choices=v.Visibility.choices)
    publication_state = ChoicesFilter(choices=v.PublicationState.choices)
    technique = ChoicesFilter(
        choices=v.Technique.choices, method="filter_overlap", field_name="techniques"
    )
    audience = ChoicesFilter(
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
