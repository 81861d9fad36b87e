"""« Signaler une erreur » on a use case's public page (a public page: anyone, no rule in
accounts.policy.PUBLIC_PAGE_RULES). The form is kept from robots by the registry's spam guard
(registry.spam_guard: a honeypot, a signed start time, a limit per client address); the message
goes to the collectivité's administrators and the curators (registry.services.reports); the
view is registry.views.usecase_report."""

from django import forms
from django.utils.translation import gettext_lazy

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
