"""The curators' pages on the public admin: submissions (read and decided), the bulk import."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts import policy
from accounts.admin_sites import public_admin
from accounts.permissions import PolicyAdminMixin
from casestudies import imports
from casestudies.curation import services
from registry import snapshot
from registry.api import EXPORT_TYPES
from registry.models import Collectivite, Submission
from registry.selectors import published_payloads
from registry.vocabularies import SubmissionState


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Commentaire (obligatoire pour demander des corrections)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


@admin.register(Submission, site=public_admin)
class SubmissionAdmin(PolicyAdminMixin, admin.ModelAdmin):
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

    @admin.display(description=_("manque"))
    def missing_fields(self, obj):
        return ", ".join(item["label"] for item in obj.missing) or "—"

    @admin.display(description=_("différences avec la version publiée"))
    def differences(self, obj):
        published = published_payloads([obj.uuid]).get(obj.uuid)
        rows = snapshot.diff(published, obj.payload)
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
            if not self.has_change_permission(request, submission):
                raise PermissionDenied
            self._decide(request, submission)
            if submission is not None and submission.state != SubmissionState.PENDING:
                return redirect("public_admin:registry_submission_changelist")
            return redirect(request.path)
        context = {
            **(extra_context or {}),
            "decision_form": DecisionForm(),
            "pending": submission is not None and submission.state == SubmissionState.PENDING,
        }
        return super().change_view(request, object_id, form_url, context)

    def _decide(self, request, submission):
        decision = request.POST.get("decision")
        form = DecisionForm(request.POST)
        if submission is None or decision not in services.DECISIONS or not form.is_valid():
            messages.error(request, _("Décision inconnue."))
            return
        try:
            services.submission_decide(
                submission=submission,
                decision=decision,
                actor=request.user,
                comment=form.cleaned_data["comment"],
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return
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
