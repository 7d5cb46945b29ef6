from django import template

from .. import search

register = template.Library()


@register.filter
def highlight(text, query):
    """text around the first match of query, escaped, with matches in <mark>."""
    return search.highlight(text or "", query or "")
