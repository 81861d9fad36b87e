from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob


class Command(BaseCommand):
    help = (
        "Liste les tâches de la file en échec (après toutes leurs tentatives) ; "
        "--retry ID les remet dans la file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--retry", type=int, nargs="*", default=None, metavar="ID")
        parser.add_argument(
            "--all", action="store_true", help="toutes les tâches, pas seulement en échec"
        )

    def handle(self, *args, retry=None, all=False, **options):
        connection.set_schema_to_public()
        if retry:
            for job in ProcrastinateJob.objects.filter(id__in=retry, status="failed"):
                app.job_manager.retry_job_by_id(
                    job.id, timezone.now(), job.priority, job.queue_name, job.lock
                )
                self.stdout.write(f"{job.id} : remise dans la file.")
            return
        jobs = ProcrastinateJob.objects.order_by("id")
        if not all:
            jobs = jobs.filter(status="failed")
        count = 0
        for job in jobs:
            count += 1
            recipients = ", ".join(job.args.get("message", {}).get("to", [])) if job.args else ""
            self.stdout.write(
                f"{job.id}\t{job.status}\t{job.task_name}\t{job.attempts} tentative(s)\t"
                f"{recipients}"
            )
        self.stdout.write(f"{count} tâche(s).")
