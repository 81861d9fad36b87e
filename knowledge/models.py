"""The guide's knowledge, as linked data in the public schema: articles, glossary, risk
catalogue, the four-phase method, bibliography, and the maturity questionnaire."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models import Collectivite
from registry.vocabularies import MethodPhase, check_constraint_values


class Article(models.Model):
    slug = models.SlugField(_("identifiant"), max_length=100, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    chapter = models.CharField(_("chapitre"), max_length=20)
    chapter_title = models.CharField(_("titre du chapitre"), max_length=200)
    section = models.CharField(_("section du guide"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("ordre"), default=0)
    summary = models.CharField(_("résumé"), max_length=400)
    body = models.TextField(_("texte (Markdown)"))
    source = models.CharField(_("source"), max_length=400)
    search_vector = SearchVectorField(null=True, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["position", "title"]
        indexes = [GinIndex(fields=["search_vector"], name="article_search_gin")]

    def __str__(self):
        return self.title


class GlossaryTerm(models.Model):
    slug = models.SlugField(_("identifiant"), max_length=100, unique=True)
    term = models.CharField(_("terme"), max_length=200)
    definition = models.TextField(_("définition"))
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="terms",
    )
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("terme du glossaire")
        verbose_name_plural = _("glossaire")
        ordering = ["term"]
        indexes = [GinIndex(fields=["search_vector"], name="term_search_gin")]

    def __str__(self):
        return self.term


class RiskKind(models.TextChoices):
    BIAS = "bias", _("Biais")
    LEGAL = "legal", _("Risque juridique")
    DEPENDENCY = "dependency", _("Dépendance technologique")


def _address_field():
    return models.SlugField(
        _("adresse de la page"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_(
            "En français, la fin de l'adresse de la page (« biais-de-confirmation »). Laissée "
            "vide, elle est tirée du nom. L'ancienne adresse par le code reste valable."
        ),
    )


class Risk(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    slug = _address_field()
    kind = models.CharField(_("nature"), max_length=20, choices=RiskKind.choices)
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"))
    mitigations = ArrayField(models.TextField(), verbose_name=_("mesures"), default=list)
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risks",
    )
    position = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("risque")
        verbose_name_plural = _("catalogue des risques")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=check_constraint_values(RiskKind)),
                name="risk_kind_valid",
            )
        ]

    def __str__(self):
        return self.name


class Phase(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True, choices=MethodPhase.choices)
    slug = _address_field()
    name = models.CharField(_("nom"), max_length=200)
    position = models.PositiveSmallIntegerField(_("ordre"))
    summary = models.TextField(_("résumé"))
    steps = ArrayField(models.TextField(), verbose_name=_("étapes"), default=list)
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="phases",
    )

    class Meta:
        verbose_name = _("phase de la méthode")
        verbose_name_plural = _("méthode en quatre phases")
        ordering = ["position"]

    def __str__(self):
        return self.name


class BibliographyEntry(models.Model):
    publisher = models.CharField(_("éditeur ou auteur"), max_length=300)
    date = models.CharField(
        _("date"),
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d{4}(-(0[1-9]|1[0-2]))?$",
                _("Date attendue : l'année et le mois, AAAA-MM (2024-04), ou l'année seule."),
            )
        ],
        help_text=_("AAAA-MM (2024-04) : la page l'écrit « avril 2024 »."),
    )
    title = models.CharField(_("titre"), max_length=500)
    url = models.URLField(_("lien"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    position = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("référence")
        verbose_name_plural = _("bibliographie")
        ordering = ["position"]

    def __str__(self):
        return self.title


class MaturityAxis(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"))
    next_steps = ArrayField(models.TextField(), verbose_name=_("prochaines étapes"), default=list)
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("axe de maturité")
        verbose_name_plural = _("axes de maturité")
        ordering = ["position"]

    def __str__(self):
        return self.name


class MaturityQuestion(models.Model):
    axis = models.ForeignKey(MaturityAxis, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("code"), max_length=60, unique=True)
    text = models.TextField(_("question"))
    choices = models.JSONField(_("réponses"), help_text=_('[{"label": …, "score": 0 à 4}]'))
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("question de maturité")
        verbose_name_plural = _("questions de maturité")
        ordering = ["axis__position", "position"]

    def __str__(self):
        return self.text[:80]


class MaturityScore(models.Model):
    """The public aggregate of a collectivité's self-assessment: one score (0 to 100) per axis,
    written with its answers. Peer medians read only this table, never anyone's answers."""

    collectivite = models.ForeignKey(Collectivite, on_delete=models.CASCADE, related_name="+")
    collectivite_kind = models.CharField(max_length=20)
    population_band = models.CharField(max_length=20, blank=True)
    axis = models.CharField(max_length=40)
    score = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("score de maturité (agrégat)")
        verbose_name_plural = _("scores de maturité (agrégat)")
        constraints = [
            models.UniqueConstraint(fields=["collectivite", "axis"], name="maturity_score_unique"),
            models.CheckConstraint(condition=models.Q(score__lte=100), name="maturity_score_range"),
        ]
        indexes = [
            models.Index(
                fields=["collectivite_kind", "population_band", "axis"], name="maturity_peer_idx"
            ),
        ]

    def __str__(self):
        return f"{self.collectivite_id} {self.axis} {self.score}"
