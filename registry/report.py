"""« Signaler une erreur » on a use case's public page (a public page: anyone, no rule in
accounts.policy.PUBLIC_PAGE_RULES). The form is kept from robots by the registry's spam guard
(registry.spam_guard: a honeypot, a signed start time, a limit per client address); the message
goes to the collectivité's administrators and the curators (registry.services.reports)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policy import visibility_scope
from registry import selectors
from registry.services.reports import error_report_send
from registry.spam_guard import RateLimit, SpamGuardedForm

REPORT_RATE = RateLimit("error-report", limit=5, window=3600)  # five reports an hour per address


class ErrorReportForm(SpamGuardedForm):
    signing_salt = "registry.report.started"
    refused_message = gettext_lazy("Votre signalement n'a pas pu partir. Réessayez plus tard.")
    expired_message = gettext_lazy(
        "Ce formulaire a expiré : rechargez la page et envoyez à nouveau votre signalement."
    )
    too_fast_message = gettext_lazy(
        "Votre signalement est parti trop vite : relisez-le et envoyez-le à nouveau."
    )

    message = forms.CharField(
        label=gettext_lazy("Ce qui est inexact ou manque"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    email = forms.EmailField(
        label=gettext_lazy("Votre adresse électronique (facultatif)"),
        help_text=gettext_lazy("Pour qu'on puisse vous répondre. Elle n'est pas publiée."),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def entry_or_404(request, public_id):
    entry = (
        selectors.benchmark_entries(visibility_scope(request.user))
        .select_related("collectivite")
        .filter(public_id=public_id)
        .first()
    )
    if entry is None:
        raise Http404(_("Aucun cas d'usage publié avec cet identifiant."))
    return entry


def report_error(request, public_id):
    """POST only; the form is on the record's page (registry.views.usecase_page), which shows it
    again with its errors."""
    from registry.views import usecase_page

    entry = entry_or_404(request, public_id)
    if request.method != "POST":
        return redirect("usecase-page", public_id=public_id)
    form = ErrorReportForm(request.POST)
    if REPORT_RATE.exceeded(request):
        form.is_valid()
        form.add_error(
            None,
            _(
                "Trop de signalements ont été envoyés depuis votre connexion. Réessayez dans "
                "une heure."
            ),
        )
        return usecase_page(request, public_id, report_form=form, status=429)
    if not form.is_valid():
        return usecase_page(request, public_id, report_form=form, status=400)
    REPORT_RATE.count(request)
    error_report_send(
        entry=entry, message=form.cleaned_data["message"], email=form.cleaned_data["email"]
    )
    messages.success(
        request,
        _("Merci : votre signalement a été transmis à la collectivité et aux curateurs du CDG74."),
    )
    return redirect("usecase-page", public_id=public_id)
