"""People the story introduces: names, honorifics, titles and roles.

Also the shapes of names (particles, capitalised runs, appositives) that the
caption, credit, organization and attribution rules read.
"""

import math
import re

from .quotes import outside_quotes
from .story import WirePerson
from .vocabulary import (
    _HEADLINE_CANNOT_END,
    _HONORIFIC_BEFORE,
    ABBREVIATIONS,
    COMPANY_SUFFIXES,
    COUNTRIES,
    NOT_NAME_WORDS,
    ORGANIZATION_NOUNS,
    ORGANIZATION_WORDS,
    ORGANIZATIONS,
    ROLE_NOUNS,
    SPEECH_VERBS,
)

PARTICLES = {
    "Ó",
    "Ní",
    "Nic",
    "Ua",
    "dela",
    "de",
    "da",
    "del",
    "della",
    "der",
    "den",
    "di",
    "du",
    "van",
    "von",
    "bin",
    "ibn",
    "la",
    "le",
    "ter",
    "dos",
    "das",
    "al",
    "el",
}
# Capital and small letters of Latin scripts: "Jankauskienė", "Ó Gallchóir", "Peña".
_UPPER = "A-ZÀ-ÖØ-Þ\u0100-\u017f"
_LOWER = "a-zß-öø-ÿ\u0100-\u017f"
_NAME_WORD = (
    rf"(?:[{_UPPER}][{_LOWER}]*[{_UPPER}][{_LOWER}]+"  # McAllister, DeLuca
    rf"|[{_UPPER}]['’][{_UPPER}][{_LOWER}]+"  # O'Neill
    rf"|(?:al|el)-[{_UPPER}][{_LOWER}]+"  # al-Rashid
    rf"|[{_UPPER}][{_LOWER}]+(?:['’][{_LOWER}]+)?(?:-[{_UPPER}]?[{_LOWER}]+)*)"  # Jean-Paul
)
_NAME_WORD_RE = re.compile(_NAME_WORD)
_INITIAL_RE = re.compile(rf"[{_UPPER}]\.")
_RUN_WORD = rf"(?:{_NAME_WORD}|(?:[A-Z]\.){{2,}}(?=\s+[A-Z])|[A-Z]\.(?=\s+[A-Z]))"
_CAPITAL_RUN = re.compile(
    rf"(?<![\w’'.-]){_RUN_WORD}(?:\s+(?:(?:{'|'.join(sorted(PARTICLES, key=len, reverse=True))})\s+)*{_RUN_WORD})*(?![\w-])"
)
_SPEECH_VERB_AFTER = re.compile(rf"^\s*(?:{SPEECH_VERBS})\b")
_PHRASE = r"(?:[^,.;“”\"]|(?<=\bSt)\.|(?<=\bMt)\.|(?<=\b[A-Z])\.(?=[A-Z]\.))"
_APPOSITIVE_AFTER = re.compile(
    rf"^,\s+((?:the|a|an)\s+{_PHRASE}+?|[a-z]{_PHRASE}+?|[A-Z][a-z]+\s+(?:of|for|at)\s+{_PHRASE}+?)\s*(?:,|(?<!\bSt)(?<!\bMt)\.(?!\w)|;|$)"
)
# "Socialist parliamentary leader Rodrigo Meireles": a lowercase title before the name.
_LOWERCASE_TITLE_BEFORE = re.compile(
    r"(?:^|(?<=[\s(]))((?:[A-Z][\w’'-]+\s+)?(?:[a-z][\w’'-]+\s+){0,2}([a-z][\w-]+))\s+$"
)
OCCUPATION_ENDINGS = ("ist", "ian", "er", "or", "ant", "ent", "man", "woman", "person")
# Endings that make a capitalised word a title, never a name: “Meteorologist Leah O'Connell”.
TITLE_ENDINGS = ("ologist", "ographer", "ician", "economist", "pianist", "novelist")
_APPOSITIVE_BEFORE = re.compile(r"(?:^|,\s+|\b(?:the|a|an)\s+)([^,.;“”\"]*?)\s*,\s*$")
# ", a Chicago watchdog group," between a speaker and the verb
_APPOSITION = r"(?:,[^,“”\"]{1,90},)?"


# Rules read the words next to a name, never the whole paragraph: the patterns
# anchored at the end of what comes before were searched from every position of
# it, so a paragraph of a few thousand names took minutes.
NEAR = 300
_SPACE = re.compile(r"\s")


def start_near(text, position, near=NEAR):
    """Index at most near characters before position, at a space so no word is cut."""
    start = max(0, position - near)
    if start:
        space = _SPACE.search(text, start, position)
        start = space.start() if space else position
    return start


def text_before(text, position):
    """The words just before position: at most NEAR characters of them."""
    return text[start_near(text, position) : position]


def words_of(text):
    return [w for w in re.split(r"\s+", text.strip()) if w]


def split_title_from_name(words):
    """("Russian", "Defense", "Minister", "Sergei", "Shoigu") -> (title words, name words)."""
    last_role = None
    for index, word in enumerate(words):
        lower = word.lower()
        if (
            lower.strip("’'s") in ROLE_NOUNS
            or lower in ROLE_NOUNS
            or lower.endswith(TITLE_ENDINGS)
        ):
            last_role = index
    if last_role is None:
        return [], words
    return words[: last_role + 1], words[last_role + 1 :]


def strip_leading_non_names(words):
    # Counted, then cut once: cutting a word at a time copied the list each
    # time, and a run of 50,000 "A." took seconds.
    start = 0
    while start < len(words) and (
        words[start].lower() in NOT_NAME_WORDS
        or words[start].lower().rstrip(".") in NOT_NAME_WORDS
    ):
        start += 1
    return words[start:]


