import hashlib
import json
import time

from django.conf import settings
from django.contrib.postgres.search import SearchRank
from django.core.cache import cache
from django.db import connections, router
from django.db.models import Case, Count, F, Func, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from registry import vocabularies as v
from registry.directory import departement_names
from registry.models import BenchmarkEntry, BenchmarkVersion, Collectivite, Submission, Term, Tool
from registry.peers import peers_of
from registry.synonyms import digest as synonyms_digest
from registry.synonyms import search_query
from registry.vocabularies import SubmissionState

FACETS = [
    # (parameter, stats dimension, legend)
    ("origin", "origin", _("Origine")),
    ("domain", "domain", _("Domaine")),
    ("status", "status", _("État d'avancement")),
    ("tool", "tool", _("Outil")),
    ("departement", "departement", _("Département")),
    ("collectivite", "collectivite", _("Collectivité")),
    ("year", "year", _("Année de publication")),
    ("collectivite_kind", "collectivite_kind", _("Type de collectivité")),
    ("population_band", "population_band", _("Population")),
    ("ai_family", "ai_family", _("Famille d'IA")),
    ("ai_act_risk", "ai_act_risk", _("Risque (règlement européen sur l'IA)")),
]


def facet_labels() -> dict[str, dict[str, str]]:
    """Labels of every facet's values, for the page (one query for terms, one for tools)."""
    return {
        "domain": dict(Term.objects.filter(vocabulary="domain").values_list("code", "label_fr")),
        "tool": {str(pk): name for pk, name in Tool.objects.values_list("pk", "name")},
        "status": dict(v.Status.choices),
        "origin": dict(v.Origin.choices),
        "collectivite_kind": dict(v.CollectiviteKind.choices),
        "population_band": dict(v.PopulationBand.choices),
        "ai_family": dict(v.AIFamily.choices),
        "ai_act_risk": dict(v.AIActRisk.choices),
        "collectivite": dict(Collectivite.objects.values_list("slug", "name")),
        "departement": {code: f"{code} — {name}" for code, name in departement_names().items()},
        "year": {},
    }


def collectivite_list() -> QuerySet[Collectivite]:
    return (
        Collectivite.objects.select_related("parent_epci")
        .prefetch_related("domains")
        .order_by("name")
    )


def benchmark_entries(scope: list[str]) -> QuerySet[BenchmarkEntry]:
    return BenchmarkEntry.objects.filter(visibility__in=scope)


