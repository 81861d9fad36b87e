"""Schemas of the collectivités: cloned from a migrated template, never migrated one by one.

Migrating a new schema replays every migration of every app (Django renders the model states of
the whole project, ~1.5 to 3 s of Python on these machines, more as the catalogue grows). Instead,
`TENANT_BASE_SCHEMA` (`modele_collectivite`) is a schema that only `migrate_schemas` writes: it is
created and migrated with the tenants (`get_executor` below, wired by `GET_EXECUTOR_FUNCTION`),
holds no data but its `django_migrations` rows, and a new collectivité's schema is a copy of it:
its DDL replayed (`template_script`, read from the catalogue once per process), with its
migration rows, so nothing has to be migrated or faked afterwards. django-tenants' `clone_schema`
SQL function is the fallback for a template the script cannot copy (docs/performance.md says
why it is not the rule: it slows down as the tenants grow in number, and renames constraints).

Creations are serialised by a transaction-level advisory lock (`PROVISIONING_LOCK`): the
`clone_schema` function is recreated (`CREATE OR REPLACE FUNCTION`) at each call, and two
transactions doing that at once fail with "tuple concurrently updated"; the template's own
migration takes the same lock, so a copy never reads a template half migrated. Before a copy,
the template is checked against the migrations on disk: if a deployment added a migration and
`migrate_schemas` has not run yet, the template is migrated first (under the lock), so a copy
is never behind the code.

A migration reaches the collectivités' schemas by replay (`replay_plan`, `replay_in`): when
every migration the template is about to get can be written as SQL (atomic, no `RunPython` of a
tenant app), its SQL is collected once, the template is migrated as Django does, and the same SQL
is then run in each schema that was in the template's state, with its `django_migrations` rows,
one transaction per schema. Django's `migrate` would rebuild the state of every model for each
schema (~1 s of Python each: half an hour at 2,000 schemas on 2 cores) before an `ALTER TABLE` of
a few milliseconds. The first replayed schema is compared with the template before it commits;
any other migration, or a schema in another state, goes through Django's `migrate`.
"""

import functools
import sys
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connections, router, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.special import SeparateDatabaseAndState
from django_tenants.clone import CloneSchema
from django_tenants.migration_executors import get_executor as library_executor
from django_tenants.migration_executors.base import run_migrations
from django_tenants.signals import schema_migrated, schema_pre_migration
from django_tenants.utils import get_public_schema_name, get_tenant_database_alias

# pg_advisory_xact_lock key of every schema creation and of the template's migration
# (the bytes of "registry" read as a number; any constant shared by all processes will do).
PROVISIONING_LOCK = 0x7265676973747279


def template_schema() -> str | None:
    """The template's name, or None when creations migrate each schema (the setting is off)."""
    if not getattr(settings, "TENANT_CREATION_FAKES_MIGRATIONS", False):
        return None
    return settings.TENANT_BASE_SCHEMA


def lock_provisioning(using: str | None = None) -> None:
    """Wait for the other creations; held until the end of the current transaction."""
    connection = connections[using or get_tenant_database_alias()]
    if not connection.in_atomic_block:
        raise RuntimeError("lock_provisioning() must run inside a transaction")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PROVISIONING_LOCK])


