"""Stored story text to safe HTML: the only producer of body HTML.

Stored text is never trusted, whether it came through the admin, an ingest or
``loaddata`` (which skips ``save()`` and ``clean()``): every render sanitizes.
"""

import html
import re

import nh3
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .wire import find_quote

# Inline markup an editor may use inside a paragraph; everything else is removed.
ALLOWED_TAGS = {"a", "em", "strong", "i", "b", "abbr", "sub", "sup"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_TAG = re.compile(r"(<[^>]*>)")
_OPENING_MARKS = '"\u201c\u201e\u00ab'
_CLOSING_MARKS = '"\u201d\u00bb'


def sanitize(fragment):
    """Return fragment with only the allowed inline markup left."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def paragraphs(body):
    """Split a stored body into its paragraphs: one per non-blank line."""
    return [line.strip() for line in body.splitlines() if line.strip()]


def text_segments(body):
    """The text between tags of each sanitized paragraph, unescaped: what quotes are found in."""
    for paragraph in paragraphs(body):
        for segment in _TAG.split(sanitize(paragraph)):
            if not segment.startswith("<"):
                yield html.unescape(segment)


def render_body(body, quotes=()):
    """Return the body as safe HTML paragraphs, with each quote marked up.

    A quote becomes ``<q id="quote-N" cite="speaker page">`` around the words
    that were said; the quotation marks that surround it in the copy are taken
    into the element, which draws its own.
    """
    rendered = []
    marked = set()
    for paragraph in paragraphs(body):
        pieces = []
        for segment in _TAG.split(sanitize(paragraph)):
            if segment.startswith("<"):
                pieces.append(segment)
            else:
                pieces.append(_mark_quotes(html.unescape(segment), quotes, marked))
        rendered.append("<p>" + "".join(pieces) + "</p>")
    return mark_safe("\n".join(rendered))


def _mark_quotes(text, quotes, marked):
    """Escape a text segment, wrapping the first match of each unmarked quote."""
    spans = []
    for quote in quotes:
        if id(quote) in marked:
            continue
        match = find_quote(text, quote.text)
        if not match:
            continue
        start, end = match.span()
        if any(start < s_end and end > s_start for s_start, s_end, _ in spans):
            continue
        opened = start > 0 and text[start - 1] in _OPENING_MARKS
        if opened and end < len(text) and text[end] in _CLOSING_MARKS:
            start, end = start - 1, end + 1
        spans.append((start, end, quote))
        marked.add(id(quote))
    out, position = [], 0
    for start, end, quote in sorted(spans, key=lambda span: span[0]):
        out.append(html.escape(text[position:start], quote=False))
        out.append(
            format_html(
                '<q id="{}" class="quote" cite="{}" data-speaker="{}">{}</q>',
                quote.anchor,
                quote.speaker.get_absolute_url(),
                quote.speaker.name,
                quote_words(text[start:end]),
            )
        )
        position = end
    out.append(html.escape(text[position:], quote=False))
    return "".join(out)


def quote_words(text):
    """Strip one pair of surrounding quotation marks, if the copy had them."""
    if len(text) >= 2 and text[0] in _OPENING_MARKS and text[-1] in _CLOSING_MARKS:
        return text[1:-1]
    return text
