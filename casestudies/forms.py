"""The web form for declaring a use case, in steps: each step saves the draft."""

from django import forms
from django.core.validators import MinValueValidator
from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casestudies.models import (
    ApproachStep,
    Cost,
    ImpactAssessment,
    Lesson,
    Metric,
    UseCase,
    UseCaseRisk,
)
from knowledge.models import Risk
from registry import snapshot
from registry import vocabularies as v
from registry.models import Collectivite, Tool


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DeclaredForm(forms.ModelForm):
    """A step of the form: its fields are the declared fields of its sections (registry.snapshot),
    with the declaration's labels, help texts and vocabularies; only widgets are chosen here."""

    sections: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in list(self.fields.items()):
            declared = snapshot.get(name)
            if declared.kind == snapshot.CHOICES:
                self.fields[name] = forms.MultipleChoiceField(
                    label=declared.title,
                    help_text=declared.help_text,
                    choices=declared.choices(),
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
            elif declared.kind == snapshot.DATE:
                field.widget = DateInput()
            elif isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3
            _no_silent_truncation(field)
            _choose_label(field)


CHOOSE = _("Choisir…")


def _no_silent_truncation(field: forms.Field) -> None:
    """A browser's maxlength cuts what is typed or pasted without a word: the limit is shown by a
    live counter instead (static/js/usecase-form.js), and going over it is a form error."""
    limit = field.widget.attrs.pop("maxlength", None)
    if limit:
        field.widget.attrs["data-maxlength"] = limit


def _choose_label(field: forms.Field) -> None:
    """« Choisir… » rather than Django's « --------- » for an empty choice."""
    if isinstance(field, forms.ModelChoiceField):
        # (a multiple one has no empty choice; listing its choices here would freeze them
        # before the form narrows its queryset)
        if not isinstance(field, forms.ModelMultipleChoiceField):
            field.empty_label = CHOOSE
    elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
        field.choices = [(value, CHOOSE if value == "" else text) for value, text in field.choices]


def _form_field(model_field, **kwargs):
    """A web address typed without its scheme is read as https:// (the documentation's link)."""
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)


def declared_form(name: str, *sections: str, **meta) -> type[DeclaredForm]:
    fields = [f.name for f in snapshot.section_fields(*sections, form_only=True)]
    attrs = {"model": UseCase, "fields": fields, "formfield_callback": _form_field, **meta}
    return type(name, (DeclaredForm,), {"Meta": type("Meta", (), attrs), "sections": sections})


DescriptionForm = declared_form(
    "DescriptionForm", "identity", widgets={"summary": forms.Textarea(attrs={"rows": 3})}
)
ResultsForm = declared_form("ResultsForm", "safeguards", "outcomes")
VisibilityForm = declared_form(
    "VisibilityForm", "publication", widgets={"visibility": forms.RadioSelect}
)


class ClassificationForm(
    declared_form("_Classification", "tools", "classification", "lifecycle", "regulation")
):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tools = Q(merged_into__isnull=True, deprecated=False)
        if self.instance.pk:
            # A tool deprecated since it was linked stays selectable where it already is.
            tools |= Q(pk__in=self.instance.tools.all())
        self.fields["tools"].queryset = Tool.objects.filter(tools).order_by("name")
        self.fields["partner_collectivites"].queryset = Collectivite.objects.exclude(
            pk=connection.tenant.pk
        ).order_by("name")
        # A draft may be saved without its domains; submitting asks for them.
        self.fields["domains"].required = False
        # Long lists: checkboxes in columns with a filter box (templates/includes/field.html),
        # never a Ctrl-click multiple select.
        for name in ("tools", "domains", "partner_collectivites"):
            self.fields[name].widget = forms.CheckboxSelectMultiple(
                choices=self.fields[name].choices
            )
            self.fields[name].filterable = True


class RowForm(forms.Form):
    """A row of a list (step, lesson, cost…), its fields from the row's declaration: empty rows
    are ignored, but a row the person started must have its main field, or what was typed would be
    silently dropped."""

    row = ""
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

    @classmethod
    def service_rows(cls, formset) -> list[dict]:
        """The rows the person filled in, as the service takes them, in their order."""
        declared = snapshot.get(cls.row)
        return [
            {
                (child.source or child.name): form.cleaned_data[child.name]
                for child in declared.children
                if child.name in form.cleaned_data
            }
            for form in formset.forms
            if form.cleaned_data and form.cleaned_data.get(cls.key_field)
        ]

    @classmethod
    def initial_rows(cls, use_case) -> list[dict]:
        declared = snapshot.get(cls.row)
        return [
            {
                child.name: getattr(obj, child.source or child.name)
                for child in declared.children
                if child.writable
            }
            for obj in getattr(use_case, cls.row).all()
        ]