@functools.cache
def expected_migrations() -> frozenset[tuple[str, str]]:
    """Every migration on disk (a tenant schema records them all, even the public apps')."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def applied_migrations(schema: str, using: str | None = None) -> set[tuple[str, str]] | None:
    """The migrations recorded in a schema, or None when it has no migration table."""
    connection = connections[using or get_tenant_database_alias()]
    table = f"{connection.ops.quote_name(schema)}.django_migrations"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(f"SELECT app, name FROM {table}")  # noqa: S608 (quoted identifier)
        return set(cursor.fetchall())


def template_is_current(using: str | None = None) -> bool:
    applied = applied_migrations(template_schema(), using)
    return applied is not None and expected_migrations() <= applied


def migrate_template(*, verbosity: int = 0) -> None:
    """Create the template if needed and apply its missing migrations (under the lock)."""
    using = get_tenant_database_alias()
    with transaction.atomic():
        _create_template_schema(using, template_schema())
        lock_provisioning()
        call_command(
            "migrate_schemas",
            schema_name=template_schema(),
            tenant=True,
            interactive=False,
            verbosity=verbosity,
        )


def clone_template(schema_name: str, *, verbosity: int = 0) -> None:
    """Create `schema_name` as a copy of the template, migrating the template first if behind.

    The copy replays the template's DDL (`template_script`), read from the catalogue once per
    process and per state of the template: ~40 statements that touch only the new schema, so a
    creation costs the same at 10 or 2,000 collectivités. django-tenants' `clone_schema` SQL
    function, which reads the catalogue object by object (sequential scans of pg_class,
    pg_attribute, pg_constraint: 0.4 s at 10 collectivités, 3 s at 200), is used only for a
    template holding objects the script does not know (views, functions, triggers…)."""
    connection = connections[get_tenant_database_alias()]
    with transaction.atomic():
        lock_provisioning()
        applied = applied_migrations(template_schema())
        if applied is None or not expected_migrations() <= applied:
            migrate_template(verbosity=verbosity)
            applied = applied_migrations(template_schema())
        connection.set_schema_to_public()
        script = template_script(template_schema(), frozenset(applied))
        if script is None:
            CloneSchema().clone_schema(template_schema(), schema_name, "DATA")
            connection.set_schema_to_public()
            _restore_constraint_names(template_schema(), schema_name)
            return
        with connection.cursor() as cursor:
            cursor.execute(script.replace(SCHEMA_TOKEN, connection.ops.quote_name(schema_name)))


SCHEMA_TOKEN = "@@schema@@"

# What the script knows how to copy; anything else in the template falls back to clone_schema.
_UNSUPPORTED_OBJECTS = """
SELECT 'relation ' || relname || ' of kind ' || relkind::text FROM pg_class
 WHERE relnamespace = %(namespace)s AND relkind NOT IN ('r', 'i', 'S')
UNION ALL
SELECT 'sequence ' || s.relname FROM pg_class s
 WHERE s.relnamespace = %(namespace)s AND s.relkind = 'S' AND NOT EXISTS (
       SELECT FROM pg_depend d WHERE d.objid = s.oid AND d.deptype = 'i')
UNION ALL
SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = %(namespace)s
UNION ALL
SELECT 'trigger ' || tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = %(namespace)s AND NOT t.tgisinternal
UNION ALL
SELECT 'type ' || typname FROM pg_type t WHERE typnamespace = %(namespace)s AND typtype <> 'b'
   AND NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = t.typrelid)
UNION ALL
SELECT 'comment' FROM pg_description d JOIN pg_class c ON c.oid = d.objoid
 WHERE d.classoid = 'pg_class'::regclass AND c.relnamespace = %(namespace)s
UNION ALL
SELECT 'policy ' || polname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
 WHERE c.relnamespace = %(namespace)s
"""

_TABLES = """
SELECT relname FROM pg_class WHERE relnamespace = %(namespace)s AND relkind = 'r' ORDER BY relname
"""

# Each table is created LIKE the template's: columns, NOT NULL, defaults, identities, generated
# columns and CHECK constraints are copied as stored, named as in the template (re-parsing their
# printed text would store some checks differently). Keys, unique constraints and indexes,
# which LIKE would rename, are added by their definitions and names.
_LIKE = (
    "INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING IDENTITY INCLUDING CONSTRAINTS "
    "INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING STATISTICS"
)

# Constraints but the checks (copied by LIKE): primary keys, unique and exclusions first, foreign
# keys once every table and its keys exist.
_CONSTRAINTS = """
SELECT c.relname, k.conname, pg_get_constraintdef(k.oid)
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
WHERE c.relnamespace = %(namespace)s AND k.contype <> 'c'
ORDER BY k.contype = 'f', c.relname, k.contype, k.conname
"""

_INDEXES = """
SELECT pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE c.relnamespace = %(namespace)s AND NOT EXISTS (
      SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
         AND k.contype IN ('p', 'u', 'x'))
