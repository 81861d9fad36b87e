from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Failed sign-ins allowed per address and account before a pause (the API has its throttle).
MAX_FAILURES = 10
PAUSE_SECONDS = 15 * 60


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Adresse électronique ou mot de passe incorrect. Vérifiez la saisie (majuscules "
            "comprises) et réessayez."
        ),
        "inactive": _("Ce compte est désactivé. Contactez l'administrateur de votre collectivité."),
        "too_many": _(
            "Trop de tentatives de connexion échouées : réessayez dans 15 minutes, ou utilisez "
            "« Mot de passe oublié »."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Adresse électronique")
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "type": "email"})

    def _failures_key(self) -> str:
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        email = (self.data.get("username") or "").strip().lower()
        return f"login-failures:{address}:{email}"

    def clean(self):
        key = self._failures_key()
        if cache.get(key, 0) >= MAX_FAILURES:
            raise ValidationError(self.error_messages["too_many"], code="too_many")
        try:
            return super().clean()
        except ValidationError:
            if not cache.add(key, 1, PAUSE_SECONDS):
                cache.incr(key)
            raise
