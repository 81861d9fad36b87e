from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasestudiesConfig(AppConfig):
    name = "casestudies"
    verbose_name = _("Cas d'usage")
