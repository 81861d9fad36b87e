"""A collectivité's schema is a clone of the migrated template (registry/tenancy.py): the clone is
the same schema as a migration would give, the template follows the code, creations queue."""

import shutil
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from registry import tenancy
from registry.models import Collectivite
from registry.services import collectivite_create
from registry.validators import RESERVED_SCHEMA_NAMES

pytestmark = pytest.mark.django_db

SCHEMA_OF = {"schema": "%(schema)s"}


def _rows(sql: str, schema: str) -> list[tuple]:
    """Rows of a catalogue query, the schema's own name replaced by a placeholder."""
    connection.set_schema_to_public()  # tables of public print unqualified, the schema's qualified
    with connection.cursor() as cursor:
        cursor.execute(sql, {"schema": schema})
        rows = cursor.fetchall()
    return sorted(
        tuple(str(value).replace(f"{schema}.", "<schema>.") for value in row) for row in rows
    )


def schema_signature(schema: str) -> dict[str, list[tuple]]:
    """What a schema is made of: tables and their columns, indexes, constraints, sequences,
    triggers, views, functions, and the migrations it records."""
    return {
        "columns": _rows(
            "SELECT table_name, column_name, ordinal_position, data_type, udt_name, is_nullable,"
            " column_default, character_maximum_length, numeric_precision, is_identity,"
            " identity_generation, is_generated, generation_expression"
            " FROM information_schema.columns WHERE table_schema = %(schema)s",
            schema,
        ),
        "indexes": _rows(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %(schema)s",
            schema,
        ),
        "constraints": _rows(
            "SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid),"
            " k.condeferrable, k.condeferred"
            " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %(schema)s",
            schema,
        ),
        "sequences": _rows(
            "SELECT sequencename, data_type, start_value, increment_by, last_value"
            " FROM pg_sequences WHERE schemaname = %(schema)s",
            schema,
        ),
        "relations": _rows(
            "SELECT c.relname, c.relkind, c.relpersistence FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %(schema)s",
            schema,
        ),
        "triggers": _rows(
            "SELECT event_object_table, trigger_name, event_manipulation, action_statement"
            " FROM information_schema.triggers WHERE trigger_schema = %(schema)s",
            schema,
        ),
        "views": _rows(
            "SELECT table_name, view_definition FROM information_schema.views"
            " WHERE table_schema = %(schema)s",
            schema,
        ),
        "functions": _rows(
            "SELECT p.proname, pg_get_function_identity_arguments(p.oid) FROM pg_proc p"
            " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %(schema)s",
            schema,
        ),
        "migrations": _rows(f'SELECT app, name FROM "{schema}".django_migrations', schema),
    }


def test_a_cloned_schema_is_the_schema_a_migration_gives():
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA migre_a_la_main")
    call_command(
        "migrate_schemas",
        schema_name="migre_a_la_main",
        tenant=True,
        interactive=False,
        verbosity=0,
    )
    tenancy.clone_template("clone_du_modele")

    migrated = schema_signature("migre_a_la_main")
    cloned = schema_signature("clone_du_modele")

    # Not vacuous: every tenant model's table, its indexes and foreign keys are there.
    tables = {row[0] for row in migrated["columns"]}
    assert {model._meta.db_table for model in apps.get_app_config("casestudies").get_models()} < (
        tables
    )
    assert len(migrated["indexes"]) > 20
    assert any(row[2] == "f" for row in migrated["constraints"])
    assert len(migrated["migrations"]) == len(tenancy.expected_migrations())
    for part in migrated:
        assert cloned[part] == migrated[part], part


def test_the_guides_collectivites_are_clones_of_the_current_template(annecy):
    """The test database was built as any database is: `migrate_schemas` (which creates and
    migrates the template) then the seed, whose collectivités are cloned."""
    assert tenancy.template_is_current()
    template = schema_signature(settings.TENANT_BASE_SCHEMA)
    guide = schema_signature(annecy.schema_name)
    for part in ("columns", "indexes", "constraints", "relations", "migrations"):
        assert guide[part] == template[part], part


