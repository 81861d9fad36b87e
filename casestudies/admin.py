"""Each collectivité's own admin, on its host: its use cases, with their steps, lessons, metrics."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.policy import Action, role_allows
from casestudies.models import (
    ApproachStep,
    Cost,
    ImpactAssessment,
    Lesson,
    Metric,
    UseCase,
    UseCaseEvent,
    UseCaseRisk,
)
from casestudies.review import payload_diff
from casestudies.services import (
    USE_CASE_FIELDS,
    in_collectivite_of,
    usecase_approve,
    usecase_create,
    usecase_request_changes,
    usecase_update,
)
from registry.admin import CuratorAdminMixin, public_admin
from registry.api import EXPORT_TYPES
from registry.models import Collectivite, Submission
from registry.selectors import published_payloads


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
# Django's LogEntry lives in the public schema and knows nothing of schemas: the "recent
# actions" panel is left out, and the history is the use case's own (UseCaseEvent).
collectivite_admin.index_template = "admin/collectivite_index.html"


class PolicyMixin:
    """Admin rights come from the member's role (accounts.policy), never from Django permissions.

    Nothing is written to Django's LogEntry (public schema, keyed by a per-schema id: it would
    mix collectivités up); the use case's history (UseCaseEvent) records every change."""

    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletion(self, request, obj, object_repr):
        return None

    def log_deletions(self, request, queryset):
        return None

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


class RiskInline(PolicyMixin, admin.TabularInline):
    model = UseCaseRisk
    extra = 0
    fields = ["risk", "mitigation"]


class CostInline(PolicyMixin, admin.TabularInline):
    model = Cost
    extra = 0
    fields = ["kind", "amount", "period", "funding_source"]


