from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.services import collectivite_create, primary_host
from registry.vocabularies import CollectiviteKind


class Command(BaseCommand):
    help = (
        "Crée une collectivité : son schéma (migré), son adresse <identifiant>.<BASE_DOMAIN>. "
        'Exemple : create_collectivite grand-annecy "Grand Annecy" --kind ca --population 210000'
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "slug", help="identifiant : minuscules, chiffres et tirets (ex. grand-annecy)"
        )
        parser.add_argument("name", help="nom de la collectivité")
        parser.add_argument(
            "--kind", required=True, help="type : " + ", ".join(CollectiviteKind.values)
        )
        parser.add_argument("--siren", default="")
        parser.add_argument("--insee", dest="insee_code", default="")
        parser.add_argument("--departement", default="74")
        parser.add_argument("--population", type=int)
        parser.add_argument("--contact-email", dest="contact_email", default="")
        parser.add_argument("--not-cdg-member", dest="cdg_member", action="store_false")

    def handle(self, *args, slug, name, **options):
        fields = {
            key: options[key]
            for key in (
                "kind",
                "siren",
                "insee_code",
                "departement",
                "population",
                "contact_email",
                "cdg_member",
            )
        }
        try:
            collectivite = collectivite_create(slug=slug, name=name, **fields)
        except ValidationError as error:
            raise CommandError(_describe(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Collectivité « {collectivite.name} » créée : schéma {collectivite.schema_name}, "
                f"adresse {primary_host(collectivite.slug)}."
            )
        )


def _describe(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    lines = ["Collectivité non créée :"]
    for field, messages in error.message_dict.items():
        label = {"__all__": "ensemble"}.get(field, field)
        lines.extend(f"  {label} : {message}" for message in messages)
    return "\n".join(lines)
