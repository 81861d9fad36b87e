"""Time to create one collectivité (row, schema, host name) with N collectivités that have schemas.

In a throwaway database `prov_bench` on the server of DATABASE_URL (dropped first if it exists,
and at the end unless --keep), it

1. runs `migrate_schemas` (public schema and the template `modele_collectivite`);
2. for each scale N (default 10 and 200), tops the database up to N collectivités WITH their
   schemas. These fillers are copies of the template replayed from `pg_dump` (~20 ms each, same
   tables, indexes, constraints and migration rows as a clone) and their rows are bulk-inserted:
   the catalogue weighs what N real tenants weigh;
3. times `registry.services.collectivite_create` (the one write path: advisory lock, row, schema,
   host name, audit) `--runs` times per mode, the modes alternating:
   - `clone`: the template is cloned (settings of the project);
   - `migrate`: TENANT_CREATION_FAKES_MIGRATIONS off, every migration runs on the new schema
     (what the project did before).
   One creation per mode, untimed, warms the process up first.

The last line is always
`provisioning: clone_10_median=… clone_10_p90=… migrate_10_median=… … (seconds)`.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/provisioning.py --scales 10,200,1000 --runs 10
"""

import sys
from pathlib import Path

# Run as `python bench/provisioning.py`: the project's root must be importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import os
import shutil
import statistics
import subprocess
import time
from urllib.parse import urlsplit, urlunsplit

import django
import psycopg

BENCH_DATABASE = "prov_bench"
TEMPLATE = "modele_collectivite"
# Schemas per psql transaction: each holds ~60 relation locks until its commit, and the server's
# lock table has max_locks_per_transaction (64) x max_connections slots in all.
FILLER_BATCH = 20
MODES = ("clone", "migrate")


def _urls() -> tuple[str, str]:
    """(URL of the bench database, URL of the server's maintenance database)."""
    url = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(url)
    bench = urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))
    admin = urlunsplit(parts._replace(path="/postgres"))
    return bench, admin


def _recreate_database(admin_url: str, *, drop_only: bool = False) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {BENCH_DATABASE}")


def _client(name: str) -> str:
    """Full path of a PostgreSQL client (pg_dump, psql): the bench fills the catalogue with them."""
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} not found: install the PostgreSQL client (postgresql-client)")
    return path


def _template_dump(bench_url: str) -> str:
    return subprocess.run(
        [_client("pg_dump"), f"--dbname={bench_url}", f"--schema={TEMPLATE}", "--no-owner"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _add_fillers(bench_url: str, dump: str, start: int, stop: int) -> None:
    """Schemas filler_<start>…filler_<stop - 1> (copies of the template) and their rows."""
    Collectivite = django.apps.apps.get_model("registry", "Collectivite")
    for first in range(start, stop, FILLER_BATCH):
        numbers = range(first, min(first + FILLER_BATCH, stop))
        script = "\n".join(dump.replace(TEMPLATE, f"remplissage_{n}") for n in numbers)
        command = [_client("psql"), "--quiet", "--no-psqlrc", "--single-transaction"]
        command += ["-v", "ON_ERROR_STOP=1", f"--dbname={bench_url}"]
        done = subprocess.run(command, input=script, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"psql failed while adding fillers: {done.stderr[-2000:]}")
        Collectivite.objects.bulk_create(
            Collectivite(
                slug=f"remplissage-{n}",
                schema_name=f"remplissage_{n}",
                name=f"Remplissage {n}",
                kind="commune",
            )
            for n in numbers
        )


def _tenant_schemas(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname IN "
            "(SELECT schema_name FROM registry_collectivite)"
        )
        return cursor.fetchone()[0]


def _catalogue(connection) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM pg_class), "
            "pg_size_pretty(pg_database_size(current_database()))"
        )
        rows, size = cursor.fetchone()
    return f"pg_class {rows} rows, database {size}"


def _create(services, override_settings, mode: str, slug: str) -> float:
    fakes = mode == "clone"
    with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=fakes):
        started = time.perf_counter()
        services.collectivite_create(slug=slug, name=slug, kind="commune")
        return time.perf_counter() - started


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="10,200", help="existing collectivités (10,200)")
    parser.add_argument("--runs", type=int, default=10, help="timed creations per mode and scale")
    parser.add_argument("--modes", default=",".join(MODES), help="clone,migrate")
    parser.add_argument("--keep", action="store_true", help="keep the prov_bench database")
    options = parser.parse_args()
    scales = sorted(int(scale) for scale in options.scales.split(","))
    modes = [mode for mode in options.modes.split(",") if mode]
    assert set(modes) <= set(MODES), modes

    bench_url, admin_url = _urls()
    _recreate_database(admin_url)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "0")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test.utils import override_settings

    from registry import services

    figures: dict[str, float] = {}
    try:
        started = time.perf_counter()
        call_command("migrate_schemas", interactive=False, verbosity=0)
        print(f"migrate_schemas on an empty database: {time.perf_counter() - started:.1f} s")
        dump = _template_dump(bench_url)
        for mode in modes:  # warm-up: imports, migration graph, clone function
            _create(services, override_settings, mode, f"chauffe-{mode}")
        fillers = 0
        for scale in scales:
            missing = scale - _tenant_schemas(connection)
            if missing > 0:
                started = time.perf_counter()
                _add_fillers(bench_url, dump, fillers, fillers + missing)
                fillers += missing
                print(f"{missing} fillers in {time.perf_counter() - started:.1f} s")
            existing = _tenant_schemas(connection)
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            print(
                f"at {existing} collectivités with schemas: {_catalogue(connection)}; load {load}"
            )
            times: dict[str, list[float]] = {mode: [] for mode in modes}
            for run in range(options.runs):
                for mode in modes:
                    slug = f"mesure-{scale}-{mode}-{run}"
                    times[mode].append(_create(services, override_settings, mode, slug))
            for mode in modes:
                median, p90 = statistics.median(times[mode]), _p90(times[mode])
                figures[f"{mode}_{scale}_median"] = median
                figures[f"{mode}_{scale}_p90"] = p90
                print(
                    f"  {mode:8} median {median:.3f} s  p90 {p90:.3f} s  "
                    f"min {min(times[mode]):.3f} s  max {max(times[mode]):.3f} s"
                )
    finally:
        connections.close_all()
        if not options.keep:
            _recreate_database(admin_url, drop_only=True)
    print("provisioning: " + " ".join(f"{key}={value:.3f}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
