"""Template tags of the knowledge base, for every page (a builtin, see config.settings)."""

from django import template

from knowledge.links import FIELD_ARTICLES, page_argument
from knowledge.models import Article
from knowledge.rendering import render_markdown
from registry.templatetags.registry_extras import public_url

register = template.Library()


@register.filter
def markdown(text):
    """Curators' Markdown, rendered and sanitised (nothing in it can run)."""
    return render_markdown(text)


@register.simple_tag
def field_articles() -> dict:
    """The knowledge base's articles behind a use case's fields, by field name (one query)."""
    found = Article.objects.in_bulk(list(FIELD_ARTICLES.values()), field_name="slug")
    return {field: found[slug] for field, slug in FIELD_ARTICLES.items() if slug in found}


@register.simple_tag(takes_context=True)
def public_link(context, name, argument):
    """registry's `public_url`, with the French address of a risk's or a phase's page for the
    code a use case names it by (« bias_automation » → « biais-d-automatisation »)."""
    return public_url(context, name, page_argument(name, argument))
