"""The public and tenant pages at 10, 1,000 and 2,000 collectivités that HAVE their schemas.

`make bench` runs this script after bench/benchmark_api.py. In a throwaway database (`lt_bench`
on the server of DATABASE_URL, dropped first if it exists and at the end unless --keep), it

1. runs `migrate_schemas` (public schema, template `modele_collectivite`) and loads the guide;
2. at each scale, tops the database up to N collectivités with 20 published use cases each (the
   data of bench/benchmark_api.py) AND their schemas, built by `build_schemas`: the template's
   DDL (registry.tenancy.template_script, the script of every `collectivite_create`) replayed for
   20 schemas per transaction, then their host names;
3. times in-process (django.test.Client, DEBUG=0) `/healthz`, the benchmark list, the explorer, a
   use-case page and the tenant API list of a member (token, on the tenant's host), then
   `collectivite_create` (--provision-runs creations), and reads pg_class and the database size;
4. at the largest scale, times `migrate_schemas --executor=multiprocessing` with nothing to apply.

It ends with one line per scale: `tenants: scale=N list_ms=… explorer_ms=… usecase_ms=…
tenant_api_ms=… healthz_ms=… provision_median_s=… pg_class=… db_mb=… mb_per_tenant=…`, the last
then `tenants: migrate_noop_s=… processes=… at N`.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/tenants.py
"""

import sys
from pathlib import Path

# Run as `python bench/tenants.py`: the project's root must be importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import os
import secrets
import statistics
import subprocess
import time
from urllib.parse import urlsplit, urlunsplit

import django
import psycopg

ROOT = Path(__file__).resolve().parent.parent
SCALES = (10, 1000, 2000)
SCHEMAS_PER_TRANSACTION = 20  # each schema holds ~60 relation locks until the commit
MEMBER_EMAIL = "membre-banc@bench.example"
MEASURE_PARAMS = {"status": "production", "page_size": "20"}


def database_urls(database: str) -> tuple[str, str]:
    """(URL of `database`, URL of the server's maintenance database) on DATABASE_URL's server."""
    url = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(url)
    return (
        urlunsplit(parts._replace(path=f"/{database}")),
        urlunsplit(parts._replace(path="/postgres")),
    )


def recreate_database(admin_url: str, database: str, *, drop_only: bool = False) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {database}")


