"""What the parser returns: a WireStory of frozen dataclasses, or WireFormatError."""

from dataclasses import dataclass


class WireFormatError(ValueError):
    """A file that cannot be read as wire copy; names the file and the line."""

    def __init__(self, name, line, message):
        self.name, self.line, self.reason = name, line, message
        super().__init__(f"{name}, line {line}: {message}")


@dataclass(frozen=True)
class Credit:
    photographer: str | None
    agencies: tuple[str, ...]

    @property
    def line(self):
        return "/".join(
            ([self.photographer] if self.photographer else []) + list(self.agencies)
        )


@dataclass(frozen=True)
class WirePerson:
    name: str
    honorific: str = ""
    role: str = ""
    organization: str = ""


@dataclass(frozen=True)
class WireQuote:
    text: str
    speaker: str
    paragraph: int
    context: str = ""
    certain: bool = True


@dataclass(frozen=True)
class WireStory:
    name: str
    headline: str
    caption: str
    credit: Credit
    people: tuple[WirePerson, ...]
    quotes: tuple[WireQuote, ...]
    tags: tuple[str, ...]
    body: tuple[str, ...]
    source_note: str = ""
    digest: str = ""

    def as_json(self):
        """The --format json shape of the ingest command."""
        return {
            "file": self.name,
            "headline": self.headline,
            "caption": self.caption,
            "photo_credit": {
                "photographer": self.credit.photographer,
                "agencies": list(self.credit.agencies),
            },
            "people": [
                {"name": p.name, "honorific": p.honorific, "role": p.role}
                for p in self.people
            ],
            "quotes": [{"text": q.text, "speaker": q.speaker} for q in self.quotes],
            "tags": list(self.tags),
            "body": list(self.body),
        }
