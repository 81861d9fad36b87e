"""Latency of the federation API's benchmark endpoints at 10 and at 1,000 collectivités.

`make bench` runs this script. In a throwaway database (`bench_<name>`, created, migrated and
dropped by Django's test-database machinery: the development database is never touched), it

1. loads the guide (casestudies.seed): its 7 collectivités give the real snapshots that every
   bench entry copies, and the vocabulary the `domain` filter checks. Their own 7 entries are
   then removed, so that the benchmark holds only the bench's entries;
2. creates 10 collectivités with 20 published use cases each, then 990 more (1,000 in all). The
   API reads only the public benchmark table, never a collectivité's schema, so these
   collectivités are inserted WITHOUT their schemas (bulk_create skips TenantMixin.save());
3. at each scale, times in-process (django.test.Client on BASE_DOMAIN, anonymous caller) the
   list `/api/v1/benchmark/use-cases/?domain=…&status=…&page_size=20`, the stats
   `/api/v1/benchmark/stats/?by=domain&by=status`, the same two questions in raw SQL, and the
   public site's explorer page `/cas-d-usage/?domain=…&status=…` (server-rendered HTML).

The list's count, the stats and the explorer's facet counts and total are kept in Django's cache,
per version of the benchmark. "Warm" measures (the targets) are the steady state: the cache holds
the answer. "Cold" measures, for information, empty the cache (untimed) before every call, as the
first call after a publication does: everything is computed from SQL again.

It ends with exactly one line:
`bench: list_1000_vs_10=… stats_1000_vs_10=… list_vs_sql=… stats_vs_sql=… explorer_1000_ms=…`.

Options: --runs N (timed runs per measure, default 50), --profile (cProfile of the API endpoints
and the explorer page, EXPLAIN ANALYZE of their SQL at 1,000), --strict (exit code 1 when a target
is missed).
"""

import sys
from pathlib import Path

# Run as `python bench/benchmark_api.py`: the project's root must be importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import contextlib
import cProfile
import io
import json
import os
import platform
import pstats
import random
import re
import secrets
import statistics
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import django

SCALES = (10, 1000)
USE_CASES_PER_COLLECTIVITE = 20
RANDOM_SEED = 74
WARMUP_RUNS = 10
ROUNDS = 5
BLOCK_WARMUP_RUNS = 2
BREAKDOWN_RUNS = 20
PAGE_SIZE = 20
# Targets of the issue, at 1,000 collectivités.
MAX_GROWTH = 1.5  # API median at 1,000 / API median at 10
MAX_OVER_SQL = 4.0  # API median / raw SQL median
MAX_EXPLORER_MS = 100.0  # explorer page's median at 1,000, in ms (strictly under)

# Realistic mix, drawn with a fixed seed: most entries are public, most projects are piloted or in
# production, and a few domains (general administration, HR…) hold most of the use cases.
PUBLIC_SHARE = 0.8
STATUS_WEIGHTS = {
    "idea": 6,
    "design": 8,
    "build": 8,
    "pilot": 22,
    "evaluation": 8,
    "production": 34,
    "suspended": 5,
    "retired": 4,
    "abandoned": 5,
}
DOMAINS_PER_ENTRY_WEIGHTS = {1: 50, 2: 35, 3: 15}
KIND_WEIGHTS = {
    "commune": 70,
    "cc": 8,
    "ca": 4,
    "syndicat": 5,
    "ccas": 6,
    "epci_other": 3,
    "departement": 1,
    "metropole": 1,
    "sdis": 1,
    "cdg": 1,
}
DEPARTEMENTS = ["74", "73", "01", "38", "26", "69", "39", "25", "05", "04"]
QUERY_STATUS = "production"
PUBLISHED_BEFORE = datetime(2025, 6, 1, tzinfo=UTC)

