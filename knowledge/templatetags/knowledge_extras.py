"""Template tags of the knowledge base, for every page (a builtin, see config.settings)."""

from django import template

from knowledge.links import FIELD_ARTICLES
from knowledge.models import Article
from knowledge.rendering import render_markdown

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
