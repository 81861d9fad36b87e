"""A collectivité's own AI use cases. These tables exist in every collectivité's schema only."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    URLValidator,
)
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from registry import snapshot
from registry.constraints import PythonConstraints
from registry.snapshot import child_choices, child_label, choices, help_text, label
from registry.vocabularies import (
    AIActRisk,
    Hosting,
    PublicationState,
    Status,
    Visibility,
    check_constraint_values,
)


def _vocabulary(field: str, row: str | None):
    """The declared vocabulary of a field (registry.snapshot), of a use case or of its rows."""
    declared = snapshot.get(row).child(field) if row else snapshot.get(field)
    return declared.vocabulary


def _in(field: str, row: str | None = None) -> models.Q:
    return models.Q(**{f"{field}__in": check_constraint_values(_vocabulary(field, row))})


def _blank_or_in(field: str, row: str | None = None) -> models.Q:
    return models.Q(**{field: ""}) | _in(field, row)


def _all_in(field: str) -> models.Q:
    return models.Q(**{f"{field}__contained_by": check_constraint_values(_vocabulary(field, None))})


# The statuses of a project that has stopped: its « motif d'arrêt » is required.
STOPPED_STATUSES = frozenset({Status.RETIRED, Status.ABANDONED})


def validate_links(value: str) -> None:
    """Web addresses, one a line: each one a full http(s) address."""
    check = URLValidator(schemes=["http", "https"])
    for line in (value or "").replace("|", " ").split():
        try:
            check(line)
        except ValidationError:
            raise ValidationError(
                _("« %(line)s » n'est pas une adresse web complète (https://…)."),
                params={"line": line},
            ) from None


class UseCase(PythonConstraints, models.Model):
    # Identity and description
    public_id = models.CharField(label("public_id"), max_length=80, unique=True, editable=False)
    uuid = models.UUIDField(label("uuid"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(label("title"), help_text=help_text("title"), max_length=120)
    summary = models.TextField(
        label("summary"),
        max_length=400,
        validators=[MaxLengthValidator(400)],
        help_text=help_text("summary"),
    )
    context = models.TextField(label("context"), help_text=help_text("context"), blank=True)
    purpose = models.TextField(label("purpose"), blank=True)
    department_service = models.CharField(label("department_service"), max_length=200, blank=True)
    representative = models.CharField(
        label("representative"), help_text=help_text("representative"), max_length=200, blank=True
    )
    contact_email = models.EmailField(label("contact_email"), blank=True)
    public_contact_email = models.EmailField(
        label("public_contact_email"), help_text=help_text("public_contact_email"), blank=True
    )
    peer_contact_ok = models.BooleanField(label("peer_contact_ok"), default=False)
    tools = models.ManyToManyField(
        "registry.Tool", verbose_name=label("tools"), blank=True, related_name="+"
    )
    tool_other = models.CharField(
        label("tool_other"),
        max_length=200,
        blank=True,
        help_text=help_text("tool_other"),
    )
    partner_collectivites = models.ManyToManyField(
        "registry.Collectivite",
        verbose_name=label("partner_collectivites"),
        help_text=help_text("partner_collectivites"),
        blank=True,
        related_name="+",
    )

    # Classification
    # Core classification fields may be blank in a draft (the form saves at every step); the
    # submission to the CDG requires them (the core fields of registry.snapshot).
    ai_family = models.CharField(
        label("ai_family"),
        help_text=help_text("ai_family"),
        max_length=20,
        choices=choices("ai_family"),
        blank=True,
    )
    domains = models.ManyToManyField(
        "registry.Term",
        verbose_name=label("domains"),
        help_text=help_text("domains"),
        related_name="+",
        limit_choices_to={"vocabulary": "domain", "active": True},
    )
    techniques = ArrayField(
        models.CharField(max_length=20, choices=choices("techniques")),
        verbose_name=label("techniques"),
        default=list,
        blank=True,
    )
    automation_level = models.CharField(
        label("automation_level"), max_length=20, choices=choices("automation_level"), blank=True
    )
    audiences = ArrayField(
        models.CharField(max_length=20, choices=choices("audiences")),
        verbose_name=label("audiences"),
        default=list,
        blank=True,
    )
    individual_decision = models.BooleanField(
        label("individual_decision"),
        default=False,
        help_text=help_text("individual_decision"),
    )

    # Lifecycle
    status = models.CharField(
        label("status"),
        help_text=help_text("status"),
        max_length=20,
        choices=choices("status"),
        blank=True,
    )
    status_inferred = models.BooleanField(
        label("status_inferred"),
        default=False,
        help_text=help_text("status_inferred"),
    )
    status_reason = models.CharField(
        label("status_reason"), max_length=20, choices=choices("status_reason"), blank=True
    )
    method_phase = models.CharField(
        label("method_phase"), max_length=20, choices=choices("method_phase"), blank=True
    )
    started_on = models.DateField(label("started_on"), null=True, blank=True)
    pilot_on = models.DateField(label("pilot_on"), null=True, blank=True)
    production_on = models.DateField(label("production_on"), null=True, blank=True)
    ended_on = models.DateField(label("ended_on"), null=True, blank=True)
    next_review_on = models.DateField(label("next_review_on"), null=True, blank=True)

    # Regulation, risk and data
    ai_act_risk = models.CharField(
        label("ai_act_risk"),
        max_length=20,
        choices=choices("ai_act_risk"),
        default=AIActRisk.TO_ASSESS,
    )
    personal_data = models.CharField(
        label("personal_data"), max_length=20, choices=choices("personal_data"), blank=True
    )
    hosting = models.CharField(
        label("hosting"), max_length=20, choices=choices("hosting"), default=Hosting.UNKNOWN
    )
    sourcing = models.CharField(
        label("sourcing"), max_length=30, choices=choices("sourcing"), blank=True
    )
    legal_basis = models.TextField(
        label("legal_basis"), help_text=help_text("legal_basis"), blank=True
    )
    legal_basis_links = models.TextField(
        label("legal_basis_links"),
        help_text=help_text("legal_basis_links"),
        blank=True,
        validators=[validate_links],
    )
    data_sources = models.TextField(
        label("data_sources"), help_text=help_text("data_sources"), blank=True
    )
    personal_data_categories = models.TextField(
        label("personal_data_categories"),
        help_text=help_text("personal_data_categories"),
        blank=True,
    )
    documentation_url = models.URLField(
        label("documentation_url"),
        help_text=help_text("documentation_url"),
        max_length=500,
        blank=True,
    )
    human_oversight = models.TextField(label("human_oversight"), blank=True)
    recourse = models.TextField(label("recourse"), blank=True)
    risks_and_mitigations = models.TextField(label("risks_and_mitigations"), blank=True)

    # Outcomes
    users_count_band = models.CharField(
        label("users_count_band"), max_length=10, choices=choices("users_count_band"), blank=True
    )
    satisfaction = models.PositiveSmallIntegerField(
        label("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    would_recommend = models.CharField(
        label("would_recommend"), max_length=20, choices=choices("would_recommend"), blank=True
    )
    training_done = models.TextField(label("training_done"), blank=True)

    # Publication
    visibility = models.CharField(
        label("visibility"),
        help_text=help_text("visibility"),
        max_length=10,
        choices=choices("visibility"),
        default=Visibility.PRIVATE,
    )
    publication_state = models.CharField(
        label("publication_state"),
        max_length=20,
        choices=choices("publication_state"),
        default=PublicationState.DRAFT,
    )
    claimed_from = models.CharField(
        label("claimed_from"), help_text=help_text("claimed_from"), max_length=80, blank=True
    )
    external_ref = models.CharField(
        label("external_ref"),
        max_length=80,
        blank=True,
        help_text=help_text("external_ref"),
    )
    source = models.TextField(
        label("source"),
        blank=True,
        help_text=help_text("source"),
    )
    inferred_fields = ArrayField(
        models.CharField(max_length=40, choices=choices("inferred_fields")),
        verbose_name=label("inferred_fields"),
        help_text=help_text("inferred_fields"),
        default=list,
        blank=True,
    )
    published_at = models.DateTimeField(label("published_at"), null=True, blank=True)
    verified_on = models.DateField(
        label("verified_on"), help_text=help_text("verified_on"), null=True, blank=True
    )
    created_at = models.DateTimeField(label("created_at"), auto_now_add=True)
    updated_at = models.DateTimeField(label("updated_at"), auto_now=True)

    class Meta:
        verbose_name = _("cas d'usage")
        verbose_name_plural = _("cas d'usage")
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=_blank_or_in("ai_family"), name="usecase_ai_family_valid"
            ),
            models.CheckConstraint(
                condition=_blank_or_in("automation_level"),
                name="usecase_automation_valid",
            ),
            models.CheckConstraint(condition=_blank_or_in("status"), name="usecase_status_valid"),
            models.CheckConstraint(
                condition=_blank_or_in("status_reason"),
                name="usecase_status_reason_valid",
            ),
            models.CheckConstraint(
                condition=_blank_or_in("method_phase"),
                name="usecase_method_phase_valid",
            ),
            models.CheckConstraint(condition=_in("ai_act_risk"), name="usecase_ai_act_valid"),
            models.CheckConstraint(
                condition=_blank_or_in("personal_data"),
                name="usecase_personal_data_valid",
            ),
            models.CheckConstraint(condition=_in("hosting"), name="usecase_hosting_valid"),
            models.CheckConstraint(
                condition=_blank_or_in("sourcing"), name="usecase_sourcing_valid"
            ),
            models.CheckConstraint(
                condition=_blank_or_in("users_count_band"),
                name="usecase_users_band_valid",
            ),
            models.CheckConstraint(
                condition=_blank_or_in("would_recommend"),
                name="usecase_would_recommend_valid",
            ),
            models.CheckConstraint(condition=_in("visibility"), name="usecase_visibility_valid"),
            models.CheckConstraint(
                condition=_in("publication_state"),
                name="usecase_publication_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__range=(1, 5)),
                name="usecase_satisfaction_range",
            ),
            models.CheckConstraint(
                condition=_all_in("techniques"), name="usecase_techniques_valid"
            ),
            models.CheckConstraint(condition=_all_in("audiences"), name="usecase_audiences_valid"),
            models.CheckConstraint(
                condition=_all_in("inferred_fields"), name="usecase_inferred_fields_valid"
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
        errors = {}
        if self.started_on:
            errors = {
                name: _("Cette date précède le début du projet (%(start)s).")
                % {"start": self.started_on.strftime("%d/%m/%Y")}
                for name in ("pilot_on", "production_on", "ended_on")
                if getattr(self, name) and getattr(self, name) < self.started_on
            }
        # A stopped project says why: what peers most need to learn from it.
        if self.status in STOPPED_STATUSES and not self.status_reason:
            errors["status_reason"] = _(
                "Indiquez le motif d'arrêt : le projet est « %(status)s »."
            ) % {"status": self.get_status_display()}
        if errors:
            raise ValidationError(errors)


class ApproachStep(PythonConstraints, models.Model):
    """One step of the approach, in order (the "Approche" bullets of the guide's table)."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(child_label("steps", "position"))
    text = models.TextField(child_label("steps", "text"))
    phase = models.CharField(
        child_label("steps", "phase"),
        max_length=20,
        choices=child_choices("steps", "phase"),
        blank=True,
    )
    done = models.BooleanField(child_label("steps", "done"), default=False)

    class Meta:
        verbose_name = _("étape de la démarche")
        verbose_name_plural = _("étapes de la démarche")
        ordering = ["use_case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["use_case", "position"], name="step_position_unique"),
            models.CheckConstraint(
                condition=_blank_or_in("phase", "steps"), name="step_phase_valid"
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.text[:60]}"


class Lesson(PythonConstraints, models.Model):
    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="lessons")
    category = models.CharField(
        child_label("lessons", "category"),
        max_length=20,
        choices=child_choices("lessons", "category"),
    )
    polarity = models.CharField(
        child_label("lessons", "polarity"),
        max_length=20,
        choices=child_choices("lessons", "polarity"),
    )
    text = models.TextField(child_label("lessons", "text"))
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("enseignement")
        verbose_name_plural = _("enseignements")
        ordering = ["use_case", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_in("category", "lessons"), name="lesson_category_valid"
            ),
            models.CheckConstraint(
                condition=_in("polarity", "lessons"), name="lesson_polarity_valid"
            ),
        ]

    def __str__(self):
        return self.text[:60]


