from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles import wire, wire_eval


class Command(BaseCommand):
    help = (
        "Score the wire parser on hand-checked stories: every NAME.txt in DIR with a "
        "NAME.expected.json beside it. Prints quote recall, speaker accuracy, people "
        "precision and recall, and credit accuracy."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, metavar="DIR")

    def handle(self, *, folder, **options):
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        try:
            score = wire_eval.evaluate(folder)
        except wire.WireFormatError as error:
            raise CommandError(str(error)) from error
        if not score.stories:
            raise CommandError(
                f"{folder} holds no NAME.txt with a NAME.expected.json beside it"
            )
        self.stdout.write(score.as_text())
