"""Institutions the story names, and what a later mention calls them."""

import math
import re

from .people import _APPOSITION, _CAPITAL_RUN, strip_leading_non_names, words_of
from .quotes import outside_quotes
from .vocabulary import (
    _HONORIFIC_BEFORE,
    COMPANY_SUFFIXES,
    ORGANIZATION_NOUNS,
    ROLE_NOUNS,
    SPEECH_VERBS,
)


def find_organizations(body, spans, people=(), most=math.inf):
    """Capitalised names of institutions the story mentions (“Russian Defense Ministry”).

    A name ending like one (Ministry, Council, Lines) counts, and so does any
    other capitalised name that speaks but is no person: “Brightline Appliances said”.
    Stops once more than `most` are found.
    """
    person_words = {word for p in people for word in p.name.split()}
    speaks_after = re.compile(rf"^{_APPOSITION}\s+(?:{SPEECH_VERBS})\b")
    names = []
    for text in outside_quotes(body, spans):
        for match in _CAPITAL_RUN.finditer(text):
            words = strip_leading_non_names(words_of(match.group()))
            last = words[-1].lower() if words else ""
            named_like_one = last in ORGANIZATION_NOUNS or last in COMPANY_SUFFIXES
            name = " ".join(words)
            # A speaking name is an organization only when nothing in it is a person's
            # name or a title: "Brightline Appliances said", not "De Wachter said".
            speaks = (
                bool(speaks_after.match(text[match.end() :]))
                and not person_words & set(words)
                and not any(w.lower() in ROLE_NOUNS for w in words)
                and not _HONORIFIC_BEFORE.search(text[: match.start()])
            )
            if len(words) >= 2 and (named_like_one or speaks):
                if name not in names:
                    names.append(name)
                    if len(names) > most:
                        return names
    return names


def organization_kind(name):
    """What a later mention calls an organization: “the company”, “the ministry”."""
    last = name.split()[-1].lower()
    return COMPANY_SUFFIXES.get(last, last)
