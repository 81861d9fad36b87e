import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.admin_sites import public_admin
from accounts.permissions import PolicyAdminMixin
from accounts.services import audited_delete, audited_save
from registry import search, services, validators
from registry.directory import DirectoryEntry
from registry.models import (
    BenchmarkEntry,
    BenchmarkEntryEvent,
    Collectivite,
    Domain,
    JoinRequest,
    SynonymGroup,
    Term,
    Tool,
    Vendor,
)
from registry.services.directory import CURATOR_FIELDS, CURATOR_KINDS
from registry.vocabularies import QualityFlag

# --- catalogue merges (admin actions of tools and vendors) -----------------------


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(queryset=None, label=_("Fusionner dans"))

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = queryset


def _merge_action(request, queryset, *, model_label, targets, merge):
    """Admin action with an intermediate page: choose the target, then merge each selected."""
    if "apply" in request.POST:
        form = MergeForm(request.POST, queryset=targets)
        if form.is_valid():
            target = form.cleaned_data["target"]
            sources = list(queryset.exclude(pk=target.pk))
            merged = len(sources)
            try:
                with transaction.atomic():
                    for source in sources:
                        merge(source=source, target=target, actor=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return None
            messages.success(
                request,
                _("%(n)s %(label)s fusionné(s) dans « %(target)s ».")
                % {"n": merged, "label": model_label, "target": target},
            )
            return None
    else:
        form = MergeForm(queryset=targets)
    return TemplateResponse(
        request,
        "admin/registry/merge.html",
        {
            **public_admin.each_context(request),
            "title": _("Fusionner des doublons"),
            "objects": queryset,
            "form": form,
            "action": request.POST.get("action"),
            "model_label": model_label,
        },
    )


@admin.action(
    description=_("Fusionner les outils sélectionnés dans un autre…"), permissions=["change"]
)
def merge_tools(modeladmin, request, queryset):
    return _merge_action(
        request,
        queryset,
        model_label=_("outil(s)"),
        targets=Tool.objects.filter(merged_into__isnull=True),
        merge=services.tool_merge,
    )


@admin.action(
    description=_("Fusionner les éditeurs sélectionnés dans un autre…"), permissions=["change"]
)
def merge_vendors(modeladmin, request, queryset):
    return _merge_action(
        request,
        queryset,
        model_label=_("éditeur(s)"),
        targets=Vendor.objects.all(),
        merge=services.vendor_merge,
    )


class CatalogueSaveMixin:
    """The catalogue and host names are written by their service, with the curator as actor."""

    def save_model(self, request, obj, form, change):
        audited_save(obj, actor=request.user)

    def delete_model(self, request, obj):
        audited_delete(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audited_delete(obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            audited_save(obj, actor=request.user)
        for obj in formset.deleted_objects:
            audited_delete(obj, actor=request.user)


class DomainInline(PolicyAdminMixin, admin.TabularInline):
    model = Domain
    extra = 0


class DepartementFilter(admin.AllValuesFieldListFilter):
    """A collectivité the source does not place (blank département) is listed as such, not as
    a link without text."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            display = str(choice["display"] or "")
            if display == "" or display.startswith(" ("):  # blank, with its count if shown
                choice = {**choice, "display": f"{_('Non indiqué')}{display}"}
            yield choice


@admin.register(Collectivite, site=public_admin)
class CollectiviteAdmin(PolicyAdminMixin, admin.ModelAdmin):
    save_formset = CatalogueSaveMixin.save_formset

    list_display = ["name", "slug", "kind", "departement", "population", "cdg_member"]
    list_filter = ["kind", ("departement", DepartementFilter), "cdg_member", "is_anonymised"]
    search_fields = ["name", "slug", "siren", "insee_code"]
    autocomplete_fields = ["parent_epci"]
    inlines = [DomainInline]
    fields = [
        "name",
        "slug",
        "kind",
        "siren",
        "insee_code",
        "departement",
        "population",
        "staff_size_band",
        "parent_epci",
        "cdg_member",
        "is_anonymised",
        "contact_name",
        "contact_email",
        "website",
    ]

    def get_readonly_fields(self, request, obj=None):
        # The slug names the schema, the host and the public ids: fixed once created.
        return ["slug"] if obj else []

    def save_model(self, request, obj, form, change):
        values = {
            name: form.cleaned_data[name]
            for name in services.COLLECTIVITE_EDITABLE_FIELDS
            if name in form.cleaned_data
        }
        if change:
            services.collectivite_update(
                Collectivite.objects.get(pk=obj.pk), actor=request.user, **values
            )
        else:
            created = services.collectivite_create(
                slug=form.cleaned_data["slug"], actor=request.user, **values
            )
            obj.__dict__.update(created.__dict__)


@admin.register(Vendor, site=public_admin)
class VendorAdmin(PolicyAdminMixin, CatalogueSaveMixin, admin.ModelAdmin):
    list_display = ["name", "country", "website"]
    search_fields = ["name"]
    actions = [merge_vendors]


@admin.register(Tool, site=public_admin)
class ToolAdmin(PolicyAdminMixin, CatalogueSaveMixin, admin.ModelAdmin):
    list_display = ["name", "vendor", "kind", "licence", "deprecated", "merged_into"]
    list_filter = ["kind", "licence", "deprecated", ("merged_into", admin.EmptyFieldListFilter)]
    search_fields = ["name", "aliases", "vendor__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["vendor"]
    list_select_related = ["vendor"]
    actions = [merge_tools]


@admin.register(Term, site=public_admin)
class TermAdmin(PolicyAdminMixin, CatalogueSaveMixin, admin.ModelAdmin):
    list_display = ["label_fr", "vocabulary", "code", "active", "position"]
    list_filter = ["vocabulary", "active"]
    search_fields = ["label_fr", "label_en", "code"]


class QualityFlagFilter(admin.SimpleListFilter):
    title = _("signalement qualité")
    parameter_name = "quality_flag"

    def lookups(self, request, model_admin):
        return QualityFlag.choices

    def queryset(self, request, queryset):
        if self.value() in QualityFlag.values:
            return queryset.filter(quality_flags__contains=[self.value()])
        return queryset


@admin.register(BenchmarkEntry, site=public_admin)
class BenchmarkEntryAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Published entries: curators annotate them here; publication itself goes through the
    review queue, and unpublication through the workflow (API), never a delete."""

    list_display = [
        "public_id",
        "title",
        "collectivite",
        "status",
        "visibility",
        "featured",
        "published_at",
    ]
    list_filter = [
        "featured",
        "status",
        "visibility",
        "collectivite_kind",
        "ai_family",
        QualityFlagFilter,
    ]
    search_fields = ["public_id", "title", "collectivite__name"]
    list_select_related = ["collectivite"]
    fields = [
        "public_id",
        "title",
        "collectivite",
        "status",
        "visibility",
        "published_at",
        "featured",
        "curator_note",
        "curated_domains",
        "curated_tool_ids",
        "quality_flags",
        "history",
    ]
    readonly_fields = [
        "public_id",
        "title",
        "collectivite",
        "status",
        "visibility",
        "published_at",
        "history",
    ]

    def lookup_allowed(self, lookup, value, request=None):
        # Array columns are filtered through their list filter only (a raw value is no array).
        if lookup.split("__")[0] in ("quality_flags", "domains", "tool_ids", "curated_domains"):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("historique"))
    def history(self, obj):
        events = BenchmarkEntryEvent.objects.filter(uuid=obj.uuid).select_related("actor")
        return format_html_join(
            "\n",
            "<p>{} — {} — {} {}</p>",
            (
                (
                    event.created_at.strftime("%d/%m/%Y %H:%M"),
                    event.action,
                    event.actor or _("système"),
                    ", ".join(event.changes),
                )
                for event in events
            ),
        )

    def save_model(self, request, obj, form, change):
        services.benchmark_entry_annotate(
            entry=BenchmarkEntry.objects.get(pk=obj.pk),
            actor=request.user,
            **{
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in services.ANNOTATION_FIELDS
            },
        )


@admin.register(BenchmarkEntryEvent, site=public_admin)
class BenchmarkEntryEventAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "public_id", "action", "actor", "comment"]
    list_filter = ["action"]
    search_fields = ["public_id"]
    readonly_fields = ["uuid", "public_id", "actor", "action", "changes", "comment", "created_at"]


class DirectoryBodyForm(forms.ModelForm):
    """A body the official data does not list: only the kinds curators may add."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "kind" in self.fields:
            self.fields["kind"].choices = [
                (value, label) for value, label in self.fields["kind"].choices
                if value in CURATOR_KINDS
            ]  # fmt: skip

    def clean_siren(self):
        # The service's rule, as a form error next to the field.
        siren = self.cleaned_data.get("siren", "")
        if siren:
            validators.validate_siren(siren)
        return siren


@admin.register(DirectoryEntry, site=public_admin)
class DirectoryEntryAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """The official directory, read-only (it changes with the loaded millésime), and the bodies it
    does not list (centres de gestion, syndicats, CCAS/CIAS, SDIS…), which curators add and edit.
    Both are written by registry/services/directory.py, with the curator as actor."""

    form = DirectoryBodyForm
    list_display = ["name", "kind", "insee_code", "siren", "departement", "population", "source"]
    list_filter = ["source", "kind", "is_current"]
    search_fields = ["name", "insee_code", "siren", "departement"]
    ordering = ["name"]
    fields = ["kind", "name", "siren", "insee_code", "departement", "region", "population"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None or obj.managed_by_curators:
            return []
        # An official entry: only the SIREN the data lack (a département's, a région's).
        editable = {"siren"} if obj.kind in services.directory.NO_SIREN_KINDS else set()
        return [name for name in self.fields if name not in editable]

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            services.directory_body_update(
                DirectoryEntry.objects.get(pk=obj.pk), actor=request.user, **values
            )
        else:
            values = {name: form.cleaned_data[name] for name in CURATOR_FIELDS
                      if name in form.cleaned_data}  # fmt: skip
            created = services.directory_body_create(actor=request.user, **values)
            obj.__dict__.update(created.__dict__)


@admin.register(JoinRequest, site=public_admin)
class JoinRequestAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Shown only: requests are decided on /curation/demandes/ (registry.join), by their
    services."""

    list_display = ["created_at", "entry", "name", "email", "state", "decided_by", "decided_at"]
    list_filter = ["state"]
    search_fields = ["entry__name", "email", "name"]
    list_select_related = ["entry", "decided_by"]
    readonly_fields = [
        "entry", "name", "function", "email", "message", "state", "created_at",
        "decided_by", "decided_at", "reason", "collectivite",
    ]  # fmt: skip


class SynonymGroupForm(forms.ModelForm):
    """The terms as a curator types them: one per line."""

    terms = forms.CharField(
        label=_("Termes"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60}),
        help_text=SynonymGroup._meta.get_field("terms").help_text,
    )

    class Meta:
        model = SynonymGroup
        fields = ["terms", "one_way", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["terms"] = "\n".join(self.instance.terms)

    def clean_terms(self):
        lines = re.split(r"[\n;,]", self.cleaned_data["terms"])
        return search.clean_terms(lines)


@admin.register(SynonymGroup, site=public_admin)
class SynonymGroupAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """The search's synonyms (explorer, benchmark API, knowledge base), written by their service:
    each change is audited and read at once by every process (shared cache)."""

    form = SynonymGroupForm
    list_display = ["group", "one_way", "note", "updated_at"]
    list_filter = ["one_way"]
    search_fields = ["terms", "note"]

    @admin.display(description=_("termes"), ordering="terms")
    def group(self, obj):
        return str(obj)

    def save_model(self, request, obj, form, change):
        services.synonym_group_save(obj, actor=request.user)

    def delete_model(self, request, obj):
        services.synonym_group_delete(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.synonym_group_delete(obj, actor=request.user)
