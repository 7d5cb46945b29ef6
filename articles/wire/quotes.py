"""Quoted spans in the body, and whether each is a quotation or scare quotes.

outside_quotes() blanks the spans out for the rules that look for names.
"""

import re
from dataclasses import dataclass

from .story import WireFormatError
from .vocabulary import SPEECH_VERBS


@dataclass(frozen=True)
class QuoteSpan:
    paragraph: int
    start: int  # index of the opening mark
    end: int  # index of the closing mark, or len(paragraph) when it runs on
    closed: bool

    def text(self, body):
        return body[self.paragraph][self.start + 1 : self.end]


_OPENING = "“„«"
_CLOSING = "”»"


def find_quote_spans(numbered_paragraphs, *, name):
    """Every double-quoted span; raises on marks that never balance.

    A quotation may run on into the next paragraph without a closing mark, as
    wire style does, when the next paragraph opens with a quotation mark.
    """
    spans = []
    count = len(numbered_paragraphs)
    for index, (line, paragraph) in enumerate(numbered_paragraphs):
        open_at = None
        for position, char in enumerate(paragraph):
            opening = char in _OPENING or (char == '"' and open_at is None)
            closing = char in _CLOSING or (char == '"' and open_at is not None)
            if opening and open_at is None:
                open_at = position
            elif closing and open_at is not None:
                spans.append(QuoteSpan(index, open_at, position, True))
                open_at = None
            elif opening:
                raise WireFormatError(
                    name,
                    line,
                    f"a quotation mark opens at column {position + 1} inside another quotation",
                )
            elif closing:
                raise WireFormatError(
                    name,
                    line,
                    f"a closing quotation mark at column {position + 1} has no opening mark",
                )
        if open_at is not None:
            follows = (
                index + 1 < count
                and numbered_paragraphs[index + 1][1][:1] in _OPENING + '"'
            )
            if not follows:
                raise WireFormatError(
                    name,
                    line,
                    f"the quotation opened at column {open_at + 1} is never closed",
                )
            spans.append(QuoteSpan(index, open_at, len(paragraph), False))
    return spans


_ATTRIBUTION_NEXT = re.compile(
    rf"^\s*(?:(?:{SPEECH_VERBS})\b|(?:he|she|they|[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){{0,3}}|the\s+\w+(?:\s+\w+)?)\s+(?:{SPEECH_VERBS})\b)"
)


_NAMING_BEFORE = re.compile(
    r"(?:so-called|dubbed|known as|nicknamed|titled|named|called(?:\s+[\w’'-]+){0,3})\s*$"
)


def is_quotation(text, after="", before=""):
    """Whether quoted words are a quotation rather than scare quotes or a title.

    Short or title-case words count only when they end a sentence, when an
    attribution follows (“We were guessing,” he said), or when the sentence
    reports speech before them (said his team “stopped playing”); not
    “Northern Light,” a drama, nor the so-called “green corridor”.
    """
    words = text.split()
    if not words:
        return False
    small = {"a", "an", "the", "and", "of", "in", "on", "for", "to", "at", "or"}
    title_case = all(w[0].isupper() or w in small for w in words)
    doubtful = len(words) <= 3 or (title_case and len(words) <= 8)
    if not doubtful:
        return True
    if text.rstrip()[-1] in ".!?…" or _ATTRIBUTION_NEXT.match(after):
        return True
    reported = re.search(rf"\b(?:{SPEECH_VERBS})\b", before)
    return bool(reported) and not title_case and not _NAMING_BEFORE.search(before)


def outside_quotes(body, spans):
    """Each paragraph of body with its quoted text blanked out, keeping every offset.

    The spans are sorted into their paragraphs first: each paragraph looking
    through every span made a story of 4,000 quotes take seconds to parse.
    """
    chars = [list(paragraph) for paragraph in body]
    for span in spans:
        paragraph = chars[span.paragraph]
        for position in range(span.start, min(span.end + 1, len(paragraph))):
            paragraph[position] = " "
    return ["".join(paragraph) for paragraph in chars]
