import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casestudies.imports import ImportFileError, import_use_cases, read_rows
from registry.models import Collectivite


class Command(BaseCommand):
    help = (
        "Importe des cas d'usage (CSV ou XLSX, colonnes de l'export du référentiel) dans une "
        "collectivité. Tout ou rien ; --dry-run montre ce qui serait fait sans rien écrire."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "collectivite", help="identifiant de la collectivité (ex. grand-annecy)"
        )
        parser.add_argument("file", help="fichier .csv ou .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="simuler sans rien écrire")

    def handle(self, *args, collectivite, file, dry_run=False, **options):
        target = Collectivite.objects.filter(slug=collectivite).first()
        if target is None:
            raise CommandError(f"Collectivité inconnue : « {collectivite} ».")
        path = Path(file)
        if not path.exists():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            rows = read_rows(path.read_bytes(), path.name)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        report = import_use_cases(
            collectivite=target, rows=rows, actor=None, dry_run=dry_run, progress=self.progress
        )
        self.stderr.write("")
        for error in report.errors:
            self.stderr.write(self.style.ERROR(error))
        if not report.ok:
            raise CommandError(report.summary())
        prefix = "Simulation : " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + report.summary()))
        for label, ids in (("créés", report.created), ("mis à jour", report.updated)):
            if ids:
                self.stdout.write(f"  {label} : {', '.join(ids)}")

    def progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        bar = "█" * filled + "·" * (width - filled)
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r[{bar}] {done}/{total} lignes{end}")
        sys.stderr.flush()
