"""Pages of a collectivité's site, for its members (the middleware refuses everyone else)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import policy
from casestudies import forms, selectors, services, workflow
from casestudies.models import MaturityAssessment
from knowledge.models import MaturityAxis
from knowledge.services import MIN_PEERS, peer_medians
from registry import snapshot
from registry import vocabularies as v
from registry.models import Collectivite, Term
from registry.services import claims as registry_claims
from registry.vocabularies import TermVocabulary


def _may(request, url_name: str, method: str = "get") -> bool:
    """Does the policy let this member open that page (what the page offers)?"""
    return (
        policy.page_decision(
            request.user, request.collectivite, url_name, method, role=request.role
        )
        == policy.ALLOWED
    )


def usecase_list(request):
    return render(
        request,
        "casestudies/usecase_list.html",
        {
            "use_cases": selectors.usecase_list(),
            "can_create": _may(request, "usecase-create"),
            # The public sources' records about the collectivité, for its administrators.
            "source_records": registry_claims.claimable_records(request.collectivite)
            .filter(claimed_by__isnull=True)
            .count()
            if _may(request, "source-records")
            else 0,
        },
    )


def usecase_detail(request, public_id):
    use_case = selectors.usecase_get(public_id)
    data = snapshot.build(use_case, request.collectivite, for_members=True)
    score, missing = snapshot.completeness(data)
    transitions = {
        name: workflow.offered(name, state=use_case.publication_state, role=request.role)
        for name in ("submit", "withdraw", "unpublish", "archive")
    }
    return render(
        request,
        "casestudies/usecase_detail.html",
        {
            "use_case": use_case,
            "uc": data,
            "sections": snapshot.page_sections(data),
            "inferred": snapshot.inferred_labels(data),
            "inferred_names": snapshot.inferred(data),
            "declared": snapshot.BY_NAME,
            "completeness": score,
            "missing": missing,
            "history": selectors.usecase_history(use_case),
            "can_verify": _may(request, "usecase-verify", "post"),
            "can_edit": _may(request, "usecase-edit")
            and workflow.is_editable(use_case.publication_state),
            "transitions": transitions,
            "submit_form": forms.SubmitForm(),
            "comment_form": forms.CommentForm(),
            "steps": forms.STEPS,
            "status_labels": dict(v.Status.choices),
            "claimed_record": registry_claims.claimed_record(
                request.collectivite.pk, use_case.public_id
            )
            if use_case.claimed_from
            else None,
        },
    )


def usecase_create(request):
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
        for name, formset in formsets.items():
            values[name] = formset.form.service_rows(formset)
        try:
            services.usecase_update(
                use_case=use_case,
                actor=request.user,
                expected_version=request.POST.get("version") or None,
                **values,
            )
        except services.StaleWrite as error:
            # Someone saved in between: say who and what, keep the input, offer to apply it.
            said = " ".join(error.messages)
            if form is not None:
                # (the form's validation wrote the input onto `use_case`: read it again)
                use_case = selectors.usecase_get(public_id)
                form = _with_theirs(form_class, use_case, request.POST, error)
                said += " " + _(
                    "Les champs que vous n'aviez pas touchés montrent la nouvelle version."
                )
            messages.error(request, said)
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
            "version": services.version_of(use_case),
            "next_step": _next_step(step),
        },
    )


def _next_step(step):
    index = forms.STEP_SLUGS.index(step)
    return forms.STEP_SLUGS[index + 1] if index + 1 < len(forms.STEP_SLUGS) else None


def _formsets(step, use_case, data):
    return {
        name: forms.FORMSETS[name](
            data, initial=forms.FORMSETS[name].form.initial_rows(use_case), prefix=name
        )
        for name in forms.STEP_LISTS.get(step, [])
    }


# The kinds of value a form posts as one string, comparable with the snapshot's.
_SCALAR_KINDS = {
    snapshot.TEXT,
    snapshot.CHOICE,
    snapshot.EMAIL,
    snapshot.URLS,
    snapshot.INT,
    snapshot.DATE,
}


def _posted(form, name: str, data) -> str:
    return (data.get(form.add_prefix(name)) or "").strip()


def _as_posted(declared, value) -> set[str]:
    """A list of the snapshot (tools, domains, partners, codes) as a form posts it."""
    value = value or []
    if declared.kind == snapshot.TOOLS:
        return {str(tool["id"]) for tool in value}
    if declared.kind == snapshot.TERMS:
        codes = [term["code"] for term in value]
        return {
            str(pk)
            for pk in Term.objects.filter(
                vocabulary=TermVocabulary.DOMAIN, code__in=codes
            ).values_list("pk", flat=True)
        }
    if declared.kind == snapshot.COLLECTIVITES:
        slugs = Collectivite.objects.filter(slug__in=value).values_list("pk", flat=True)
        return {str(pk) for pk in slugs}
    return {str(code) for code in value}


_LIST_KINDS = {snapshot.TOOLS, snapshot.TERMS, snapshot.COLLECTIVITES, snapshot.CHOICES}


def _with_theirs(form_class, use_case, data, error):
    """After a conflict, the form again: a field its writer left as it was when they read it
    shows the colleague's new value (saving again keeps it); one both changed keeps the writer's
    input, with the colleague's value said under it. Nothing of a colleague's is overwritten
    without its writer seeing it."""
    data = data.copy()
    current = form_class(instance=use_case)
    both = []
    for name, change in error.changes.items():
        declared = snapshot.BY_NAME.get(name)
        if name not in current.fields or declared is None:
            continue
        key = current.add_prefix(name)
        if declared.kind == snapshot.BOOL:
            posted = bool(form_class(data, instance=use_case)[name].value())
            untouched, same = posted == bool(change["before"]), posted == bool(change["after"])
        elif declared.kind in _LIST_KINDS:
            posted = set(data.getlist(key))
            untouched = posted == _as_posted(declared, change["before"])
            same = posted == _as_posted(declared, change["after"])
        elif declared.kind in _SCALAR_KINDS:
            posted = _posted(current, name, data)
            untouched = posted == ("" if change["before"] is None else str(change["before"]))
            same = posted == ("" if change["after"] is None else str(change["after"]))
        else:
            continue
        if same:  # both wrote the same: no conflict
            continue
        if not untouched:
            both.append((name, change))
            continue
        value = current[name].value()
        if declared.kind == snapshot.BOOL:
            if value:
                data[key] = "on"
            else:
                data.pop(key, None)
        elif declared.kind in _LIST_KINDS:
            data.setlist(key, [str(item) for item in value or []])
        else:
            data[key] = "" if value is None else str(value)
    form = form_class(data, instance=use_case)
    form.is_valid()
    for name, change in both:
        shown = snapshot.display(snapshot.BY_NAME[name], change["after"]).text or _("(vide)")
        form.add_error(
            name,
            _(
                "Modifié entre-temps par %(who)s : « %(value)s ». Votre saisie est conservée "
                "ci-dessus : enregistrez pour la garder, ou reprenez la leur."
            )
            % {"who": error.by, "value": shown},
        )
    return form


def _attach(form, error: ValidationError):
    """Service errors shown next to their field, like the form's own."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


