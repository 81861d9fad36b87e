"""French addresses of the risk and phase pages (/connaissances/risques/biais-de-confirmation/):
a `slug` beside the code, filled for the rows already there; the code's address redirects."""

from django.db import migrations, models
from django.utils.text import slugify

# The guide's risks and phases (fixtures/knowledge.json gives the same addresses).
ADDRESSES = {
    "risk": {
        "bias_confirmation": "biais-de-confirmation",
        "bias_halo": "effet-de-halo-technologique",
        "bias_automation": "biais-d-automatisation",
        "bias_sampling": "biais-d-echantillonnage",
        "bias_group": "biais-de-groupe",
        "legal_liability": "responsabilite-en-cas-d-erreur",
        "legal_gdpr": "rgpd-et-donnees-personnelles",
        "legal_ip": "propriete-intellectuelle",
        "legal_discrimination": "discrimination-illegale",
        "legal_international": "conformite-internationale",
        "tech_dependency": "dependance-technologique",
    },
    "phase": {
        "planning": "planification",
        "generalist_rollout": "mise-en-place-des-ia-generalistes",
        "business_rollout": "deploiement-des-ia-metiers",
        "governance": "gouvernance-et-suivi",
    },
}

HELP = (
    "En français, la fin de l'adresse de la page (« biais-de-confirmation »). Laissée vide, elle "
    "est tirée du nom. L'ancienne adresse par le code reste valable."
)


def fill(apps, schema_editor):
    for model_name, known in ADDRESSES.items():
        model = apps.get_model("knowledge", model_name)
        taken = set()
        for row in model.objects.order_by("pk"):
            slug = known.get(row.code) or slugify(row.name)[:90] or row.code.replace("_", "-")
            candidate, n = slug, 2
            while candidate in taken:
                candidate, n = f"{slug}-{n}", n + 1
            taken.add(candidate)
            model.objects.filter(pk=row.pk).update(slug=candidate)


def field(unique):
    return models.SlugField(
        blank=True,
        help_text=HELP,
        max_length=100,
        unique=unique,
        verbose_name="adresse de la page",
        **({} if unique else {"default": "", "db_index": False}),
    )


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.AddField(model_name="phase", name="slug", field=field(False)),
        migrations.AddField(model_name="risk", name="slug", field=field(False)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(model_name="phase", name="slug", field=field(True)),
        migrations.AlterField(model_name="risk", name="slug", field=field(True)),
    ]
