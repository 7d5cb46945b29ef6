"""What "the same words" means for a quote, and finding them in a story."""

import functools
import re

# Quote marks that wire copy and editors use interchangeably.
QUOTE_MARKS = {
    "\u201c": '"',  # left double
    "\u201d": '"',  # right double
    "\u201e": '"',  # low double
    "\u00ab": '"',  # guillemets
    "\u00bb": '"',
    "\u2018": "'",  # left single
    "\u2019": "'",  # right single (also the apostrophe in "he’s")
    "\u201a": "'",
}
_QUOTE_TRANSLATION = str.maketrans(QUOTE_MARKS)
_WHITESPACE = re.compile(r"\s+")


def normalize_quote_text(text):
    """Return text with whitespace collapsed and curly quote marks made straight.

    This is the one definition of "the same words": a quote matches its story
    when both normalize to strings where one contains the other.
    """
    return _WHITESPACE.sub(" ", text.translate(_QUOTE_TRANSLATION)).strip()


def quote_pattern(text):
    """Return a regex source matching text as normalize_quote_text compares it.

    Each whitespace run matches any whitespace run and each quote mark matches
    any of its equivalents, so a match in the original string can be located
    without normalizing (and thereby shifting) that string.
    """
    parts = []
    for word in normalize_quote_text(text).split(" "):
        chunk = []
        for char in word:
            if char == '"':
                chunk.append('["\u201c\u201d\u201e\u00ab\u00bb]')
            elif char == "'":
                chunk.append("['\u2018\u2019\u201a]")
            else:
                chunk.append(re.escape(char))
        parts.append("".join(chunk))
    return r"\s+".join(parts)


def find_quote(text, words):
    """The match of words in text as whole words, the way a story quotes them, or None."""
    pattern = whole_quote_pattern(words)
    return pattern.search(text) if pattern else None


@functools.lru_cache(maxsize=4096)
def whole_quote_pattern(words):
    """quote_pattern(words) as whole words, compiled once: every story page asks again."""
    if not normalize_quote_text(words):
        return None
    return re.compile(rf"(?<!\w){quote_pattern(words)}(?!\w)")
