"""Each collectivité's own admin, on its host: its use cases, with their lists of rows. The
fieldsets and the rows' fields are the published format's declaration (registry.snapshot); the
rights are the policy's (accounts.policy)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import redirect

from accounts.admin_sites import collectivite_admin
from accounts.permissions import PolicyAdminMixin
from casestudies import workflow
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
from casestudies.services import USE_CASE_FIELDS, usecase_create, usecase_update
from registry import snapshot
from registry.models import Collectivite


class CollectiviteAdminMixin(PolicyAdminMixin):
    """Nothing is written to Django's LogEntry (public schema, keyed by a per-schema id: it would
    mix collectivités up); the use case's history (UseCaseEvent) records every change."""

    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletion(self, request, obj, object_repr):
        return None

    def log_deletions(self, request, queryset):
        return None


def _row_fields(name: str) -> list[str]:
    """A list's admin columns: its declared fields that members write."""
    return [child.source or child.name for child in snapshot.get(name).children if child.writable]


class StepInline(CollectiviteAdminMixin, admin.TabularInline):
    model = ApproachStep
    extra = 0
    # The order is the admin's way of moving a step (the API and the form keep the list order).
    fields = ["position", *_row_fields("steps")]


class LessonInline(CollectiviteAdminMixin, admin.StackedInline):
    model = Lesson
    extra = 0
    fields = [*_row_fields("lessons"), "position"]


class MetricInline(CollectiviteAdminMixin, admin.TabularInline):
    model = Metric
    extra = 0
    fields = _row_fields("metrics")


class RiskInline(CollectiviteAdminMixin, admin.TabularInline):
    model = UseCaseRisk
    extra = 0
    fields = _row_fields("risks")


class CostInline(CollectiviteAdminMixin, admin.TabularInline):
    model = Cost
    extra = 0
    fields = _row_fields("costs")


class ImpactAssessmentInline(CollectiviteAdminMixin, admin.TabularInline):
    model = ImpactAssessment
    extra = 0
    fields = _row_fields("impact_assessments")
    # Django 6's default, taken now: an address typed without a scheme is https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class EventInline(CollectiviteAdminMixin, admin.TabularInline):
    model = UseCaseEvent
    extra = 0
    fields = ["created_at", "action", "from_state", "to_state", "actor", "comment", "changes"]
    readonly_fields = fields


READ_ONLY = {f.name for f in snapshot.FIELDS if not f.writable} - {"uuid", "collectivite"}


def _fieldsets() -> list:
    """One fieldset per section of the declaration, its fields in the declaration's order."""
    fieldsets = []
    for section in snapshot.SECTIONS:
        names = [
            f.name
            for f in snapshot.section_fields(section.name)
            if f.name not in ("uuid", "collectivite")
        ]
        if names:
            fieldsets.append((section.label, {"fields": names}))
    return fieldsets


@admin.register(UseCase, site=collectivite_admin)
class UseCaseAdmin(CollectiviteAdminMixin, admin.ModelAdmin):
    list_display = ["public_id", "title", "status", "publication_state", "visibility", "updated_at"]
    list_filter = ["status", "publication_state", "visibility", "ai_family", "ai_act_risk"]
    search_fields = ["public_id", "title", "summary"]
    readonly_fields = sorted(READ_ONLY)
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
    fieldsets = _fieldsets()

    def has_change_permission(self, request, obj=None):
        # Under review or archived, a use case is read-only (the workflow's rule).
        if obj is not None and not workflow.is_editable(obj.publication_state):
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