ORDER BY c.relname
"""

_SEQUENCE_VALUES = """
SELECT sequencename, last_value FROM pg_sequences
WHERE schemaname = %(schema)s AND last_value IS NOT NULL
"""


@functools.lru_cache(maxsize=4)
def template_script(template: str, applied: frozenset) -> str | None:
    """The SQL that makes a copy of the template under SCHEMA_TOKEN, or None if the template
    holds objects it cannot copy. Cached per state of the template (`applied`: its migrations),
    so a process reads the catalogue once per deployment."""
    connection = connections[get_tenant_database_alias()]
    quote = connection.ops.quote_name
    connection.set_schema_to_public()  # the catalogue prints the template's objects qualified
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::regnamespace::oid", [quote(template)])
        params = {"namespace": cursor.fetchone()[0], "schema": template}
        cursor.execute(_UNSUPPORTED_OBJECTS, params)
        if cursor.fetchall():
            return None
        cursor.execute(_TABLES, params)
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute(_CONSTRAINTS, params)
        constraints = cursor.fetchall()
        cursor.execute(_INDEXES, params)
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(_SEQUENCE_VALUES, params)
        sequence_values = cursor.fetchall()
        tables_with_rows = []
        for table in tables:
            source = f"{quote(template)}.{quote(table)}"
            cursor.execute(f"SELECT EXISTS (SELECT FROM {source})")  # noqa: S608 (quoted names)
            if cursor.fetchone()[0]:
                tables_with_rows.append(table)

    def qualified(sql: str) -> str:
        return sql.replace(f"{template}.", f"{SCHEMA_TOKEN}.")

    target = SCHEMA_TOKEN
    statements = [f"CREATE SCHEMA {target}"]
    statements += [
        f"CREATE TABLE {target}.{quote(table)} (LIKE {quote(template)}.{quote(table)} {_LIKE})"
        for table in tables
    ]
    statements += [
        f"ALTER TABLE {target}.{quote(table)} ADD CONSTRAINT {quote(name)} {qualified(sql)}"
        for table, name, sql in constraints
    ]
    statements += [qualified(sql) for sql in indexes]
    statements += [
        f"INSERT INTO {target}.{quote(table)} SELECT * FROM {quote(template)}.{quote(table)}"  # noqa: S608
        for table in tables_with_rows
    ]
    statements += [
        f"SELECT setval('{target}.{quote(sequence)}', {value})"
        for sequence, value in sequence_values
    ]
    return ";\n".join(statements)


# Constraints of the template and of the clone that are the same (table, kind, definition once
# the schemas' names are taken out) but named differently.
_RENAMED_CONSTRAINTS = """
WITH template AS (
    SELECT c.relname, k.conname, k.contype,
           replace(pg_get_constraintdef(k.oid), %(template_prefix)s, '') AS definition
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
    WHERE k.connamespace = %(template)s::regnamespace
), clone AS (
    SELECT c.relname, k.conname, k.contype,
           replace(pg_get_constraintdef(k.oid), %(clone_prefix)s, '') AS definition
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
    WHERE k.connamespace = %(clone)s::regnamespace
)
SELECT clone.relname, clone.conname, template.conname
FROM template JOIN clone USING (relname, contype, definition)
WHERE template.conname <> clone.conname
  AND NOT EXISTS (SELECT FROM clone AS named
                  WHERE named.relname = template.relname AND named.conname = template.conname)
  AND NOT EXISTS (SELECT FROM template AS named
                  WHERE named.relname = clone.relname AND named.conname = clone.conname)
