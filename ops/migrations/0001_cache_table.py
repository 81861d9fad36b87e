"""The table of Django's database cache, the shared cache used when CACHE_URL is not Redis.

Created whatever the cache configured today (so switching from Redis to the database needs no
extra command); `createcachetable`'s own code, which does nothing when the table exists.
Shared app: django-tenants runs it in the public schema only.
"""

from django.db import migrations

TABLE = "django_cache"


def create(apps, schema_editor):
    from django.core.management.commands.createcachetable import Command

    command = Command()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create, drop)]
