"""Jobs of the registry (Procrastinate, `manage.py procrastinate worker`), in the public schema."""

from django.db import InterfaceError, OperationalError, connection
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from registry.models import DirectoryEntry
from registry.services import collectivite_provision

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