"""


def _restore_constraint_names(template: str, schema_name: str) -> None:
    """Give the clone's constraints the template's names.

    The clone function writes UNIQUE constraints inside CREATE TABLE without their names, so
    PostgreSQL names them itself (`casestudies_approachstep_use_case_id_position_key` instead of
    `step_position_unique`): a later migration that alters or removes the constraint by its
    name would fail on every cloned schema. Renaming a UNIQUE constraint renames its index."""
    connection = connections[get_tenant_database_alias()]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            _RENAMED_CONSTRAINTS,
            {
                "template": template,
                "template_prefix": f"{template}.",
                "clone": schema_name,
                "clone_prefix": f"{schema_name}.",
            },
        )
        for table, wrong, right in cursor.fetchall():
            cursor.execute(
                f"ALTER TABLE {quote(schema_name)}.{quote(table)} "
                f"RENAME CONSTRAINT {quote(wrong)} TO {quote(right)}"
            )


def _create_template_schema(using: str, schema: str) -> None:
    connection = connections[using]
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {connection.ops.quote_name(schema)}")


# --- a migration replayed as SQL in the schemas behind ------------------------------------------


@dataclass(frozen=True)
class Replay:
    """What the template is about to be migrated with, as SQL any schema in its state can run."""

    before: frozenset  # the migrations recorded by the schemas it applies to
    recorded: tuple  # the django_migrations rows it adds: (app, name)
    sql: str


def _writable_as_sql(operations) -> bool:
    for operation in operations:
        if isinstance(operation, SeparateDatabaseAndState):
            if not _writable_as_sql(operation.database_operations):
                return False
        elif not operation.reduces_to_sql:
            return False
    return True


def replay_plan(using: str | None = None) -> Replay | None:
    """The SQL of the migrations the template is behind by, or None when there are none or when
    one of them cannot be replayed: not atomic (`AddIndexConcurrently`…), or an operation of a
    tenant app that SQL cannot express (`RunPython`). The SQL is collected as `sqlmigrate` does,
    on the template (its search path, its catalogue for the names an operation looks up), with
    the router deciding, as in `migrate`, which apps' operations touch a collectivité's schema."""
    using = using or get_tenant_database_alias()
    template = template_schema()
    before = applied_migrations(template, using) if template else None
    if before is None or expected_migrations() <= before:
        return None
    connection = connections[using]
    connection.set_schema(template)
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        recorded = []
        for migration, backwards in plan:
            if backwards or not migration.atomic:
                return None
            if router.allow_migrate(using, migration.app_label) and not _writable_as_sql(
                migration.operations
            ):
                return None
            recorded += migration.replaces or [(migration.app_label, migration.name)]
        statements = executor.loader.collect_sql(plan)
    finally:
        connection.set_schema_to_public()
    sql = "\n".join(line for line in statements if not line.lstrip().startswith("--"))
    return Replay(before=frozenset(before), recorded=tuple(recorded), sql=sql)


_SIGNATURE = """
SELECT 'column', table_name || '.' || column_name || ' ' || data_type || ' '
       || is_nullable || ' ' || replace(coalesce(column_default, ''), %(prefix)s, '')
