import time

from django.core.management.base import BaseCommand, CommandError

from articles import demo


class Command(BaseCommand):
    help = (
        "Create reproducible, clearly marked demo content: fictional stories with people, "
        "quotes that occur in their bodies, tags, and photos drawn with Pillow."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles", type=int, default=200, help="How many stories (default 200)."
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="Random seed; the same seed gives the same content.",
        )
        parser.add_argument(
            "--photos",
            type=int,
            default=6,
            help="How many generated photos to share out.",
        )

    def handle(self, *, articles, seed, photos, **options):
        if articles < 1 or photos < 0:
            raise CommandError("--articles must be at least 1 and --photos at least 0.")

        started = time.monotonic()

        def progress(message):
            self.stdout.write(f"  {time.monotonic() - started:6.1f} s  {message}")
            self.stdout.flush()

        try:
            created = demo.generate(
                articles=articles, seed=seed, photos=photos, progress=progress
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {created} demo stories (seed {seed}) in "
                f"{time.monotonic() - started:.1f} s."
            )
        )