def setup(url: str) -> None:
    """Django on `url`, DEBUG off and API throttles lifted (as bench/benchmark_api.py)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["API_THROTTLE_ANON"] = "100000000/min"
    os.environ["API_THROTTLE_USER"] = "100000000/min"
    os.environ["DEBUG"] = "0"
    # Keys of this run only (a shared Redis may hold another database's answers), unless the
    # caller chose (bench/loadtest.py gives gunicorn its own).
    os.environ.setdefault("CACHE_KEY_PREFIX", "bench-" + secrets.token_hex(4))
    django.setup()


class Tenants:
    """The guide, then collectivités with published entries and real schemas, grown by scale."""

    def __init__(self):
        from django.core.management import call_command

        from bench.benchmark_api import Loader, load_guide

        call_command("migrate_schemas", interactive=False, verbosity=0)
        templates, domain_labels = load_guide()
        self.loader = Loader(templates, domain_labels)
        self.domain = next(iter(domain_labels))

    def grow_to(self, total: int) -> float:
        """Seconds to reach `total` bench collectivités, schemas and host names included."""
        started = time.perf_counter()
        self.loader.grow_to(total)
        build_schemas()
        return time.perf_counter() - started


def build_schemas() -> int:
    """Give every collectivité without a schema its schema (a copy of the template, as
    `collectivite_create` makes it) and its primary host name; the number built."""
    from django.db import connection, transaction

    from registry.models import Collectivite, Domain
    from registry.services.collectivites import primary_host
    from registry.tenancy import (
        SCHEMA_TOKEN,
        applied_migrations,
        lock_provisioning,
        template_schema,
        template_script,
    )

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, slug, schema_name FROM registry_collectivite WHERE schema_name NOT IN "
            "(SELECT nspname FROM pg_namespace) ORDER BY id"
        )
        missing = cursor.fetchall()
    if not missing:
        return 0
    script = template_script(template_schema(), frozenset(applied_migrations(template_schema())))
    if script is None:
        raise RuntimeError("The template holds objects the copy script does not know.")
    quote = connection.ops.quote_name
    for first in range(0, len(missing), SCHEMAS_PER_TRANSACTION):
        batch = missing[first : first + SCHEMAS_PER_TRANSACTION]
        with transaction.atomic():
            lock_provisioning()
            with connection.cursor() as cursor:
                cursor.execute(
                    ";\n".join(script.replace(SCHEMA_TOKEN, quote(row[2])) for row in batch)
                )
            connection.set_schema_to_public()
            Domain.objects.bulk_create(
                Domain(domain=primary_host(slug), tenant_id=pk, is_primary=True)
                for pk, slug, _schema in batch
            )
    connection.set_schema_to_public()
    assert (
        not Collectivite.objects.exclude(domains__is_primary=True)
        .filter(pk__in=[row[0] for row in missing])
        .exists()
    )
    return len(missing)


def member_token() -> tuple[str, str]:
    """(host of a guide collectivité, token of a contributor of it), created once."""
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from accounts.models import Role, User
    from accounts.services import membership_set, user_create
    from registry.models import Collectivite
    from registry.services.collectivites import primary_host

    connection.set_schema_to_public()
    collectivite = Collectivite.objects.exclude(slug__startswith="bench-").order_by("slug").first()
    user = User.objects.filter(email=MEMBER_EMAIL).first()
    if user is None:
        user = user_create(email=MEMBER_EMAIL, password=None, full_name="Membre du banc")
        membership_set(user=user, collectivite=collectivite, role=Role.CONTRIBUTOR)
    token, _created = Token.objects.get_or_create(user=user)
    return primary_host(collectivite.slug), token.key


def first_domain() -> str:
    """The domain the measured searches filter on (Tenants.domain, read back from a kept
    database)."""
    from django.db import connection

    from registry.models import Term

    connection.set_schema_to_public()
    return (
        Term.objects.filter(vocabulary="domain", active=True)
        .order_by("position", "code")
        .values_list("code", flat=True)
        .first()
    )


def targets(domain: str) -> dict[str, tuple[str, str, dict]]:
    """name: (host, path, extra headers) of each measured request."""
    from django.conf import settings
    from django.db import connection

    from registry.models import BenchmarkEntry

    connection.set_schema_to_public()
    public_id = (
        BenchmarkEntry.objects.filter(visibility="public")
        .order_by("-published_at")
        .values_list("public_id", flat=True)
        .first()
    )
    query = f"domain={domain}&status=production&page_size=20"
    host, token = member_token()
    public = settings.BASE_DOMAIN
    return {
        "healthz": (public, "/healthz", {}),
        "list": (public, f"/api/v1/benchmark/use-cases/?{query}", {}),
        "explorer": (public, f"/cas-d-usage/?domain={domain}&status=production", {}),
        "usecase": (public, f"/cas-d-usage/{public_id}/", {}),
        "tenant_api": (host, "/api/v1/use-cases/", {"Authorization": f"Token {token}"}),
    }


def time_requests(requests: dict, runs: int) -> dict[str, float]:
    """Median milliseconds of each request (in-process), after 5 untimed calls, interleaved."""
    from django.test import Client
    from django.test.utils import override_settings

    client = Client()
    samples: dict[str, list[float]] = {name: [] for name in requests}

    def call(host, path, headers):
        response = client.get(path, headers={"Host": host, **headers})
        if response.status_code != 200:
            raise RuntimeError(f"{host}{path}: {response.status_code}")

    # DEBUG=0 picks whitenoise's manifest storage, whose manifest exists only after collectstatic.
    simple = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES={**django.conf.settings.STORAGES, **simple}):
        for target in requests.values():
            for _ in range(5):
                call(*target)
        for _ in range(runs):
            for name, target in requests.items():
                started = time.perf_counter()
                call(*target)
                samples[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def time_provisioning(scale: int, runs: int) -> float:
    from registry.services import collectivite_create

    times = []
    for run in range(runs + 1):
        started = time.perf_counter()
        collectivite_create(slug=f"creation-{scale}-{run}", name=f"Création {run}", kind="commune")
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])  # the first one warms the process up


def catalogue() -> tuple[int, float, int]:
    """(pg_class rows, database size in MB, collectivités with a schema)."""
    from django.db import connection

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM pg_class), pg_database_size(current_database()), "
            "(SELECT count(*) FROM registry_collectivite c JOIN pg_namespace n "
            " ON n.nspname = c.schema_name)"
        )
        rows, size, tenants = cursor.fetchone()
    return rows, size / 1e6, tenants


def time_noop_migrate(url: str, processes: int) -> float:
    """Seconds of `migrate_schemas --executor=multiprocessing` with nothing to apply."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TENANT_MULTIPROCESSING_MAX_PROCESSES": str(processes),
    }
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "migrate_schemas",
            "--noinput",
            "-v",
            "0",
            "--executor=multiprocessing",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return time.perf_counter() - started


