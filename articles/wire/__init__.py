"""Wire copy: the plain-text form in which stories arrive, parsed by rule.

The format is the seed's: line 1 is the headline, then the photo caption and
its credit in parentheses; every following line is a body paragraph (a
blank-line-separated variant, with paragraphs wrapped over several lines, is
accepted too).

Standard library only; this module never imports Django, so the parser can be
tested and reused without a database. Each rule is a small function named for
what it recognises.
"""

import bisect
import functools
import hashlib
import re

from .mentions import last_mention_before, mentions_of
from .organizations import find_organizations, organization_kind
from .people import (
    _APPOSITION,
    _INITIAL_RE,
    _NAME_WORD_RE,
    _UPPER,
    PARTICLES,
    find_people,
    lowercase_title,
    title_before_honorific,
)
from .quote_text import find_quote, normalize_quote_text, quote_pattern
from .quotes import find_quote_spans, is_quotation
from .story import Credit, WireFormatError, WirePerson, WireQuote, WireStory
from .vocabulary import (
    _HEADLINE_CANNOT_END,
    ABBREVIATIONS,
    COUNTRIES,
    NOT_NAME_WORDS,
    ORGANIZATION_NOUNS,
    ORGANIZATION_WORDS,
    ORGANIZATIONS,
    ROLE_NOUNS,
    SPEECH_VERBS,
)

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


# --- Vocabulary ----------------------------------------------------------------


PRONOUNS = {"he", "she", "they"}

MAX_TAGS = 6

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


# --- Attribution -------------------------------------------------------------------


_SENTENCE_END = re.compile(r"([.!?])([”\"]?)\s+(?=[“\"A-Z])")


def is_sentence_break(paragraph, match):
    # The word before the mark, from a short window: searching the whole prefix
    # made long paragraphs of quotes cubic.
    words = paragraph[max(0, match.start() - 60) : match.start() + 1].split()
    token = words[-1].rstrip(".") if words else ""
    abbreviated = (
        token in ABBREVIATIONS or re.fullmatch(r"[A-Z]", token) or "." in token
    )
    return not (match.group(1) == "." and abbreviated)


def sentence_end(text):
    """Length of the first sentence of text, abbreviations such as “Sen.” aside."""
    for match in _SENTENCE_END.finditer(text):
        if is_sentence_break(text, match):
            return match.start() + 1
    return len(text)


@functools.lru_cache(maxsize=256)
def sentence_starts(paragraph):
    """Where each sentence of a paragraph starts, found once per paragraph."""
    return [0] + [
        m.end()
        for m in _SENTENCE_END.finditer(paragraph)
        if is_sentence_break(paragraph, m)
    ]


def sentence_start(paragraph, position):
    """Start of the sentence that contains position."""
    starts = sentence_starts(paragraph)
    return starts[bisect.bisect_right(starts, position) - 1]


_PARTICLE_ALTERNATIVES = "|".join(sorted(PARTICLES, key=len, reverse=True))
_WHO = (
    r"(?P<who>(?:[Tt]he\s+(?:[\w’'-]+\s+){0,4}?[\w’'-]+)"
    rf"|(?:[{_UPPER}][\w.’'-]*(?:\s+(?:[{_UPPER}][\w.’'-]*|{_PARTICLE_ALTERNATIVES}))*)"
    r"|he|she|they)"
)
_AFTER_WHO_VERB = re.compile(rf"^[\s,]*{_WHO}{_APPOSITION}\s+(?:{SPEECH_VERBS})\b")
_AFTER_VERB_WHO = re.compile(rf"^[\s,]*(?:{SPEECH_VERBS})\s+{_WHO}")
_BEFORE_WHO_VERB = re.compile(
    rf"{_WHO}{_APPOSITION}\s+(?:(?:also|then|later|again|once)\s+)?(?:{SPEECH_VERBS})\b[^“\"]*?$"
)
_CONTEXT_OPENING = re.compile(
    r"^(?:In|in)\s+(?:a|an|the)\s+([^,]+?)(?:\s+(?:between|with|to|on)\s+[^,]*)?,"
)
_CONTEXT_AFTER = re.compile(
    rf"(?:{SPEECH_VERBS})\s+in\s+(?:a|an)\s+([a-z][\w\s-]*?)(?:[.,]|$)"
)