ACTIONS = {
    "submit": (
        services.usecase_submit,
        "message",
        forms.SubmitForm,
        gettext_lazy("Soumis au CDG74."),
    ),
    "withdraw": (
        services.usecase_withdraw,
        "comment",
        forms.CommentForm,
        gettext_lazy("Soumission retirée."),
    ),
    "unpublish": (
        services.usecase_unpublish,
        "comment",
        forms.CommentForm,
        gettext_lazy("Retiré du registre commun."),
    ),
    "archive": (services.usecase_archive, "comment", forms.CommentForm, gettext_lazy("Archivé.")),
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
            for field, field_messages in fields.items():
                label = snapshot.field_label(field)
                messages.error(request, f"{label} : {' '.join(field_messages)}")
        else:
            messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("usecase-detail", public_id=public_id)


def usecase_verify(request, public_id):
    """« Je confirme que cette fiche est à jour » (POST): the date of the last verification, shown
    on the public record at once."""
    use_case = selectors.usecase_get(public_id)
    if request.method == "POST":
        services.usecase_verify(use_case=use_case, actor=request.user)
        messages.success(
            request,
            _("Merci : la fiche est confirmée à jour. La date est affichée sur sa page publique.")
            if use_case.publication_state == "published"
            else _("Merci : la fiche est confirmée à jour."),
        )
    return redirect("usecase-detail", public_id=public_id)


# --- maturity self-assessment ------------------------------------------------------------------


def maturity(request):
    axes = list(MaturityAxis.objects.prefetch_related("questions"))
    latest = MaturityAssessment.objects.first()
    errors = {}
    answers = dict(latest.answers) if latest else {}
    if request.method == "POST":
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
            "can_answer": _may(request, "maturity", "post"),
        },
    )


def maturity_result(request):
    latest = MaturityAssessment.objects.first()
    if latest is None:
        return redirect("maturity")
    axes = list(MaturityAxis.objects.select_related("article"))
    medians, peers, peers_by_rule = peer_medians(request.collectivite)
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
            "peers_by_rule": peers_by_rule,
            "min_peers": MIN_PEERS,
            "has_median": bool(medians),
            "chart": chart,
        },
    )