FROM information_schema.columns WHERE table_schema = %(schema)s
UNION ALL
SELECT 'constraint', c.relname || '.' || k.conname || ' '
       || replace(pg_get_constraintdef(k.oid), %(prefix)s, '')
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
WHERE k.connamespace = %(schema)s::regnamespace
UNION ALL
SELECT 'index', replace(replace(indexdef, %(prefix)s, ''), ' ON ' || %(schema)s || '.', ' ON ')
FROM pg_indexes WHERE schemaname = %(schema)s
"""


def _signature(cursor, schema: str) -> set[tuple[str, str]]:
    """Columns, constraints and indexes of a schema, its own name taken out."""
    cursor.execute(_SIGNATURE, {"schema": schema, "prefix": f"{schema}."})
    return set(cursor.fetchall())


def replay_in(replay: Replay, schemas: list[str], using: str | None = None, *, stdout=None):
    """Run `replay` in each schema (one transaction each, with its django_migrations rows).

    Returns the schemas left to Django's `migrate`: all of them when the first replayed schema
    does not come out as the template (then nothing is committed there). A schema whose replay
    fails (a lock not obtained within `lock_timeout`, say) is rolled back and named in the
    error raised at the end; the others are kept, and a new `migrate_schemas` finds only the
    failed ones behind."""
    using = using or get_tenant_database_alias()
    connection = connections[using]
    apps_, names = [list(values) for values in zip(*replay.recorded, strict=True)]
    failures = []
    for index, schema in enumerate(schemas):
        schema_pre_migration.send(replay_in, schema_name=schema)
        try:
            with transaction.atomic(using=using):
                connection.set_schema(schema)
                with connection.cursor() as cursor:
                    cursor.execute(replay.sql)
                    cursor.execute(
                        "INSERT INTO django_migrations (app, name, applied)"
                        " SELECT unnest(%s::text[]), unnest(%s::text[]), now()",
                        [apps_, names],
                    )
                    if index == 0 and _signature(cursor, schema) != _signature(
                        cursor, template_schema()
                    ):
                        raise _NotLikeTheTemplate
        except _NotLikeTheTemplate:
            if stdout:
                stdout.write(f"Rejeu abandonné : {schema} ne ressemble pas au modèle.\n")
            return schemas
        except DatabaseError as error:
            failures.append(f"{schema} ({str(error).strip().splitlines()[0]})")
        else:
            schema_migrated.send(replay_in, schema_name=schema)
        finally:
            connection.set_schema_to_public()
        if stdout and (index + 1) % 500 == 0:
            stdout.write(f"Migration rejouée dans {index + 1} schémas sur {len(schemas)}\n")
    if failures:
        raise DatabaseError(
            f"Migration rejouée en échec dans {len(failures)} schéma(s) : "
            + "; ".join(failures[:20])
            + ". Relancer migrate_schemas : seuls les schémas en retard seront migrés."
        )
    return []


class _NotLikeTheTemplate(Exception):
    pass


def _plain_migrate(options) -> bool:
    """`migrate_schemas` asked to apply everything, nothing else (no target, fake, plan…)."""
    asked = ("app_label", "migration_name", "fake", "fake_initial", "plan", "prune")
    return not any(options.get(name) for name in asked) and not options.get("check_unapplied")


def _behind(schemas: list[str], using: str | None) -> dict[str, frozenset | None]:
    """The public schema and the schemas missing a migration on disk. A schema that records them
    all has nothing to apply: Django's `migrate` would only find that out after listing every
    table visible on its search path (`introspection.table_names()`, a scan of all of pg_class:
    ~0.3 s per schema at 2,000 schemas, quadratic in all). Not migrated, it gets no
    post_migrate signal (no tenant app listens to one here)."""
    expected = expected_migrations()
    public = get_public_schema_name()
    kept = {}
    for schema in schemas:
        applied = None if schema == public else applied_migrations(schema, using)
        if applied is None or not expected <= applied:
            kept[schema] = None if applied is None else frozenset(applied)
    connections[using or get_tenant_database_alias()].set_schema_to_public()
    return kept


def get_executor(codename: str | None = None):
    """django-tenants' executor (GET_EXECUTOR_FUNCTION), which also migrates the template.

    `migrate_schemas` lists the tenants from the collectivités' table, where the template has no
    row: when it migrates every tenant (no `--schema`), it first creates the template if it does
    not exist and migrates it, under the provisioning lock, in this process, then the tenants:
    those in the template's former state by replay (`replay_plan`) when its migrations allow
    it, the others as the chosen executor does (`--executor=multiprocessing` included)."""
    base = library_executor(codename)

    class WithTemplate(base):
        def run_migrations(self, tenants=None):
            tenants = list(tenants or [])
            template = template_schema()
            every_tenant = not self.options.get("schema_name") and tenants != [
                get_public_schema_name()
            ]
            plain = every_tenant and _plain_migrate(self.options)
            using = self.options.get("database") or get_tenant_database_alias()
            replay = None
            if template and every_tenant:
                replay = replay_plan(using) if plain else None
                with transaction.atomic(using=using):
                    _create_template_schema(using, template)
                    lock_provisioning(using)
                    run_migrations(self.args, self.options, self.codename, template)
                connections[using].set_schema_to_public()
                tenants = [schema for schema in tenants if schema != template]
            if plain:
                behind = _behind(tenants, self.options.get("database"))
                tenants = list(behind)
                if replay and replay.before | set(replay.recorded) == applied_migrations(
                    template, using
                ):
                    same = {schema for schema in tenants if behind[schema] == replay.before}
                    others = [schema for schema in tenants if schema not in same]
                    verbose = int(self.options.get("verbosity", 1)) >= 1
                    try:
                        left = replay_in(
                            replay,
                            [schema for schema in tenants if schema in same],
                            using,
                            stdout=sys.stdout if verbose else None,
                        )
                    except DatabaseError:
                        super().run_migrations(tenants=others)  # then name the failures
                        raise
                    tenants = others + left
            super().run_migrations(tenants=tenants)

    WithTemplate.__name__ = f"WithTemplate{base.__name__}"
    return WithTemplate