def is_place_or_organization(words):
    joined = " ".join(words)
    if any(
        w.lower() in ORGANIZATION_WORDS | ORGANIZATION_NOUNS
        or w.lower() in COMPANY_SUFFIXES
        for w in words
    ):
        return True
    known = {
        alias
        for aliases in [*COUNTRIES.values(), *ORGANIZATIONS.values()]
        for alias in aliases
    }
    return joined in known or all(w in known for w in words)


_TITLE_BEFORE_HONORIFIC = re.compile(
    r"([A-Z][\w’'-]+(?:\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w’'-]+|\s+[A-Z][\w’'-]+)*)\s+$"
)


def title_before_honorific(before):
    """“Chief of Defense” in “Chief of Defense Lt. Gen. Darius Kalvaitis”."""
    honorific = _HONORIFIC_BEFORE.search(before)
    match = (
        _TITLE_BEFORE_HONORIFIC.search(before[: honorific.start()])
        if honorific
        else None
    )
    if match and has_role_noun(match.group(1)):
        return match.group(1)
    return ""


_NOT_IN_TITLES = (
    NOT_NAME_WORDS
    | _HEADLINE_CANNOT_END
    | set("has had have by said says who whom whose which among including like".split())
)


def lowercase_title(before):
    """“Defense attorney” or “the Polish actress” right before a name, else ""."""
    match = _LOWERCASE_TITLE_BEFORE.search(before)
    if not match:
        return ""
    head = match.group(2).lower()
    if head not in ROLE_NOUNS and not (
        head.endswith(OCCUPATION_ENDINGS) and len(head) > 5
    ):
        return ""
    words = match.group(1).split()
    while words and words[0].lower() in _NOT_IN_TITLES:
        words = words[1:]
    return " ".join(words)


def is_role_phrase(phrase):
    """An appositive that says what someone is: “a senior fellow at …”, “chief economist”.

    The role word comes early (“the top prize at the …” is no role).
    """
    words = phrase.split()
    article = words[0].lower() in {"the", "a", "an"}
    early = words[1:6] if article else words[:3]
    return any(
        w.lower().strip(",.’'s") in ROLE_NOUNS
        or (w.lower().endswith(OCCUPATION_ENDINGS) and len(w) > 5 and w[0].islower())
        for w in early
    )


def has_role_noun(phrase):
    return any(
        w.lower().strip(",.’'s") in ROLE_NOUNS or w.lower() in ROLE_NOUNS
        for w in phrase.split()
    )


def clean_role(phrase):
    phrase = phrase.strip()
    phrase = re.sub(r"^(?:the|a|an)\s+", "", phrase)
    return phrase


def organization_in_role(role):
    match = re.search(
        r"\b(?:for|of|at|with|from)\s+(?:the\s+)?((?:[A-Z][\w’'.&-]*\s?)+)$", role
    )
    return match.group(1).strip() if match else ""


def find_people(body, caption, spans, most=math.inf):
    """People the story introduces: by title, honorific, appositive or speech verb.

    Stops once more than `most` are found: each is compared with every other.
    """
    people = {}
    for text in outside_quotes(body, spans):
        for match in _CAPITAL_RUN.finditer(text):
            found = person_at(text, match)
            if found is None:
                continue
            fuller = [name for name in people if name.endswith(" " + found.name)]
            if fuller:
                continue  # "De Wachter said" after "Dr. Annelies De Wachter"
            known = people.get(found.name)
            if known is None:
                people[found.name] = found
                if len(people) > most:
                    return list(people.values())
            elif not known.role and found.role:
                people[found.name] = found
    if caption:
        for match in _CAPITAL_RUN.finditer(caption):
            found = person_at(caption, match)
            if (
                found
                and found.name not in people
                and not any(found.name in name for name in people)
            ):
                people[found.name] = found
    return list(people.values())


def person_at(text, match):
    """A WirePerson if this run of capitalised words introduces one, else None."""
    if (
        text[match.end() : match.end() + 1] == "."
        and match.group().split()[-1] in ABBREVIATIONS
    ):
        return None  # "Gen" of "Maj. Gen. Igor Konashenkov" is part of the honorific
    words = strip_leading_non_names(words_of(match.group()))
    title, name_words = split_title_from_name(words)
    while name_words and name_words[-1].lower() in NOT_NAME_WORDS:
        name_words = name_words[:-1]
    if not name_words or is_place_or_organization(name_words):
        return None
    if any(w.lower() in ROLE_NOUNS for w in name_words):
        return None
    before = text_before(text, match.start())
    after = text[match.end() : match.end() + NEAR]
    honorific = _HONORIFIC_BEFORE.search(before)
    honorific = " ".join(honorific.group(1).split()) if honorific else ""
    role = " ".join(title)
    if not role and not honorific:
        role = lowercase_title(before)
    if not role and honorific:
        role = title_before_honorific(before)
    appositive = _APPOSITIVE_AFTER.match(after)
    if appositive and is_role_phrase(appositive.group(1)) and len(name_words) >= 2:
        role = role or clean_role(appositive.group(1))
    elif not role and len(name_words) >= 2:
        preceding = _APPOSITIVE_BEFORE.search(before)
        if preceding and has_role_noun(preceding.group(1)) and after[:1] in ",.":
            role = clean_role(preceding.group(1))
    introduced = bool(title or honorific or role)
    speaks = bool(_SPEECH_VERB_AFTER.match(after)) and len(name_words) >= 2
    if not (introduced or speaks):
        return None
    if len(name_words) == 1 and not (title or honorific):
        return None
    name = " ".join(name_words)
    return WirePerson(
        name=name,
        honorific=honorific,
        role=role,
        organization=organization_in_role(role),
    )
