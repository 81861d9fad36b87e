"""Speed of the public sources' imports, end to end (read, map, validate, match to the
directory, write records and benchmark entries), and of a re-import that changes nothing.

`make bench-sources` (and `make bench`) runs this script. In a throwaway database
(`benchsrc_<name>`, created, migrated and dropped by Django's test-database machinery: the
development database is never touched), it

1. loads the guide without public sources (casestudies.seed) and the shipped directory (the
   French records are matched against its 38,980 entries);
2. imports the whole PSTW dataset shipped in fixtures/sources/ (2,007 rows), then the same file
   again (nothing changes), timing both;
3. does the same with the US inventory sample scaled to the size of the real file: its 200 rows
   repeated with new identifiers up to 3,600 rows.

It ends with exactly one line:
`bench-sources: pstw_rows=… pstw_rows_per_s=… pstw_reimport_ratio=… us_rows=… us_rows_per_s=…
us_reimport_ratio=…` (ratio: the re-import's time over the first import's).

Options: --us-rows N (3,600), --strict (exit 1 when a re-import costs a tenth of the first import
or more, or when a re-import changes anything).
"""

import sys
from pathlib import Path

# Run as `python bench/sources.py`: the project's root must be importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import csv
import io
import time

from bench.benchmark_api import say, throwaway_database

ROOT = Path(__file__).resolve().parent.parent
US_SAMPLE = ROOT / "tests" / "registry" / "source_data" / "us_inventory_2025_sample.csv"
MAX_REIMPORT_RATIO = 0.1


def scaled_us_file(rows_wanted: int) -> bytes:
    """The US sample repeated with new identifiers (and names, for the rows without one)."""
    text = US_SAMPLE.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    sample = list(reader)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\r\n")
    writer.writeheader()
    for n in range(rows_wanted):
        row = dict(sample[n % len(sample)])
        copy = n // len(sample)
        if copy:
            if row["id"]:
                row["id"] = f"{row['id']}-C{copy}"
            else:
                row["use_case_name"] = f"{row['use_case_name']} (copie {copy})"
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def timed_import(kind: str, content: bytes, file_name: str):
    from registry.services.sources import source_import
    from registry.sources import adapter_for

    started = time.perf_counter()
    run = source_import(adapter=adapter_for(kind), content=content, file_name=file_name)
    return run, time.perf_counter() - started


def measure(name: str, kind: str, content: bytes, file_name: str) -> tuple[dict, bool]:
    first, first_s = timed_import(kind, content, file_name)
    again, again_s = timed_import(kind, content, file_name)
    assert first.state == "done", first.error
    read = first.counts["read"]
    changed = again.counts["created"] + again.counts["updated"]
    say(
        f"  {name} : {read} lignes, premier import {first_s:.2f} s "
        f"({first.counts['created']} créées, {first.counts['skipped']} écartées, "
        f"{first.counts['rejected']} rejetées), second {again_s:.2f} s ({changed} changées)"
    )
    ratio = again_s / first_s
    figures = {
        f"{name}_rows": str(read),
        f"{name}_rows_per_s": f"{read / first_s:.0f}",
        f"{name}_reimport_ratio": f"{ratio:.3f}",
    }
    return figures, ratio < MAX_REIMPORT_RATIO and changed == 0


def run(us_rows: int) -> tuple[dict[str, str], bool]:
    from casestudies.seed import seed
    from registry.services import SHIPPED_DIRECTORY, directory_load
    from registry.services.sources import SHIPPED_PSTW
    from registry.sources.files import read_file

    say("Guide et annuaire (sans source publique)…")
    seed(demo=False, directory=False, sources=False)
    directory_load(SHIPPED_DIRECTORY)
    content, file_name = read_file(SHIPPED_PSTW)
    pstw, pstw_met = measure("pstw", "pstw", content, file_name)
    us, us_met = measure("us", "us-inventory", scaled_us_file(us_rows), "us_inventory_2025.csv")
    return {**pstw, **us}, pstw_met and us_met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--us-rows", type=int, default=3600, help="rows of the scaled US file")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    with throwaway_database("benchsrc_"):
        figures, met = run(args.us_rows)
    print("bench-sources: " + " ".join(f"{name}={value}" for name, value in figures.items()))
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
