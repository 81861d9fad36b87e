from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext_lazy as _

from accounts.policy import is_curator
from registry import services
from registry.models import Collectivite, Domain, Term, Tool, Vendor


class RegistryAdminSite(admin.AdminSite):
    """The public admin: the CDG's curators and the platform's operators."""

    site_header = _("Registre IA des collectivités — administration commune")
    site_title = _("Administration commune")
    index_title = _("Référentiel commun")

    def has_permission(self, request):
        return getattr(request, "collectivite", None) is None and is_curator(request.user)

    def login(self, request, extra_context=None):
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)


public_admin = RegistryAdminSite(name="public_admin")


class CuratorAdminMixin:
    """In the public admin, curators may manage every registered model (no per-model grants)."""

    def has_module_permission(self, request):
        return is_curator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_curator(request.user)

    def has_add_permission(self, request, *args):
        return is_curator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_curator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_curator(request.user)


class DomainInline(CuratorAdminMixin, admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Collectivite, site=public_admin)
class CollectiviteAdmin(CuratorAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "departement", "population", "cdg_member"]
    list_filter = ["kind", "departement", "cdg_member", "is_anonymised"]
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

    def has_delete_permission(self, request, obj=None):
        # Deleting a collectivité would orphan or drop its schema: an operator's job, not a click.
        return False

    def save_model(self, request, obj, form, change):
        values = {
            name: form.cleaned_data[name]
            for name in services.COLLECTIVITE_EDITABLE_FIELDS
            if name in form.cleaned_data
        }
        if change:
            services.collectivite_update(obj, **values)
        else:
            created = services.collectivite_create(slug=form.cleaned_data["slug"], **values)
            obj.__dict__.update(created.__dict__)


@admin.register(Vendor, site=public_admin)
class VendorAdmin(CuratorAdminMixin, admin.ModelAdmin):
    list_display = ["name", "country", "website"]
    search_fields = ["name"]


@admin.register(Tool, site=public_admin)
class ToolAdmin(CuratorAdminMixin, admin.ModelAdmin):
    list_display = ["name", "vendor", "kind", "licence", "deprecated"]
    list_filter = ["kind", "licence", "deprecated"]
    search_fields = ["name", "aliases", "vendor__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["vendor"]
    list_select_related = ["vendor"]


@admin.register(Term, site=public_admin)
class TermAdmin(CuratorAdminMixin, admin.ModelAdmin):
    list_display = ["label_fr", "vocabulary", "code", "active", "position"]
    list_filter = ["vocabulary", "active"]
    search_fields = ["label_fr", "label_en", "code"]
