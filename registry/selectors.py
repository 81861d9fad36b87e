from django.db.models import QuerySet

from registry.models import Collectivite, Tool


def collectivite_list() -> QuerySet[Collectivite]:
    return (
        Collectivite.objects.select_related("parent_epci")
        .prefetch_related("domains")
        .order_by("name")
    )


def tool_list() -> QuerySet[Tool]:
    return Tool.objects.select_related("vendor").filter(deprecated=False).order_by("kind", "name")
