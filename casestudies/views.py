"""Pages of a collectivité's site, for its members (the middleware refuses everyone else)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import Action, role_allows
from casestudies import forms, selectors, services, workflow
from casestudies.models import MaturityAssessment
from casestudies.review import completeness
from casestudies.serializers import UseCaseSerializer
from registry import vocabularies as v


def _require(request, action):
    if not role_allows(request.role, action):
        raise PermissionDenied(_("Votre rôle dans cette collectivité ne permet pas cette action."))


def usecase_list(request):
    return render(
        request,
        "casestudies/usecase_list.html",
        {
            "use_cases": selectors.usecase_list(),
            "can_create": role_allows(request.role, Action.CREATE),
        },
    )


def usecase_detail(request, public_id):
    use_case = selectors.usecase_get(public_id)
    data = UseCaseSerializer(use_case, context={"collectivite": request.collectivite}).data
    score, missing = completeness(data)
    transitions = {
        name: _allowed(request, name, use_case.publication_state)
        for name in ("submit", "withdraw", "unpublish", "archive")
    }
    return render(
        request,
        "casestudies/usecase_detail.html",
        {
            "use_case": use_case,
            "uc": data,
            "completeness": score,
            "missing": missing,
            "history": selectors.usecase_history(use_case),
            "can_edit": role_allows(request.role, Action.EDIT)
            and use_case.publication_state not in ("submitted", "archived"),
            "transitions": transitions,
            "submit_form": forms.SubmitForm(),
            "comment_form": forms.CommentForm(),
            "steps": forms.STEPS,
            "status_labels": dict(v.Status.choices),
        },
    )


def _allowed(request, name, state) -> bool:
    transition = workflow.TRANSITIONS[name]
    return (
        state in transition.sources
        and transition.member_action is not None
        and role_allows(request.role, transition.member_action)
    )


def usecase_create(request):
    _require(request, Action.CREATE)
    form = forms.DescriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            use_case = services.usecase_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(
                request,
                _("Brouillon enregistré (%s). Continuez quand vous voulez.") % use_case.public_id,
            )
            return redirect("usecase-edit", public_id=use_case.public_id, step="classification")
    return render(
        request,
        "casestudies/usecase_form.html",
        {
            "form": form,
            "steps": forms.STEPS,
            "current": "description",
            "use_case": None,
        },
    )


def usecase_edit(request, public_id, step):
    _require(request, Action.EDIT)
    if step not in forms.STEP_SLUGS:
        raise Http404
    use_case = selectors.usecase_get(public_id)
    try:
        workflow.editable(use_case.publication_state)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("usecase-detail", public_id=public_id)
    form_class = dict((slug, form) for slug, _t, form in forms.STEPS)[step]
    data = request.POST if request.method == "POST" else None
    form = form_class(data, instance=use_case) if form_class else None
    formsets = _formsets(step, use_case, data)
    if (
        request.method == "POST"
        and (form is None or form.is_valid())
        and all(formset.is_valid() for formset in formsets.values())
    ):
        values = {}
        if form is not None:
            values.update({name: form.cleaned_data[name] for name in form.changed_data})
            for relation in ("tools", "domains", "partner_collectivites"):
                if relation in values:
                    values[relation] = list(values[relation])
        if "steps" in formsets:
            values["steps"] = [
                {"text": row["text"], "phase": row["phase"], "done": row["done"]}
                for row in forms.filled_rows(formsets["steps"], "text")
            ]
        if "lessons" in formsets:
            values["lessons"] = forms.filled_rows(formsets["lessons"], "text")
        if "metrics" in formsets:
            values["metrics"] = [
                {key: row[key] for key in ("name", "unit", "baseline", "value", "period", "method")}
                for row in forms.filled_rows(formsets["metrics"], "name")
            ]
        if "costs" in formsets:
            values["costs"] = forms.filled_rows(formsets["costs"], "kind")
        if "impact_assessments" in formsets:
            values["impact_assessments"] = forms.filled_rows(formsets["impact_assessments"], "type")
        if "risks" in formsets:
            values["risks"] = [
                {"risk": row["risk"], "mitigation": row["mitigation"]}
                for row in forms.filled_rows(formsets["risks"], "risk")
            ]
        try:
            services.usecase_update(use_case=use_case, actor=request.user, **values)
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
            else:
                _attach(form, error)
        else:
            following = _next_step(step)
            messages.success(request, _("Étape enregistrée."))
            if "save_and_stay" in request.POST or following is None:
                return redirect("usecase-detail", public_id=public_id)
            return redirect("usecase-edit", public_id=public_id, step=following)
    return render(
        request,
        "casestudies/usecase_form.html",
        {
            "form": form,
            "formsets": formsets,
            "formsets_errors": request.method == "POST"
            and any(not formset.is_valid() for formset in formsets.values()),
            "steps": forms.STEPS,
            "current": step,
            "use_case": use_case,
            "next_step": _next_step(step),
        },
    )


def _next_step(step):
    index = forms.STEP_SLUGS.index(step)
    return forms.STEP_SLUGS[index + 1] if index + 1 < len(forms.STEP_SLUGS) else None


def _formsets(step, use_case, data):
    if step == "demarche":
        initial = [{"text": s.text, "phase": s.phase, "done": s.done} for s in use_case.steps.all()]
        return {"steps": forms.StepFormSet(data, initial=initial, prefix="steps")}
    if step == "resultats":
        lessons = [
            {"text": x.text, "category": x.category, "polarity": x.polarity}
            for x in use_case.lessons.all()
        ]
        metrics = [
            {
                "name": m.name,
                "unit": m.unit,
                "baseline": m.baseline,
                "value": m.value,
                "period": m.period,
                "method": m.method,
            }
            for m in use_case.metrics.all()
        ]
        risks = [{"risk": r.risk_id, "mitigation": r.mitigation} for r in use_case.risks.all()]
        return {
            "lessons": forms.LessonFormSet(data, initial=lessons, prefix="lessons"),
            "metrics": forms.MetricFormSet(data, initial=metrics, prefix="metrics"),
            "risks": forms.RiskFormSet(data, initial=risks, prefix="risks"),
            "costs": forms.CostFormSet(
                data,
                initial=[
                    {
                        "kind": c.kind,
                        "amount": c.amount,
                        "period": c.period,
                        "funding_source": c.funding_source,
                    }
                    for c in use_case.costs.all()
                ],
                prefix="costs",
            ),
            "impact_assessments": forms.ImpactAssessmentFormSet(
                data,
                initial=[
                    {"type": i.type, "status": i.status, "date": i.date, "link": i.link}
                    for i in use_case.impact_assessments.all()
                ],
                prefix="impact_assessments",
            ),
        }
    return {}


def _attach(form, error: ValidationError):
    """Service errors shown next to their field, like the form's own."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


