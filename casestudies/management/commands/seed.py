from django.conf import settings
from django.core.management.base import BaseCommand

from casestudies import seed


class Command(BaseCommand):
    help = (
        "Charge les données du guide du CDG74 (idempotent) ; "
        "--demo ajoute les comptes de démonstration."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo", action="store_true", help="Crée aussi les comptes de démonstration."
        )

    def handle(self, *args, demo=False, **options):
        report, collectivites, password = seed.seed(demo=demo)
        if report.changed:
            details = ", ".join(f"{kind} : {n}" for kind, n in report.created.items() if n)
            self.stdout.write(self.style.SUCCESS(f"Données du guide chargées ({details})."))
        else:
            self.stdout.write("Données du guide déjà en place : rien n'a changé.")
        if demo:
            self.print_demo(collectivites, password)

    def print_demo(self, collectivites, password):
        port = settings.RUN_PORT
        base = settings.BASE_DOMAIN
        write = self.stdout.write
        write("")
        write(f"Site public             http://{base}:{port}/")
        write(f"Administration commune  http://{base}:{port}/admin/")
        write(f"API (documentation)     http://{base}:{port}/api/docs/")
        for slug in collectivites:
            write(f"{slug:<23} http://{slug}.{base}:{port}/   (admin : /admin/)")
        _password, origin = seed.demo_password()
        write("")
        write(f"Comptes de démonstration (mot de passe : {password}  — source : {origin})")
        for email, _name, slug, curator in seed.demo_accounts(collectivites):
            write(f"  {email:<40} {'curateur CDG' if curator else slug}")
