"""Stored story text to safe HTML: the only producer of body HTML.

Stored text is never trusted, whether it came through the admin, an ingest or
``loaddata`` (which skips ``save()`` and ``clean()``): every render sanitizes.
``Article.save()`` also cleans the body with ``clean_body()``, so what is stored
holds no disallowed markup either.
"""

import bisect
import functools
import html
import re
from itertools import accumulate

import html5lib
import nh3
from django.utils.safestring import mark_safe

from .wire import find_quote, normalize_quote_text

# Inline markup an editor may use inside a paragraph; everything else is removed.
ALLOWED_TAGS = {"a", "em", "strong", "i", "b", "abbr", "sub", "sup"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_TAG = re.compile(r"(<[^>]*>)")
# The only characters nh3 changes in text without markup (tests sweep them all):
# it escapes &, < and > and no-break spaces, turns CR into LF and drops NUL.
_CHANGED_BY_NH3 = re.compile(r"[&<>\u00a0\r\x00]")
_OPENING_MARKS = '"\u201c\u201e\u00ab'
_CLOSING_MARKS = '"\u201d\u00bb'


def sanitize(fragment):
    """Return fragment with only the allowed inline markup left."""
    if not _CHANGED_BY_NH3.search(fragment):
        return fragment  # plain text, as most paragraphs are: nh3 returns it as is
    return clean_with_nh3(fragment)


def clean_with_nh3(fragment):
    """sanitize() without its shortcut for plain text."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def clean_body(body):
    """The body with disallowed markup removed; lines that need nothing stay as typed.

    nh3 also rewrites harmless text ("AT&T" becomes "AT&amp;T"), which editors
    would then see in the admin, so a line is replaced by its sanitized form only
    when the two parse to different trees. Either way, sanitize() of the result
    is sanitize() of the original: rendering and the quote check are unchanged.
    """
    cleaned = []
    for line in body.splitlines(keepends=True):
        text = line.rstrip("\r\n")
        safe = sanitize(text)
        if _tree(text) != _tree(safe):
            line = safe + line[len(text) :]
        cleaned.append(line)
    return "".join(cleaned)


# Appended before parsing: a line that ends inside a tag ("<img src=x onerror=…")
# parses to nothing alone, but would swallow the next line's start; this closes it.
_LINE_END = "\n>"


def _tree(fragment):
    """fragment as a browser parses it, ready to compare.

    Parsed as a whole document, so <body onload=…> and <html …> count as the
    markup they are rather than being dropped as they would be in a fragment.
    """
    document = html5lib.parse(fragment + _LINE_END, namespaceHTMLElements=False)
    return _shape(document)


def _shape(element):
    # rel is what sanitize() adds to links; it does not make a line unsafe.
    attributes = sorted((k, v) for k, v in element.attrib.items() if k != "rel")
    children = [(_shape(child), child.tail or "") for child in element]
    return (element.tag, attributes, element.text or "", children)


def paragraphs(body):
    """Split a stored body into its paragraphs: one per non-blank line."""
    return [line.strip() for line in body.splitlines() if line.strip()]


def text_segments(body):
    """The text between tags of each sanitized paragraph, unescaped: what quotes are found in."""
    for paragraph in paragraphs(body):
        for segment in _TAG.split(sanitize(paragraph)):
            if not segment.startswith("<"):
                yield html.unescape(segment)


@functools.lru_cache(maxsize=8)
def quotable_text(body):
    """The body's text segments ready for quotes to be found in, read once per body.

    Every quote of a story is checked against the same body (saving the story
    from the admin, an ingest, --output, checks.py); split, sanitized and
    normalized for each quote, checking 999 quotes took 1.4 s and 4,000 took 27 s.
    """
    return QuotableText(tuple(text_segments(body)))


class QuotableText:
    """A body's text segments, and where a quote's words may stand among them."""

    def __init__(self, segments):
        self.segments = segments
        # normalize_quote_text() leaves no line break in a segment or in a
        # quote's words, so a match in the joined text never spans two segments.
        normalized = [normalize_quote_text(segment) for segment in segments]
        self._joined = "\n".join(normalized)
        self._starts = list(accumulate((len(s) + 1 for s in normalized), initial=0))

    def holds(self, words):
        """Whether words stand whole in one segment, as find_quote() finds them."""
        return any(find_quote(segment, words) for segment in self.candidates(words))

    def candidates(self, words):
        """The segments whose normalized text contains the normalized words.

        A segment find_quote() finds words in is always one of them, so only
        these need its pattern: one str.find() over the joined text replaces a
        regular-expression search of every segment.
        """
        needle = normalize_quote_text(words)
        if not needle:
            return
        position = self._joined.find(needle)
        while position != -1:
            index = bisect.bisect_right(self._starts, position) - 1
            yield self.segments[index]
            position = self._joined.find(needle, self._starts[index + 1])


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
        # What format_html() would make of these plain strings, without its
        # lazy-string machinery (a tenth of the story template's time).
        anchor, cite, speaker, words = (
            html.escape(value)
            for value in (
                quote.anchor,
                quote.speaker.get_absolute_url(),
                quote.speaker.name,
                quote_words(text[start:end]),
            )
        )
        out.append(
            f'<q id="{anchor}" class="quote" cite="{cite}" data-speaker="{speaker}">'
            f"{words}</q>"
        )
        position = end
    out.append(html.escape(text[position:], quote=False))
    return "".join(out)


def quote_words(text):
    """Strip one pair of surrounding quotation marks, if the copy had them."""
    if len(text) >= 2 and text[0] in _OPENING_MARKS and text[-1] in _CLOSING_MARKS:
        return text[1:-1]
    return text
