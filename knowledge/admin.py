from django.contrib import admin

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
from registry.admin import CuratorAdminMixin, public_admin


@admin.register(Article, site=public_admin)
class ArticleAdmin(CuratorAdminMixin, admin.ModelAdmin):
    list_display = ["title", "chapter", "position", "updated_at"]
    list_filter = ["chapter"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}

    def save_model(self, request, obj, form, change):
        services.article_save(obj)


@admin.register(GlossaryTerm, site=public_admin)
class GlossaryTermAdmin(CuratorAdminMixin, admin.ModelAdmin):
    list_display = ["term", "article"]
    search_fields = ["term", "definition"]
    prepopulated_fields = {"slug": ["term"]}

    def save_model(self, request, obj, form, change):
        services.term_save(obj)


@admin.register(Risk, site=public_admin)
class RiskAdmin(CuratorAdminMixin, admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        # Use cases in the collectivités' schemas record the risks they met.
        return False

    list_display = ["name", "kind", "code", "position"]
    list_filter = ["kind"]


@admin.register(Phase, site=public_admin)
class PhaseAdmin(CuratorAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "position"]


@admin.register(BibliographyEntry, site=public_admin)
class BibliographyEntryAdmin(CuratorAdminMixin, admin.ModelAdmin):
    list_display = ["title", "publisher", "date"]
    search_fields = ["title", "publisher"]


class MaturityQuestionInline(CuratorAdminMixin, admin.StackedInline):
    model = MaturityQuestion
    extra = 0


@admin.register(MaturityAxis, site=public_admin)
class MaturityAxisAdmin(CuratorAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    inlines = [MaturityQuestionInline]
