"""Line 1 of wire copy: the headline, the photo caption after it, the credit's text."""

import re

from .people import _UPPER, PARTICLES
from .vocabulary import _HEADLINE_CANNOT_END, NOT_NAME_WORDS, ROLE_NOUNS, SPEECH_VERBS

_CREDIT_AT_END = re.compile(r"\s*\(([^()]*)\)\s*$")


def looks_like_caption(line):
    """A short line that ends with a parenthesised credit containing a slash."""
    match = _CREDIT_AT_END.search(line)
    return bool(match and "/" in match.group(1) and len(line) < 400)


def split_caption_and_credit(line):
    """A caption on a line of its own: all of it is caption, then the credit's text."""
    match = _CREDIT_AT_END.search(line)
    return line[: match.start()].strip(), match.group(1).strip()


def unmatched_parenthesis(line):
    """The index of a parenthesis in line that has no partner, or None."""
    opened = []
    for index, char in enumerate(line):
        if char == "(":
            opened.append(index)
        elif char == ")":
            if not opened:
                return index
            opened.pop()
    return opened[0] if opened else None


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
            w.lower() in ROLE_NOUNS for w in caption.split(maxsplit=3)[:3]
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
