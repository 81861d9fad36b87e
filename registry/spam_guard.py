"""Keeping robots out of the public site's forms without a captcha (the join request, the error
report on a use case's page).

- A field people do not see (a honeypot, hidden with its label): robots that fill every field
  fill it.
- A signed time the form was shown: sent too fast (a robot posts at once) or too old is refused,
  and an expired or forged form comes back with a fresh time, so that the next send can leave.
- A limit of sends per client address in the shared cache (the address as accounts.bruteforce
  reads it).

A form inherits `SpamGuardedForm` (with its own salt and messages); a view asks a `RateLimit`."""

import time

from django import forms
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from accounts.bruteforce import client_address


class RateLimit:
    """At most `limit` sends per client address per `window` seconds, counted under `prefix`."""

    def __init__(self, prefix: str, limit: int, window: int):
        self.prefix, self.limit, self.window = prefix, limit, window

    def key(self, request) -> str:
        return f"{self.prefix}:{client_address(request)}"

    def exceeded(self, request) -> bool:
        return (cache.get(self.key(request)) or 0) >= self.limit

    def count(self, request) -> None:
        key = self.key(request)
        if not cache.add(key, 1, self.window):
            try:
                cache.incr(key)
            except ValueError:
                cache.add(key, 1, self.window)


def signed_now(salt: str) -> str:
    """The signed time a form is shown at (also made anew in kept pages, registry.page_cache)."""
    return signing.dumps(time.time(), salt=salt)


class SpamGuardedForm(forms.Form):
    """A honeypot (`website`) and a signed start time (`started`), checked in clean()."""

    signing_salt = "registry.spam_guard.started"
    min_fill_seconds = 3
    max_form_age = 24 * 3600
    refused_message = gettext_lazy("Votre envoi n'a pas pu partir. Réessayez plus tard.")
    expired_message = gettext_lazy(
        "Ce formulaire a expiré : rechargez la page et envoyez-le à nouveau."
    )
    too_fast_message = gettext_lazy(
        "Votre envoi est parti trop vite : relisez-le et envoyez-le à nouveau."
    )

    # Not shown to people (hidden with its label); robots that fill every field fill it.
    website = forms.CharField(required=False, label=gettext_lazy("Ne pas remplir ce champ"))
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started"].initial = signed_now(self.signing_salt)

    def visible_fields(self):
        return [f for f in super().visible_fields() if f.name != "website"]

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise ValidationError(str(self.refused_message))
        try:
            started = signing.loads(
                self.data.get("started", ""), salt=self.signing_salt, max_age=self.max_form_age
            )
        except signing.BadSignature:
            # Shown again with a fresh time, so that the next send is not refused the same way.
            self.data = self.data.copy()
            self.data["started"] = self.fields["started"].initial
            raise ValidationError(str(self.expired_message)) from None
        if time.time() - float(started) < self.min_fill_seconds:
            raise ValidationError(str(self.too_fast_message))
        return data
