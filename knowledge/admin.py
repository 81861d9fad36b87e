from django.contrib import admin

from accounts.admin_sites import public_admin
from accounts.permissions import PolicyAdminMixin
from accounts.services import audited_delete
from knowledge import services
from knowledge.models import (
    Article,
    BibliographyEntry,
    GlossaryTerm,
    MaturityAxis,
    MaturityQuestion,
    Phase,
    Risk,
)


class EntrySaveMixin:
    """Every other entry of the knowledge base is written by its service, with its actor."""

    def save_model(self, request, obj, form, change):
        services.entry_save(obj, actor=request.user)

    def delete_model(self, request, obj):
        services.entry_delete(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.entry_delete(obj, actor=request.user)


@admin.register(Article, site=public_admin)
class ArticleAdmin(PolicyAdminMixin, EntrySaveMixin, admin.ModelAdmin):
    list_display = ["title", "chapter", "position", "updated_at"]
    list_filter = ["chapter"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}

    def save_model(self, request, obj, form, change):
        services.article_save(obj, actor=request.user)


@admin.register(GlossaryTerm, site=public_admin)
class GlossaryTermAdmin(PolicyAdminMixin, EntrySaveMixin, admin.ModelAdmin):
    list_display = ["term", "article"]
    search_fields = ["term", "definition"]
    prepopulated_fields = {"slug": ["term"]}

    def save_model(self, request, obj, form, change):
        services.term_save(obj, actor=request.user)


@admin.register(Risk, site=public_admin)
class RiskAdmin(PolicyAdminMixin, EntrySaveMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "position"]
    list_filter = ["kind"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Phase, site=public_admin)
class PhaseAdmin(PolicyAdminMixin, EntrySaveMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(BibliographyEntry, site=public_admin)
class BibliographyEntryAdmin(PolicyAdminMixin, EntrySaveMixin, admin.ModelAdmin):
    list_display = ["title", "publisher", "date"]
    search_fields = ["title", "publisher"]


class MaturityQuestionInline(PolicyAdminMixin, admin.StackedInline):
    model = MaturityQuestion
    extra = 0


@admin.register(MaturityAxis, site=public_admin)
class MaturityAxisAdmin(PolicyAdminMixin, EntrySaveMixin, admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    inlines = [MaturityQuestionInline]

    def save_formset(self, request, form, formset, change):
        for question in formset.save(commit=False):
            services.entry_save(question, actor=request.user)
        for question in formset.deleted_objects:
            audited_delete(question, actor=request.user)
