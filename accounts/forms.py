from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import bruteforce
from accounts.models import User


class LoginForm(AuthenticationForm):
    """Sign-in by e-mail. Failed attempts are counted by django-axes (accounts/bruteforce.py),
    per account and client address, across every host and process."""

    error_messages = {
        "invalid_login": _(
            "Adresse électronique ou mot de passe incorrect. Vérifiez la saisie (majuscules "
            "comprises) et réessayez."
        ),
        "inactive": _("Ce compte est désactivé. Contactez l'administrateur de votre collectivité."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Adresse électronique")
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "type": "email"})

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if self.request is not None and bruteforce.is_locked_out(self.request):
                username = bruteforce.normalised_username(self.request, self.cleaned_data)
                minutes = bruteforce.wait_minutes(self.request, username)
                raise ValidationError(bruteforce.locked_message(minutes), code="too_many") from None
            raise


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form: the same answer whether the address exists or not. Beyond
    RESET_PER_ACCOUNT requests in the window, nothing more is sent to that address (silently)."""

    def send_mail(self, *args, **kwargs):
        to_email = args[4] if len(args) > 4 else kwargs["to_email"]
        if bruteforce.reset_allowed_for(to_email):
            super().send_mail(*args, **kwargs)


class InvitationAccountForm(forms.Form):
    """The account an invitee creates: their name and the password they choose (Django's
    password validators, in French)."""

    full_name = forms.CharField(
        label=_("Prénom et nom"),
        max_length=200,
        required=False,
        help_text=_("Vos collègues le verront dans la liste des membres."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Au moins 8 caractères, pas seulement des chiffres, ni trop courant."),
    )
    password2 = forms.CharField(
        label=_("Confirmez le mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif first:
            try:
                password_validation.validate_password(
                    first, User(email=self.email, full_name=data.get("full_name", ""))
                )
            except ValidationError as error:
                self.add_error("password1", error)
        return data