class ImpactAssessmentInline(PolicyMixin, admin.TabularInline):
    model = ImpactAssessment
    extra = 0
    fields = ["type", "status", "date", "link"]
    # Django 6's default, taken now: an address typed without a scheme is https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class EventInline(admin.TabularInline):
    model = UseCaseEvent
    extra = 0
    fields = ["created_at", "action", "from_state", "to_state", "actor", "comment", "changes"]
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
    filter_horizontal = ["tools", "domains", "partner_collectivites"]
    inlines = [
        StepInline,
        LessonInline,
        MetricInline,
        CostInline,
        ImpactAssessmentInline,
        RiskInline,
        EventInline,
    ]
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
        (_("Outils"), {"fields": ["tools", "tool_other", "partner_collectivites"]}),
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

    def has_change_permission(self, request, obj=None):
        # Under review or archived, a use case is read-only (see casestudies.workflow.editable).
        if obj is not None and obj.publication_state in ("submitted", "archived"):
            return False
        return super().has_change_permission(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        use_case = self.get_object(request, object_id)
        if use_case is None:
            raise Http404
        return redirect(f"/cas-d-usage/{use_case.public_id}/#historique")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "partner_collectivites" and request.collectivite is not None:
            kwargs["queryset"] = Collectivite.objects.exclude(pk=request.collectivite.pk)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A rule of the services (e.g. a published use case cannot turn private) is shown as a
        # message; the admin's transaction has rolled everything back.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)

    def construct_change_message(self, request, form, formsets, add=False):
        # The inlines are not saved by their formsets (see save_related); the use case's own
        # history (UseCaseEvent) records what changed, field by field.
        return super().construct_change_message(request, form, None, add)

    def save_model(self, request, obj, form, change):
        """Nothing here: the use case and its inlines are written together by one service call
        in save_related, so that the history records a single change."""

    def save_related(self, request, form, formsets, change):
        values = {
            name: form.cleaned_data[name]
            for name in (form.changed_data if change else form.cleaned_data)
            if name in USE_CASE_FIELDS
        }
        relations = {
            name: list(form.cleaned_data[name])
            for name in ("tools", "domains", "partner_collectivites")
            if not change or name in form.changed_data
        }
        children = {
            name: _formset_rows(formset)
            for formset in formsets
            if (name := INLINE_FIELDS.get(formset.model)) and (not change or formset.has_changed())
        }
        if change:
            usecase_update(
                use_case=form.instance, actor=request.user, **values, **relations, **children
            )
        else:
            created = usecase_create(actor=request.user, **values, **relations, **children)
            form.instance.__dict__.update(created.__dict__)


INLINE_FIELDS = {
    ApproachStep: "steps",
    Lesson: "lessons",
    Metric: "metrics",
    UseCaseRisk: "risks",
    Cost: "costs",
    ImpactAssessment: "impact_assessments",
}


def _formset_rows(formset) -> list[dict]:
    """The rows an inline formset describes, without the deleted ones, in their order."""
    rows = []
    for inline_form in formset.forms:
        data = getattr(inline_form, "cleaned_data", None)
        if (
            not data
            or data.get("DELETE")
            or (inline_form.empty_permitted and not inline_form.has_changed())
        ):
            continue
        rows.append(
            {
                name: data[name]
                for name in inline_form._meta.fields
                if name in data and name not in ("id", "use_case")
            }
        )
    if formset.model is ApproachStep:
        rows.sort(key=lambda row: row.get("position") or 0)
    return rows


# --- curators' pages on the public admin: the review queue and bulk import ------------------------


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Commentaire (obligatoire pour demander des corrections)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


@admin.register(Submission, site=public_admin)
class SubmissionAdmin(CuratorAdminMixin, admin.ModelAdmin):
    list_display = ["public_id", "title", "collectivite", "state", "completeness", "submitted_at"]
    list_filter = ["state", "collectivite"]
    search_fields = ["public_id", "title"]
    list_select_related = ["collectivite", "submitted_by"]
    fields = [
        "public_id",
        "title",
        "collectivite",
        "state",
        "message",
        "submitted_by",
        "submitted_at",
        "completeness",
        "missing_fields",
        "differences",
        "decided_by",
        "decided_at",
        "decision_comment",
    ]
    readonly_fields = fields
    change_form_template = "admin/registry/submission/change_form.html"

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("manque"))
    def missing_fields(self, obj):
        return ", ".join(item["label"] for item in obj.missing) or "—"

    @admin.display(description=_("différences avec la version publiée"))
    def differences(self, obj):
        published = published_payloads([obj.uuid]).get(obj.uuid)
        rows = payload_diff(published, obj.payload)
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("champ"),
            _("publié"),
            _("proposé"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                ((row["label"], _short(row["before"]), _short(row["after"])) for row in rows),
            ),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        submission = self.get_object(request, object_id)
        if request.method == "POST":
            # Every field is read-only: a POST here is a decision, never a save of the form.
            self._decide(request, submission)
            if submission is not None and submission.state != "pending":
                return redirect("public_admin:registry_submission_changelist")
            return redirect(request.path)
        context = {
            **(extra_context or {}),
            "decision_form": DecisionForm(),
            "pending": submission is not None and submission.state == "pending",
        }
        return super().change_view(request, object_id, form_url, context)

    def _decide(self, request, submission):
        services = {"approve": usecase_approve, "request_changes": usecase_request_changes}
        service = services.get(request.POST.get("decision"))
        form = DecisionForm(request.POST)
        if submission is None or service is None or not form.is_valid():
            messages.error(request, _("Décision inconnue."))
            return
        try:
            in_collectivite_of(
                submission, service, actor=request.user, comment=form.cleaned_data["comment"]
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return
        submission.refresh_from_db()
        messages.success(request, _("Décision enregistrée : %s.") % submission.get_state_display())


def _short(value) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return " | ".join(
            item.get("text") or item.get("name") or item.get("label") or str(item)
            if isinstance(item, dict)
            else str(item)
            for item in value
        )
    return str(value)[:300]


class ImportForm(forms.Form):
    collectivite = forms.ModelChoiceField(
        queryset=Collectivite.objects.order_by("name"), label=_("Collectivité")
    )
    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_("Les colonnes de l'export du référentiel (modèle ci-dessous)."),
    )
    dry_run = forms.BooleanField(
        label=_("Simulation : montrer ce qui serait fait, sans rien écrire"),
        required=False,
        initial=True,
    )


def import_view(request):
    from casestudies import imports

    if request.GET.get("template") in ("csv", "xlsx"):
        kind = request.GET["template"]
        content = imports.template_csv() if kind == "csv" else imports.template_xlsx()
        response = HttpResponse(content, content_type=EXPORT_TYPES[kind])
        response["Content-Disposition"] = f'attachment; filename="modele-import-cas-d-usage.{kind}"'
        return response
    report = None
    file_error = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = imports.read_rows(upload.read(), upload.name)
        except imports.ImportFileError as error:
            file_error = str(error)
        else:
            report = imports.import_use_cases(
                collectivite=form.cleaned_data["collectivite"],
                rows=rows,
                actor=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
    return TemplateResponse(
        request,
        "admin/registry/import.html",
        {
            **public_admin.each_context(request),
            "title": _("Importer des cas d'usage"),
            "form": form,
            "report": report,
            "file_error": file_error,
        },
    )


public_admin.extra_views.append(("import/", import_view, "usecase_import"))
