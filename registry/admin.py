import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts import policy
from accounts.admin_sites import public_admin
from accounts.permissions import PolicyAdminMixin
from accounts.services import audited_delete, audited_save
from registry import search, services, tasks, validators
from registry import sources as adapters
from registry.directory import DirectoryEntry
from registry.models import (
    BenchmarkEntry,
    BenchmarkEntryEvent,
    Collectivite,
    Domain,
    ImportRun,
    JoinRequest,
    Source,
    SourceRecord,
    SynonymGroup,
    Term,
    Tool,
    Vendor,
)
from registry.services import sources as source_services
from registry.services.directory import CURATOR_FIELDS, CURATOR_KINDS
from registry.vocabularies import ImportRunState, MatchRule, QualityFlag, SourceAdapterKind

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
        "organisation_name",
        "origin",
        "status",
        "visibility",
        "featured",
        "published_at",
    ]
    list_filter = [
        "origin",
        "featured",
        "status",
        "visibility",
        "collectivite_kind",
        "ai_family",
        QualityFlagFilter,
    ]
    search_fields = ["public_id", "title", "collectivite__name", "organisation_name"]
    list_select_related = ["collectivite"]
    fields = [
        "public_id",
        "title",
        "origin",
        "collectivite",
        "organisation_name",
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
        "origin",
        "collectivite",
        "organisation_name",
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


# --- public sources ----------------------------------------------------------------------------


@admin.register(Source, site=public_admin)
class SourceAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """A public register read into the benchmark: created by its first import; curators correct
    its description, licence and attribution (registry.source_services.source_update, which
    rewrites the provenance of its records at once)."""

    list_display = ["name", "publisher", "licence", "millesime", "records", "updated_at"]
    search_fields = ["name", "publisher"]
    fields = [
        "name",
        "publisher",
        "licence",
        "licence_url",
        "attribution",
        "url",
        "description",
        "slug",
        "adapter",
        "id_prefix",
        "millesime",
        "updated_at",
    ]
    readonly_fields = ["slug", "adapter", "id_prefix", "millesime", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(record_count=Count("records"))

    @admin.display(description=_("fiches"), ordering="record_count")
    def records(self, obj):
        return obj.record_count

    def save_model(self, request, obj, form, change):
        source_services.source_update(
            source=Source.objects.get(pk=obj.pk),
            actor=request.user,
            **{name: form.cleaned_data[name] for name in form.changed_data},
        )


class ToMatchFilter(admin.SimpleListFilter):
    """French records of local bodies that no rule matched: a curator's to-do list."""

    title = _("rapprochement")
    parameter_name = "a_rapprocher"

    def lookups(self, request, model_admin):
        return [("oui", _("À rapprocher (fiches françaises sans collectivité)"))]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(country="FR", match_rule=MatchRule.UNMATCHED)
        return queryset


class SourceRecordForm(forms.ModelForm):
    class Meta:
        model = SourceRecord
        fields = ["directory_entry"]
        help_texts = {
            "directory_entry": _(
                "La collectivité de l'annuaire que cette fiche concerne. Laissez vide si ce "
                "n'est pas une collectivité : la fiche sort alors de la liste à rapprocher."
            )
        }


@admin.register(SourceRecord, site=public_admin)
class SourceRecordAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Records read from the public sources, as read (raw row) and as mapped. Curators match a
    French record to the directory here (registry.source_services.source_record_match); the
    rest is written by the imports only."""

    form = SourceRecordForm
    list_display = [
        "original_id",
        "title",
        "organisation_name",
        "country",
        "match_rule",
        "match_confidence",
        "directory_entry",
    ]
    list_filter = [ToMatchFilter, "source", "match_rule", "country"]
    search_fields = ["original_id", "organisation_name"]
    list_select_related = ["source", "directory_entry"]
    autocomplete_fields = ["directory_entry"]
    fields = [
        "directory_entry",
        "match_rule",
        "match_confidence",
        "candidates",
        "source",
        "original_id",
        "original_url",
        "organisation_name",
        "country",
        "read_at",
        "public_page",
        "notes_list",
        "raw_table",
        "mapped",
        "claimed_by",
        "claimed_public_id",
    ]
    readonly_fields = [name for name in fields if name != "directory_entry"]

    @admin.display(description=_("titre"))
    def title(self, obj):
        return obj.mapped.get("title", "")

    @admin.display(description=_("entrées possibles"))
    def candidates(self, obj):
        names = dict(
            DirectoryEntry.objects.filter(key__in=obj.match_candidates).values_list("key", "name")
        )
        return ", ".join(f"{names.get(key, key)} ({key})" for key in obj.match_candidates) or "—"

    @admin.display(description=_("fiche publique"))
    def public_page(self, obj):
        entry = BenchmarkEntry.objects.filter(source_record=obj).only("public_id").first()
        if entry is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("usecase-page", args=[entry.public_id]), entry.public_id
        )

    @admin.display(description=_("ce qui n'a pas été repris"))
    def notes_list(self, obj):
        return format_html_join("\n", "<p>{}</p>", ((note,) for note in obj.notes)) or "—"

    @admin.display(description=_("ligne d'origine"))
    def raw_table(self, obj):
        return format_html(
            "<table>{}</table>",
            format_html_join(
                "\n",
                "<tr><th>{}</th><td>{}</td></tr>",
                ((column, value) for column, value in obj.raw_items()),
            ),
        )

    def save_model(self, request, obj, form, change):
        if "directory_entry" in form.changed_data:
            source_services.source_record_match(
                record=obj, entry=form.cleaned_data["directory_entry"], actor=request.user
            )


@admin.register(ImportRun, site=public_admin)
class ImportRunAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Every import of a source: its counts and every row that did not land, with its row,
    column and reason; while it runs in the job queue, its progress (the page refreshes)."""

    change_form_template = "admin/registry/importrun/change_form.html"
    list_display = ["created_at", "source", "file_name", "state", "dry_run", "summary"]
    list_filter = ["state", "source", "dry_run"]
    list_select_related = ["source", "created_by"]
    fields = [
        "source",
        "file_name",
        "state",
        "progress_display",
        "dry_run",
        "millesime",
        "summary",
        "error",
        "rejection_table",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "file_sha256",
    ]
    readonly_fields = fields

    @admin.display(description=_("effectifs"))
    def summary(self, obj):
        return run_summary(obj)

    @admin.display(description=_("avancement"))
    def progress_display(self, obj):
        if obj.progress is None:
            return _("%(n)s lignes lues") % {"n": obj.rows_done}
        return _("%(p)s %% (%(n)s lignes sur %(total)s)") % {
            "p": obj.progress,
            "n": obj.rows_done,
            "total": obj.rows_total,
        }

    @admin.display(description=_("lignes non reprises"))
    def rejection_table(self, obj):
        if not obj.rejections:
            return "—"
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            _("ligne"),
            _("identifiant"),
            _("colonne"),
            _("motif"),
            _("nature"),
            format_html_join(
                "\n",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        item["row"],
                        item.get("original_id", ""),
                        item["column"] or "—",
                        item["reason"],
                        _("écartée (hors champ)") if item.get("skipped") else _("rejetée"),
                    )
                    for item in obj.rejections
                ),
            ),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = ImportRun.objects.filter(pk=object_id).only("state").first()
        running = run is not None and run.state in (
            ImportRunState.PENDING,
            ImportRunState.RUNNING,
        )
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "running": running}
        )


