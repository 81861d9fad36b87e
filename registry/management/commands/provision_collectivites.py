from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from registry.models import Collectivite, DirectoryEntry
from registry.tasks import PROVISION_TASK, provision_collectivite
from registry.vocabularies import DIRECTORY_EPCI, DirectoryKind

KINDS = {
    "commune": [DirectoryKind.COMMUNE],
    "epci": list(DIRECTORY_EPCI),
    "tout": [DirectoryKind.COMMUNE, *DIRECTORY_EPCI],
}
STATUS_LABELS = {
    "todo": "en attente",
    "doing": "en cours",
    "succeeded": "faites",
    "failed": "en échec",
    "cancelled": "annulées",
    "aborted": "interrompues",
}


class Command(BaseCommand):
    help = (
        "Crée, par la file de tâches, les collectivités d'un département à partir de l'annuaire "
        "officiel (communes et EPCI) : une tâche par collectivité, celles qui existent déjà sont "
        "ignorées. --status dit où en est la file. "
        "Exemple : provision_collectivites --from-directory --departement 74 --limit 50"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from-directory",
            action="store_true",
            help="les entrées courantes de l'annuaire officiel (seule source pour l'instant)",
        )
        parser.add_argument("--departement", default="74", help="code du département (74)")
        parser.add_argument("--kind", choices=sorted(KINDS), default="tout")
        parser.add_argument("--limit", type=int, help="au plus N nouvelles tâches")
        parser.add_argument(
            "--status", action="store_true", help="où en sont les tâches et le département"
        )

    def handle(self, *args, from_directory, departement, kind, limit, status, **options):
        connection.set_schema_to_public()
        entries = DirectoryEntry.objects.current().filter(
            departement=departement, kind__in=KINDS[kind]
        )
        if status:
            self._status(entries, departement)
            return
        if not from_directory:
            raise CommandError("Dites d'où viennent les collectivités : --from-directory.")
        missing = (
            entries.filter(collectivite__isnull=True)
            .exclude(siren__in=Collectivite.objects.exclude(siren="").values("siren"))
            .order_by("-population", "key")  # the largest first
            .values_list("key", flat=True)
        )
        if limit is not None:
            missing = missing[:limit]
        queued = already = 0
        for key in missing:
            try:
                provision_collectivite.configure(queueing_lock=f"provision:{key}").defer(key=key)
            except AlreadyEnqueued:
                already += 1
            else:
                queued += 1
        self.stdout.write(
            f"{queued} tâche(s) de création mise(s) dans la file « provisioning »"
            + (f", {already} déjà en attente" if already else "")
            + ". Suivi : provision_collectivites --status"
        )

    def _status(self, entries, departement):
        jobs = app.job_manager.list_jobs(task=PROVISION_TASK)
        counts = Counter(getattr(job.status, "value", job.status) for job in jobs)
        made = entries.filter(collectivite__isnull=False).count()
        self.stdout.write(
            f"Département {departement} : {made} collectivité(s) créée(s) sur "
            f"{entries.count()} entrée(s) de l'annuaire."
        )
        self.stdout.write(
            "Tâches de création : "
            + (
                ", ".join(f"{counts[name]} {label}" for name, label in STATUS_LABELS.items())
                if counts
                else "aucune"
            )
            + "."
        )
        if counts["failed"]:
            self.stdout.write("Détail des échecs : failed_jobs ; relancer : failed_jobs --retry ID")