def test_the_template_holds_no_data():
    with connection.cursor() as cursor:
        for model in apps.get_app_config("casestudies").get_models():
            cursor.execute(
                f'SELECT count(*) FROM "{settings.TENANT_BASE_SCHEMA}"."{model._meta.db_table}"'
            )
            assert cursor.fetchone()[0] == 0, model


def test_a_creation_clones_under_the_lock_and_migrates_nothing():
    with CaptureQueriesContext(connection) as captured:
        collectivite_create(slug="clusaz", name="La Clusaz", kind="commune")
    sql = [query["sql"] for query in captured.captured_queries]
    lock = next(i for i, q in enumerate(sql) if "pg_advisory_xact_lock" in q)
    clone = next(i for i, q in enumerate(sql) if q.startswith('CREATE SCHEMA "clusaz"'))
    assert lock < clone
    assert not any(q.startswith(("CREATE TABLE", 'INSERT INTO "django_migrations')) for q in sql)
    assert tenancy.applied_migrations("clusaz") == set(tenancy.expected_migrations())


def test_a_template_behind_the_code_is_migrated_before_it_is_cloned(monkeypatch):
    future = ("casestudies", "9999_deployed_but_not_migrated")
    monkeypatch.setattr(
        tenancy, "expected_migrations", lambda: frozenset({*tenancy.applied_migrations(
            settings.TENANT_BASE_SCHEMA), future})
    )  # fmt: skip
    migrated = []
    monkeypatch.setattr(tenancy, "migrate_template", lambda **_: migrated.append(True))
    assert not tenancy.template_is_current()
    tenancy.clone_template("apres_deploiement")
    assert migrated == [True]


def test_a_creation_waits_for_the_one_under_way_in_another_process():
    database = connection.settings_dict
    other = psycopg.connect(
        dbname=database["NAME"],
        user=database["USER"],
        host=database["HOST"],
        port=database["PORT"],
        password=database["PASSWORD"],
        autocommit=True,
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [tenancy.PROVISIONING_LOCK])
        with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
            collectivite_create(slug="manigod", name="Manigod", kind="commune")
    finally:
        other.close()


def test_the_template_is_no_collectivite():
    assert settings.TENANT_BASE_SCHEMA in RESERVED_SCHEMA_NAMES
    with pytest.raises(ValidationError) as error:
        collectivite_create(slug="modele-collectivite", name="Modèle", kind="commune")
    assert "slug" in error.value.message_dict


# --- a migration replayed as SQL (registry.tenancy.replay_plan / replay_in) ---------------------

PROBE = "9999_probe"


def _probe_migrations(tmp_path, monkeypatch, operations: str) -> str:
    """casestudies' migrations plus one more (`operations`), as a package of their own given to
    Django through MIGRATION_MODULES: nothing is written next to the real ones."""
    package = f"probe_migrations_{tmp_path.name.replace('-', '_')}"
    target = tmp_path / package
    shutil.copytree(Path(apps.get_app_config("casestudies").path) / "migrations", target)
    leaf = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes("casestudies")[0][1]
    (target / f"{PROBE}.py").write_text(
        "from django.db import migrations, models\n\n\n"
        "def noop(apps, schema_editor):\n    pass\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [('casestudies', '{leaf}')]\n"
        f"    operations = [{operations}]\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(settings.MIGRATION_MODULES, "casestudies", package)
    tenancy.expected_migrations.cache_clear()
    return package


@pytest.fixture
def migrated_one_by_one(monkeypatch):
    """The schemas that Django's `migrate` is run on, one by one (django-tenants' path)."""
    seen = []
    library = tenancy.run_migrations

    def spy(args, options, codename, schema_name, *rest, **kwargs):
        seen.append(schema_name)
        return library(args, options, codename, schema_name, *rest, **kwargs)

    monkeypatch.setattr(tenancy, "run_migrations", spy)
    monkeypatch.setattr("django_tenants.migration_executors.standard.run_migrations", spy)
    yield seen
    tenancy.expected_migrations.cache_clear()


def _column(schema: str) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT data_type, is_nullable FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = 'casestudies_usecase'"
            " AND column_name = 'probe'",
            [schema],
        )
        return cursor.fetchone()