def attribute_quotes(body, spans, people):
    """A WireQuote for every quotation, with the speaker the copy gives it."""
    organizations = find_organizations(body, spans, people)
    mentions = mentions_of(body, spans, people, organizations)
    quotes = []
    previous = None  # (span, speaker)
    for span in spans:
        text = span.text(body)
        paragraph = body[span.paragraph]
        after = paragraph[span.end + 1 :] if span.closed else ""
        before = paragraph[sentence_start(paragraph, span.start) : span.start]
        if not is_quotation(text, after, before):
            continue
        paragraph = body[span.paragraph]
        speaker, certain = speaker_for(
            span, paragraph, body, people, organizations, mentions, previous
        )
        context = context_for(paragraph, span)
        quotes.append(WireQuote(text, speaker, span.paragraph, context, certain))
        previous = (span, speaker)
    return quotes


def speaker_for(span, paragraph, body, people, organizations, mentions, previous):
    """(speaker, certain) for one quotation."""
    text = paragraph[span.start + 1 : span.end]
    after = paragraph[span.end + 1 :] if span.closed else ""
    after_sentence = re.split(r"[“\"]", after, maxsplit=1)[0]
    after_sentence = after_sentence[: sentence_end(after_sentence)]
    if not text.rstrip().endswith(".") or re.match(
        r"^\s*(?:he|she|they)\s", after_sentence
    ):
        for pattern in (_AFTER_WHO_VERB, _AFTER_VERB_WHO):
            match = pattern.match(after_sentence)
            if match:
                speaker = resolve(
                    match.group("who"),
                    span,
                    span.end,
                    people,
                    organizations,
                    mentions,
                    previous,
                )
                if speaker:
                    return speaker, True
    start = sentence_start(paragraph, span.start)
    before = paragraph[start : span.start]
    match = _BEFORE_WHO_VERB.search(before)
    if match:
        speaker = resolve(
            match.group("who"),
            span,
            start + match.start(),
            people,
            organizations,
            mentions,
            previous,
        )
        if speaker:
            return speaker, True
    subject = subject_before(
        before, start, span, people, organizations, mentions, previous
    )
    if subject:
        return subject, True
    if previous:
        previous_span, previous_speaker = previous
        same_paragraph = previous_span.paragraph == span.paragraph
        runs_on = (
            previous_span.paragraph == span.paragraph - 1 and not previous_span.closed
        )
        if same_paragraph or runs_on:
            return previous_speaker, True
        if previous_span.paragraph == span.paragraph - 1 and span.start == 0:
            return previous_speaker, True  # a follow-on quote paragraph
    nearest = last_mention_before(mentions, span.paragraph, span.start)
    return (nearest or ""), False


def subject_before(before, offset, span, people, organizations, mentions, previous):
    """The last person named before the quote who is the subject of a verb."""
    pattern = re.compile(
        rf"{_WHO}{_APPOSITION}\s+(?:{SPEECH_VERBS}|[a-z]+ed|[a-z]+s)\b"
    )
    last = None
    for match in pattern.finditer(before):
        if match.group("who").lower() in {"the", "they"}:
            continue
        last = match
    if last is None:
        return None
    return resolve(
        last.group("who"),
        span,
        offset + last.start(),
        people,
        organizations,
        mentions,
        previous,
    )


HONORIFIC_NOUNS = {
    "Sen.": "senator",
    "Rep.": "representative",
    "Gov.": "governor",
    "Gen.": "general",
    "Col.": "colonel",
    "Dr.": "doctor",
    "Prof.": "professor",
    "Adm.": "admiral",
    "Capt.": "captain",
    "Sgt.": "sergeant",
    "Lt.": "lieutenant",
    "Maj.": "major",
}


