from django import template

from .. import addresses, renditions, search

register = template.Library()


@register.filter
def highlight(text, query):
    """text around the first match of query, escaped, with matches in <mark>."""
    return search.highlight(text or "", query or "")


@register.simple_tag
def renditions_of(image_field):
    """{% renditions_of photo.image as sizes %}: responsive renditions, or None."""
    return renditions.renditions_for(image_field)


@register.simple_tag
def address(name, *args, **kwargs):
    """{% address 'articles:tag' tag.slug %}: {% url %}, remembered (addresses.py)."""
    return addresses.address(name, *args, **kwargs)
