"""The curators' onboarding of a collectivité from the official directory, on the public site
(/curation/collectivites/, accounts.policy.PUBLIC_PAGE_RULES):

1. a search of the directory (name, INSEE code, SIREN or postcode), a plain form listing its
   results; static/js/directory-picker.js refreshes the same list as the curator types (it asks
   this page for the list alone, `?partial=1`);
2. the body's page: its identity from the directory, a proposed slug, the contact and the first
   administrator's e-mail; confirming creates the collectivité (its schema) and the invitation
   (registry.services.members.collectivite_onboard);
3. a collectivité already in the registry that has no administrator: its first administrator's
   invitation (the only member a curator may invite, accounts.policy.may_invite).
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from accounts.models import Invitation, Role
from registry.directory import DirectoryEntry
from registry.member_views import form_errors
from registry.models import Collectivite
from registry.services import members as members_services
from registry.services.members import ONBOARDING_KINDS
from registry.validators import validate_departement

RESULTS = 20
MIN_QUERY = 2


def _with_departement_name(entries):
    name = DirectoryEntry.objects.filter(
        key=Concat(Value("departement:"), OuterRef("departement"))
    ).values("name")[:1]
    return entries.select_related("parent_epci").annotate(departement_name=Subquery(name))


def _registered(entries) -> dict[int, Collectivite]:
    """The registry's collectivité of each entry that is in it (by link or SIREN): one query."""
    sirens = [e.siren for e in entries if e.siren]
    found = Collectivite.objects.filter(
        Q(directory_entry__in=[e.pk for e in entries]) | Q(siren__in=sirens)
    )
    by_entry = {c.directory_entry_id: c for c in found if c.directory_entry_id}
    by_siren = {c.siren: c for c in found if c.siren}
    return {
        e.pk: by_entry.get(e.pk) or by_siren.get(e.siren)
        for e in entries
        if e.pk in by_entry or (e.siren and e.siren in by_siren)
    }


def directory_search(request) -> dict:
    """The context of a directory search (the curators' onboarding, the public join request):
    the query, its results as (entry, its collectivité when already in the registry)."""
    query = request.GET.get("q", "").strip()[:100]
    results = []
    if len(query) >= MIN_QUERY:
        entries = list(
            _with_departement_name(
                DirectoryEntry.objects.search(query).filter(kind__in=ONBOARDING_KINDS)
            )[:RESULTS]
        )
        registered = _registered(entries)
        results = [(entry, registered.get(entry.pk)) for entry in entries]
    return {"query": query, "results": results, "too_short": 0 < len(query) < MIN_QUERY}


def entry_with_departement(key: str):
    return get_object_or_404(
        _with_departement_name(DirectoryEntry.objects.current().filter(kind__in=ONBOARDING_KINDS)),
        key=key,
    )


def onboarding(request):
    context = directory_search(request)
    if request.GET.get("partial") == "1":
        return render(request, "registry/onboarding_results.html", context)
    return render(request, "registry/onboarding.html", context)


class OnboardingForm(forms.Form):
    slug = forms.CharField(label=gettext_lazy("Identifiant"), max_length=63)
    contact_email = forms.EmailField(
        label=gettext_lazy("Adresse de contact de la collectivité"),
        max_length=254,
        help_text=gettext_lazy("Adresse générique de préférence (exemple : numerique@mairie.fr)."),
    )
    admin_email = forms.EmailField(
        label=gettext_lazy("Adresse de son premier administrateur"),
        max_length=254,
        help_text=gettext_lazy(
            "Cette personne reçoit une invitation valable 7 jours ; elle invitera ensuite ses "
            "collègues."
        ),
    )

    def __init__(self, *args, needs_departement=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].help_text = _(
            "Son site sera à l'adresse <identifiant>.%(domain)s. Lettres minuscules sans accent, "
            "chiffres et tirets ; il ne pourra plus changer."
        ) % {"domain": settings.BASE_DOMAIN}
        if needs_departement:
            self.fields["departement"] = forms.CharField(
                label=gettext_lazy("Département"),
                max_length=3,
                validators=[validate_departement],
                help_text=gettext_lazy("L'annuaire n'en donne pas : celui de son siège (ex. 74)."),
            )


def onboarding_entry(request, key):
    entry = entry_with_departement(key)
    existing = members_services.registered(entry)
    if existing is not None:
        return render(
            request,
            "registry/onboarding_entry.html",
            {
                "entry": entry,
                "existing": existing,
                "has_admin": policy.has_administrator(existing),
            },
        )
    form = OnboardingForm(
        request.POST or None,
        initial={"slug": members_services.proposed_slug(entry)},
        needs_departement=not entry.departement,
    )
    if request.method == "POST" and form.is_valid():
        try:
            collectivite, sent = members_services.collectivite_onboard(
                entry=entry,
                slug=form.cleaned_data["slug"],
                contact_email=form.cleaned_data["contact_email"],
                admin_email=form.cleaned_data["admin_email"],
                departement=form.cleaned_data.get("departement", ""),
                actor=request.user,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(name)s est inscrite au registre (site : %(slug)s). Une invitation a été "
                    "envoyée à %(email)s, son premier administrateur : le lien vaut 7 jours."
                )
                % {
                    "name": collectivite.name,
                    "slug": collectivite.slug,
                    "email": sent.invitation.email,
                },
            )
            return redirect("curation:first-admin", slug=collectivite.slug)
    response = render(
        request,
        "registry/onboarding_entry.html",
        {
            "entry": entry,
            "form": form,
            "parent": members_services.parent_collectivite(entry),
        },
    )
    if form.errors:
        response.status_code = 400
    return response


class FirstAdminForm(forms.Form):
    admin_email = OnboardingForm.base_fields["admin_email"]


def first_admin(request, slug):
    collectivite = get_object_or_404(
        Collectivite.objects.select_related("directory_entry"), slug=slug
    )
    if collectivite.slug == "public":
        raise Http404
    has_admin = policy.has_administrator(collectivite)
    pending = list(
        Invitation.objects.open()
        .filter(collectivite=collectivite, role=Role.ADMIN)
        .select_related("invited_by")
    )
    form = FirstAdminForm(request.POST or None)
    if request.method == "POST":
        if has_admin:
            messages.error(
                request,
                _("%(name)s a déjà un administrateur : c'est lui qui invite ses membres.")
                % {"name": collectivite.name},
            )
            return redirect("curation:first-admin", slug=collectivite.slug)
        if form.is_valid():
            try:
                sent = members_services.member_invite(
                    collectivite=collectivite,
                    email=form.cleaned_data["admin_email"],
                    role=Role.ADMIN,
                    actor=request.user,
                )
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Invitation envoyée à %(email)s : le lien vaut 7 jours.")
                    % {"email": sent.invitation.email},
                )
                return redirect("curation:first-admin", slug=collectivite.slug)
    response = render(
        request,
        "registry/onboarding_first_admin.html",
        {
            "target": collectivite,
            "has_admin": has_admin,
            "pending": pending,
            "form": form,
        },
    )
    if form.errors:
        response.status_code = 400
    return response


# Mounted by config.urls_public in the curators' namespace ("curation").
onboarding_urls = [
    ("collectivites/", onboarding, "onboarding"),
    ("collectivites/inscrire/<str:key>/", onboarding_entry, "onboarding-entry"),
    ("collectivites/<slug:slug>/premier-administrateur/", first_admin, "first-admin"),
]
