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
"""

import functools

from django.conf import settings
from django.core.management import call_command
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django_tenants.clone import CloneSchema
from django_tenants.migration_executors import get_executor as library_executor
from django_tenants.migration_executors.base import run_migrations
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


def _plain_migrate(options) -> bool:
    """`migrate_schemas` asked to apply everything, nothing else (no target, fake, plan…)."""
    asked = ("app_label", "migration_name", "fake", "fake_initial", "plan", "prune")
    return not any(options.get(name) for name in asked) and not options.get("check_unapplied")


def _behind(schemas: list[str], using: str | None) -> list[str]:
    """The public schema and the schemas missing a migration on disk. A schema that records them
    all has nothing to apply: Django's `migrate` would only find that out after listing every
    table visible on its search path (`introspection.table_names()`, a scan of all of pg_class:
    ~0.3 s per schema at 2,000 schemas, quadratic in all). Not migrated, it gets no
    post_migrate signal (no tenant app listens to one here)."""
    expected = expected_migrations()
    public = get_public_schema_name()
    kept = []
    for schema in schemas:
        applied = None if schema == public else applied_migrations(schema, using)
        if applied is None or not expected <= applied:
            kept.append(schema)
    connections[using or get_tenant_database_alias()].set_schema_to_public()
    return kept


def get_executor(codename: str | None = None):
    """django-tenants' executor (GET_EXECUTOR_FUNCTION), which also migrates the template.

    `migrate_schemas` lists the tenants from the collectivités' table, where the template has no
    row: when it migrates every tenant (no `--schema`), it first creates the template if it does
    not exist and migrates it, under the provisioning lock, in this process, then the tenants as
    the chosen executor does (`--executor=multiprocessing` included)."""
    base = library_executor(codename)

    class WithTemplate(base):
        def run_migrations(self, tenants=None):
            tenants = list(tenants or [])
            template = template_schema()
            every_tenant = not self.options.get("schema_name") and tenants != [
                get_public_schema_name()
            ]
            if template and every_tenant:
                using = self.options.get("database") or get_tenant_database_alias()
                with transaction.atomic(using=using):
                    _create_template_schema(using, template)
                    lock_provisioning(using)
                    run_migrations(self.args, self.options, self.codename, template)
                connections[using].set_schema_to_public()
                tenants = [schema for schema in tenants if schema != template]
            if every_tenant and _plain_migrate(self.options):
                tenants = _behind(tenants, self.options.get("database"))
            super().run_migrations(tenants=tenants)

    WithTemplate.__name__ = f"WithTemplate{base.__name__}"
    return WithTemplate
