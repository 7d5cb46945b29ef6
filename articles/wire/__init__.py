"""Wire copy: the plain-text form in which stories arrive, parsed by rule.

The format is the seed's: line 1 is the headline, then the photo caption and
its credit in parentheses; every following line is a body paragraph (a
blank-line-separated variant, with paragraphs wrapped over several lines, is
accepted too).

Standard library only; this module never imports Django, so the parser can be
tested and reused without a database. Each rule is a small function named for
what it recognises.
"""

import hashlib
import re

from .attribution import attribute_quotes
from .credits import find_source_note, split_credit
from .people import (
    _UPPER,
    PARTICLES,
    find_people,
    lowercase_title,
    title_before_honorific,
)
from .quote_text import find_quote, normalize_quote_text, quote_pattern
from .quotes import find_quote_spans, is_quotation
from .story import Credit, WireFormatError, WirePerson, WireQuote, WireStory
from .tags import suggest_tags
from .vocabulary import _HEADLINE_CANNOT_END, NOT_NAME_WORDS, ROLE_NOUNS, SPEECH_VERBS

__all__ = [
    "Credit",
    "WireFormatError",
    "WirePerson",
    "WireQuote",
    "WireStory",
    "find_quote",
    "is_quotation",
    "lowercase_title",
    "normalize_quote_text",
    "parse",
    "parse_bytes",
    "quote_pattern",
    "split_credit",
    "split_headline_and_caption",
    "title_before_honorific",
]


# --- Reading the file ------------------------------------------------------------


def parse_bytes(data, *, name):
    """Parse wire copy given as bytes, refusing binary or non-UTF-8 files."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise WireFormatError(name, line, "this is a binary file, not wire copy text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise WireFormatError(name, line, "the text is not UTF-8") from error
    return parse(text, name=name)


def parse(text, *, name):
    """Parse one wire story into a WireStory, or raise WireFormatError."""
    lines = text.lstrip("\ufeff").splitlines()
    numbered = [(number, line.strip()) for number, line in enumerate(lines, 1)]
    if not any(line for _, line in numbered):
        raise WireFormatError(name, 1, "the file is empty")
    for number, line in numbered:
        if any(ord(char) < 32 and char not in "\t" for char in line):
            raise WireFormatError(
                name, number, "control characters: this is not wire copy text"
            )
    blocks = split_paragraphs(numbered)
    (headline_line, first), *rest = blocks
    body_text = "\n".join(paragraph for _, paragraph in rest)
    headline, caption, credit_text = split_headline_and_caption(first, body_text)
    if not credit_text and rest and looks_like_caption(rest[0][1]):
        _, caption, credit_text = split_headline_and_caption("x " + rest[0][1])
        caption = caption if caption != "x" else ""
        rest = rest[1:]
    if not headline:
        raise WireFormatError(name, headline_line, "line 1 has no headline")
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


_CREDIT_AT_END = re.compile(r"\s*\(([^()]*)\)\s*$")


def looks_like_caption(line):
    """A short line that ends with a parenthesised credit containing a slash."""
    match = _CREDIT_AT_END.search(line)
    return bool(match and "/" in match.group(1) and len(line) < 400)


def split_headline_and_caption(line, body_text=""):
    """Split line 1 into headline, caption and the credit's text.

    Wire systems glue the headline and the photo caption together with a single
    space. The caption is the last sentence before the credit; it starts at a
    capitalised word after a word the headline could end with.
    """
    match = _CREDIT_AT_END.search(line)
    if not match:
        return line.strip(), "", ""
    credit = match.group(1).strip()
    before = line[: match.start()].strip()
    if not before.endswith((".", "!", "?", "”", '"')):
        return before, "", credit
    start = caption_start(before, body_text)
    if start is None:
        return before, "", credit
    return before[:start].strip(), before[start:].strip(), credit


_WORD = re.compile(r"\S+")


def caption_start(text, body_text=""):
    """Index where the caption begins in "headline caption.", or None."""
    # Common words: seen in small letters, and never capitalised inside a sentence.
    capitalised = {w.lower() for w in re.findall(r"(?<=\w\s)[A-Z][a-z]+", body_text)}
    lowercase_words = set(re.findall(r"\b[a-z][a-z]+\b", body_text)) - capitalised
    words = list(_WORD.finditer(text))
    best, best_score = None, None
    for previous, word in zip(words, words[1:], strict=False):
        token = word.group()
        if not token[0].isupper() and token[0] not in "“\"'":
            continue
        before = previous.group()
        if before[-1:] in ",;:" or before.lower() in _HEADLINE_CANNOT_END | PARTICLES:
            continue
        if not before[-1].isalnum() and before[-1] not in "’'":
            continue
        caption = text[word.start() :]
        score = 0
        if re.match(r"[A-Z][\w.-]*['’]s\b", token):
            score += 2  # "Russia's President ..." names the photo's subject
        if re.match(
            r"(?:[A-Z][\w’'-]+\s+){1,3}(?:" + SPEECH_VERBS + r"|speaks|meets|walks|"
            r"stands|looks|attends|arrives|gestures|waves)\b",
            caption,
        ):
            score += 1
        if body_text:
            if f"{before} {token.rstrip('.,')}" in body_text:
                score -= 3  # "forward|Zoë Achterberg" cuts a phrase the body has whole
        elif before[0].isupper() and before.lower() not in NOT_NAME_WORDS:
            score -= 2  # "Vladimir|Putin" would cut a name in two
        if re.match(rf"(?:[\w’'-]+\s+){{0,2}}?[\w’'-]+\s+[{_UPPER}]", caption) and any(
            w.lower() in ROLE_NOUNS for w in caption.split()[:3]
        ):
            score += (
                2  # "Kenyan Foreign Minister Wanjiru …" introduces the photo's subject
            )
        if token.lower() in lowercase_words or token in {"A", "An", "The"}:
            score += (
                2  # "Residents" is capitalised only because a sentence starts there
            )
        if best_score is None or score > best_score:
            best, best_score = word.start(), score
    return best