LIST_URL = "/api/v1/benchmark/use-cases/"
STATS_URL = "/api/v1/benchmark/stats/"
EXPLORER_URL = "/cas-d-usage/"
COLD = "à froid (cache vidé avant chaque appel : premier appel après une publication)"
WARM = "à chaud (réponse en cache : régime établi)"
SQL_WHERE = "visibility = 'public' AND domains && %s::varchar(80)[] AND status = %s"
SQL_LIST_COUNT = f"SELECT count(*) FROM registry_benchmarkentry WHERE {SQL_WHERE}"  # noqa: S608
SQL_LIST_PAGE = (
    f"SELECT payload::text FROM registry_benchmarkentry WHERE {SQL_WHERE} "  # noqa: S608
    f"ORDER BY published_at DESC, public_id LIMIT {PAGE_SIZE}"
)
SQL_STATS = (
    "SELECT unnest(domains), status, count(*) FROM registry_benchmarkentry "
    "WHERE visibility = 'public' GROUP BY 1, 2"
)


def configure_environment() -> None:
    """Read by config.settings: the bench must not be throttled nor slowed by DEBUG."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["API_THROTTLE_ANON"] = "1000000/min"
    os.environ["API_THROTTLE_USER"] = "1000000/min"
    os.environ["DEBUG"] = "0"
    # Keys of this run only: a shared Redis may hold answers of another database under the same
    # benchmark version (seen: a count of 2,052 entries served to a 15-entry bench).
    os.environ["CACHE_KEY_PREFIX"] = "bench-" + secrets.token_hex(4)


def say(text: str = "") -> None:
    print(text, flush=True)


# --- Data ---------------------------------------------------------------------------------------


class Loader:
    """Adds collectivités (without schemas) and their published entries, cloned from the guide's
    real snapshots."""

    def __init__(self, templates, domain_labels: dict[str, str]):
        from registry.vocabularies import CollectiviteKind, Status

        for name, weights, vocabulary in (
            ("STATUS_WEIGHTS", STATUS_WEIGHTS, Status),
            ("KIND_WEIGHTS", KIND_WEIGHTS, CollectiviteKind),
        ):
            if unknown := set(weights) - set(vocabulary.values):
                raise RuntimeError(f"{name}: codes absent from the vocabulary: {sorted(unknown)}")
        self.rng = random.Random(RANDOM_SEED)  # noqa: S311 (reproducible data, not secrets)
        self.templates = templates
        self.domain_labels = domain_labels
        self.domain_codes = list(domain_labels)
        # Zipf-like popularity: the n-th domain of the vocabulary's order is drawn ∝ 1/n.
        self.domain_weights = [1 / rank for rank in range(1, len(self.domain_codes) + 1)]
        self.count = 0

    def grow_to(self, total: int) -> tuple[int, int]:
        from django.db import connection, transaction

        from registry.services.benchmark import benchmark_changed

        connection.set_schema_to_public()
        with transaction.atomic():
            collectivites = self.add_collectivites(total)
            entries = self.add_entries(collectivites)
            benchmark_changed()  # the one write path of the version (what the caches follow)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE registry_benchmarkentry")
            cursor.execute("ANALYZE registry_collectivite")
        return len(collectivites), entries

    def add_collectivites(self, total: int):
        from registry.models import Collectivite

        rows = []
        for number in range(self.count + 1, total + 1):
            rows.append(
                Collectivite(
                    slug=f"bench-{number:04d}",
                    schema_name=f"bench_{number:04d}",
                    name=f"Collectivité d'essai n° {number}",
                    kind=self.rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0],
                    departement=self.rng.choice(DEPARTEMENTS),
                    population=int(10 ** self.rng.uniform(2.3, 5.7)),
                    last_use_case_number=USE_CASES_PER_COLLECTIVITE,
                )
            )
        self.count = total
        # bulk_create does not call save(): no schema is created (nor any host name).
        return Collectivite.objects.bulk_create(rows, batch_size=500)

    def draw_domains(self) -> list[str]:
        wanted = self.rng.choices(
            list(DOMAINS_PER_ENTRY_WEIGHTS), list(DOMAINS_PER_ENTRY_WEIGHTS.values())
        )[0]
        codes: list[str] = []
        while len(codes) < wanted:
            code = self.rng.choices(self.domain_codes, self.domain_weights)[0]
            if code not in codes:
                codes.append(code)
        return codes

    def add_entries(self, collectivites) -> int:
        from django.db import connection
        from django.utils import timezone

        from registry import snapshot
        from registry.models import BenchmarkEntry

        statuses, status_weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
        entries = []
        by_template = defaultdict(list)
        for collectivite in collectivites:
            reference = snapshot.collectivite_ref(collectivite)
            for number in range(1, USE_CASES_PER_COLLECTIVITE + 1):
                index = self.rng.randrange(len(self.templates))
                template = self.templates[index]
                entry_uuid = uuid.UUID(int=self.rng.getrandbits(128), version=4)
                public_id = f"{collectivite.departement}-{collectivite.slug.upper()}-{number:04d}"
                status = self.rng.choices(statuses, status_weights)[0]
                domains = self.draw_domains()
                visibility = "public" if self.rng.random() < PUBLIC_SHARE else "network"
                published_at = PUBLISHED_BEFORE - timedelta(
                    seconds=self.rng.randrange(3 * 365 * 86400)
                )
                payload = {
                    **template.payload,
                    "public_id": public_id,
                    "uuid": str(entry_uuid),
                    "collectivite": reference,
                    "status": status,
                    "domains": [{"code": c, "label": self.domain_labels[c]} for c in domains],
                    "visibility": visibility,
                    "published_at": timezone.localtime(published_at).isoformat(),
                }
                entries.append(
                    BenchmarkEntry(
                        uuid=entry_uuid,
                        collectivite=collectivite,
                        collectivite_slug=collectivite.slug,
                        collectivite_kind=collectivite.kind,
                        population_band=collectivite.population_band,
                        departement=collectivite.departement,
                        # The table's columns, as the publishing service computes them.
                        **snapshot.entry_columns(payload),
                        payload=payload,
                    )
                )
                by_template[index].append(str(entry_uuid))
        BenchmarkEntry.objects.bulk_create(entries, batch_size=1000)
        # Each clone gets the search vector of the snapshot it copies (what the publishing service
        # would have computed, give or take the collectivité's name and domain labels).
        with connection.cursor() as cursor:
            for index, uuids in by_template.items():
                cursor.execute(
                    "UPDATE registry_benchmarkentry SET search_vector = %s::tsvector "
                    "WHERE uuid = ANY(%s::uuid[])",
                    [self.templates[index].search_vector, uuids],
                )
        return len(entries)


def load_guide():
    """Seed the guide, keep its published entries as templates, then remove them."""
    from django.db import connection

    from casestudies.seed import seed
    from registry.models import BenchmarkEntry, Term

    connection.set_schema_to_public()
    seed(demo=False, sources=False)
    connection.set_schema_to_public()
    templates = list(BenchmarkEntry.objects.order_by("public_id"))
    if not templates:
        raise RuntimeError("The guide's seed published no use case: nothing to clone.")
    BenchmarkEntry.objects.filter(pk__in=[entry.pk for entry in templates]).delete()
    domain_labels = dict(
        Term.objects.filter(vocabulary="domain", active=True)
        .order_by("position", "code")
        .values_list("code", "label_fr")
    )
    return templates, domain_labels


# --- Measures -----------------------------------------------------------------------------------


def clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()


def timed(measures: dict, runs: int) -> dict[str, list[float]]:
    """Milliseconds of `runs` calls of each measure, after WARMUP_RUNS untimed ones.

    A measure is (call, prepare): `prepare` (None, or clear_cache for the cold measures) runs
    before every call, untimed. The runs are split into ROUNDS blocks taken in turn (list, stats,
    SQL list, SQL stats, cold list…, then again), each block after a few untimed calls (which
    also fill the cache again after a cold block): every measure is taken as a series of
    identical requests, while a burst of load on the machine weighs on all of them alike."""

    def call_once(call, prepare) -> float:
        if prepare is not None:
            prepare()
        start = time.perf_counter()
        call()
        return (time.perf_counter() - start) * 1000

    for call, prepare in measures.values():
        for _ in range(WARMUP_RUNS):
            call_once(call, prepare)
    samples: dict[str, list[float]] = {key: [] for key in measures}
    for round_number in range(ROUNDS):
        block = runs // ROUNDS + (round_number < runs % ROUNDS)
        for key, (call, prepare) in measures.items():
            for _ in range(BLOCK_WARMUP_RUNS):
                call_once(call, prepare)
            samples[key].extend(call_once(call, prepare) for _ in range(block))
    return samples


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return (
        f"médiane {statistics.median(samples):7.2f} ms   "
        f"(min {ordered[0]:6.2f}, p90 {p90:6.2f}, {len(samples)} mesures)"
    )


class Endpoints:
    def __init__(self, domain: str):
        from django.conf import settings
        from django.test import Client

        self.client = Client(HTTP_HOST=settings.BASE_DOMAIN, headers={"accept": "application/json"})
        self.browser = Client(HTTP_HOST=settings.BASE_DOMAIN)
        self.domain = domain
        self.list_params = {"domain": domain, "status": QUERY_STATUS, "page_size": PAGE_SIZE}
        self.stats_params = {"by": ["domain", "status"]}
        self.explorer_params = {"domain": domain, "status": QUERY_STATUS}

    def _get(self, url: str, params: dict, client=None):
        response = (client or self.client).get(url, params)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
        return response

    def api_list(self):
        return self._get(LIST_URL, self.list_params)

    def api_stats(self):
        return self._get(STATS_URL, self.stats_params)

    def explorer(self):
        return self._get(EXPLORER_URL, self.explorer_params, client=self.browser)

    def sql_list(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(SQL_LIST_COUNT, [[self.domain], QUERY_STATUS])
            count = cursor.fetchone()[0]
            cursor.execute(SQL_LIST_PAGE, [[self.domain], QUERY_STATUS])
            return count, cursor.fetchall()

    def sql_stats(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(SQL_STATS)
            return cursor.fetchall()

    def check(self) -> str:
        """The API, the explorer page and the raw SQL answer the same thing (else the comparison
        is meaningless), cold and warm alike: the data just grew and the benchmark's version went
        up, so the first calls must not be answered from the previous scale's cache."""
        count, page = self.sql_list()
        sql_ids = [json.loads(row[0])["public_id"] for row in page]
        sql_stats = set(self.sql_stats())
        for state in ("froid", "chaud"):
            listed = self.api_list().json()
            api_ids = [row["public_id"] for row in listed["results"]]
            if listed["count"] != count or api_ids != sql_ids:
                raise RuntimeError(f"The list API ({state}) and the raw SQL disagree.")
            stats = self.api_stats().json()
            api_rows = {(row["domain"], row["status"], row["count"]) for row in stats["results"]}
            if api_rows != sql_stats:
                raise RuntimeError(f"The stats API ({state}) and the raw SQL disagree.")
            shown = self.explorer_count()
            if shown != count:
                raise RuntimeError(f"The explorer page ({state}) shows {shown}, not {count}.")
        return (
            f"liste : {count} cas d'usage pour domain={self.domain} & status={QUERY_STATUS}, "
            f"{len(page)} sur la page ; stats : {len(api_rows)} couples (domaine, statut) "
            f"sur {stats['total']} cas d'usage publics ; page explorateur : 200, "
            f"« {count} cas d'usage » affiché"
        )

    def explorer_count(self) -> int:
        """The total the explorer page shows in its results heading."""
        html = self.explorer().content.decode()
        found = re.search(r'<h2 id="resultats"[^>]*>(.*?)</h2>', html, re.DOTALL)
        if found is None:
            raise RuntimeError("The explorer page has no results heading.")
        # "2 036 cas d'usage": the thousands separator depends on the locale's formats.
        digits = re.sub(r"\D", "", found.group(1))
        if not digits:
            raise RuntimeError(f"No count in the explorer's heading: {found.group(1)!r}")
        return int(digits)


