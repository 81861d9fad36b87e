from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from casestudies.models import UseCase, UseCaseEvent
from registry import snapshot
from registry.models import BenchmarkEntryEvent, Tool
from registry.vocabularies import HistoryAction


def data_version() -> list:
    """What changes with every write of the collectivité's use cases, in one query on its schema:
    the last history event (every creation and transition writes one), the last modification
    time (an update moves it, with or without an event), the number of use cases, and the
    benchmark's version (registry.selectors.benchmark_version: names of tools, domains and
    partners). It keys the members' kept answers (registry.page_cache.kept_for_members)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT max(id) FROM casestudies_usecaseevent),"
            " (SELECT max(updated_at) FROM casestudies_usecase),"
            " (SELECT count(*) FROM casestudies_usecase),"
            " (SELECT version FROM registry_benchmarkversion WHERE id = 1)"
        )
        last_event, last_change, count, benchmark = cursor.fetchone()
    return [last_event, last_change.isoformat() if last_change else None, count, benchmark or 0]


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


def _history_row(event, source: str) -> dict:
    changes = event.changes or {}
    return {
        "at": event.created_at,
        "source": source,
        "action": event.action,
        # A code of an older version stays readable as it was written.
        "action_label": HistoryAction(event.action).label
        if event.action in HistoryAction.values
        else event.action,
        "actor": event.actor.email if event.actor else None,
        "from_state": getattr(event, "from_state", ""),
        "to_state": getattr(event, "to_state", ""),
        "comment": event.comment,
        "changes": changes,
        # The fields changed, by their French labels (a field no longer declared keeps its name).
        "changed_labels": [
            str(snapshot.label(name)) if name in snapshot.BY_NAME else name for name in changes
        ],
    }


def usecase_history(use_case: UseCase) -> list[dict]:
    """Every change of the use case (its schema) and of its benchmark entry (public schema), in
    time order: two queries, whatever the length of the history."""
    rows = [
        _history_row(event, "use_case")
        for event in UseCaseEvent.objects.filter(use_case=use_case).select_related("actor")
    ] + [
        _history_row(event, "benchmark")
        for event in BenchmarkEntryEvent.objects.filter(uuid=use_case.uuid).select_related("actor")
    ]
    return sorted(rows, key=lambda row: row["at"])
