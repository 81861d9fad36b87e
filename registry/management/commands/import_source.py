import sys
import time

from django.core.management.base import BaseCommand, CommandError

from registry.services.sources import source_import
from registry.sources import ADAPTERS, SourceFileError, adapter_for
from registry.sources.files import read_file
from registry.vocabularies import ImportRunState, SourceAdapterKind

# Rows listed one by one in the report; beyond, they are counted (the run keeps them all).
LISTED = 50


class Command(BaseCommand):
    help = (
        "Importe le fichier d'une source publique (pstw : Public Sector Tech Watch, CSV ou XLSX ; "
        "us-inventory : inventaire fédéral américain 2025 ; mapping : un fichier lu par un profil "
        "de correspondance de colonnes). Chaque ligne est reprise ou signalée avec sa ligne, sa "
        "colonne et le motif ; réimporter le même fichier ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=SourceAdapterKind.values, help="format de la source")
        parser.add_argument("file", help="le fichier (.csv, .xlsx, éventuellement .xz ou .gz)")
        parser.add_argument("--profile", help="profil de correspondance de colonnes (mapping)")
        parser.add_argument(
            "--dry-run", action="store_true", help="lire et compter sans rien écrire"
        )

    def handle(self, *args, kind, file, profile=None, dry_run=False, **options):
        if kind == SourceAdapterKind.MAPPING and kind not in ADAPTERS:
            raise CommandError(
                "« mapping » : l'import d'un fichier par correspondance de colonnes n'est pas "
                "encore disponible. Formats disponibles : " + ", ".join(sorted(ADAPTERS)) + "."
            )
        try:
            adapter = adapter_for(kind, profile=profile)
            content, file_name = read_file(file)
        except SourceFileError as error:
            raise CommandError(str(error)) from None
        show = sys.stderr.isatty() and options.get("verbosity", 1) > 0
        started = time.monotonic()
        run = source_import(
            adapter=adapter,
            content=content,
            file_name=file_name,
            dry_run=dry_run,
            progress=self.progress if show else None,
        )
        if show:
            sys.stderr.write("\n")
        if run.state == ImportRunState.FAILED:
            raise CommandError(run.error)
        self.report(run, time.monotonic() - started)

    def progress(self, run) -> None:
        total = run.rows_total or 0
        sys.stderr.write(f"\r{run.rows_done} / {total} lignes lues")
        sys.stderr.flush()

    def report(self, run, seconds: float) -> None:
        counts = run.counts
        write = self.stdout.write
        if run.dry_run:
            head, created, updated = (
                "Essai à blanc (rien n'est écrit) : ",
                "à créer",
                "à mettre à jour",
            )
        else:
            head, created, updated = "", "créées", "mises à jour"
        write(
            f"{head}{run.source.name}, « {run.file_name} » : {counts['read']} lignes lues, "
            f"{counts['created']} {created}, {counts['updated']} {updated}, "
            f"{counts['unchanged']} inchangées, {counts['skipped']} écartées, "
            f"{counts['rejected']} rejetées ({seconds:.1f} s)."
        )
        matched = {key[6:]: n for key, n in counts.items() if key.startswith("match_")}
        if matched:
            write(
                "Rapprochement des fiches françaises : "
                + ", ".join(f"{rule} {n}" for rule, n in sorted(matched.items()))
                + "."
            )
        for kind, label in ((False, "Rejetées"), (True, "Écartées (hors champ)")):
            rows = [item for item in run.rejections if bool(item.get("skipped")) is kind]
            if not rows:
                continue
            write(f"{label} :")
            for item in rows[:LISTED]:
                column = f", colonne « {item['column']} »" if item["column"] else ""
                ident = f" ({item['original_id']})" if item.get("original_id") else ""
                write(f"  ligne {item['row']}{ident}{column} : {item['reason']}")
            if len(rows) > LISTED:
                write(f"  … et {len(rows) - LISTED} autres (détail dans l'import n° {run.pk}).")
