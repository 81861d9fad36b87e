"""The web form for declaring a use case, in steps: each step saves the draft."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casestudies.models import UseCase
from registry import vocabularies as v
from registry.models import Term, Tool


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DescriptionForm(forms.ModelForm):
    class Meta:
        model = UseCase
        fields = [
            "title",
            "summary",
            "context",
            "purpose",
            "department_service",
            "representative",
            "contact_email",
            "peer_contact_ok",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3, "maxlength": 400}),
            "context": forms.Textarea(attrs={"rows": 3}),
            "purpose": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "title": _(
                "120 caractères au plus, ex. « Aide à la rédaction des arrêtés de carrière »."
            ),
            "context": _("Le problème que le projet cherche à résoudre."),
            "representative": _("La personne à contacter pour ce projet."),
        }


class ClassificationForm(forms.ModelForm):
    tools = forms.ModelMultipleChoiceField(
        label=_("Outils du catalogue"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        queryset=Tool.objects.filter(merged_into__isnull=True, deprecated=False).order_by("name"),
    )
    domains = forms.ModelMultipleChoiceField(
        label=_("Domaines"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        queryset=Term.objects.filter(vocabulary="domain", active=True),
        help_text=_("Au moins un, pour soumettre au CDG."),
    )
    techniques = forms.MultipleChoiceField(
        label=_("Techniques"),
        choices=v.Technique.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partner_collectivites = forms.ModelMultipleChoiceField(
        label=_("Collectivités partenaires (mutualisation)"),
        required=False,
        queryset=None,
        help_text=_("Celles qui partagent ce déploiement, le cas échéant."),
    )
    audiences = forms.MultipleChoiceField(
        label=_("Publics concernés"),
        choices=v.Audience.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = UseCase
        fields = [
            "tools",
            "tool_other",
            "ai_family",
            "domains",
            "techniques",
            "audiences",
            "automation_level",
            "individual_decision",
            "status",
            "status_reason",
            "method_phase",
            "started_on",
            "production_on",
            "ai_act_risk",
            "personal_data",
            "hosting",
            "sourcing",
        ]
        widgets = {"started_on": DateInput(), "production_on": DateInput()}
        help_texts = {
            "ai_family": _(
                "Généraliste (ChatGPT, Mistral…) ou métier (outil conçu pour une tâche)."
            ),
            "status": _("Obligatoire pour soumettre au CDG."),
        }

    def __init__(self, *args, **kwargs):
        from django.db import connection
        from django.db.models import Q

        from registry.models import Collectivite

        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A tool deprecated since it was linked stays selectable where it already is.
            self.fields["tools"].queryset = Tool.objects.filter(
                Q(merged_into__isnull=True, deprecated=False) | Q(pk__in=self.instance.tools.all())
            ).order_by("name")
        self.fields["partner_collectivites"].queryset = Collectivite.objects.exclude(
            pk=connection.tenant.pk
        ).order_by("name")


class ResultsForm(forms.ModelForm):
    class Meta:
        model = UseCase
        fields = [
            "users_count_band",
            "satisfaction",
            "would_recommend",
            "human_oversight",
            "recourse",
            "risks_and_mitigations",
            "training_done",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("human_oversight", "recourse", "risks_and_mitigations", "training_done")
        }


class VisibilityForm(forms.ModelForm):
    class Meta:
        model = UseCase
        fields = ["visibility"]
        widgets = {"visibility": forms.RadioSelect}
        help_texts = {
            "visibility": _(
                "« Collectivité seule » : rien ne sort de votre espace. « Réseau » : les membres "
                "des collectivités et le CDG. « Public » : données ouvertes."
            )
        }


class RowForm(forms.Form):
    """A row of a list (step, lesson, cost…): empty rows are ignored, but a row the person
    started must have its main field, or what was typed would be silently dropped."""

    key_field = ""
    key_message = _("Remplissez ce champ, ou videz la ligne.")
    # Fields whose value shows the person meant this row (choices with a default do not).
    significant_fields: tuple[str, ...] = ()

    def clean(self):
        data = super().clean()
        started = any(data.get(name) not in (None, "", False) for name in self.significant_fields)
        if started and not data.get(self.key_field) and self.key_field not in self.errors:
            self.add_error(self.key_field, self.key_message)
        return data


class StepForm(RowForm):
    key_field = "text"
    text = forms.CharField(label=_("Étape"), required=False, max_length=1000)
    phase = forms.ChoiceField(
        label=_("Phase de la méthode"), required=False, choices=[("", "—"), *v.MethodPhase.choices]
    )
    done = forms.BooleanField(label=_("Réalisée"), required=False)


class LessonForm(RowForm):
    key_field = "text"

    text = forms.CharField(
        label=_("Enseignement"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    category = forms.ChoiceField(
        label=_("Thème"), choices=v.LessonCategory.choices, initial=v.LessonCategory.OTHER
    )
    polarity = forms.ChoiceField(
        label=_("Nature"), choices=v.LessonPolarity.choices, initial=v.LessonPolarity.RECOMMENDATION
    )


class MetricForm(RowForm):
    key_field = "name"
    key_message = _("Nommez l'indicateur, ou videz la ligne.")
    significant_fields = ("unit", "baseline", "value", "period", "method")

    name = forms.CharField(label=_("Indicateur"), required=False, max_length=200)
    unit = forms.CharField(label=_("Unité"), required=False, max_length=50)
    baseline = forms.DecimalField(label=_("Avant"), required=False, max_digits=14, decimal_places=2)
    value = forms.DecimalField(label=_("Mesuré"), required=False, max_digits=14, decimal_places=2)
    period = forms.CharField(label=_("Période"), required=False, max_length=100)
    method = forms.CharField(
        label=_("Méthode de mesure"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RiskForm(RowForm):
    key_field = "risk"
    key_message = _("Choisissez le risque, ou videz la ligne.")
    significant_fields = ("mitigation",)

    risk = forms.ModelChoiceField(
        label=_("Risque rencontré"),
        required=False,
        queryset=None,
        help_text=_("Le catalogue de la base de connaissances (biais, risques juridiques…)."),
    )
    mitigation = forms.CharField(
        label=_("Mesure prise"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        from knowledge.models import Risk

        super().__init__(*args, **kwargs)
        self.fields["risk"].queryset = Risk.objects.all()


class CostForm(RowForm):
    key_field = "kind"
    key_message = _("Choisissez la nature de ce coût, ou videz la ligne.")
    significant_fields = ("amount", "period", "funding_source")

    kind = forms.ChoiceField(
        label=_("Nature du coût"), required=False, choices=[("", "—"), *v.CostKind.choices]
    )
    amount = forms.DecimalField(
        label=_("Montant (€)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    period = forms.CharField(label=_("Période"), required=False, max_length=100)
    funding_source = forms.CharField(label=_("Financement"), required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Indiquez le montant de ce coût."))
        return data


class ImpactAssessmentForm(RowForm):
    key_field = "type"
    key_message = _("Choisissez le type d'analyse, ou videz la ligne.")
    significant_fields = ("date", "link")

    type = forms.ChoiceField(
        label=_("Analyse d'impact"),
        required=False,
        choices=[("", "—"), *v.ImpactAssessmentType.choices],
    )
    status = forms.ChoiceField(
        label=_("État"),
        choices=v.ImpactAssessmentStatus.choices,
        initial=v.ImpactAssessmentStatus.DONE,
    )
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    link = forms.URLField(label=_("Lien"), required=False, assume_scheme="https")


StepFormSet = forms.formset_factory(StepForm, extra=3)
CostFormSet = forms.formset_factory(CostForm, extra=2)
ImpactAssessmentFormSet = forms.formset_factory(ImpactAssessmentForm, extra=1)
RiskFormSet = forms.formset_factory(RiskForm, extra=2)
LessonFormSet = forms.formset_factory(LessonForm, extra=2)
MetricFormSet = forms.formset_factory(MetricForm, extra=2)


def filled_rows(formset, key: str) -> list[dict]:
    """The rows the person filled in (empty extra rows are ignored), in their order."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and form.cleaned_data.get(key)
    ]


class SubmitForm(forms.Form):
    message = forms.CharField(
        label=_("Message au CDG"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ce que vous soumettez, ce qui a changé depuis la dernière version."),
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# The steps of the form: slug, title, form class (None: formsets only).
STEPS = [
    ("description", _("Description"), DescriptionForm),
    ("classification", _("Classification"), ClassificationForm),
    ("demarche", _("Démarche"), None),
    ("resultats", _("Résultats et enseignements"), ResultsForm),
    ("visibilite", _("Visibilité"), VisibilityForm),
]
STEP_SLUGS = [slug for slug, _title, _form in STEPS]