class QueryTimer:
    """Execute wrapper that times every query of the connection."""

    def __init__(self, keep_params: bool = False):
        self.keep_params = keep_params
        self.queries: list[tuple] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            self.queries.append((sql, elapsed, params) if self.keep_params else (sql, elapsed))


def breakdown(name: str, call, prepare=None, python="middlewares, DRF, filtres, rendu") -> None:
    """Median time of each query of one call, and what is left for Python (after a few untimed
    calls, so that a warm call finds its answer in the cache)."""
    from django.db import connection

    for _ in range(BLOCK_WARMUP_RUNS):
        if prepare is not None:
            prepare()
        call()
    totals, per_query, shapes = [], defaultdict(list), {}
    for _ in range(BREAKDOWN_RUNS):
        if prepare is not None:
            prepare()
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            start = time.perf_counter()
            call()
            totals.append((time.perf_counter() - start) * 1000)
        for position, (sql, ms) in enumerate(timer.queries):
            per_query[position].append(ms)
            shapes[position] = " ".join(sql.split())
    sql_total = sum(statistics.median(values) for values in per_query.values())
    total = statistics.median(totals)
    say(f"    {name} : {len(per_query)} requêtes SQL par appel (médianes sur {BREAKDOWN_RUNS})")
    for position in sorted(per_query):
        shape = shapes[position]
        shape = shape if len(shape) <= 150 else shape[:147] + "..."
        say(f"      {statistics.median(per_query[position]):6.2f} ms  {shape}")
    say(
        f"      total {total:.2f} ms = SQL {sql_total:.2f} ms "
        f"+ Python ({python}) {total - sql_total:.2f} ms"
    )


