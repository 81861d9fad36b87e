"""The page of an invitation's link, on the collectivité's site (accounts.invitations)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts import invitations
from accounts.forms import InvitationAccountForm

# The backend a new account is signed in with (django-axes' comes first and authenticates none).
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


@never_cache
@sensitive_post_parameters("password1", "password2")
def invitation(request, token):
    collectivite = getattr(request, "collectivite", None)
    if collectivite is None:
        raise Http404("an invitation is opened on its collectivité's site")
    opened = invitations.invitation_open(token, collectivite)
    context = {"invitation": opened.invitation, "problem": opened.problem}
    if opened.problem is not None:
        response = render(request, "accounts/invitation.html", context)
        response.status_code = 404 if opened.invitation is None else 410
        return response
    invitation, account = opened.invitation, opened.account
    user = request.user if request.user.is_authenticated else None
    if account is not None:
        # An existing account: the invitee signs in, then confirms.
        if user is None:
            if request.method == "POST":
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            return render(request, "accounts/invitation.html", {**context, "sign_in": True})
        if user.pk != account.pk:
            return render(request, "accounts/invitation.html", {**context, "other_account": True})
        if request.method == "POST":
            return _accepted(request, invitation, user=user)
        return render(request, "accounts/invitation.html", {**context, "confirm": True})
    form = InvitationAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        return _accepted(
            request,
            invitation,
            password=form.cleaned_data["password1"],
            full_name=form.cleaned_data["full_name"],
            form=form,
            context=context,
        )
    return render(request, "accounts/invitation.html", {**context, "form": form, "signed_in": user})


def _accepted(request, invitation, *, user=None, form=None, context=None, **account):
    try:
        user = invitations.invitation_accept(invitation=invitation, user=user, **account)
    except (ValidationError, PermissionDenied) as error:
        problem = " ".join(getattr(error, "messages", [str(error)]))
        response = render(
            request, "accounts/invitation.html", {**(context or {}), "problem": problem}
        )
        response.status_code = 409
        return response
    if not request.user.is_authenticated or request.user.pk != user.pk:
        login(request, user, backend=LOGIN_BACKEND)
    messages.success(
        request,
        _("Bienvenue ! Vous êtes membre de %(name)s avec le rôle de %(role)s.")
        % {"name": invitation.collectivite.name, "role": invitation.get_role_display().lower()},
    )
    return redirect("home")
