from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User
from accounts.services import membership_set
from registry.admin import CuratorAdminMixin, public_admin


class MembershipInline(CuratorAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["collectivite"]

    def has_add_permission(self, request, obj=None):
        # Not on a CDG account, unless an operator does it (see MembershipAdmin.get_form).
        if obj is not None and (obj.is_curator or obj.is_superuser):
            return request.user.is_superuser
        return super().has_add_permission(request, obj)


@admin.register(User, site=public_admin)
class UserAdmin(CuratorAdminMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_curator", "is_active", "last_login"]
    list_filter = ["is_curator", "is_active", "is_superuser"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["full_name"]}),
        (_("Droits"), {"fields": ["is_active", "is_curator", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Curators manage accounts, but only operators make operators.
            fields.append("is_superuser")
        return fields

    def has_change_permission(self, request, obj=None):
        # An operator's account (password included) is changed by operators only.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, not deleted: collectivités' histories point to them.
        return False


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "collectivite", "role"]


@admin.register(Membership, site=public_admin)
class MembershipAdmin(CuratorAdminMixin, admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "collectivite", "role", "created_at"]
    list_filter = ["role", "collectivite"]
    search_fields = ["user__email", "collectivite__name"]
    autocomplete_fields = ["user", "collectivite"]
    list_select_related = ["user", "collectivite"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "collectivite"] if obj else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "user" in form.base_fields and not request.user.is_superuser:
            # A curator cannot make a CDG account (their own included) a member of a
            # collectivité: a private use case never leaves its collectivité.
            form.base_fields["user"].queryset = User.objects.filter(
                is_curator=False, is_superuser=False
            )
        return form

    def save_model(self, request, obj, form, change):
        saved = membership_set(user=obj.user, collectivite=obj.collectivite, role=obj.role)
        obj.pk = saved.pk