def role_nouns_of(person):
    """Words a later mention may use for person: “the minister”, “the senator”."""
    words = {w.strip(",.").lower() for w in person.role.split()}
    words |= {
        HONORIFIC_NOUNS[h] for h in person.honorific.split() if h in HONORIFIC_NOUNS
    }
    return words


def resolve(who, span, position, people, organizations, mentions, previous):
    """Turn the words that name a speaker into a person's (or organization's) name."""
    who = who.strip().rstrip(".,;:")
    names = {p.name for p in people}
    if who.lower() in PRONOUNS:
        # "he said": the last person named earlier in the paragraph, else the last speaker.
        named = last_mention_before(
            mentions, span.paragraph, position, kind=names, same_paragraph=True
        )
        if named:
            return named
        if (
            previous
            and previous[0].paragraph >= span.paragraph - 1
            and previous[1] in names
        ):
            return previous[1]
        return last_mention_before(mentions, span.paragraph, position, kind=names)
    for person in people:
        if who == person.name or who.endswith(" " + person.name):
            return person.name
    for organization in organizations:
        if who == organization or who.endswith(" " + organization):
            return organization
    last_word = who.split()[-1]
    for person in people:
        if last_word == person.name.split()[-1]:
            return person.name
    if len(who.split()) == 1:
        # Surname first, as in “Tan Wei Ling … Tan said”.
        for person in people:
            if who == person.name.split()[0] and len(person.name.split()) >= 3:
                return person.name
    if who.lower().startswith("the "):
        head = last_word.lower()
        if head in ORGANIZATION_NOUNS:
            kind = {
                o
                for o in organizations
                if organization_kind(o) == head or head in o.lower().split()
            }
            return (
                last_mention_before(mentions, span.paragraph, position, kind=kind)
                if kind
                else None
            )
        with_role = best_role_matches(who, people, head)
        if with_role:
            return (
                last_mention_before(mentions, span.paragraph, position, kind=with_role)
                or sorted(with_role)[0]
            )
        if head in ROLE_NOUNS:
            return last_mention_before(mentions, span.paragraph, position, kind=names)
    return None


def best_role_matches(who, people, head):
    """People a “the Jordanian minister” could mean: role has the noun, most words shared."""
    words = {w.lower() for w in who.split()[1:]}
    scored = [
        (len(words & role_nouns_of(p)), p.name)
        for p in people
        if head in role_nouns_of(p)
    ]
    best = max((score for score, _ in scored), default=0)
    return {name for score, name in scored if score == best}


def context_for(paragraph, span):
    """Where the words were said, when the copy says so (“Kremlin transcript of …”)."""
    start = sentence_start(paragraph, span.start)
    sentence = paragraph[start:]
    opening = _CONTEXT_OPENING.match(sentence)
    if opening:
        return opening.group(1).strip()
    after = _CONTEXT_AFTER.search(paragraph[span.end :])
    return after.group(1).strip() if after else ""


# --- Tags and sources ------------------------------------------------------------


def count_aliases(text, aliases):
    return sum(
        len(re.findall(rf"(?<![\w.]){re.escape(alias)}(?![\w-])", text))
        for alias in aliases
    )


def suggest_tags(headline, body, people):
    """Places, organizations and headline people: a short list, most relevant first."""
    text = "\n".join(body)
    scored = []
    for name, aliases in [*COUNTRIES.items(), *ORGANIZATIONS.items()]:
        in_headline = count_aliases(headline, aliases)
        count = count_aliases(text, aliases) + in_headline
        if in_headline or count >= 2:
            first = min(
                (headline + " " + text).find(a)
                for a in aliases
                if a in headline + " " + text
            )
            scored.append((not in_headline, -count, first, name))
    for person in people:
        last = person.name.split()[-1]
        if re.search(rf"\b{re.escape(last)}\b", headline):
            scored.append((False, -99, headline.find(last), person.name))
    scored.sort(key=lambda row: (row[0], row[2] if not row[0] else 0, row[1], row[2]))
    return [name for *_, name in scored][:MAX_TAGS]


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
