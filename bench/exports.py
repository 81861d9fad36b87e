"""Every export format at 20,000 entries: time and peak memory; and the open data's answers.

`make bench` runs this script. In a throwaway database (`benchexp_<name>`, created, migrated and
dropped by Django's test-database machinery: the development database is never touched), it

1. loads the guide and clones its published snapshots into 1,000 collectivités of 20 entries
   each (bench/benchmark_api.Loader: 80 % public, 20 % network), with one publication event each;
2. writes each format of registry.exports (csv, xlsx, json, and the Algoritmeregister's, the
   ATRS's and the PSTW's) from the 20,000 entries, read from the table as the API reads them (a
   server-side cursor, 500 rows at a time): the seconds (best of --runs), the size, then the peak
   of Python memory (tracemalloc, in a run of its own: it slows the code);
3. times in-process (django.test.Client, anonymous, DEBUG=0) the open data: the streamed CSV of
   the 16,000 public entries (to its last byte), the XLSX (first call, then from the cache), the
   DCAT catalogue and the Atom feed (cache emptied first), and a conditional request (304).

It ends with exactly one line:
`bench-exports: entries=20000 csv_s=… csv_mb=… csv_peak_mb=… … open_csv_s=… feed_ms=… …`.
"""

import sys
from pathlib import Path

# Run as `python bench/exports.py`: the project's root must be importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import time
import tracemalloc

from bench.benchmark_api import Loader, load_guide, say, throwaway_database

COLLECTIVITES = 1000  # with 20 entries each (bench.benchmark_api.USE_CASES_PER_COLLECTIVITE)
# (name in the figures, format, readable headers)
FORMATS = [
    ("csv", "csv", False),
    ("xlsx", "xlsx", False),
    ("json", "json", False),
    ("nl", "algoritmeregister.json", False),
    ("uk", "atrs.csv", False),
    ("eu", "pstw.csv", False),
]


def add_events() -> int:
    """One publication event per entry, as the publishing service writes it (the feeds read
    them)."""
    from registry.models import BenchmarkEntry, BenchmarkEntryEvent

    events = [
        BenchmarkEntryEvent(uuid=uuid, public_id=public_id, action="published")
        for uuid, public_id in BenchmarkEntry.objects.values_list("uuid", "public_id")
    ]
    BenchmarkEntryEvent.objects.bulk_create(events, batch_size=2000)
    return len(events)


def write(fmt: str, readable: bool) -> int:
    """The whole file of a format for every entry; its size in bytes."""
    from registry import exports
    from registry.models import BenchmarkEntry

    payloads = (
        BenchmarkEntry.objects.order_by("public_id")
        .values_list("payload", flat=True)
        .iterator(chunk_size=500)
    )
    return sum(len(chunk) for chunk in exports.chunks(fmt, payloads, readable=readable))


def seconds(call, runs: int) -> tuple[float, object]:
    best, result = None, None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def peak_mb(call) -> float:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def open_data(runs: int) -> dict[str, float]:
    """The open data's answers, in-process, anonymous."""
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_HOST=settings.BASE_DOMAIN)
    figures = {}

    def get(path, **headers):
        response = client.get(path, **headers)
        if response.status_code not in (200, 304):
            raise RuntimeError(f"{path} answered {response.status_code}")
        if response.streaming:
            return response, sum(len(chunk) for chunk in response.streaming_content)
        return response, len(response.content)

    figures["open_csv_s"], (response, size) = seconds(
        lambda: get("/donnees-ouvertes/cas-d-usage.csv"), runs
    )
    figures["open_csv_mb"] = size / 1e6
    figures["open_csv_peak_mb"] = peak_mb(lambda: get("/donnees-ouvertes/cas-d-usage.csv"))
    cache.clear()
    start = time.perf_counter()
    get("/donnees-ouvertes/cas-d-usage.xlsx")
    figures["open_xlsx_first_s"] = time.perf_counter() - start
    figures["open_xlsx_cached_ms"] = (
        seconds(lambda: get("/donnees-ouvertes/cas-d-usage.xlsx"), runs)[0] * 1000
    )
    for name, path in (
        ("catalogue", "/donnees-ouvertes/catalogue.jsonld"),
        ("feed", "/flux/publications.atom"),
        ("feed_collectivite", "/flux/collectivites/bench-0500.atom"),
        ("page", "/donnees-ouvertes/"),
    ):

        def cold(path=path):
            cache.clear()
            return get(path)

        figures[f"{name}_cold_ms"] = seconds(cold, runs)[0] * 1000
        figures[f"{name}_ms"] = seconds(lambda path=path: get(path), runs)[0] * 1000
    etag = response["ETag"]
    figures["not_modified_ms"] = (
        seconds(lambda: get("/donnees-ouvertes/cas-d-usage.csv", HTTP_IF_NONE_MATCH=etag), runs)[0]
        * 1000
    )
    return figures


def run(runs: int) -> list[str]:
    from django.db import connection

    say("Chargement du guide, puis 1 000 collectivités de 20 cas d'usage publiés chacune…")
    templates, domain_labels = load_guide()
    loader = Loader(templates, domain_labels)
    _collectivites, entries = loader.grow_to(COLLECTIVITES)
    events = add_events()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_benchmarkentryevent")
    say(f"{entries} entrées, {events} événements de publication.\n")
    figures = [f"entries={entries}"]
    say(f"{'format':<14} {'secondes':>9} {'Mo':>8} {'pic Python (Mo)':>16}")
    for name, fmt, readable in FORMATS:
        elapsed, size = seconds(lambda fmt=fmt, readable=readable: write(fmt, readable), runs)
        peak = peak_mb(lambda fmt=fmt, readable=readable: write(fmt, readable))
        say(f"{name:<14} {elapsed:9.2f} {size / 1e6:8.1f} {peak:16.1f}")
        figures += [
            f"{name}_s={elapsed:.2f}",
            f"{name}_mb={size / 1e6:.1f}",
            f"{name}_peak_mb={peak:.1f}",
        ]
    say("\nDonnées ouvertes (client en mémoire, anonyme : les entrées publiques seulement)")
    answers = open_data(runs)
    for name, value in answers.items():
        say(f"  {name:<24} {value:10.2f}")
    figures += [f"{name}={value:.2f}" for name, value in answers.items()]
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=1, help="timed runs per measure (1)")
    args = parser.parse_args()
    with throwaway_database("benchexp_"):
        figures = run(args.runs)
    say(" ".join(["bench-exports:", *figures]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
