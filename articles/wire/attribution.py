"""Who said each quotation, and where: the speaker the copy gives a quote.

Sentence boundaries are found here too; only attribution reads them.
"""

import bisect
import functools
import re

from .mentions import last_mention_before, mentions_of
from .organizations import organization_kind
from .people import _APPOSITION, _UPPER, PARTICLES, start_near
from .quotes import is_quotation
from .story import WireQuote
from .vocabulary import ABBREVIATIONS, ORGANIZATION_NOUNS, ROLE_NOUNS, SPEECH_VERBS

PRONOUNS = {"he", "she", "they"}

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


# How far around a quotation the rules look for who said it and where. A
# paragraph of quotes with no sentence break ("“x” “x” …") had each rule search
# all of it for every quote, which took minutes; a real sentence is far shorter.
NEAR_QUOTE = 600


def attribution_start(paragraph, position):
    """Where the words before a quotation that may attribute it begin."""
    return max(
        sentence_start(paragraph, position),
        start_near(paragraph, position, NEAR_QUOTE),
    )


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


def attribute_quotes(body, spans, people, organizations):
    """A WireQuote for every quotation, with the speaker the copy gives it."""
    mentions = mentions_of(body, spans, people, organizations)
    quotes = []
    previous = None  # (span, speaker)
    for span in spans:
        text = span.text(body)
        paragraph = body[span.paragraph]
        after = paragraph[span.end + 1 :] if span.closed else ""
        before = paragraph[attribution_start(paragraph, span.start) : span.start]
        if not is_quotation(text, after, before):
            continue
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
    start = attribution_start(paragraph, span.start)
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
    start = attribution_start(paragraph, span.start)
    sentence = paragraph[start : span.start + NEAR_QUOTE]
    opening = _CONTEXT_OPENING.match(sentence)
    if opening:
        return opening.group(1).strip()
    after = _CONTEXT_AFTER.search(paragraph[span.end : span.end + NEAR_QUOTE])
    return after.group(1).strip() if after else ""
