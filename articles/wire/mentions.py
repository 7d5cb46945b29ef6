"""Where each person or organization is named in the body, in reading order."""

import re
from dataclasses import dataclass

from .quotes import outside_quotes


@dataclass
class Mention:
    paragraph: int
    position: int
    speaker: str


def mentions_of(body, spans, people, organizations):
    """Where each person (by full or last name) or organization is named, in order."""
    found = []
    keys = []
    for person in people:
        parts = person.name.split()
        keys.append((person.name, person.name))
        if len(parts) > 1:
            keys.append((parts[-1], person.name))
    for organization in organizations:
        keys.append((organization, organization))
    for index, text in enumerate(outside_quotes(body, spans)):
        taken = set()
        for key, speaker in sorted(keys, key=lambda pair: -len(pair[0])):
            first = f"[{re.escape(key[0].upper())}{re.escape(key[0].lower())}]"
            pattern = rf"(?<![\w-]){first}{re.escape(key[1:])}(?![\w-])"
            for match in re.finditer(pattern, text):
                if match.start() in taken:
                    continue
                taken.update(range(match.start(), match.end()))
                found.append(Mention(index, match.start(), speaker))
    return sorted(found, key=lambda m: (m.paragraph, m.position))


def last_mention_before(mentions, paragraph, position, kind=None, same_paragraph=False):
    chosen = None
    for mention in mentions:
        if (mention.paragraph, mention.position) >= (paragraph, position):
            break
        if same_paragraph and mention.paragraph != paragraph:
            continue
        if kind is None or mention.speaker in kind:
            chosen = mention.speaker
    return chosen