def test_a_new_column_is_replayed_as_sql_in_every_schema(
    tmp_path, monkeypatch, migrated_one_by_one, annecy, cdg74
):
    _probe_migrations(
        tmp_path,
        monkeypatch,
        "migrations.AddField('usecase', 'probe', models.CharField(max_length=20, default='x')),"
        " migrations.AddIndex('usecase', models.Index(fields=['probe'], name='usecase_probe'))",
    )
    template = settings.TENANT_BASE_SCHEMA
    replay = tenancy.replay_plan()
    assert replay is not None and replay.recorded == (("casestudies", PROBE),)
    assert "ADD COLUMN" in replay.sql and "usecase_probe" in replay.sql

    call_command("migrate_schemas", interactive=False, verbosity=0)

    # Django migrated the public schema and the template alone; every collectivité got the replay.
    assert migrated_one_by_one == ["public", template]
    collectivites = list(Collectivite.objects.values_list("schema_name", flat=True))
    assert {annecy.schema_name, cdg74.schema_name} <= set(collectivites)
    expected = schema_signature(template)
    assert ("casestudies", PROBE) in {tuple(row) for row in expected["migrations"]}
    for schema in collectivites:
        assert _column(schema) == ("character varying", "NO"), schema
        signature = schema_signature(schema)
        for part in ("columns", "indexes", "constraints", "relations", "migrations"):
            assert signature[part] == expected[part], (schema, part)
    # Nothing left to do: a second run migrates nothing and replays nothing.
    migrated_one_by_one.clear()
    call_command("migrate_schemas", interactive=False, verbosity=0)
    assert migrated_one_by_one == ["public", template]


def test_a_migration_sql_cannot_express_goes_through_django(
    tmp_path, monkeypatch, migrated_one_by_one, annecy
):
    _probe_migrations(
        tmp_path,
        monkeypatch,
        "migrations.AddField('usecase', 'probe', models.TextField(null=True)),"
        " migrations.RunPython(noop, migrations.RunPython.noop)",
    )
    assert tenancy.replay_plan() is None
    call_command("migrate_schemas", interactive=False, verbosity=0)
    assert annecy.schema_name in migrated_one_by_one
    assert _column(annecy.schema_name) == ("text", "YES")


def test_a_failed_replay_is_named_and_loses_nothing(tmp_path, monkeypatch, annecy, cdg74):
    _probe_migrations(
        tmp_path,
        monkeypatch,
        "migrations.AddField('usecase', 'probe', models.TextField(null=True))",
    )
    replay = tenancy.replay_plan()
    # Another process already added the column in one schema: its replay fails there only.
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{cdg74.schema_name}".casestudies_usecase ADD probe text')
    schemas = [settings.TENANT_BASE_SCHEMA, annecy.schema_name, cdg74.schema_name]
    with pytest.raises(DatabaseError, match=cdg74.schema_name) as error:
        tenancy.replay_in(replay, schemas)
    assert "Relancer migrate_schemas" in str(error.value)
    assert ("casestudies", PROBE) in tenancy.applied_migrations(annecy.schema_name)
    assert ("casestudies", PROBE) not in tenancy.applied_migrations(cdg74.schema_name)


def test_a_replay_that_would_not_give_the_template_is_not_kept(tmp_path, monkeypatch, annecy):
    _probe_migrations(
        tmp_path,
        monkeypatch,
        "migrations.AddField('usecase', 'probe', models.TextField(null=True))",
    )
    replay = tenancy.replay_plan()
    # The template was not migrated: the first schema replayed differs from it.
    left = tenancy.replay_in(replay, [annecy.schema_name])
    assert left == [annecy.schema_name]
    assert _column(annecy.schema_name) is None
    assert ("casestudies", PROBE) not in tenancy.applied_migrations(annecy.schema_name)
