"""The members of a collectivité, on its own site (/membres/): every member sees the list; its
administrators (accounts.policy.may_manage_members) invite, change a role, remove, and resend or
revoke the pending invitations. Who may open each page is accounts.policy.PAGE_RULES (the
middleware asks it); the writes are accounts.invitations' and registry.services.members'."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import invitations, policy
from accounts.models import Invitation, Membership, Role
from registry.services import members as members_services


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Adresse électronique professionnelle"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Rôle"),
        choices=Role.choices,
        initial=Role.CONTRIBUTOR,
        help_text=gettext_lazy(
            "Lecteur : consulte les cas. Contributeur : les déclare et les soumet au CDG. "
            "Administrateur : tout, dont la gestion des membres."
        ),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Rôle"), choices=Role.choices)


def form_errors(form, error: ValidationError) -> None:
    """A service's refusal shown on the form: on its field when it names one of the form's."""
    if hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            for message in field_messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def members(request, form=None):
    collectivite = request.collectivite
    manager = policy.may_manage_members(request.user, collectivite, role=request.role)
    rows = list(
        Membership.objects.filter(collectivite=collectivite)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    context = {
        "memberships": rows,
        "manager": manager,
        "admin_count": sum(1 for m in rows if m.role == Role.ADMIN and m.user.is_active),
        "roles": Role.choices,
    }
    if manager:
        context["form"] = form or InviteForm()
        context["pending"] = list(
            Invitation.objects.open()
            .filter(collectivite=collectivite)
            .select_related("invited_by")
            .order_by("email")
        )
    response = render(request, "registry/members.html", context)
    if form is not None and form.errors:
        response.status_code = 400
    return response


@require_POST
def member_invite(request):
    form = InviteForm(request.POST)
    if not form.is_valid():
        return members(request, form=form)
    try:
        sent = members_services.member_invite(
            collectivite=request.collectivite,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            actor=request.user,
        )
    except ValidationError as error:
        form_errors(form, error)
        return members(request, form=form)
    values = {"email": sent.invitation.email, "role": sent.invitation.get_role_display().lower()}
    if sent.again:
        messages.success(
            request,
            _(
                "Une invitation était déjà en attente pour %(email)s : elle a été renvoyée avec "
                "un nouveau lien (rôle : %(role)s). L'ancien lien ne fonctionne plus."
            )
            % values,
        )
    else:
        messages.success(
            request,
            _("Invitation envoyée à %(email)s (rôle : %(role)s). Le lien vaut 7 jours.") % values,
        )
    return redirect("members")


def _membership(request, pk) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "collectivite"),
        pk=pk,
        collectivite=request.collectivite,
    )


@require_POST
def member_role(request, pk):
    membership = _membership(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un rôle de la liste."))
        return redirect("members")
    role = form.cleaned_data["role"]
    if role == membership.role:
        messages.info(request, _("Le rôle de %(name)s n'a pas changé.") % {"name": membership.user})
        return redirect("members")
    try:
        invitations.member_role_change(membership=membership, role=role, actor=request.user)
    except ValidationError as error:
        _errors(request, error)
        return redirect("members")
    messages.success(
        request,
        _("%(name)s est maintenant %(role)s.")
        % {"name": membership.user, "role": Role(role).label.lower()},
    )
    return redirect("members")


def member_remove(request, pk):
    membership = _membership(request, pk)
    if request.method == "POST":
        try:
            invitations.member_remove(membership=membership, actor=request.user)
        except ValidationError as error:
            _errors(request, error)
            return redirect("members")
        messages.success(
            request,
            _("%(name)s ne fait plus partie de %(collectivite)s.")
            % {"name": membership.user, "collectivite": request.collectivite.name},
        )
        return redirect("members")
    return render(request, "registry/member_remove.html", {"membership": membership})


def _invitation(request, pk) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("collectivite"), pk=pk, collectivite=request.collectivite
    )


@require_POST
def invitation_resend(request, pk):
    invitation = _invitation(request, pk)
    try:
        members_services.member_invitation_resend(invitation=invitation, actor=request.user)
    except ValidationError as error:
        _errors(request, error)
        return redirect("members")
    messages.success(
        request,
        _(
            "Invitation renvoyée à %(email)s avec un nouveau lien, valable 7 jours. Le lien du "
            "courriel précédent ne fonctionne plus."
        )
        % {"email": invitation.email},
    )
    return redirect("members")


@require_POST
def invitation_revoke(request, pk):
    invitation = _invitation(request, pk)
    try:
        invitations.invitation_revoke(invitation=invitation, actor=request.user)
    except ValidationError as error:
        _errors(request, error)
        return redirect("members")
    messages.success(
        request,
        _("Invitation de %(email)s annulée : son lien ne fonctionne plus.")
        % {"email": invitation.email},
    )
    return redirect("members")
