from django.core.management.base import BaseCommand, CommandError

from articles import bench
from articles.wrk import LoadTestError


class Command(BaseCommand):
    help = (
        "Serve demo databases with gunicorn (2 sync workers) and measure the reader "
        "pages with wrk: requests/s, ratio to a static file, p50/p99 latency, SQL "
        "queries per page, and list pages on a small vs a large database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles-small",
            type=int,
            default=1000,
            help="Stories in the database every page is measured on (default 1000).",
        )
        parser.add_argument(
            "--articles-large",
            type=int,
            default=100_000,
            help="Stories in the database the list pages are compared on (default 100000).",
        )
        parser.add_argument(
            "--skip-large",
            action="store_true",
            help="Leave out the large database, and with it the list-page ratio.",
        )
        parser.add_argument(
            "--duration",
            type=int,
            default=5,
            help="Seconds of load per URL (default 5).",
        )
        parser.add_argument(
            "--connections",
            type=int,
            default=8,
            help="Concurrent wrk connections (default 8).",
        )

    def handle(self, *, articles_small, articles_large, skip_large, **options):
        if articles_small < 1 or (not skip_large and articles_large <= articles_small):
            raise CommandError(
                "--articles-small must be at least 1 and --articles-large larger than it."
            )
        if options["duration"] < 1 or options["connections"] < 1:
            raise CommandError("--duration and --connections must be at least 1.")
        try:
            bench.run(
                small=articles_small,
                large=None if skip_large else articles_large,
                duration=options["duration"],
                connections=options["connections"],
                out=self.stdout.write,
            )
        except LoadTestError as error:
            raise CommandError(str(error)) from error
