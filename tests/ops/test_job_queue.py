"""E-mails go through the job queue (Procrastinate); failures are retried, then kept visible."""

import io

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.core.management import call_command
from django.db import connection
from procrastinate import testing
from procrastinate.contrib.django import app

QUEUED = "ops.mail.QueuedEmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def queue():
    in_memory = testing.InMemoryConnector()
    with app.replace_connector(in_memory):
        yield in_memory


def run_jobs():
    app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)


def test_send_mail_enqueues_a_job_that_the_worker_sends(queue, settings):
    settings.EMAIL_BACKEND = QUEUED
    settings.EMAIL_DELIVERY_BACKEND = LOCMEM
    assert send_mail("Sujet é", "Corps", None, ["agent@annecy.test"]) == 1
    assert mail.outbox == []
    [job] = queue.jobs.values()
    assert job["task_name"] == "ops.send_email"
    run_jobs()
    assert [m.subject for m in mail.outbox] == ["Sujet é"]
    assert mail.outbox[0].to == ["agent@annecy.test"]
    assert queue.jobs[job["id"]]["status"] == "succeeded"


def test_the_password_reset_mail_goes_through_the_queue(queue, settings, client_for, people):
    settings.EMAIL_BACKEND = QUEUED
    settings.EMAIL_DELIVERY_BACKEND = LOCMEM
    response = client_for(None).post(
        "/compte/mot-de-passe/oubli/", {"email": "lecteur@annecy.test"}
    )
    assert response.status_code == 302
    assert len(queue.jobs) == 1
    run_jobs()
    assert mail.outbox[0].to == ["lecteur@annecy.test"]
    assert "/compte/mot-de-passe/" in mail.outbox[0].body


def test_a_failing_delivery_is_retried_then_stays_failed(queue, settings):
    settings.EMAIL_BACKEND = QUEUED
    settings.EMAIL_DELIVERY_BACKEND = "tests.failing_email.EmailBackend"
    send_mail("Sujet", "Corps", None, ["agent@annecy.test"])
    [job_id] = queue.jobs
    run_jobs()
    job = queue.jobs[job_id]
    assert job["status"] == "todo"  # scheduled again, later
    assert job["attempts"] == 1
    assert job["scheduled_at"] is not None
    from ops.tasks import send_email

    assert send_email.retry_strategy.max_attempts == 5
    job["attempts"] = 5  # the last retry
    job["scheduled_at"] = None
    run_jobs()
    assert queue.jobs[job_id]["status"] == "failed"


def _failed_job_in_the_database() -> int:
    from ops.tasks import send_email

    job_id = send_email.defer(message={"to": ["agent@annecy.test"], "subject": "x"})
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'failed', attempts = 5 WHERE id = %s", [job_id]
        )
    return job_id


def test_operators_list_and_retry_failed_jobs_with_a_command():
    job_id = _failed_job_in_the_database()
    out = io.StringIO()
    call_command("failed_jobs", stdout=out)
    assert f"{job_id}\tfailed\tops.send_email\t5 tentative(s)\tagent@annecy.test" in out.getvalue()
    call_command("failed_jobs", retry=[job_id], stdout=io.StringIO())
    out = io.StringIO()
    call_command("failed_jobs", stdout=out)
    assert "0 tâche(s)." in out.getvalue()


def test_failed_jobs_are_in_the_admin_for_operators_only(client_for, make_user, people):
    job_id = _failed_job_in_the_database()
    operator = make_user("exploitant@cdg74.test", superuser=True)
    url = "/admin/procrastinate/procrastinatejob/?status=failed"
    response = client_for(None, operator).get(url)
    assert response.status_code == 200
    assert f"/admin/procrastinate/procrastinatejob/{job_id}/" in response.content.decode()
    assert client_for(None, people["curator"]).get(url).status_code == 403


def test_a_mail_sent_on_a_collectivite_host_is_queued_in_the_public_schema(annecy, settings):
    from django_tenants.utils import tenant_context
    from procrastinate.contrib.django.models import ProcrastinateJob

    settings.EMAIL_BACKEND = QUEUED
    with tenant_context(annecy):
        send_mail("Soumission", "Corps", None, ["curateur@cdg74.test"])
    connection.set_schema_to_public()
    job = ProcrastinateJob.objects.get(task_name="ops.send_email", status="todo")
    assert job.args["message"]["to"] == ["curateur@cdg74.test"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'procrastinate_jobs'"
        )
        assert [row[0] for row in cursor.fetchall()] == ["public"]
