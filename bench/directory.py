"""Cost of the official directory: its load, and what it adds to the requests that do not use it.

`make bench-directory` (and `make bench`) runs this script. In a throwaway database
(`benchdir_<name>`, created, migrated and dropped by Django's test-database machinery: the
development database is never touched), it

1. loads the guide without the directory (casestudies.seed): 7 collectivités, 7 published cases;
2. times (median of --runs, warm cache, in-process django.test.Client on BASE_DOMAIN, anonymous)
   and counts the queries (cache emptied first: every query the request can make) of the list
   `/api/v1/benchmark/use-cases/?page_size=20` and of the home page `/`, without the directory;
3. loads the shipped millésime (registry.services.directory_load: 38,980 entries), then loads it
   again (nothing changes), timing both;
4. measures the same two requests again, now with the directory loaded, and the directory API
   `/api/v1/directory/?q=anecy` (typo) and `?q=74010`.

It ends with exactly one line:
`bench-directory: first_load_s=… reload_s=… list_queries=…→… list_ms=…→… home_queries=…→…
home_ms=…→… search_ms=… code_ms=…` (→: without the directory, then with it).

Options: --runs N (timed runs per request, default 30), --strict (exit 1 when the load takes a
minute or more, or when a request that does not use the directory makes more queries with it).
"""

import sys
from pathlib import Path

# Run as `python bench/directory.py`: the project's root must be importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import statistics
import time

from bench.benchmark_api import say, throwaway_database

MAX_LOAD_SECONDS = 60.0
WARMUP_RUNS = 5
LIST = "/api/v1/benchmark/use-cases/?page_size=20"
HOME = "/"
SEARCHES = {"search_ms": "/api/v1/directory/?q=anecy", "code_ms": "/api/v1/directory/?q=74010"}


def measure(client, path: str, runs: int) -> tuple[float, int]:
    """(median ms with the cache warm, queries of one call with the cache empty) of a GET; fails
    when a query reads the directory."""
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    # The log keeps 9,000 queries at most: full after the seed, it would capture none.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200, path
    # Read now: captured_queries slices the connection's log, which each request empties.
    captured = [query["sql"] for query in queries.captured_queries]
    if "directory" not in path:
        assert not [sql for sql in captured if "registry_directory" in sql], path
    for _ in range(WARMUP_RUNS):
        client.get(path)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), len(captured)


def run(runs: int) -> tuple[dict[str, str], bool]:
    from django.conf import settings
    from django.test import Client

    from casestudies.seed import seed
    from registry.models import DirectoryEntry
    from registry.services import SHIPPED_DIRECTORY, directory_load

    say("Guide (sans l'annuaire)…")
    seed(demo=False, directory=False, sources=False)
    client = Client(HTTP_HOST=settings.BASE_DOMAIN)
    for path in (LIST, HOME):
        # Once untimed: the first call of a process imports and fills what later calls reuse.
        measure(client, path, 1)
    before = {name: measure(client, path, runs) for name, path in (("list", LIST), ("home", HOME))}

    started = time.perf_counter()
    first = directory_load(SHIPPED_DIRECTORY)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    again = directory_load(SHIPPED_DIRECTORY)
    reload_s = time.perf_counter() - started
    assert not again.changed, "second load changed something"
    say(
        f"  annuaire : {DirectoryEntry.objects.count()} entrées ; premier chargement "
        f"{first_s:.2f} s ({first.created.total()} créées), second {reload_s:.2f} s (rien)"
    )

    after = {name: measure(client, path, runs) for name, path in (("list", LIST), ("home", HOME))}
    searches = {name: measure(client, path, runs)[0] for name, path in SEARCHES.items()}
    for name in before:
        say(
            f"  {name:<5} sans annuaire {before[name][0]:7.2f} ms, {before[name][1]} requêtes ; "
            f"avec {after[name][0]:7.2f} ms, {after[name][1]} requêtes"
        )
    figures = {"first_load_s": f"{first_s:.2f}", "reload_s": f"{reload_s:.2f}"}
    for name in before:
        figures[f"{name}_queries"] = f"{before[name][1]}→{after[name][1]}"
        figures[f"{name}_ms"] = f"{before[name][0]:.2f}→{after[name][0]:.2f}"
    figures.update({name: f"{ms:.2f}" for name, ms in searches.items()})
    met = first_s < MAX_LOAD_SECONDS and all(after[n][1] <= before[n][1] for n in before)
    return figures, met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs per request (30)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    with throwaway_database("benchdir_"):
        figures, met = run(args.runs)
    say(" ".join(["bench-directory:", *(f"{name}={value}" for name, value in figures.items())]))
    return 0 if met or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
