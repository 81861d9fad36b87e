"""provision_collectivites: the directory's communes and EPCI of a département become
collectivités through the job queue, one job each, never twice; --status says how far it is."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from procrastinate import testing
from procrastinate.contrib.django import app

from registry import tenancy
from registry.models import Collectivite, DirectoryEntry
from registry.services import collectivite_provision, directory_load
from registry.tasks import PROVISION_TASK, provision_collectivite

pytestmark = pytest.mark.django_db

M2025 = Path(__file__).parent / "directory_data" / "2025"


@pytest.fixture
def queue():
    in_memory = testing.InMemoryConnector()
    with app.replace_connector(in_memory):
        yield in_memory


@pytest.fixture
def directory(db):
    directory_load(M2025, millesime=2025)
    return DirectoryEntry.objects.current().filter(departement="74", kind__in=["commune", "ca"])


def _command(*args) -> str:
    out = io.StringIO()
    call_command("provision_collectivites", *args, stdout=out)
    return out.getvalue()


def _run(queue) -> None:
    """What the worker does, in this test's transaction: each job waiting, once."""
    for job in list(queue.jobs.values()):
        if job["status"] == "todo" and job["task_name"] == PROVISION_TASK:
            provision_collectivite(**job["args"])
            job["status"] = "succeeded"


def test_one_job_per_missing_collectivite_then_none(queue, directory):
    before = Collectivite.objects.count()
    assert "2 tâche(s)" in _command("--from-directory", "--departement", "74", "--limit", "2")
    assert [job["task_name"] for job in queue.jobs.values()] == [PROVISION_TASK] * 2
    # Asked again before the worker ran: the same two are not queued twice (queueing lock).
    out = _command("--from-directory", "--departement", "74", "--limit", "2")
    assert "0 tâche(s)" in out and "2 déjà en attente" in out
    assert "2 en attente" in _command("--status", "--departement", "74")

    _run(queue)
    keys = [job["args"]["key"] for job in queue.jobs.values()]
    for key in keys:
        collectivite = Collectivite.objects.get(directory_entry__key=key)
        entry = collectivite.directory_entry
        assert (collectivite.name, collectivite.siren) == (entry.name, entry.siren)
        assert tenancy.applied_migrations(collectivite.schema_name) == set(
            tenancy.expected_migrations()
        )
        assert collectivite.domains.filter(is_primary=True).exists()
    assert Collectivite.objects.count() == before + 2
    assert "2 faites" in _command("--status", "--departement", "74")

    # The two made are skipped: the next run queues the others only.
    queue.jobs.clear()
    _command("--from-directory", "--departement", "74")
    assert not set(keys) & {job["args"]["key"] for job in queue.jobs.values()}


def test_a_job_run_twice_creates_once(directory):
    entry = directory.filter(kind="commune").exclude(siren="").order_by("key").last()
    first, created = collectivite_provision(entry)
    again, created_again = collectivite_provision(entry)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    connection.set_schema_to_public()


def test_without_a_source_nothing_is_queued(queue, directory):
    with pytest.raises(Exception, match="--from-directory"):
        _command("--departement", "74")
    assert queue.jobs == {}