PROBE_MIGRATION = "9999_bench_probe_column"


def time_column_migrate(url: str, processes: int) -> float:
    """Seconds of `migrate_schemas --executor=multiprocessing` applying one migration that adds a
    column to a tenant table (casestudies.UseCase) in every schema: a throwaway migration file,
    written next to the real ones for the run and removed after it (the database is dropped)."""
    from django.db.migrations.loader import MigrationLoader

    leaf = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes("casestudies")[0][1]
    probe = ROOT / "casestudies" / "migrations" / f"{PROBE_MIGRATION}.py"
    probe.write_text(
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [('casestudies', '{leaf}')]\n"
        "    operations = [\n"
        "        migrations.AddField('usecase', 'bench_probe',"
        " models.TextField(blank=True, default='')),\n"
        "    ]\n"
    )
    try:
        return time_noop_migrate(url, processes)
    finally:
        probe.unlink()


def migrate_processes() -> int:
    """Processes for the parallel migration: the cores, and at most a quarter of the free
    connection slots (the web workers and other clients keep theirs)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int"
            " - (SELECT count(*) FROM pg_stat_activity)"
        )
        free = cursor.fetchone()[0]
    return max(1, min(os.cpu_count() or 1, free // 4))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default=",".join(map(str, SCALES)))
    parser.add_argument("--runs", type=int, default=30, help="timed calls per request")
    parser.add_argument("--provision-runs", type=int, default=5)
    parser.add_argument("--no-migrate", action="store_true", help="skip the no-op migrate")
    parser.add_argument(
        "--column-migration",
        action="store_true",
        help="at the last scale, also time a migration adding a column to every schema",
    )
    parser.add_argument("--database", default="lt_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    options = parser.parse_args()
    scales = sorted(int(scale) for scale in options.scales.split(","))

    url, admin_url = database_urls(options.database)
    recreate_database(admin_url, options.database)
    setup(url)
    from django.db import connections

    lines = []
    try:
        tenants = Tenants()
        requests = None
        base_size = None
        for scale in scales:
            built = tenants.grow_to(scale)
            rows, size, existing = catalogue()
            print(f"{existing} collectivités with schemas (built in {built:.0f} s)", flush=True)
            requests = requests or targets(tenants.domain)
            medians = time_requests(requests, options.runs)
            provision = time_provisioning(scale, options.provision_runs)
            if base_size is None:
                base_size, base_count = size, existing
            per_tenant = (
                (size - base_size) / (existing - base_count) if existing > base_count else 0
            )
            figures = {f"{name}_ms": f"{value:.2f}" for name, value in medians.items()}
            line = (
                f"tenants: scale={scale} with_schemas={existing} "
                + " ".join(f"{key}={value}" for key, value in figures.items())
                + f" provision_median_s={provision:.3f} pg_class={rows} db_mb={size:.0f}"
                + f" mb_per_tenant={per_tenant:.2f}"
            )
            print(line, flush=True)  # before the migration, which may take long
            lines.append(line)
            if scale == scales[-1] and not options.no_migrate:
                processes = migrate_processes()
                connections.close_all()
                seconds = time_noop_migrate(url, processes)
                line = f"tenants: migrate_noop_s={seconds:.0f} processes={processes} at {existing}"
                print(line, flush=True)
                lines.append(line)
            if scale == scales[-1] and options.column_migration:
                processes = migrate_processes()
                connections.close_all()
                seconds = time_column_migrate(url, processes)
                line = (
                    f"tenants: migrate_add_column_s={seconds:.0f} processes={processes}"
                    f" at {existing}"
                )
                print(line, flush=True)
                lines.append(line)
    finally:
        connections.close_all()
        if not options.keep:
            recreate_database(admin_url, options.database, drop_only=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
