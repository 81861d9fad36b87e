from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts import policy
from accounts.admin_sites import public_admin
from accounts.models import AuditEvent, Invitation, Membership, User
from accounts.permissions import PolicyAdminMixin
from accounts.services import audit_record, membership_remove, membership_set, user_update


class MembershipInline(PolicyAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["collectivite"]

    def has_add_permission(self, request, obj=None):
        # Not on a CDG account, unless an operator does it (see MembershipAdmin.get_form).
        if obj is not None and not policy.may_make_member(request.user, obj):
            return False
        return super().has_add_permission(request, obj)


@admin.register(User, site=public_admin)
class UserAdmin(PolicyAdminMixin, DjangoUserAdmin):
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
        if not policy.is_operator(request.user):
            # Curators manage accounts, but only operators make operators.
            fields.append("is_superuser")
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and not policy.may_change_account(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        # Another person's password is set by operators only; everyone else resets their own.
        if not policy.is_operator(request.user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        if change:
            user_update(user=obj, actor=request.user, changed=form.changed_data)
        else:
            super().save_model(request, obj, form, change)
            audit_record(actor=request.user, action="user_created", target=obj)

    def save_formset(self, request, form, formset, change):
        # Memberships are given by their service (validation and audit row). A row moved to
        # another collectivité leaves the first one: nobody keeps a way into it.
        for row in formset.forms:
            if row.instance.pk and "collectivite" in row.changed_data:
                membership_remove(
                    membership=Membership.objects.get(pk=row.instance.pk), actor=request.user
                )
        for membership in formset.save(commit=False):
            membership_set(
                user=membership.user,
                collectivite=membership.collectivite,
                role=membership.role,
                actor=request.user,
            )
        for membership in formset.deleted_objects:
            membership_remove(membership=membership, actor=request.user)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "collectivite", "role"]


@admin.register(Membership, site=public_admin)
class MembershipAdmin(PolicyAdminMixin, admin.ModelAdmin):
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
        if "user" in form.base_fields and not policy.is_operator(request.user):
            # A curator cannot make a CDG account a member of a collectivité (the policy's
            # may_make_member): those accounts are not offered.
            form.base_fields["user"].queryset = User.objects.filter(
                is_curator=False, is_superuser=False
            )
        return form

    def save_model(self, request, obj, form, change):
        if change and "role" not in form.changed_data:
            return
        saved = membership_set(
            user=obj.user, collectivite=obj.collectivite, role=obj.role, actor=request.user
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        membership_remove(membership=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            membership_remove(membership=membership, actor=request.user)


@admin.register(AuditEvent, site=public_admin)
class AuditEventAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Who changed what in the public schema (collectivités, catalogue, knowledge, accounts)."""

    list_display = ["created_at", "action", "object_repr", "actor"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "object_id"]
    list_select_related = ["actor"]
    readonly_fields = [
        "created_at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes",
    ]


@admin.register(Invitation, site=public_admin)
class InvitationAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Read only: invitations are sent, resent and revoked on the collectivité's members page
    (and by the curators' onboarding). Their link is never stored, so never shown."""

    list_display = ["email", "collectivite", "role", "invited_by", "sent_at", "expires_at",
                    "accepted_at", "revoked_at"]  # fmt: skip
    list_filter = ["role", "collectivite"]
    search_fields = ["email", "collectivite__name"]
    list_select_related = ["collectivite", "invited_by"]
    fields = ["email", "collectivite", "role", "invited_by", "created_at", "sent_at",
              "expires_at", "accepted_at", "accepted_by", "revoked_at", "revoked_by"]  # fmt: skip
    readonly_fields = fields
