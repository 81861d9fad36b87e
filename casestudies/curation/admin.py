"""The curators' pages on the public admin: submissions (read and decided), the bulk import."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts import policy
from accounts.admin_sites import public_admin
from accounts.permissions import PolicyAdminMixin
from casestudies import imports
from registry import snapshot
from registry.api import EXPORT_TYPES
from registry.models import Collectivite, Submission
from registry.vocabularies import SubmissionState


@admin.register(Submission, site=public_admin)
class SubmissionAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """The list of every submission, decided ones included. A submission is read and decided on
    its review page (casestudies.curation.views), which this admin links to: one place to
    decide, in French, with the changes since the version sent back."""

    list_display = [
        "title",
        "collectivite",
        "state",
        "completeness_score",
        "submitted_at",
        "review_link",
    ]
    list_display_links = ["title"]
    ordering = ["-submitted_at", "-id"]
    list_filter = ["state", "collectivite"]
    search_fields = ["public_id", "title"]
    list_select_related = ["collectivite", "submitted_by"]
    fields = [
        "review_link",
        "public_id",
        "title",
        "collectivite",
        "state",
        "message",
        "submitted_by",
        "submitted_at",
        "completeness_score",
        "missing_fields",
        "decided_by",
        "decided_at",
        "decision_comment",
    ]
    readonly_fields = fields
    change_form_template = "admin/registry/submission/change_form.html"

    @admin.display(description=_("complétude"), ordering="completeness")
    def completeness_score(self, obj):
        return _("%s / 100") % obj.completeness

    @admin.display(description=_("ce qui manque"))
    def missing_fields(self, obj):
        return ", ".join(snapshot.field_label(item["field"]) for item in obj.missing) or "—"

    @admin.display(description=_("examen"))
    def review_link(self, obj):
        label = _("Examiner et décider") if obj.state == SubmissionState.PENDING else _("Voir")
        return format_html('<a href="{}">{}</a>', reverse("curation:review", args=[obj.pk]), label)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        submission = self.get_object(request, object_id)
        if request.method == "POST":
            # Every field is read-only: decisions are taken on the review page.
            if not self.has_change_permission(request, submission):
                raise PermissionDenied
            if submission is None:
                return redirect("public_admin:registry_submission_changelist")
            return redirect("curation:review", pk=submission.pk)
        context = {
            **(extra_context or {}),
            "review_url": reverse("curation:review", args=[submission.pk]) if submission else "",
            "pending": submission is not None and submission.state == SubmissionState.PENDING,
        }
        return super().change_view(request, object_id, form_url, context)


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


@public_admin.admin_view
def import_view(request):
    """The bulk import page (mounted by the public URLs under /admin/import/)."""
    if not policy.admin_page_allows("usecase-import", request.user):
        raise PermissionDenied
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
