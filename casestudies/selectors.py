from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from casestudies.models import UseCase


def usecase_list() -> QuerySet[UseCase]:
    """The current collectivité's use cases (the request's schema), for its members."""
    return UseCase.objects.prefetch_related("tools", "domains").order_by("public_id")


def usecase_get(public_id: str) -> UseCase:
    return get_object_or_404(
        UseCase.objects.prefetch_related("tools__vendor", "domains", "steps", "lessons", "metrics"),
        public_id=public_id,
    )
