"""Tags to suggest for a story: places, organizations and headline people."""

import re

from .vocabulary import COUNTRIES, ORGANIZATIONS

MAX_TAGS = 6


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
