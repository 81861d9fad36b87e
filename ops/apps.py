from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the platform: shared cache table, job queue, e-mail delivery (public schema)."""

    name = "ops"
    verbose_name = "Exploitation"