ACTIONS = {
    "submit": (services.usecase_submit, "message", forms.SubmitForm, _("Soumis au CDG74.")),
    "withdraw": (services.usecase_withdraw, "comment", forms.CommentForm, _("Soumission retirée.")),
    "unpublish": (
        services.usecase_unpublish,
        "comment",
        forms.CommentForm,
        _("Retiré du registre commun."),
    ),
    "archive": (services.usecase_archive, "comment", forms.CommentForm, _("Archivé.")),
}


@require_POST
def usecase_action(request, public_id, action):
    if action not in ACTIONS:
        raise Http404
    service, text_field, form_class, done = ACTIONS[action]
    use_case = selectors.usecase_get(public_id)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("usecase-detail", public_id=public_id)
    try:
        service(
            use_case=use_case, actor=request.user, **{text_field: form.cleaned_data[text_field]}
        )
    except PermissionDenied as error:
        messages.error(request, str(error))
    except ValidationError as error:
        fields = getattr(error, "message_dict", None)
        if fields:
            labels = {f.name: f.verbose_name for f in use_case._meta.fields}
            for field, field_messages in fields.items():
                messages.error(request, f"{labels.get(field, field)} : {' '.join(field_messages)}")
        else:
            messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("usecase-detail", public_id=public_id)


# --- maturity self-assessment ------------------------------------------------------------------


def maturity(request):
    from knowledge.models import MaturityAxis

    axes = list(MaturityAxis.objects.prefetch_related("questions"))
    latest = MaturityAssessment.objects.first()
    errors = {}
    answers = dict(latest.answers) if latest else {}
    if request.method == "POST":
        _require(request, Action.EDIT)
        answers = {}
        for axis in axes:
            for question in axis.questions.all():
                raw = request.POST.get(question.code, "").strip()
                if raw:
                    # Anything that is not one of the offered scores is refused by the service.
                    # One optional minus sign, then ASCII digits ("--1" and "²" stay strings).
                    digits = raw.removeprefix("-")
                    integer = digits.isascii() and digits.isdigit() and len(digits) < 10
                    answers[question.code] = int(raw) if integer else raw
        try:
            services.maturity_save(actor=request.user, answers=answers)
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, _("Autodiagnostic enregistré."))
            return redirect("maturity-result")
    return render(
        request,
        "casestudies/maturity_form.html",
        {
            "axes": axes,
            "answers": answers,
            "errors": errors,
            "latest": latest,
            "can_answer": role_allows(request.role, Action.EDIT),
        },
    )


def maturity_result(request):
    from knowledge.models import MaturityAxis
    from knowledge.services import MIN_PEERS, peer_medians

    latest = MaturityAssessment.objects.first()
    if latest is None:
        return redirect("maturity")
    axes = list(MaturityAxis.objects.select_related("article"))
    medians, peers = peer_medians(request.collectivite)
    rows = [
        {"axis": axis, "score": latest.scores.get(axis.code, 0), "median": medians.get(axis.code)}
        for axis in axes
    ]
    weakest = sorted(rows, key=lambda row: row["score"])[:2]
    chart = {
        "labels": [row["axis"].name for row in rows],
        "scores": [row["score"] for row in rows],
        "medians": [row["median"] for row in rows] if medians else None,
    }
    return render(
        request,
        "casestudies/maturity_result.html",
        {
            "latest": latest,
            "rows": rows,
            "weakest": weakest,
            "peers": peers,
            "min_peers": MIN_PEERS,
            "has_median": bool(medians),
            "chart": chart,
        },
    )
