from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _
from django_tenants.signals import tenant_delete_callback

from registry.middleware import forget_hosts


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registre")

    def ready(self):
        # django-tenants listens to post_delete for EVERY model (to drop a deleted tenant's
        # schema): with a listener, Django can no longer delete a queryset in one DELETE and
        # first reads every row, then sends one signal per row. Listen to the tenant model only.
        collectivite = self.get_model("Collectivite")
        post_delete.disconnect(tenant_delete_callback)
        post_delete.connect(tenant_delete_callback, sender=collectivite)
        # The per-process cache of host names (registry.middleware) forgets them on any change.
        for model in (collectivite, self.get_model("Domain")):
            for signal in (post_save, post_delete):
                signal.connect(forget_hosts, sender=model, dispatch_uid=f"forget_hosts_{model}")
