"""A collectivité's schema is a clone of the migrated template (registry/tenancy.py): the clone is
the same schema as a migration would give, the template follows the code, creations queue."""

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from registry import tenancy
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
