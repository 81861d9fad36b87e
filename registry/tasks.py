"""Jobs of the registry (Procrastinate, `manage.py procrastinate worker`), in the public schema."""

from django.db import InterfaceError, OperationalError, connection, transaction
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from registry.models import DirectoryEntry
from registry.services import collectivite_provision
from registry.services.sources import source_import_prepare, source_import_run

PROVISION_TASK = "registry.provision_collectivite"
# A creation that fails for a passing reason (the database restarting…) is tried again twice;
# one refused by a rule (ValidationError) fails at once and stays `failed` (failed_jobs).
PROVISION_RETRY = RetryStrategy(
    max_attempts=2, wait=30, retry_exceptions={OperationalError, InterfaceError}
)


@app.task(name=PROVISION_TASK, queue="provisioning", retry=PROVISION_RETRY)
def provision_collectivite(key: str) -> None:
    """Create the collectivité of the directory entry `key` (nothing if it exists already)."""
    connection.set_schema_to_public()
    collectivite_provision(DirectoryEntry.objects.get(key=key))


IMPORT_SOURCE_TASK = "registry.import_source"


@app.task(name=IMPORT_SOURCE_TASK, queue="sources")
def import_source(run_id: int) -> None:
    """Read the file of a pending import run (registry.services.sources), its progress saved
    after every batch: the admin's page of the run shows it."""
    connection.set_schema_to_public()
    source_import_run(run_id)


def import_source_enqueue(*, adapter, content: bytes, file_name: str, actor=None, dry_run=False):
    """A pending run holding the file, and its job, deferred once the run is committed."""
    run = source_import_prepare(
        adapter=adapter, content=content, file_name=file_name, actor=actor, dry_run=dry_run
    )
    transaction.on_commit(
        lambda: import_source.configure(queueing_lock=f"import-source:{run.pk}").defer(
            run_id=run.pk
        )
    )
    return run
