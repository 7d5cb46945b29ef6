"""How well the wire parser does against hand-checked stories.

Each story NAME.txt in a folder has NAME.expected.json beside it, in the
ingest_story --format json shape. Standard library only, like the wire package.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from . import wire


@dataclass
class Score:
    stories: int = 0
    quotes_expected: int = 0
    quotes_found: int = 0
    quotes_extra: int = 0
    speakers_right: int = 0
    people_expected: int = 0
    people_found: int = 0
    people_extra: int = 0
    roles_right: int = 0
    credits_right: int = 0
    headlines_right: int = 0
    misses: list = field(default_factory=list)

    @staticmethod
    def ratio(part, whole):
        return part / whole if whole else 1.0

    @property
    def figures(self):
        return {
            "quote recall": self.ratio(self.quotes_found, self.quotes_expected),
            "quote precision": self.ratio(
                self.quotes_found, self.quotes_found + self.quotes_extra
            ),
            "speaker accuracy": self.ratio(self.speakers_right, self.quotes_found),
            "people recall": self.ratio(self.people_found, self.people_expected),
            "people precision": self.ratio(
                self.people_found, self.people_found + self.people_extra
            ),
            "role accuracy": self.ratio(self.roles_right, self.people_found),
            "credit accuracy": self.ratio(self.credits_right, self.stories),
            "headline/caption accuracy": self.ratio(self.headlines_right, self.stories),
        }

    def as_text(self):
        lines = [
            f"{self.stories} stories, {self.quotes_expected} quotes, {self.people_expected} people"
        ]
        lines += [f"{name:>26}: {value:.3f}" for name, value in self.figures.items()]
        if self.misses:
            lines.append("Misses:")
            lines += [f"  {miss}" for miss in self.misses]
        return "\n".join(lines) + "\n"


def evaluate(folder):
    """Score the parser on every NAME.txt in folder that has NAME.expected.json."""
    score = Score()
    for path in sorted(Path(folder).glob("*.txt")):
        expected_path = path.with_suffix(".expected.json")
        if not expected_path.exists():
            continue
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        story = wire.parse_bytes(path.read_bytes(), name=path.name).as_json()
        score_story(score, path.name, story, expected)
    return score


def score_story(score, name, got, expected):
    score.stories += 1
    if (got["headline"], got["caption"]) == (expected["headline"], expected["caption"]):
        score.headlines_right += 1
    else:
        score.misses.append(
            f"{name}: headline/caption {got['headline']!r} | {got['caption']!r}"
        )
    if got["photo_credit"] == expected["photo_credit"]:
        score.credits_right += 1
    else:
        score.misses.append(f"{name}: credit {got['photo_credit']}")
    found_quotes = {
        wire.normalize_quote_text(q["text"]): q["speaker"] for q in got["quotes"]
    }
    wanted_quotes = {
        wire.normalize_quote_text(q["text"]): q["speaker"] for q in expected["quotes"]
    }
    score.quotes_expected += len(wanted_quotes)
    for text, speaker in wanted_quotes.items():
        if text not in found_quotes:
            score.misses.append(f"{name}: missed quote “{text[:50]}”")
            continue
        score.quotes_found += 1
        if found_quotes[text] == speaker:
            score.speakers_right += 1
        else:
            score.misses.append(
                f"{name}: “{text[:40]}” given to {found_quotes[text]!r}, not {speaker!r}"
            )
    for text in found_quotes.keys() - wanted_quotes.keys():
        score.quotes_extra += 1
        score.misses.append(f"{name}: extra quote “{text[:50]}”")
    found_people = {p["name"]: p for p in got["people"]}
    wanted_people = {p["name"]: p for p in expected["people"]}
    score.people_expected += len(wanted_people)
    for person_name, person in wanted_people.items():
        if person_name not in found_people:
            score.misses.append(f"{name}: missed person {person_name}")
            continue
        score.people_found += 1
        found = found_people[person_name]
        if (found["honorific"], found["role"]) == (person["honorific"], person["role"]):
            score.roles_right += 1
        else:
            score.misses.append(
                f"{name}: {person_name} as {found['honorific']!r} {found['role']!r}, not {person['honorific']!r} {person['role']!r}"
            )
    for person_name in found_people.keys() - wanted_people.keys():
        score.people_extra += 1
        score.misses.append(f"{name}: extra person {person_name}")
