"""The public request to join the registry (/rejoindre/, for anyone) and its review by the
curators (/curation/demandes/, accounts.policy.PUBLIC_PAGE_RULES).

1. The visitor looks for their collectivité in the official directory: the same search, list and
   script as the curators' onboarding (registry.onboarding.directory_search,
   static/js/directory-picker.js); a body already in the registry is shown as such, with its page.
2. The body's page: its identity from the directory and the form (name, function, professional
   e-mail, message). Robots are kept out without a captcha: a field people do not see (a
   honeypot), a signed time the form was shown (too fast or too old is refused) and a limit of
   requests per client address (the shared cache, the address as accounts.bruteforce reads it).
3. The curators list the requests and accept (registry.services.join_requests, which onboards the
   collectivité and invites the requester as its first administrator) or refuse them, with a
   reason.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.member_views import form_errors
from registry.models import JoinRequest
from registry.onboarding import OnboardingForm, directory_search, entry_with_departement
from registry.services import join_requests as services
from registry.services import members as members_services
from registry.spam_guard import RateLimit, SpamGuardedForm
from registry.vocabularies import JoinRequestState

MIN_FILL_SECONDS = 3  # a person reads the page and types four fields; a robot posts at once
MAX_FORM_AGE = 24 * 3600
RATE_LIMIT = 5  # requests sent per client address…
RATE_WINDOW = 3600  # …per hour
SIGNING_SALT = "registry.join.started"
SESSION_SENT = "join_request_sent"


JOIN_RATE = RateLimit("join-request", RATE_LIMIT, RATE_WINDOW)


class JoinRequestForm(SpamGuardedForm):
    signing_salt = SIGNING_SALT
    min_fill_seconds = MIN_FILL_SECONDS
    max_form_age = MAX_FORM_AGE
    refused_message = gettext_lazy("Votre demande n'a pas pu être envoyée. Réessayez plus tard.")
    expired_message = gettext_lazy(
        "Ce formulaire a expiré : rechargez la page et envoyez à nouveau votre demande."
    )
    too_fast_message = gettext_lazy(
        "Votre demande est partie trop vite : relisez-la et envoyez-la à nouveau."
    )

    name = forms.CharField(
        label=gettext_lazy("Vos prénom et nom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    function = forms.CharField(
        label=gettext_lazy("Qui vous êtes : votre fonction"),
        max_length=150,
        help_text=gettext_lazy(
            "Par exemple : directrice générale des services, responsable du numérique, élu "
            "chargé du numérique."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("Votre adresse électronique professionnelle"),
        max_length=254,
        help_text=gettext_lazy(
            "Celle de la collectivité (exemple : prenom.nom@mairie-exemple.fr). Si la demande est "
            "acceptée, vous y recevrez l'invitation à devenir le premier administrateur."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    message = forms.CharField(
        label=gettext_lazy("Message aux curateurs (facultatif)"),
        max_length=2000,
        required=False,
        help_text=gettext_lazy("Ce que vous attendez du registre, un projet en cours…"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def join(request):
    context = directory_search(request)
    context["join"] = True
    if request.GET.get("partial") == "1":
        return render(request, "registry/onboarding_results.html", context)
    return render(request, "registry/join.html", context)


def join_entry(request, key):
    entry = entry_with_departement(key)
    existing = members_services.registered(entry)
    context = {"entry": entry, "existing": existing, "join": True}
    if existing is not None:
        return render(request, "registry/join_entry.html", context)
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST":
        if JOIN_RATE.exceeded(request):
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Trop de demandes ont été envoyées depuis votre connexion. Réessayez dans une "
                    "heure."
                ),
            )
        elif form.is_valid():
            JOIN_RATE.count(request)
            try:
                join_request = services.join_request_create(
                    entry=entry,
                    name=form.cleaned_data["name"],
                    function=form.cleaned_data["function"],
                    email=form.cleaned_data["email"],
                    message=form.cleaned_data["message"],
                )
            except ValidationError as error:
                form_errors(form, error)
            else:
                request.session[SESSION_SENT] = join_request.pk
                return redirect("join-sent")
    context["form"] = form
    response = render(request, "registry/join_entry.html", context)
    if form.errors:
        response.status_code = 429 if JOIN_RATE.exceeded(request) else 400
    return response


def join_sent(request):
    pk = request.session.get(SESSION_SENT)
    join_request = JoinRequest.objects.select_related("entry").filter(pk=pk).first() if pk else None
    if join_request is None:
        return redirect("join")
    return render(request, "registry/join_sent.html", {"join_request": join_request})


# --- the curators' review ------------------------------------------------------------------------

RECENT = 30


def join_requests(request):
    pending = list(
        JoinRequest.objects.filter(state=JoinRequestState.PENDING)
        .select_related("entry")
        .order_by("created_at", "id")
    )
    decided = list(
        JoinRequest.objects.exclude(state=JoinRequestState.PENDING)
        .select_related("entry", "decided_by", "collectivite")
        .order_by("-decided_at", "-id")[:RECENT]
    )
    return render(request, "registry/join_requests.html", {"pending": pending, "decided": decided})


class AcceptForm(forms.Form):
    contact_email = forms.EmailField(
        label=gettext_lazy("Adresse de contact de la collectivité"),
        max_length=254,
        help_text=gettext_lazy(
            "Par défaut celle du demandeur ; une adresse générique est préférable (exemple : "
            "numerique@mairie.fr)."
        ),
    )

    def __init__(self, *args, needs_departement=False, **kwargs):
        super().__init__(*args, **kwargs)
        onboarding = OnboardingForm(needs_departement=needs_departement)
        fields = {"slug": onboarding.fields["slug"], **self.fields}
        if needs_departement:
            fields["departement"] = onboarding.fields["departement"]
        self.fields = fields


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif du refus"),
        max_length=2000,
        help_text=gettext_lazy("Il est envoyé au demandeur par courriel."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def join_request_review(request, pk):
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("decided_by", "collectivite"), pk=pk
    )
    entry = entry_with_departement(join_request.entry.key)
    pending = join_request.state == JoinRequestState.PENDING
    existing = members_services.registered(entry) if pending else None
    decision = request.POST.get("decision") if request.method == "POST" else None
    accept_form = AcceptForm(
        request.POST if decision == "accept" else None,
        prefix="accept",
        initial={
            "slug": members_services.proposed_slug(entry),
            "contact_email": join_request.email,
        },
        needs_departement=not entry.departement,
    )
    refuse_form = RefuseForm(request.POST if decision == "refuse" else None, prefix="refuse")
    if decision and not pending:
        messages.error(request, _("Cette demande a déjà été traitée."))
        return redirect("curation:join-request", pk=join_request.pk)
    if decision == "accept" and existing is not None:
        messages.error(
            request,
            _("%(name)s est déjà dans le registre : cette demande ne peut qu'être refusée.")
            % {"name": existing.name},
        )
        return redirect("curation:join-request", pk=join_request.pk)
    if decision == "accept" and accept_form.is_valid():
        try:
            collectivite, sent = services.join_request_accept(
                join_request=join_request,
                slug=accept_form.cleaned_data["slug"],
                contact_email=accept_form.cleaned_data["contact_email"],
                departement=accept_form.cleaned_data.get("departement", ""),
                actor=request.user,
            )
        except ValidationError as error:
            form_errors(accept_form, error)
        else:
            messages.success(
                request,
                _(
                    "Demande acceptée : %(name)s est inscrite au registre (site : %(slug)s). "
                    "Une invitation a été envoyée à %(email)s, son premier administrateur."
                )
                % {
                    "name": collectivite.name,
                    "slug": collectivite.slug,
                    "email": sent.invitation.email,
                },
            )
            return redirect("curation:join-request", pk=join_request.pk)
    if decision == "refuse" and refuse_form.is_valid():
        try:
            services.join_request_refuse(
                join_request=join_request,
                reason=refuse_form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as error:
            form_errors(refuse_form, error)
        else:
            messages.success(
                request,
                _("Demande refusée : %(email)s en est informé par courriel.")
                % {"email": join_request.email},
            )
            return redirect("curation:join-request", pk=join_request.pk)
    response = render(
        request,
        "registry/join_request.html",
        {
            "join_request": join_request,
            "entry": entry,
            "existing": existing,
            "pending": pending,
            "parent": members_services.parent_collectivite(entry),
            "accept_form": accept_form,
            "refuse_form": refuse_form,
            "base_domain": settings.BASE_DOMAIN,
        },
    )
    if accept_form.errors or refuse_form.errors:
        response.status_code = 400
    return response


# Mounted by config.urls_public: the public pages, and the curators' in namespace "curation".
public_urls = [
    ("rejoindre/", join, "join"),
    ("rejoindre/envoyee/", join_sent, "join-sent"),
    ("rejoindre/<str:key>/", join_entry, "join-entry"),
]
curator_urls = [
    ("demandes/", join_requests, "join-requests"),
    ("demandes/<int:pk>/", join_request_review, "join-request"),
]
