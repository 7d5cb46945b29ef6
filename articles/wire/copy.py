"""Wire copy: the plain-text form in which stories arrive, parsed by rule.

The format is the seed's: line 1 is the headline, then the photo caption and
its credit in parentheses; every following line is a body paragraph (a
blank-line-separated variant, with paragraphs wrapped over several lines, is
accepted too).

parse() splits the file into lines and paragraphs, then hands each part to the
rule that recognises it.
"""

import codecs
import hashlib
import re

from .attribution import attribute_quotes
from .credits import find_source_note, split_credit
from .headline import (
    looks_like_caption,
    split_caption_and_credit,
    split_headline_and_caption,
)
from .people import find_people
from .quote_text import normalize_quote_text
from .quotes import find_quote_spans
from .story import WireFormatError, WirePerson, WireStory
from .tags import suggest_tags

# The most a wire file may hold: a wire story is a few kilobytes of text; the
# admin's import page and the ingest_story command both refuse more.
MAX_WIRE_BYTES = 1_000_000


def parse_bytes(data, *, name):
    """Parse wire copy given as bytes, refusing binary or undecodable files."""
    return parse(decode(data, name=name), name=name)


def decode(data, *, name):
    """The text of a wire file: UTF-8, or UTF-16 that says so with a byte-order mark.

    Windows editors save "Unicode" text as UTF-16 with a BOM; its NUL bytes
    would otherwise make it look binary.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            line = data[: error.start].decode("utf-16", "replace").count("\n") + 1
            raise WireFormatError(
                name, line, "the text says it is UTF-16 but is not"
            ) from error
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise WireFormatError(name, line, "this is a binary file, not wire copy text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise WireFormatError(name, line, "the text is not UTF-8") from error


# Only these end a line. str.splitlines() also breaks at vertical tab, form
# feed, \x1c-\x1e, NEL, U+2028 and U+2029, which silently cut a headline in
# two ("Pu\x0btin ..." gave the headline "Pu"); here they stay in the line
# and are refused as control characters, at their line and column.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# C0 and C1 controls but tab, and the Unicode line and paragraph separators:
# nothing typed copy holds.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def parse(text, *, name):
    """Parse one wire story into a WireStory, or raise WireFormatError."""
    lines = _LINE_BREAK.split(text.lstrip("\ufeff"))
    for number, line in enumerate(lines, 1):
        if control := _CONTROL.search(line):
            raise WireFormatError(
                name,
                number,
                f"control character U+{ord(control.group()):04X} at column "
                f"{control.start() + 1}: this is not wire copy text",
            )
    numbered = [(number, line.strip()) for number, line in enumerate(lines, 1)]
    if not any(line for _, line in numbered):
        raise WireFormatError(name, 1, "the file is empty")
    blocks = split_paragraphs(numbered)
    (headline_line, first), *rest = blocks
    body_text = "\n".join(paragraph for _, paragraph in rest)
    headline, caption, credit_text = split_headline_and_caption(first, body_text)
    if not credit_text and rest and looks_like_caption(rest[0][1]):
        # Split as line 1 is, this line lost its first words, or all of it
        # when no headline-like split was found.
        caption, credit_text = split_caption_and_credit(rest[0][1])
        rest = rest[1:]
    if not headline:
        raise WireFormatError(name, headline_line, "line 1 has no headline")
    if not any(char.isalnum() for char in headline):
        # ".", "“”" or a zero-width space: kept, it was a story with no headline.
        raise WireFormatError(
            name,
            headline_line,
            f"the headline “{headline}” has no letters or digits",
        )
    if not rest:
        raise WireFormatError(
            name, headline_line + 1, "the story has no body paragraphs"
        )
    body = tuple(paragraph for _, paragraph in rest)
    spans = find_quote_spans(rest, name=name)
    people = find_people(body, caption, spans)
    credit = split_credit(credit_text)
    if credit.photographer and credit.photographer not in {p.name for p in people}:
        people.append(WirePerson(name=credit.photographer, role="photographer"))
    quotes = attribute_quotes(body, spans, people)
    return WireStory(
        name=name,
        headline=headline,
        caption=caption,
        credit=credit,
        people=tuple(people),
        quotes=tuple(quotes),
        tags=tuple(suggest_tags(headline, body, people)),
        body=body,
        source_note=find_source_note(body),
        digest=digest_of(first, *body),
    )


def digest_of(*parts):
    """A fingerprint of the copy that survives changes of line endings and spacing."""
    text = "\n".join(str(part) for part in parts)
    return hashlib.sha256(normalize_quote_text(text).encode()).hexdigest()


def split_paragraphs(numbered):
    """Return (line number, paragraph) pairs.

    One paragraph per line, unless blank lines separate blocks of several lines:
    then each block is a paragraph wrapped over its lines.
    """
    blocks, current = [], []
    for number, line in numbered:
        if line:
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    wrapped = any(len(block) > 1 for block in blocks[1:]) and len(blocks) > 2
    if not wrapped:
        return [pair for block in blocks for pair in block]
    return [(block[0][0], " ".join(line for _, line in block)) for block in blocks]
