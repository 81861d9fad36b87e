from django import template
from django.conf import settings
from django.urls import reverse

from registry import formats, snapshot
from registry.directory import departement_names

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ labels|get_item:code }}`: a value of a dict by a key from the template."""
    if mapping is None:
        return None
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter(expects_localtime=True)
def date_fr(value, fmt="j F Y"):
    """`{{ day|date_fr }}`: « 1er décembre 2026 », « 2 décembre 2026 » (`date` with French's
    « 1er »); `{{ moment|date_fr:"j F Y à H:i" }}` takes the same formats as `date`."""
    return formats.day_format(value, fmt)


@register.filter
def departement(code):
    """« 74 » → « 74 — Haute-Savoie » (the shipped official names); an unknown code as it is."""
    name = departement_names().get(code or "")
    return f"{code} — {name}" if name else (code or "")


@register.filter
def month_fr(value):
    """« 2024-04 » → « avril 2024 » (registry.formats.month_format)."""
    return formats.month_format(value)


@register.filter
def nombre(value):
    """`{{ 45.5|nombre }}`: « 45,5 », « 12 000 » (French comma and grouping)."""
    if value in (None, ""):
        return ""
    return snapshot.number(value)


@register.filter
def euros(value):
    """`{{ 12000|euros }}`: « 12 000 € », « 1 234,50 € »."""
    if value in (None, ""):
        return ""
    return snapshot.money(value)


@register.simple_tag
def widget(field):
    """A form field's widget tied to its help text and errors (RGAA: errors next to their
    field and announced with it)."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-help")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def public_url(context, name, *args):
    """A page of the public site, from any host: a path there, an address on a collectivité's."""
    path = reverse(name, args=args, urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    request = context.get("request")
    if request is None or getattr(request, "collectivite", None) is None:
        return path
    _name, sep, port = request.get_host().rpartition(":")
    return f"//{settings.BASE_DOMAIN}{':' + port if sep and port.isdigit() else ''}{path}"
