"""A collectivité's own AI use cases. These tables exist in every collectivité's schema only."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from registry.vocabularies import (
    AIActRisk,
    AIFamily,
    Audience,
    AutomationLevel,
    CostKind,
    Hosting,
    ImpactAssessmentStatus,
    ImpactAssessmentType,
    LessonCategory,
    LessonPolarity,
    MethodPhase,
    PersonalData,
    PublicationState,
    Sourcing,
    Status,
    StatusReason,
    Technique,
    UsersCountBand,
    Visibility,
    WouldRecommend,
    check_constraint_values,
)


def _in(field: str, choices) -> models.Q:
    return models.Q(**{f"{field}__in": check_constraint_values(choices)})


def _blank_or_in(field: str, choices) -> models.Q:
    return models.Q(**{field: ""}) | _in(field, choices)


def _all_in(field: str, choices) -> models.Q:
    return models.Q(**{f"{field}__contained_by": check_constraint_values(choices)})


class UseCase(models.Model):
    # Identity and description
    public_id = models.CharField(
        _("identifiant public"), max_length=80, unique=True, editable=False
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("titre"), max_length=120)
    summary = models.TextField(
        _("résumé"),
        max_length=400,
        validators=[MaxLengthValidator(400)],
        help_text=_("En quelques phrases simples (400 caractères au plus)."),
    )
    context = models.TextField(_("contexte (problème traité)"), blank=True)
    purpose = models.TextField(_("objectifs"), blank=True)
    department_service = models.CharField(_("direction ou service"), max_length=200, blank=True)
    representative = models.CharField(_("référent"), max_length=200, blank=True)
    contact_email = models.EmailField(_("adresse de contact"), blank=True)
    peer_contact_ok = models.BooleanField(
        _("accepte les questions d'autres collectivités"), default=False
    )
    tools = models.ManyToManyField(
        "registry.Tool", verbose_name=_("outils"), blank=True, related_name="+"
    )
    tool_other = models.CharField(
        _("autre outil"),
        max_length=200,
        blank=True,
        help_text=_("Si l'outil n'est pas dans le catalogue."),
    )
    partner_collectivites = models.ManyToManyField(
        "registry.Collectivite",
        verbose_name=_("collectivités partenaires"),
        blank=True,
        related_name="+",
    )

    # Classification
    # Core classification fields may be blank in a draft (the form saves at every step); the
    # submission to the CDG requires them (casestudies.services.CORE_FIELDS).
    ai_family = models.CharField(
        _("famille d'IA"), max_length=20, choices=AIFamily.choices, blank=True
    )
    domains = models.ManyToManyField(
        "registry.Term",
        verbose_name=_("domaines"),
        related_name="+",
        limit_choices_to={"vocabulary": "domain", "active": True},
    )
    techniques = ArrayField(
        models.CharField(max_length=20, choices=Technique.choices),
        verbose_name=_("techniques"),
        default=list,
        blank=True,
    )
    automation_level = models.CharField(
        _("niveau d'automatisation"), max_length=20, choices=AutomationLevel.choices, blank=True
    )
    audiences = ArrayField(
        models.CharField(max_length=20, choices=Audience.choices),
        verbose_name=_("publics"),
        default=list,
        blank=True,
    )
    individual_decision = models.BooleanField(
        _("fonde des décisions individuelles"),
        default=False,
        help_text=_("Obligation de transparence des algorithmes publics (CRPA, art. L312-1-3)."),
    )

    # Lifecycle
    status = models.CharField(
        _("état d'avancement"), max_length=20, choices=Status.choices, blank=True
    )
    status_inferred = models.BooleanField(
        _("état déduit de la source"),
        default=False,
        help_text=_(
            "L'état n'est pas donné par la source : il a été déduit de la démarche décrite."
        ),
    )
    status_reason = models.CharField(
        _("motif d'arrêt"), max_length=20, choices=StatusReason.choices, blank=True
    )
    method_phase = models.CharField(
        _("phase de la méthode"), max_length=20, choices=MethodPhase.choices, blank=True
    )
    started_on = models.DateField(_("début"), null=True, blank=True)
    pilot_on = models.DateField(_("début de l'expérimentation"), null=True, blank=True)
    production_on = models.DateField(_("mise en production"), null=True, blank=True)
    ended_on = models.DateField(_("fin"), null=True, blank=True)
    next_review_on = models.DateField(_("prochain réexamen"), null=True, blank=True)

    # Regulation, risk and data
    ai_act_risk = models.CharField(
        _("risque au sens du règlement européen sur l'IA"),
        max_length=20,
        choices=AIActRisk.choices,
        default=AIActRisk.TO_ASSESS,
    )
    personal_data = models.CharField(
        _("données personnelles"), max_length=20, choices=PersonalData.choices, blank=True
    )
    hosting = models.CharField(
        _("hébergement"), max_length=20, choices=Hosting.choices, default=Hosting.UNKNOWN
    )
    sourcing = models.CharField(
        _("mode d'acquisition"), max_length=30, choices=Sourcing.choices, blank=True
    )
    human_oversight = models.TextField(_("contrôle humain"), blank=True)
    recourse = models.TextField(_("voies de recours"), blank=True)
    risks_and_mitigations = models.TextField(_("risques et mesures prises"), blank=True)

    # Outcomes
    users_count_band = models.CharField(
        _("nombre d'utilisateurs"), max_length=10, choices=UsersCountBand.choices, blank=True
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1 à 5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    would_recommend = models.CharField(
        _("recommanderiez-vous ?"), max_length=20, choices=WouldRecommend.choices, blank=True
    )
    training_done = models.TextField(_("sensibilisation et formation des agents"), blank=True)

    # Publication
    visibility = models.CharField(
        _("visibilité"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    publication_state = models.CharField(
        _("état de publication"),
        max_length=20,
        choices=PublicationState.choices,
        default=PublicationState.DRAFT,
    )
    external_ref = models.CharField(
        _("référence externe"),
        max_length=80,
        blank=True,
        help_text=_(
            "Clé stable d'une fiche importée (seed, import) : réimporter ne la duplique pas."
        ),
    )
    source = models.TextField(
        _("source"),
        blank=True,
        help_text=_("D'où vient cette fiche (ex. guide du CDG74, chapitre 5)."),
    )
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("cas d'usage")
        verbose_name_plural = _("cas d'usage")
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=_blank_or_in("ai_family", AIFamily), name="usecase_ai_family_valid"
            ),
            models.CheckConstraint(
                condition=_blank_or_in("automation_level", AutomationLevel),
                name="usecase_automation_valid",
            ),
            models.CheckConstraint(
                condition=_blank_or_in("status", Status), name="usecase_status_valid"
            ),
            models.CheckConstraint(
                condition=_blank_or_in("status_reason", StatusReason),
                name="usecase_status_reason_valid",
            ),
            models.CheckConstraint(
                condition=_blank_or_in("method_phase", MethodPhase),
                name="usecase_method_phase_valid",
            ),
            models.CheckConstraint(
                condition=_in("ai_act_risk", AIActRisk), name="usecase_ai_act_valid"
            ),
            models.CheckConstraint(
                condition=_blank_or_in("personal_data", PersonalData),
                name="usecase_personal_data_valid",
            ),
            models.CheckConstraint(condition=_in("hosting", Hosting), name="usecase_hosting_valid"),
            models.CheckConstraint(
                condition=_blank_or_in("sourcing", Sourcing), name="usecase_sourcing_valid"
            ),
            models.CheckConstraint(
                condition=_blank_or_in("users_count_band", UsersCountBand),
                name="usecase_users_band_valid",
            ),
            models.CheckConstraint(
                condition=_blank_or_in("would_recommend", WouldRecommend),
                name="usecase_would_recommend_valid",
            ),
            models.CheckConstraint(
                condition=_in("visibility", Visibility), name="usecase_visibility_valid"
            ),
            models.CheckConstraint(
                condition=_in("publication_state", PublicationState),
                name="usecase_publication_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__range=(1, 5)),
                name="usecase_satisfaction_range",
            ),
            models.CheckConstraint(
                condition=_all_in("techniques", Technique), name="usecase_techniques_valid"
            ),
            models.CheckConstraint(
                condition=_all_in("audiences", Audience), name="usecase_audiences_valid"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("summary"), 400),
                name="usecase_summary_length",
                violation_error_message=_("Le résumé ne doit pas dépasser 400 caractères."),
            ),
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~models.Q(external_ref=""),
                name="usecase_external_ref_unique",
            ),
        ]

    def __str__(self):
        return f"{self.public_id} — {self.title}"

    def clean(self):
        if self.started_on:
            errors = {
                name: _("Cette date précède le début du projet (%(start)s).")
                % {"start": self.started_on.strftime("%d/%m/%Y")}
                for name in ("pilot_on", "production_on", "ended_on")
                if getattr(self, name) and getattr(self, name) < self.started_on
            }
            if errors:
                raise ValidationError(errors)


class ApproachStep(models.Model):
    """One step of the approach, in order (the "Approche" bullets of the guide's table)."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("ordre"))
    text = models.TextField(_("étape"))
    phase = models.CharField(
        _("phase de la méthode"), max_length=20, choices=MethodPhase.choices, blank=True
    )
    done = models.BooleanField(_("réalisée"), default=False)

    class Meta:
        verbose_name = _("étape de la démarche")
        verbose_name_plural = _("étapes de la démarche")
        ordering = ["use_case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["use_case", "position"], name="step_position_unique"),
            models.CheckConstraint(
                condition=_blank_or_in("phase", MethodPhase), name="step_phase_valid"
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.text[:60]}"


class Lesson(models.Model):
    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="lessons")
    category = models.CharField(_("thème"), max_length=20, choices=LessonCategory.choices)
    polarity = models.CharField(_("nature"), max_length=20, choices=LessonPolarity.choices)
    text = models.TextField(_("enseignement"))
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("enseignement")
        verbose_name_plural = _("enseignements")
        ordering = ["use_case", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_in("category", LessonCategory), name="lesson_category_valid"
            ),
            models.CheckConstraint(
                condition=_in("polarity", LessonPolarity), name="lesson_polarity_valid"
            ),
        ]

    def __str__(self):
        return self.text[:60]