def run_summary(run: ImportRun) -> str:
    """« 2 007 lignes lues : 1 616 créées, 0 mises à jour, 0 inchangées, 391 écartées, 0
    rejetées », in French."""
    counts = {
        key: number_format(run.counts.get(key, 0), force_grouping=True)
        for key in source_services.COUNT_KEYS
    }
    if run.dry_run:
        return (
            _(
                "Essai à blanc (rien n'est écrit) — %(read)s lignes lues : %(created)s à créer, "
                "%(updated)s à mettre à jour, %(unchanged)s inchangées, %(skipped)s écartées, "
                "%(rejected)s rejetées"
            )
            % counts
        )
    return (
        _(
            "%(read)s lignes lues : %(created)s créées, %(updated)s mises à jour, %(unchanged)s "
            "inchangées, %(skipped)s écartées, %(rejected)s rejetées"
        )
        % counts
    )


# Adapters a curator may pick on the upload page (the column-mapping one brings its own page).
UPLOAD_KINDS = [
    (kind, label)
    for kind, label in SourceAdapterKind.choices
    if kind in adapters.ADAPTERS and kind != SourceAdapterKind.MAPPING
]


class SourceImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Format de la source"), choices=UPLOAD_KINDS)
    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_("Tel que la source le publie, sans le retoucher."),
    )
    dry_run = forms.BooleanField(
        label=_("Essai à blanc : lire et compter, sans rien écrire"), required=False
    )


@public_admin.admin_view
def source_import_view(request):
    """Upload a public source's file (mounted under /admin/sources/importer/): a small file is
    imported at once and its report shown; a large one goes to the job queue and its run's page
    shows the progress. The same as `manage.py import_source`."""
    if not policy.admin_page_allows("source-import", request.user):
        raise PermissionDenied
    form = SourceImportForm(request.POST or None, request.FILES or None)
    run, file_error = None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        adapter = adapters.adapter_for(form.cleaned_data["kind"])
        dry_run = form.cleaned_data["dry_run"]
        if len(content) > source_services.QUEUE_THRESHOLD_BYTES:
            run = tasks.import_source_enqueue(
                adapter=adapter,
                content=content,
                file_name=upload.name,
                actor=request.user,
                dry_run=dry_run,
            )
            messages.info(
                request,
                _("Le fichier est lu en arrière-plan : cette page montre son avancement."),
            )
            return redirect("public_admin:registry_importrun_change", run.pk)
        run = source_services.source_import(
            adapter=adapter,
            content=content,
            file_name=upload.name,
            actor=request.user,
            dry_run=dry_run,
        )
        if run.state == ImportRunState.FAILED:
            file_error = run.error
    return TemplateResponse(
        request,
        "admin/registry/source_import.html",
        {
            **public_admin.each_context(request),
            "title": _("Importer une source publique"),
            "form": form,
            "run": run,
            "summary": run_summary(run) if run is not None else "",
            "file_error": file_error,
            "runs": ImportRun.objects.select_related("source").order_by("-created_at")[:10],
        },
    )
