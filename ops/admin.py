"""The queue's jobs in the public admin, for the platform's operators only (super-users): their
arguments hold e-mails, password-reset links included."""

from procrastinate.contrib.django.admin import ProcrastinateJobAdmin
from procrastinate.contrib.django.models import ProcrastinateJob

from registry.admin import public_admin


class OperatorsJobAdmin(ProcrastinateJobAdmin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)


public_admin.register(ProcrastinateJob, OperatorsJobAdmin)
