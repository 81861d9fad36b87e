from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
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
