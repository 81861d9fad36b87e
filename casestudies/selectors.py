from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from casestudies.models import UseCase, UseCaseEvent
from registry.models import BenchmarkEntryEvent, Tool


def usecase_list() -> QuerySet[UseCase]:
    """The current collectivité's use cases (the request's schema), for its members."""
    return UseCase.objects.prefetch_related("tools", "domains").order_by("public_id")


def usecase_full() -> QuerySet[UseCase]:
    """Use cases with everything their representation reads, in a constant number of queries."""
    return UseCase.objects.prefetch_related(
        Prefetch("tools", queryset=Tool.objects.select_related("vendor", "merged_into__vendor")),
        "domains",
        "steps",
        "lessons",
        "metrics",
        "risks__risk",
        "partner_collectivites",
        "costs",
        "impact_assessments",
    )


def usecase_get(public_id: str) -> UseCase:
    return get_object_or_404(usecase_full(), public_id=public_id)


def usecase_history(use_case: UseCase) -> list[dict]:
    """Every change of the use case (its schema) and of its benchmark entry (public schema), in
    time order: two queries, whatever the length of the history."""
    rows = [
        {
            "at": event.created_at,
            "source": "use_case",
            "action": event.action,
            "actor": event.actor.email if event.actor else None,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "comment": event.comment,
            "changes": event.changes,
        }
        for event in UseCaseEvent.objects.filter(use_case=use_case).select_related("actor")
    ] + [
        {
            "at": event.created_at,
            "source": "benchmark",
            "action": event.action,
            "actor": event.actor.email if event.actor else None,
            "from_state": "",
            "to_state": "",
            "comment": event.comment,
            "changes": event.changes,
        }
        for event in BenchmarkEntryEvent.objects.filter(uuid=use_case.uuid).select_related("actor")
    ]
    return sorted(rows, key=lambda row: row["at"])
