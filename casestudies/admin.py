"""Each collectivité's own admin, on its host: its use cases, with their steps, lessons, metrics."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext_lazy as _

from accounts.policy import Action, role_allows
from casestudies.models import ApproachStep, Lesson, Metric, UseCase, UseCaseEvent
from casestudies.services import USE_CASE_FIELDS, usecase_create, usecase_update


class CollectiviteAdminSite(admin.AdminSite):
    site_header = _("Registre IA — administration de la collectivité")
    site_title = _("Administration de la collectivité")
    index_title = _("Nos cas d'usage")

    def has_permission(self, request):
        return getattr(request, "collectivite", None) is not None and role_allows(
            getattr(request, "role", None), Action.VIEW
        )

    def login(self, request, extra_context=None):
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)

    def each_context(self, request):
        context = super().each_context(request)
        context["site_header"] = f"{self.site_header} · {request.collectivite.name}"
        return context


collectivite_admin = CollectiviteAdminSite(name="collectivite_admin")


class PolicyMixin:
    """Admin rights come from the member's role (accounts.policy), never from Django permissions."""

    def has_view_permission(self, request, obj=None):
        return role_allows(request.role, Action.VIEW)

    def has_add_permission(self, request, obj=None):
        return role_allows(request.role, Action.CREATE)

    def has_change_permission(self, request, obj=None):
        return role_allows(request.role, Action.EDIT)

    def has_delete_permission(self, request, obj=None):
        # Use cases are archived, never destroyed; children are edited through their use case.
        return role_allows(request.role, Action.EDIT) and not isinstance(self, admin.ModelAdmin)

    def has_module_permission(self, request):
        return role_allows(request.role, Action.VIEW)


class StepInline(PolicyMixin, admin.TabularInline):
    model = ApproachStep
    extra = 0
    fields = ["position", "text", "phase", "done"]


class LessonInline(PolicyMixin, admin.StackedInline):
    model = Lesson
    extra = 0
    fields = ["category", "polarity", "text", "position"]


class MetricInline(PolicyMixin, admin.TabularInline):
    model = Metric
    extra = 0
    fields = ["name", "unit", "baseline", "value", "period", "method"]


class EventInline(admin.TabularInline):
    model = UseCaseEvent
    extra = 0
    fields = ["created_at", "action", "from_state", "to_state", "actor", "comment"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return role_allows(request.role, Action.VIEW)


@admin.register(UseCase, site=collectivite_admin)
class UseCaseAdmin(PolicyMixin, admin.ModelAdmin):
    list_display = ["public_id", "title", "status", "publication_state", "visibility", "updated_at"]
    list_filter = ["status", "publication_state", "visibility", "ai_family", "ai_act_risk"]
    search_fields = ["public_id", "title", "summary"]
    readonly_fields = ["public_id", "publication_state", "published_at", "created_at", "updated_at"]
    filter_horizontal = ["tools", "domains"]
    inlines = [StepInline, LessonInline, MetricInline, EventInline]
    fieldsets = [
        (
            _("Identité"),
            {
                "fields": [
                    "public_id",
                    "title",
                    "summary",
                    "context",
                    "purpose",
                    "department_service",
                    "representative",
                    "contact_email",
                    "peer_contact_ok",
                ]
            },
        ),
        (_("Outils"), {"fields": ["tools", "tool_other"]}),
        (
            _("Classification"),
            {
                "fields": [
                    "ai_family",
                    "domains",
                    "techniques",
                    "automation_level",
                    "audiences",
                    "individual_decision",
                ]
            },
        ),
        (
            _("Avancement"),
            {
                "fields": [
                    "status",
                    "status_inferred",
                    "status_reason",
                    "method_phase",
                    "started_on",
                    "pilot_on",
                    "production_on",
                    "ended_on",
                    "next_review_on",
                ]
            },
        ),
        (
            _("Réglementation, risques et données"),
            {
                "fields": [
                    "ai_act_risk",
                    "personal_data",
                    "hosting",
                    "sourcing",
                    "human_oversight",
                    "recourse",
                    "risks_and_mitigations",
                ]
            },
        ),
        (
            _("Résultats"),
            {"fields": ["users_count_band", "satisfaction", "would_recommend", "training_done"]},
        ),
        (
            _("Publication"),
            {
                "fields": [
                    "visibility",
                    "publication_state",
                    "published_at",
                    "external_ref",
                    "source",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        relations = {"tools", "domains", "partner_collectivites"}
        if change:
            usecase_update(
                use_case=obj,
                actor=request.user,
                **{
                    name: form.cleaned_data[name]
                    for name in form.changed_data
                    if name in USE_CASE_FIELDS
                },
                **{
                    name: list(form.cleaned_data[name])
                    for name in form.changed_data
                    if name in {"tools", "domains"}
                },
            )
            return
        values = {name: value for name, value in form.cleaned_data.items() if name not in relations}
        created = usecase_create(
            actor=request.user,
            tools=list(form.cleaned_data.get("tools", [])),
            domains=list(form.cleaned_data.get("domains", [])),
            **values,
        )
        obj.__dict__.update(created.__dict__)

    def save_related(self, request, form, formsets, change):
        # The service already linked tools and domains; only the inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
