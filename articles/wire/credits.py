"""Who the story credits: the photographer and agencies, and any wire source."""

import re

from .people import _INITIAL_RE, _NAME_WORD_RE, PARTICLES
from .story import Credit
from .vocabulary import ORGANIZATION_WORDS

_AGENCY_WORDS = set(
    """press office agency images image photo photos news service pool tns ap afp tass
    reuters getty abaca epa sipa ria novosti xinhua zuma sputnik bloomberg upi dpa ansa
    efe ministry presidential information associated times post tribune herald journal
    media wire network handout courtesy""".split()
)


def split_credit(text):
    """Split "Photographer/Agency/…/TNS" into the photographer and ordered agencies."""
    parts = [part.strip() for part in re.split(r"\s*/\s*", text) if part.strip()]
    if not parts:
        return Credit(photographer=None, agencies=())
    if looks_like_person_name(parts[0]):
        return Credit(photographer=parts[0], agencies=tuple(parts[1:]))
    return Credit(photographer=None, agencies=tuple(parts))


def looks_like_person_name(text):
    """Two to four capitalised words, none of them an agency or institution word."""
    words = text.split()
    if not 2 <= len(words) <= 4:
        return False
    if any(w.lower().strip(".,") in _AGENCY_WORDS | ORGANIZATION_WORDS for w in words):
        return False
    return all(
        _NAME_WORD_RE.fullmatch(w) or w in PARTICLES or _INITIAL_RE.fullmatch(w)
        for w in words
    )


_ACCORDING_TO = re.compile(r"\bAccording to (?:the )?((?:[A-Z][\w.&’'-]*\s?)+),")


def find_source_note(body):
    """Credit for material the story draws on (“According to the Associated Press, …”)."""
    for paragraph in body:
        match = _ACCORDING_TO.search(paragraph)
        if (
            match
            and "Press" in match.group(1)
            or (match and match.group(1).strip() in {"Reuters", "AFP"})
        ):
            agency = match.group(1).strip()
            article = "the " if "Press" in agency else ""
            return f"Includes material from {article}{agency}."
    return ""
