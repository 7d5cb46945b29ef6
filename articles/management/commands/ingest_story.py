import json
from argparse import ArgumentTypeError
from datetime import UTC, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles import ingest, wire
from articles.wire import MAX_WIRE_BYTES


def aware_datetime(value):
    """--publish-at's value as an aware datetime; a naive one is site time.

    Refusals are ArgumentTypeError, which argparse turns into a usage error:
    a CommandError raised while arguments are parsed ends in a traceback.
    """
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise ArgumentTypeError(
            f"{value!r} is not an ISO 8601 date and time, e.g. "
            "2022-02-15T12:00 (site time) or 2022-02-15T12:00:00Z"
        ) from error
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        moment.astimezone(UTC)  # as the database and fixtures store it
    except (OverflowError, ValueError) as error:
        raise ArgumentTypeError(f"{value!r} is out of range") from error
    return moment


class Command(BaseCommand):
    help = (
        "Turn raw wire copy into structured stories: headline, caption and photo credit, "
        "people with their roles, quotes with their speakers, and suggested tags. "
        "Without --dry-run or --output, each story becomes a draft in the database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", type=Path, metavar="PATH", help="Wire copy text files."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Parse and report; write nothing."
        )
        parser.add_argument(
            "--format",
            choices=["text", "json"],
            default="text",
            help="json prints the parsed stories and nothing else.",
        )
        parser.add_argument(
            "--output",
            type=Path,
            metavar="DIR",
            help="Write one natural-key fixture per story into DIR instead of the database.",
        )
        parser.add_argument(
            "--fixture-name",
            help="File name (without .json) for the fixture of a single story.",
        )
        parser.add_argument(
            "--source",
            default="",
            help="Who supplied the copy, e.g. 'Tribune News Service'.",
        )
        parser.add_argument(
            "--publish-at",
            type=aware_datetime,
            metavar="ISO_DATETIME",
            help="Publish at this time instead of leaving a draft.",
        )

    def handle(
        self,
        *,
        paths,
        dry_run,
        format,
        output,
        fixture_name,
        source,
        publish_at,
        **options,
    ):
        if fixture_name and len(paths) != 1:
            raise CommandError(
                "--fixture-name names the fixture of a single story; give one PATH."
            )
        # Parse everything first: one bad file must leave the database untouched.
        stories = [self.parse(path) for path in paths]
        if format == "json":
            parsed = [story.as_json() for story in stories]
            self.stdout.write(
                json.dumps(
                    parsed[0] if len(parsed) == 1 else parsed,
                    ensure_ascii=False,
                    indent=2,
                )
            )
            if dry_run or output is None:
                return
        if output is not None and not dry_run:
            self.write_fixtures(
                stories,
                paths,
                output,
                fixture_name,
                source,
                publish_at,
                quiet=format == "json",
            )
            return
        try:
            report = ingest.save_stories(
                stories, dry_run=dry_run, source=source, publish_at=publish_at
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if format == "text":
            self.stdout.write(report.as_text())

    def parse(self, path):
        try:
            with path.open("rb") as copy:
                # One byte past the limit is enough to refuse a file, so a huge
                # one (or a device that never ends) is never read whole.
                data = copy.read(MAX_WIRE_BYTES + 1)
        except OSError as error:
            raise CommandError(
                f"{path}: cannot read the file ({error.strerror})"
            ) from error
        if len(data) > MAX_WIRE_BYTES:
            # The admin's import page refuses the same files.
            raise CommandError(
                f"{path.name}: the file is larger than 1 MB; wire copy is plain text."
            )
        try:
            return wire.parse_bytes(data, name=path.name)
        except wire.WireFormatError as error:
            raise CommandError(str(error)) from error

    def write_fixtures(
        self, stories, paths, output, fixture_name, source, publish_at, quiet
    ):
        targets = [output / f"{fixture_name or path.stem}.json" for path in paths]
        # a/story.txt and b/story.txt would both be story.json: the second
        # fixture would replace the first without a word.
        named = {}
        for path, target in zip(paths, targets, strict=True):
            if target in named:
                raise CommandError(
                    f"{named[target]} and {path} would both be written to {target}; "
                    "rename one, or ingest them in two runs. Nothing was written."
                )
            named[target] = path
        if output.exists() and not output.is_dir():
            raise CommandError(f"--output {output}: this is a file, not a folder.")
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(
                f"--output {output}: cannot make this folder ({error.strerror})."
            ) from error
        # Every target is checked before the first is written, so a refusal
        # leaves no fixture of the batch behind.
        for target in targets:
            if target.is_dir():
                raise CommandError(
                    f"{target}: a folder has this name, so the fixture cannot be "
                    "written; nothing was written."
                )
        fixtures = []
        for story in stories:
            try:
                rows = ingest.fixture_rows(story, source=source, publish_at=publish_at)
            except ValidationError as error:
                raise CommandError(
                    f"{story.name}: {' '.join(error.messages)} Nothing was written."
                ) from error
            fixtures.append(rows)
        # Each fixture is written beside its target first and moved into place
        # only once all are written: a full disk partway leaves neither a
        # partial file nor part of the batch behind.
        drafts = []
        try:
            for rows, target in zip(fixtures, targets, strict=True):
                draft = target.with_name(f".{target.name}.partial")
                drafts.append(draft)
                draft.write_text(
                    json.dumps(rows, indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8",
                )
        except BaseException as error:  # a full disk, or Ctrl-C
            for draft in drafts:
                draft.unlink(missing_ok=True)
            if not isinstance(error, OSError):
                raise
            raise CommandError(
                f"{target}: cannot write the fixture ({error.strerror}). "
                "No fixture of this run was written."
            ) from error
        for done, (draft, target) in enumerate(zip(drafts, targets, strict=True)):
            try:
                draft.replace(target)
            except OSError as error:
                for left in drafts[done:]:
                    left.unlink(missing_ok=True)
                raise CommandError(
                    f"{target}: cannot move the fixture into place "
                    f"({error.strerror}); {done} of {len(targets)} were written."
                ) from error
        if not quiet:
            for rows, target in zip(fixtures, targets, strict=True):
                self.stdout.write(f"Wrote {target} ({len(rows)} objects)")
