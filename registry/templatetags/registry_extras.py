from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ labels|get_item:code }}`: a value of a dict by a key from the template."""
    if mapping is None:
        return None
    return mapping.get(key) if hasattr(mapping, "get") else None


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