ROW_MODELS = {
    "steps": ApproachStep,
    "lessons": Lesson,
    "metrics": Metric,
    "costs": Cost,
    "impact_assessments": ImpactAssessment,
    "risks": UseCaseRisk,
}


def _row_field(row: str, child: snapshot.Field, *, initial=None, widget=None) -> forms.Field:
    options = {"label": child.title, "help_text": child.help_text}
    if child.kind == snapshot.REF:
        return forms.ModelChoiceField(queryset=Risk.objects.all(), required=False, **options)
    if child.kind == snapshot.CHOICE:
        if initial is not None:
            return forms.ChoiceField(choices=child.choices(), initial=initial, **options)
        return forms.ChoiceField(
            choices=[("", CHOOSE), *child.choices()], required=False, **options
        )
    model_field = ROW_MODELS[row]._meta.get_field(child.name)
    extra = {"assume_scheme": "https"} if child.name == "link" else {}
    # The model's lower bounds (an amount is never negative), checked next to the field.
    for validator in model_field.validators:
        if isinstance(validator, MinValueValidator):
            extra["min_value"] = validator.limit_value
    field = model_field.formfield(required=False, **options, **extra)
    if widget is not None:
        field.widget = widget
    elif isinstance(field.widget, forms.Textarea):
        field.widget.attrs["rows"] = 2
    _no_silent_truncation(field)
    return field


def row_form(row: str, *, key_field: str, base=RowForm, initial=None, widgets=None, **attrs):
    initial, widgets = initial or {}, widgets or {}
    fields = {
        child.name: _row_field(
            row, child, initial=initial.get(child.name), widget=widgets.get(child.name)
        )
        for child in snapshot.get(row).children
        if child.writable
    }
    return type(
        f"{row.title()}Form", (base,), {**fields, "row": row, "key_field": key_field, **attrs}
    )


class _CostRow(RowForm):
    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Indiquez le montant de ce coût."))
        return data


StepForm = row_form(
    "steps",
    key_field="text",
    widgets={"text": forms.TextInput()},
    key_message=_("Décrivez l'étape, ou videz la ligne."),
    # A phase or « réalisée » chosen alone is a started row: it is not dropped without a word.
    significant_fields=("phase", "done"),
)
LessonForm = row_form(
    "lessons",
    key_field="text",
    initial={"category": v.LessonCategory.OTHER, "polarity": v.LessonPolarity.RECOMMENDATION},
)
MetricForm = row_form(
    "metrics",
    key_field="name",
    key_message=_("Nommez l'indicateur, ou videz la ligne."),
    significant_fields=("unit", "baseline", "value", "period", "method"),
)
RiskForm = row_form(
    "risks",
    key_field="code",
    key_message=_("Choisissez le risque, ou videz la ligne."),
    significant_fields=("mitigation",),
)
CostForm = row_form(
    "costs",
    key_field="kind",
    base=_CostRow,
    key_message=_("Choisissez la nature de ce coût, ou videz la ligne."),
    significant_fields=("amount", "period", "funding_source"),
)
ImpactAssessmentForm = row_form(
    "impact_assessments",
    key_field="type",
    initial={"status": v.ImpactAssessmentStatus.DONE},
    key_message=_("Choisissez le type d'analyse, ou videz la ligne."),
    significant_fields=("date", "link"),
)


def _formset(form, extra: int):
    # At most MAX_ROWS rows, whatever count a forged form claims (absolute_max bounds the work).
    return forms.formset_factory(
        form,
        extra=extra,
        max_num=snapshot.MAX_ROWS,
        absolute_max=snapshot.MAX_ROWS,
        validate_max=True,
    )


# The lists of each step of the form, with their formsets.
FORMSETS = {
    "steps": _formset(StepForm, 3),
    "lessons": _formset(LessonForm, 2),
    "metrics": _formset(MetricForm, 2),
    "risks": _formset(RiskForm, 2),
    "costs": _formset(CostForm, 2),
    "impact_assessments": _formset(ImpactAssessmentForm, 1),
}


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


# The steps of the form: slug, title, form class (None: lists only), the lists it edits.
STEPS = [
    ("description", _("Description"), DescriptionForm),
    ("classification", _("Classification"), ClassificationForm),
    ("demarche", _("Démarche"), None),
    ("resultats", _("Résultats et enseignements"), ResultsForm),
    ("visibilite", _("Visibilité"), VisibilityForm),
]
STEP_SLUGS = [slug for slug, _title, _form in STEPS]
STEP_LISTS = {
    "demarche": ["steps"],
    "resultats": ["lessons", "metrics", "risks", "costs", "impact_assessments"],
}