class Metric(PythonConstraints, models.Model):
    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="metrics")
    name = models.CharField(child_label("metrics", "name"), max_length=200)
    unit = models.CharField(child_label("metrics", "unit"), max_length=50, blank=True)
    baseline = models.DecimalField(
        child_label("metrics", "baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    value = models.DecimalField(
        child_label("metrics", "value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    period = models.CharField(child_label("metrics", "period"), max_length=100, blank=True)
    method = models.TextField(child_label("metrics", "method"), blank=True)

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["use_case", "id"]

    def __str__(self):
        return self.name


class Cost(PythonConstraints, models.Model):
    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="costs")
    kind = models.CharField(
        child_label("costs", "kind"), max_length=20, choices=child_choices("costs", "kind")
    )
    amount = models.DecimalField(
        child_label("costs", "amount"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    period = models.CharField(child_label("costs", "period"), max_length=100, blank=True)
    funding_source = models.CharField(
        child_label("costs", "funding_source"), max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("coût")
        verbose_name_plural = _("coûts")
        ordering = ["use_case", "id"]
        constraints = [
            models.CheckConstraint(condition=_in("kind", "costs"), name="cost_kind_valid"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="cost_amount_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} : {self.amount} €"


class ImpactAssessment(PythonConstraints, models.Model):
    use_case = models.ForeignKey(
        UseCase, on_delete=models.CASCADE, related_name="impact_assessments"
    )
    type = models.CharField(
        child_label("impact_assessments", "type"),
        max_length=20,
        choices=child_choices("impact_assessments", "type"),
    )
    status = models.CharField(
        child_label("impact_assessments", "status"),
        max_length=20,
        choices=child_choices("impact_assessments", "status"),
    )
    date = models.DateField(child_label("impact_assessments", "date"), null=True, blank=True)
    link = models.URLField(child_label("impact_assessments", "link"), blank=True)

    class Meta:
        verbose_name = _("analyse d'impact")
        verbose_name_plural = _("analyses d'impact")
        ordering = ["use_case", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_in("type", "impact_assessments"), name="impact_type_valid"
            ),
            models.CheckConstraint(
                condition=_in("status", "impact_assessments"), name="impact_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} ({self.get_status_display()})"


class UseCaseEvent(PythonConstraints, models.Model):
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


class UseCaseRisk(PythonConstraints, models.Model):
    """A risk of the knowledge base's catalogue that the use case met, with the measure taken."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="risks")
    risk = models.ForeignKey(
        "knowledge.Risk",
        verbose_name=child_label("risks", "code"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    mitigation = models.TextField(child_label("risks", "mitigation"), blank=True)

    class Meta:
        verbose_name = _("risque rencontré")
        verbose_name_plural = _("risques rencontrés")
        ordering = ["use_case", "risk__position"]
        constraints = [
            models.UniqueConstraint(fields=["use_case", "risk"], name="usecase_risk_unique")
        ]

    def __str__(self):
        return str(self.risk)


class MaturityAssessment(PythonConstraints, models.Model):
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