class Metric(models.Model):
    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="metrics")
    name = models.CharField(_("indicateur"), max_length=200)
    unit = models.CharField(_("unité"), max_length=50, blank=True)
    baseline = models.DecimalField(
        _("valeur de départ"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    value = models.DecimalField(
        _("valeur mesurée"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    period = models.CharField(_("période"), max_length=100, blank=True)
    method = models.TextField(_("méthode de mesure"), blank=True)

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["use_case", "id"]

    def __str__(self):
        return self.name


class Cost(models.Model):
    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="costs")
    kind = models.CharField(_("nature"), max_length=20, choices=CostKind.choices)
    amount = models.DecimalField(
        _("montant (€)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    period = models.CharField(_("période"), max_length=100, blank=True)
    funding_source = models.CharField(_("financement"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("coût")
        verbose_name_plural = _("coûts")
        ordering = ["use_case", "id"]
        constraints = [
            models.CheckConstraint(condition=_in("kind", CostKind), name="cost_kind_valid"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="cost_amount_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} : {self.amount} €"


class ImpactAssessment(models.Model):
    use_case = models.ForeignKey(
        UseCase, on_delete=models.CASCADE, related_name="impact_assessments"
    )
    type = models.CharField(_("type"), max_length=20, choices=ImpactAssessmentType.choices)
    status = models.CharField(_("état"), max_length=20, choices=ImpactAssessmentStatus.choices)
    date = models.DateField(_("date"), null=True, blank=True)
    link = models.URLField(_("lien"), blank=True)

    class Meta:
        verbose_name = _("analyse d'impact")
        verbose_name_plural = _("analyses d'impact")
        ordering = ["use_case", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_in("type", ImpactAssessmentType), name="impact_type_valid"
            ),
            models.CheckConstraint(
                condition=_in("status", ImpactAssessmentStatus), name="impact_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} ({self.get_status_display()})"


class UseCaseEvent(models.Model):
    """Audit trail: who did which transition, when, with what comment."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("état précédent"), max_length=20, blank=True)
    to_state = models.CharField(_("nouvel état"), max_length=20, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    changes = models.JSONField(
        _("modifications"),
        default=dict,
        blank=True,
        help_text=_("Champ par champ : valeur avant, valeur après."),
    )
    created_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("historique")
        ordering = ["use_case", "created_at", "id"]

    def __str__(self):
        return f"{self.action} ({self.created_at:%Y-%m-%d})"


class UseCaseRisk(models.Model):
    """A risk of the knowledge base's catalogue that the use case met, with the measure taken."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="risks")
    risk = models.ForeignKey(
        "knowledge.Risk", verbose_name=_("risque"), on_delete=models.PROTECT, related_name="+"
    )
    mitigation = models.TextField(_("mesure prise"), blank=True)

    class Meta:
        verbose_name = _("risque rencontré")
        verbose_name_plural = _("risques rencontrés")
        ordering = ["use_case", "risk__position"]
        constraints = [
            models.UniqueConstraint(fields=["use_case", "risk"], name="usecase_risk_unique")
        ]

    def __str__(self):
        return str(self.risk)


class MaturityAssessment(models.Model):
    """The collectivité's own answers to the maturity questionnaire (its schema only)."""

    answers = models.JSONField(_("réponses"))
    scores = models.JSONField(_("scores par axe"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("autodiagnostic de maturité")
        verbose_name_plural = _("autodiagnostics de maturité")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d}"
