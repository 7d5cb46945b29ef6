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
    unmatched_parenthesis,
)
from .organizations import find_organizations
from .people import find_people
from .quote_text import normalize_quote_text
from .quotes import find_quote_spans
from .story import WireFormatError, WirePerson, WireStory
from .tags import suggest_tags

# The most a wire file may hold: a wire story is a few kilobytes of text; the
# admin's import page and the ingest_story command both refuse more.
MAX_WIRE_BYTES = 1_000_000
# The most one story may have of each. Within MAX_WIRE_BYTES a file can hold
# 250,000 one-word paragraphs (five minutes to save) or thousands of names,
# which the rules for who said what each look for in every paragraph; the
# longest story of the evaluation sets has 10 paragraphs, 11 quotes, 7 people.
MAX_PARAGRAPHS = 1_000
MAX_QUOTES = 999  # the places a story has for quotes (models.places.MAX_PLACE)
MAX_PEOPLE = 200
MAX_ORGANIZATIONS = 200
# The longest headline a story takes (Article.headline's max_length): longer,
# and line 1 was most likely a body paragraph.
MAX_HEADLINE = 300


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
REPLACEMENT_CHARACTER = "\ufffd"


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
        if (column := line.find(REPLACEMENT_CHARACTER)) != -1:
            # What a decoder leaves for bytes it could not read: the copy was
            # damaged before it reached us, as decode() refuses bytes that are
            # not UTF-8. Anywhere: a name or a quote would be stored wrong.
            raise WireFormatError(
                name,
                number,
                f"U+FFFD REPLACEMENT CHARACTER at column {column + 1}: a "
                "character was lost before the copy reached us; ask for it again",
            )
    numbered = [(number, line.strip()) for number, line in enumerate(lines, 1)]
    if not any(line for _, line in numbered):
        raise WireFormatError(name, 1, "the file is empty")
    blocks = split_paragraphs(numbered)
    (headline_line, first), *rest = blocks
    body_text = "\n".join(paragraph for _, paragraph in rest)
    if (column := unmatched_parenthesis(first)) is not None:
        # The credit's closing parenthesis lost on the way: the caption and the
        # credit would be stored as part of the headline, and no photo credit made.
        raise WireFormatError(
            name,
            headline_line,
            f"the parenthesis at column {column + 1} has no partner: "
            "is the photo credit cut short?",
        )
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
    if len(headline) > MAX_HEADLINE:
        raise WireFormatError(
            name,
            headline_line,
            f"the headline has {len(headline)} characters, more than "
            f"{MAX_HEADLINE}: is this line a body paragraph?",
        )
    if not rest:
        raise WireFormatError(
            name, headline_line + 1, "the story has no body paragraphs"
        )
    if len(rest) > MAX_PARAGRAPHS:
        raise too_many(name, rest[MAX_PARAGRAPHS][0], MAX_PARAGRAPHS, "body paragraphs")
    body = tuple(paragraph for _, paragraph in rest)
    spans = find_quote_spans(rest, name=name)
    people = find_people(body, caption, spans, most=MAX_PEOPLE)
    if len(people) > MAX_PEOPLE:
        line = line_naming(people[-1].name, rest, headline_line)
        raise too_many(name, line, MAX_PEOPLE, "people")
    credit = split_credit(credit_text)
    if credit.photographer and credit.photographer not in {p.name for p in people}:
        people.append(WirePerson(name=credit.photographer, role="photographer"))
    organizations = find_organizations(body, spans, people, most=MAX_ORGANIZATIONS)
    if len(organizations) > MAX_ORGANIZATIONS:
        line = line_naming(organizations[-1], rest, headline_line)
        raise too_many(name, line, MAX_ORGANIZATIONS, "organizations")
    quotes = attribute_quotes(body, spans, people, organizations)
    if len(quotes) > MAX_QUOTES:
        line = rest[quotes[MAX_QUOTES].paragraph][0]
        raise too_many(name, line, MAX_QUOTES, "quotes")
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


def too_many(name, line, limit, what):
    """The refusal of a story with more than limit of what, at the line with the next."""
    return WireFormatError(
        name,
        line,
        f"a story may have at most {limit:,} {what}, and this line brings one "
        "more: is the file several stories in one?",
    )


def line_naming(words, numbered, otherwise):
    """The number of the first line in numbered that has words, else otherwise."""
    return next((number for number, line in numbered if words in line), otherwise)


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