def profile(name: str, call, runs: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        call()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(30)
    say(f"--- cProfile : {name}, {runs} appels (trié par temps cumulé) ---")
    say(out.getvalue().rstrip())


def explain(endpoints: Endpoints) -> None:
    """EXPLAIN ANALYZE of the raw SQL, and of every query over 1 ms that the API sends."""
    from django.db import connection

    statements = [
        ("SQL brut, compte de la liste", SQL_LIST_COUNT, [[endpoints.domain], QUERY_STATUS]),
        ("SQL brut, page de la liste", SQL_LIST_PAGE, [[endpoints.domain], QUERY_STATUS]),
        ("SQL brut, stats", SQL_STATS, []),
    ]
    calls = (
        ("API liste", endpoints.api_list),
        ("API stats", endpoints.api_stats),
        ("Explorateur", endpoints.explorer),
    )
    for name, call in calls:
        # Cold: every query the call may send, including those of the cached answers.
        clear_cache()
        timer = QueryTimer(keep_params=True)
        with connection.execute_wrapper(timer):
            call()
        statements += [
            (f"{name} à froid, requête {position + 1}", sql, params)
            for position, (sql, ms, params) in enumerate(timer.queries)
            if ms > 1
        ]
    with connection.cursor() as cursor:
        for name, sql, params in statements:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            say(f"--- EXPLAIN ANALYZE : {name} ---")
            say("  " + " ".join(sql.split()))
            for (line,) in cursor.fetchall():
                say("  " + line)


def measure(scale: int, loader: Loader, endpoints: Endpoints, runs: int) -> dict[str, float]:
    from registry.models import BenchmarkEntry, Collectivite

    start = time.perf_counter()
    added, entries = loader.grow_to(scale)
    say()
    say(
        f"== {scale} collectivités : {added} créées (sans schéma), {entries} cas d'usage publiés "
        f"ajoutés en {time.perf_counter() - start:.1f} s, VACUUM ANALYZE fait =="
    )
    bench_rows = Collectivite.objects.filter(slug__startswith="bench-").count()
    say(
        f"  table du référentiel : {BenchmarkEntry.objects.count()} entrées, "
        f"{bench_rows} collectivités d'essai"
    )
    say("  " + endpoints.check())
    measures = {
        # key: (label, call, prepare)
        "api_list": ("API liste", endpoints.api_list, None),
        "api_stats": ("API stats", endpoints.api_stats, None),
        "sql_list": ("SQL liste (count + page)", endpoints.sql_list, None),
        "sql_stats": ("SQL stats", endpoints.sql_stats, None),
        "explorer": ("Explorateur", endpoints.explorer, None),
        "api_list_cold": ("API liste à froid", endpoints.api_list, clear_cache),
        "api_stats_cold": ("API stats à froid", endpoints.api_stats, clear_cache),
        "explorer_cold": ("Explorateur à froid", endpoints.explorer, clear_cache),
    }
    samples = timed({key: (call, prepare) for key, (_l, call, prepare) in measures.items()}, runs)
    for key, (label, _call, _prepare) in measures.items():
        say(f"  {label:<26} {summary(samples[key])}")
    html = "middlewares, formulaire de filtres, libellés, gabarit"
    say(f"  Détail {WARM} :")
    breakdown("API liste", endpoints.api_list)
    breakdown("API stats", endpoints.api_stats)
    breakdown("Explorateur", endpoints.explorer, python=html)
    say(f"  Détail {COLD} :")
    breakdown("API liste à froid", endpoints.api_list, clear_cache)
    breakdown("API stats à froid", endpoints.api_stats, clear_cache)
    breakdown("Explorateur à froid", endpoints.explorer, clear_cache, python=html)
    return {key: statistics.median(values) for key, values in samples.items()}


def verdict(name: str, value: float, limit: float) -> bool:
    met = value <= limit
    say(f"  {name:<17} = {value:5.2f}  (cible ≤ {limit:g})  {'atteinte' if met else 'MANQUÉE'}")
    return met


def run(runs: int, with_profile: bool) -> tuple[dict, float, bool]:
    from django.conf import settings
    from django.db import connection

    from registry.models import Collectivite

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    say(
        f"Base jetable : {connection.settings_dict['NAME']} sur "
        f"{connection.settings_dict['HOST'] or 'socket local'} (PostgreSQL {server_version}) ; "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"{os.cpu_count()} cœurs."
    )
    start = time.perf_counter()
    templates, domain_labels = load_guide()
    say(
        f"Guide chargé en {time.perf_counter() - start:.1f} s : {len(templates)} cas d'usage "
        f"publiés servent de modèles (les {Collectivite.objects.count()} collectivités du guide "
        f"gardent leur schéma, leurs entrées sont retirées du référentiel), "
        f"{len(domain_labels)} domaines."
    )
    say(
        "Les collectivités du banc sont créées SANS leur schéma (bulk_create) : l'API du "
        "référentiel ne lit que la table commune, jamais le schéma d'une collectivité."
    )
    say(
        f"Requêtes : GET {LIST_URL}?domain=…&status={QUERY_STATUS}&page_size={PAGE_SIZE} et "
        f"GET {STATS_URL}?by=domain&by=status, page GET {EXPLORER_URL}?domain=…&status="
        f"{QUERY_STATUS} (HTML), appelant anonyme, hôte {settings.BASE_DOMAIN}, "
        f"{WARMUP_RUNS} appels de chauffe puis {runs} mesurés par question, en {ROUNDS} séries "
        f"alternées (chacune précédée de {BLOCK_WARMUP_RUNS} appels non mesurés)."
    )
    say(f"Cache : {settings.CACHES['default']['BACKEND']} ; mesures {WARM} et {COLD}.")
    loader = Loader(templates, domain_labels)
    endpoints = Endpoints(domain=next(iter(domain_labels)))
    results = {scale: measure(scale, loader, endpoints, runs) for scale in SCALES}
    small, large = results[SCALES[0]], results[SCALES[-1]]
    ratios = {
        "list_1000_vs_10": large["api_list"] / small["api_list"],
        "stats_1000_vs_10": large["api_stats"] / small["api_stats"],
        "list_vs_sql": large["api_list"] / large["sql_list"],
        "stats_vs_sql": large["api_stats"] / large["sql_stats"],
    }
    explorer_ms = large["explorer"]
    if with_profile:
        profile("API liste", endpoints.api_list, runs)
        profile("API stats", endpoints.api_stats, runs)
        profile("Explorateur", endpoints.explorer, runs)
        explain(endpoints)
    say()
    say(f"Médianes (ms), {WARM} :")
    say(
        f"  {'':<8} {'API liste':>10} {'SQL liste':>10} {'API stats':>10} {'SQL stats':>10} "
        f"{'Explorateur':>12}"
    )
    for scale, medians in results.items():
        say(
            f"  {scale:<8} {medians['api_list']:10.2f} {medians['sql_list']:10.2f} "
            f"{medians['api_stats']:10.2f} {medians['sql_stats']:10.2f} "
            f"{medians['explorer']:12.2f}"
        )
    say(f"Médianes (ms), {COLD}, pour information (hors cibles) :")
    say(f"  {'':<8} {'API liste':>10} {'API stats':>10} {'Explorateur':>12}")
    for scale, medians in results.items():
        say(
            f"  {scale:<8} {medians['api_list_cold']:10.2f} {medians['api_stats_cold']:10.2f} "
            f"{medians['explorer_cold']:12.2f}"
        )
    say(f"Cibles, {WARM} :")
    met = [
        verdict("list_1000_vs_10", ratios["list_1000_vs_10"], MAX_GROWTH),
        verdict("stats_1000_vs_10", ratios["stats_1000_vs_10"], MAX_GROWTH),
        verdict("list_vs_sql", ratios["list_vs_sql"], MAX_OVER_SQL),
        verdict("stats_vs_sql", ratios["stats_vs_sql"], MAX_OVER_SQL),
    ]
    explorer_met = explorer_ms < MAX_EXPLORER_MS
    say(
        f"  explorer_1000 médiane = {explorer_ms:.2f} ms (cible < {MAX_EXPLORER_MS:g} ms)  "
        f"{'atteinte' if explorer_met else 'MANQUÉE'}"
    )
    return ratios, explorer_ms, all(met) and explorer_met


@contextlib.contextmanager
def throwaway_database(default_prefix: str):
    """Django set up on a migrated database of its own (BENCH_DATABASE_PREFIX, else
    default_prefix, before the configured name), dropped afterwards, whatever happens."""
    configure_environment()
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import (
        override_settings,
        setup_databases,
        setup_test_environment,
        teardown_databases,
    )

    setup_test_environment(debug=False)
    # DEBUG=0 selects whitenoise's manifest storage, whose manifest only `collectstatic` writes:
    # the templates resolve their static URLs with the plain storage (as the tests do).
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()
    # Our own name, so that a test run (test_<name>) on the same server is never clobbered.
    connection.settings_dict["TEST"]["NAME"] = (
        os.environ.get("BENCH_DATABASE_PREFIX", default_prefix) + connection.settings_dict["NAME"]
    )
    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        yield
    finally:
        connection.set_schema_to_public()
        teardown_databases(old_config, verbosity=0)
        say(f"Base jetable {connection.settings_dict['TEST']['NAME']} supprimée.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=50, help="timed runs per measure (50)")
    parser.add_argument("--profile", action="store_true", help="cProfile and EXPLAIN at 1,000")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    with throwaway_database("bench_"):
        ratios, explorer_ms, all_met = run(args.runs, args.profile)
    figures = [f"{name}={value:.2f}" for name, value in ratios.items()]
    say(" ".join(["bench:", *figures, f"explorer_1000_ms={explorer_ms:.2f}"]))
    return 0 if all_met or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
