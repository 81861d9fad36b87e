import hashlib
import json

from django.contrib.postgres.search import SearchRank
from django.core.cache import cache
from django.db.models import Count, F, Func, Q, QuerySet

from registry.models import BenchmarkEntry, BenchmarkVersion, Collectivite, Submission, Tool
from registry.search import search_query
from registry.vocabularies import SubmissionState, Visibility


def collectivite_list() -> QuerySet[Collectivite]:
    return (
        Collectivite.objects.select_related("parent_epci")
        .prefetch_related("domains")
        .order_by("name")
    )


def tool_list() -> QuerySet[Tool]:
    return Tool.objects.select_related("vendor").filter(deprecated=False).order_by("kind", "name")


def viewer_scope(user) -> list[str]:
    """Visibilities a viewer may read in the benchmark: anonymous callers see `public` entries;
    members of a collectivité, curators and operators also `network` ones."""
    if (
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.is_curator or user.memberships.exists())
    ):
        return [Visibility.PUBLIC, Visibility.NETWORK]
    return [Visibility.PUBLIC]


def benchmark_entries(scope: list[str]) -> QuerySet[BenchmarkEntry]:
    return BenchmarkEntry.objects.filter(visibility__in=scope)


def benchmark_version() -> int:
    return BenchmarkVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


# Dimensions of benchmark/stats: array columns are unnested, so an entry with two domains counts
# once under each.
STAT_DIMENSIONS = {
    "domain": ("domains", True),
    "tool": ("tool_ids", True),
    "technique": ("techniques", True),
    "status": ("status", False),
    "ai_family": ("ai_family", False),
    "ai_act_risk": ("ai_act_risk", False),
    "automation_level": ("automation_level", False),
    "personal_data": ("personal_data", False),
    "method_phase": ("method_phase", False),
    "collectivite": ("collectivite_slug", False),
    "collectivite_kind": ("collectivite_kind", False),
    "population_band": ("population_band", False),
    "departement": ("departement", False),
    "visibility": ("visibility", False),
}


def benchmark_stats(queryset: QuerySet[BenchmarkEntry], dimensions: list[str]) -> list[dict]:
    """Counts of entries by one or two dimensions, in one query."""
    annotations = {}
    for name in dimensions:
        column, is_array = STAT_DIMENSIONS[name]
        annotations[name] = Func(F(column), function="unnest") if is_array else F(column)
    rows = (
        queryset.order_by()
        .annotate(**{f"dim_{name}": expr for name, expr in annotations.items()})
        .values(*(f"dim_{name}" for name in dimensions))
        .annotate(count=Count("id"))
        .order_by(*(f"dim_{name}" for name in dimensions))
    )
    return [
        {**{name: row[f"dim_{name}"] for name in dimensions}, "count": row["count"]} for row in rows
    ]


def collectivites_with_counts(scope: list[str]) -> QuerySet[Collectivite]:
    return collectivite_list().annotate(
        published_count=Count(
            "benchmark_entries", filter=Q(benchmark_entries__visibility__in=scope)
        )
    )


def tool_usage(scope: list[str]) -> dict[int, dict]:
    """For each tool: how many collectivités use it, in all and by status (published entries)."""
    rows = (
        benchmark_entries(scope)
        .order_by()
        .annotate(tool=Func(F("tool_ids"), function="unnest"))
        .values("tool", "status")
        .annotate(n=Count("collectivite_id", distinct=True))
    )
    totals = (
        benchmark_entries(scope)
        .order_by()
        .annotate(tool=Func(F("tool_ids"), function="unnest"))
        .values("tool")
        .annotate(n=Count("collectivite_id", distinct=True))
    )
    usage = {row["tool"]: {"collectivites_count": row["n"], "by_status": {}} for row in totals}
    for row in rows:
        usage[row["tool"]]["by_status"][row["status"]] = row["n"]
    return usage


def review_queue() -> QuerySet[Submission]:
    return (
        Submission.objects.filter(state=SubmissionState.PENDING)
        .select_related("collectivite", "submitted_by")
        .order_by("submitted_at", "id")
    )


def published_payloads(uuids) -> dict:
    """The benchmark's current version of each use case, by uuid (one query)."""
    if not uuids:
        return {}
    return dict(BenchmarkEntry.objects.filter(uuid__in=uuids).values_list("uuid", "payload"))


def cached_answer(kind: str, *, version: int, scope: list[str], params, compute):
    """Compute an aggregate of the benchmark once per version of it (the version goes up with
    every write, so a cached answer is never stale) and per viewer scope and question."""
    key = json.dumps([kind, version, scope, params], sort_keys=True, default=str)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return cache.get_or_set(f"benchmark:{kind}:{digest}", compute, None)


def query_params(querydict, ignore=("page", "format")) -> list:
    return sorted(
        (name, sorted(values)) for name, values in querydict.lists() if name not in ignore
    )


def by_relevance(queryset: QuerySet[BenchmarkEntry], params) -> QuerySet[BenchmarkEntry]:
    """Most relevant first when searching (`q`), unless the caller chose an order; otherwise
    the model's order (latest published first)."""
    q = params.get("q", "").strip()
    if not q or "ordering" in params:
        return queryset
    rank = SearchRank(F("search_vector"), search_query(q))
    return queryset.annotate(rank=rank).order_by("-rank", "public_id")


class CountedQuerySet:
    """A queryset whose count is known already (cached per benchmark version), for paginators."""

    ordered = True

    def __init__(self, queryset, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]
