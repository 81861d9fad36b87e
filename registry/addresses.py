"""Addresses of the two kinds of site, for links made outside a request (e-mails, jobs).

Inside a request, pages build links from the request's host (registry.context_processors); an
e-mail has no request: it takes the public site's address from `settings.PUBLIC_BASE_URL` and a
collectivité's site is the same address with `<slug>.` before the host name."""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.urls import reverse


def public_address(path: str = "/") -> str:
    return f"{settings.PUBLIC_BASE_URL}/{path.lstrip('/')}"


def collectivite_address(collectivite, path: str = "/") -> str:
    base = urlsplit(settings.PUBLIC_BASE_URL)
    netloc = f"{collectivite.slug}.{base.netloc}"
    return urlunsplit((base.scheme, netloc, "/" + path.lstrip("/"), "", ""))


def public_page(name: str, *args) -> str:
    """The address of a named page of the public site (its URL configuration)."""
    return public_address(reverse(name, args=args, urlconf=settings.PUBLIC_SCHEMA_URLCONF))


def collectivite_page(collectivite, name: str, *args) -> str:
    return collectivite_address(
        collectivite, reverse(name, args=args, urlconf=settings.ROOT_URLCONF)
    )
