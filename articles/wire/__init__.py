"""The wire-copy parser: parse(text, name=...) returns a WireStory.

Standard library only; this package never imports Django, so the parser can be
tested and reused without a database. Each rule is a small function named for
what it recognises, in the module named for what it finds:

    copy           the format; parse() and parse_bytes() read one file, decode()
                   its bytes; MAX_WIRE_BYTES, the most a file may hold, and
                   MAX_PARAGRAPHS, MAX_QUOTES, MAX_PEOPLE, MAX_ORGANIZATIONS,
                   the most a story may have, and MAX_HEADLINE
    story          what they return (WireStory, WirePerson, WireQuote, Credit)
                   and raise (WireFormatError)
    headline       line 1: the headline, the photo caption, the credit's text
    credits        photographer and agencies; material from a wire service
    quotes         quoted spans, and which of them are quotations
    people         people introduced by title, honorific, appositive or speech
    organizations  institutions the story names, which may speak too
    mentions       where each person or organization is named
    attribution    who said each quotation, and where
    tags           the tags to suggest
    vocabulary     the word lists several of these share
    quote_text     what "the same words" means; the models and rendering use it

Other code imports from here, not from the modules.
"""

from .copy import (
    MAX_HEADLINE,
    MAX_ORGANIZATIONS,
    MAX_PARAGRAPHS,
    MAX_PEOPLE,
    MAX_QUOTES,
    MAX_WIRE_BYTES,
    decode,
    parse,
    parse_bytes,
)
from .credits import split_credit
from .headline import split_headline_and_caption
from .people import lowercase_title, title_before_honorific
from .quote_text import find_quote, normalize_quote_text, quote_pattern
from .quotes import is_quotation
from .story import Credit, WireFormatError, WirePerson, WireQuote, WireStory

__all__ = [
    "MAX_HEADLINE",
    "MAX_ORGANIZATIONS",
    "MAX_PARAGRAPHS",
    "MAX_PEOPLE",
    "MAX_QUOTES",
    "MAX_WIRE_BYTES",
    "Credit",
    "WireFormatError",
    "WirePerson",
    "WireQuote",
    "WireStory",
    "decode",
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
