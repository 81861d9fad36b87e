"""The queue's jobs in the public admin, for the platform's operators only (super-users): their
arguments hold e-mails, password-reset links included (accounts.policy.PUBLIC_ADMIN_RULES)."""

from procrastinate.contrib.django.admin import ProcrastinateEventInline, ProcrastinateJobAdmin
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.admin_sites import public_admin
from accounts.permissions import PolicyAdminMixin


class OperatorsEventInline(PolicyAdminMixin, ProcrastinateEventInline):
    pass


class OperatorsJobAdmin(PolicyAdminMixin, ProcrastinateJobAdmin):
    inlines = [OperatorsEventInline]


public_admin.register(ProcrastinateJob, OperatorsJobAdmin)
