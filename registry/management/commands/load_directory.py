import sys
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.services import (
    SHIPPED_DIRECTORY,
    SHIPPED_MILLESIME,
    DirectoryLoadReport,
    directory_load,
)
from registry.services.directory import REPORT_DETAIL_LIMIT
from registry.vocabularies import DirectoryKind

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Charge ou rafraîchit un millésime de l'annuaire officiel (découpage administratif) : "
        "idempotent, ne modifie que ce qui a changé. Sans chemin : le millésime livré "
        f"({SHIPPED_DIRECTORY.name})."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(SHIPPED_DIRECTORY),
            help="dossier des fichiers JSON (.json, .json.xz, .json.gz) ou archive npm (.tgz)",
        )
        parser.add_argument("--millesime", type=int, default=SHIPPED_MILLESIME)
        parser.add_argument("--no-progress", action="store_true", help="sans barre de progression")

    def handle(self, *args, path, millesime, no_progress=False, **options):
        show = not no_progress and sys.stderr.isatty() and options.get("verbosity", 1) > 0
        started = time.monotonic()
        try:
            report = directory_load(
                path, millesime=millesime, progress=self.progress if show else _silent
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        finally:
            if show:
                sys.stderr.write("\n")
        self.print_report(report, time.monotonic() - started)

    def progress(self, step: str, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // max(total, 1)
        sys.stderr.write(
            f"\r{step:<10} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}   "
        )
        sys.stderr.flush()

    def print_report(self, report: DirectoryLoadReport, seconds: float) -> None:
        write = self.stdout.write
        if not report.changed:
            write(
                f"Annuaire, millésime {report.millesime} : déjà à jour, rien n'a changé "
                f"({report.unchanged} entrées, {seconds:.1f} s)."
            )
            return
        write(
            self.style.SUCCESS(
                f"Annuaire, millésime {report.millesime} chargé en {seconds:.1f} s "
                f"(source : {report.source})."
            )
        )
        for label, counter in (
            ("créées", report.created),
            ("modifiées", report.updated),
            ("plus listées (conservées, hors vigueur)", report.retired),
        ):
            if counter:
                write(f"  {label} : {counter.total()} ({_by_kind(counter)})")
        write(f"  inchangées : {report.unchanged}")
        if report.first_load:
            write(f"  premier chargement : {len(report.new_communes)} communes")
            return
        _details(write, "nouvelles communes", report.new_communes)
        if report.merged_communes:
            write(f"  communes fusionnées : {len(report.merged_communes)}")
            for code, name, formers in report.merged_communes[:REPORT_DETAIL_LIMIT]:
                former = ", ".join(f"{c} {n}".strip() for c, n in formers)
                write(f"    {code} {name} ← {former} (trouvable par ces anciens codes)")


def _by_kind(counter) -> str:
    return ", ".join(
        f"{DirectoryKind(kind).label} : {count}" for kind, count in counter.most_common()
    )


def _details(write, label: str, rows: list[tuple[str, str]]) -> None:
    if not rows:
        return
    write(f"  {label} : {len(rows)}")
    for code, name in rows[:REPORT_DETAIL_LIMIT]:
        write(f"    {code} {name}")
    if len(rows) > REPORT_DETAIL_LIMIT:
        write(f"    … et {len(rows) - REPORT_DETAIL_LIMIT} autres")


def _silent(_step: str, _done: int, _total: int) -> None:
    return None