def benchmark_version() -> int:
    """Read by most public requests (cache keys, ETags): one row by its key, in plain SQL (the
    ORM's query building cost ten times the query). Routed like any read of the table."""
    with connections[router.db_for_read(BenchmarkVersion)].cursor() as cursor:
        cursor.execute("SELECT version FROM registry_benchmarkversion WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


# (monotonic deadline, version): the version as this process last read it for anonymous visitors.
_recent_version: tuple[float, int] = (0.0, 0)


def recent_benchmark_version() -> int:
    """The benchmark's version read again at most every `BENCHMARK_VERSION_SECONDS` (1 s) by
    this process: what anonymous visitors' kept answers and ETags are keyed by (one query less
    on each of the most asked pages). Those visitors may see a publication made through another
    process that much later, as they may lag behind the primary on the replica (config.replica);
    a write made by this process is seen at once (`forget_recent_benchmark_version`), and
    signed-in or pinned callers always read the version itself."""
    global _recent_version
    now = time.monotonic()
    deadline, version = _recent_version
    if now >= deadline:
        version = benchmark_version()
        _recent_version = (now + settings.BENCHMARK_VERSION_SECONDS, version)
    return version


def forget_recent_benchmark_version() -> None:
    """Called by every bump of the version (registry.services.benchmark), and at its commit."""
    global _recent_version
    _recent_version = (0.0, 0)


# Dimensions of benchmark/stats: array columns are unnested, so an entry with two domains counts
# once under each.
STAT_DIMENSIONS = {
    "domain": ("domains", True),
    "tool": ("tool_ids", True),
    "technique": ("techniques", True),
    "status": ("status", False),
    "origin": ("origin", False),
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
    "year": ("published_at__year", False),
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


def public_source_counts(entries: QuerySet[BenchmarkEntry]) -> list[dict]:
    """Records of each public source in the benchmark: name, licence, how many, how many French
    (one query)."""
    rows = (
        entries.filter(origin=v.Origin.PUBLIC_SOURCE)
        .order_by()
        .values(
            "source_record__source__slug",
            "source_record__source__name",
            "source_record__source__licence",
        )
        .annotate(
            count=Count("id"),
            french=Count("id", filter=Q(source_record__country="FR")),
        )
        .order_by("-count", "source_record__source__name")
    )
    return [
        {
            "slug": row["source_record__source__slug"],
            "name": row["source_record__source__name"],
            "licence": row["source_record__source__licence"],
            "count": row["count"],
            "french": row["french"],
        }
        for row in rows
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
    """A question's parameters, as cache keys and ETags name it; a search (`q`) also names the
    version of the synonym list it was expanded with (a curator's edit changes its answer)."""
    params = sorted(
        (name, sorted(values)) for name, values in querydict.lists() if name not in ignore
    )
    if any(value.strip() for value in querydict.getlist("q")):
        params.append(("synonyms", [synonyms_digest()]))
    return params


def by_relevance(queryset: QuerySet[BenchmarkEntry], params) -> QuerySet[BenchmarkEntry]:
    """Most relevant first when searching (`q`), unless the caller chose an order; otherwise
    the model's order (latest published first)."""
    q = params.get("q", "").strip()
    if not q or "ordering" in params:
        return queryset
    rank = SearchRank(F("search_vector"), search_query(q))
    return queryset.annotate(rank=rank).order_by("-rank", "public_id")


def declared_first(queryset: QuerySet[BenchmarkEntry], params) -> QuerySet[BenchmarkEntry]:
    """The explorer's order when none is asked for (no search, no `ordering`): the
    collectivités' declarations first, then the public sources' records, each latest first
    (the « declared » < « public_source » codes; index bench_origin_published_idx)."""
    if params.get("q", "").strip() or params.get("ordering"):
        return queryset
    return queryset.order_by("origin", "-published_at", "public_id")


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


def explorer_facets(counts: dict, params) -> list[dict]:
    """The explorer's facets: each value with its label, its count and whether it is checked."""
    labels = facet_labels()
    selected = {param: params.getlist(param) for param, _d, _l in FACETS}
    facets = []
    for param, dimension, legend in FACETS:
        options = [
            {
                "value": str(row[dimension]),
                "label": labels[param].get(str(row[dimension]), str(row[dimension])),
                "count": row["count"],
                "checked": str(row[dimension]) in selected[param],
            }
            for row in counts[dimension]
            if row[dimension] not in ("", None)
        ]
        # Keep a checked value visible even when it now matches nothing.
        shown = {option["value"] for option in options}
        options += [
            {"value": value, "label": labels[param].get(value, value), "count": 0, "checked": True}
            for value in selected[param]
            if value not in shown
        ]
        options.sort(key=lambda option: (-option["count"], str(option["label"])))
        facets.append({"param": param, "legend": legend, "options": options})
    return facets


SIMILAR_SHOWN = 5


def similar_entries(entry: BenchmarkEntry, scope: list[str]) -> list[dict]:
    """Published cases sharing a domain or a tool with this one: those of the same collectivité,
    then of its peers (registry.peers: same EPCI, comparable population, same département), then
    of the same kind, then the others. Each with why it is shown (`uc`, `reason`). Three queries.
    """
    # A public source's record has no collectivité, hence no peers: same kind, then the others.
    peers = peers_of(entry.collectivite_id) if entry.collectivite_id else []
    rank = []
    if entry.collectivite_id:
        rank.append(When(collectivite_id=entry.collectivite_id, then=Value(0)))
    for peer_rank in sorted({peer.rank for peer in peers}):
        ids = [peer.pk for peer in peers if peer.rank == peer_rank]
        rank.append(When(collectivite_id__in=ids, then=Value(1 + peer_rank)))
    if entry.collectivite_kind:
        rank.append(When(collectivite_kind=entry.collectivite_kind, then=Value(10)))

    def closest():
        shared = (
            benchmark_entries(scope)
            .exclude(pk=entry.pk)
            .filter(Q(domains__overlap=entry.domains) | Q(tool_ids__overlap=entry.tool_ids or [0]))
        )
        # At the same closeness, the collectivités' declarations before public sources'
        # records (« declared » < « public_source »). Nothing to rank by (a public source's
        # record without a kind): that order alone (a constant would be read as a position).
        order = ["origin", "-published_at"]
        if rank:
            shared = shared.annotate(
                closeness=Case(*rank, default=Value(11), output_field=IntegerField())
            )
            order.insert(0, "closeness")
        return list(
            shared.order_by(*order).values_list("collectivite_id", "collectivite_kind", "payload")[
                :SIMILAR_SHOWN
            ]
        )

    # Ranking every entry sharing a domain grows with the benchmark (~6 ms at 20,000 entries,
    # ~16 ms under load): kept per version, like the other answers, with the peers it ranked by.
    rows = cached_answer(
        "similar",
        version=benchmark_version(),
        scope=scope,
        params=[entry.pk, sorted((peer.pk, peer.rank) for peer in peers)],
        compute=closest,
    )
    reasons = {peer.pk: peer.reason for peer in peers}
    same_kind = _("même type de collectivité")
    return [
        {
            "uc": payload,
            "reason": _("même collectivité")
            if collectivite_id is not None and collectivite_id == entry.collectivite_id
            else reasons.get(collectivite_id)
            or (same_kind if kind and kind == entry.collectivite_kind else ""),
        }
        for collectivite_id, kind, payload in rows
    ]


def dashboard_tables(data: dict) -> dict:
    """The dashboard's tables and chart series, from its cached counts, with labels."""
    labels = facet_labels()
    statuses = [
        code
        for code, _label in v.Status.choices
        if any(row["status"] == code for row in data["domain_status"])
    ]
    domains = sorted(
        {row["domain"] for row in data["domain_status"]},
        key=lambda code: labels["domain"].get(code, code),
    )
    matrix = {(row["domain"], row["status"]): row["count"] for row in data["domain_status"]}
    domain_rows = [
        {
            "label": labels["domain"].get(d, d),
            "counts": [matrix.get((d, s), 0) for s in statuses],
            "total": sum(matrix.get((d, s), 0) for s in statuses),
        }
        for d in domains
    ]
    tool_rows = sorted(
        [
            {"label": labels["tool"].get(str(k), k), "collectivites": n}
            for k, n in data["adoption"].items()
        ],
        key=lambda row: -row["collectivites"],
    )
    kind_rows = [
        {
            "label": labels["collectivite_kind"].get(
                row["collectivite_kind"], row["collectivite_kind"]
            ),
            "count": row["count"],
        }
        for row in data["kinds"]
    ]
    chart_data = {
        "domainStatus": {
            "labels": [row["label"] for row in domain_rows],
            "series": [
                {"label": str(v.Status(s).label), "data": [row["counts"][i] for row in domain_rows]}
                for i, s in enumerate(statuses)
            ],
        },
        "tools": {
            "labels": [r["label"] for r in tool_rows],
            "data": [r["collectivites"] for r in tool_rows],
        },
        "kinds": {
            "labels": [r["label"] for r in kind_rows],
            "data": [r["count"] for r in kind_rows],
        },
    }
    return {
        "status_headers": [v.Status(s).label for s in statuses],
        "domain_rows": domain_rows,
        "tool_rows": tool_rows,
        "kind_rows": kind_rows,
        "chart_data": chart_data,
    }
