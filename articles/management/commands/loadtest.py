import secrets
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from articles import loadtest


class Command(BaseCommand):
    help = (
        "Start two gunicorn instances on loopback over this database and cache "
        "(PostgreSQL and Redis), have editors save stories through the admin while "
        "readers fetch public pages from both, and report 5xx responses, refused or "
        "lost saves and stale reads. Creates, then removes, temporary editor "
        "accounts and load-test stories: run it on a development or staging "
        "database, never in production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=30, help="How long.")
        parser.add_argument(
            "--editors", type=int, default=2, help="Editors saving at once."
        )
        parser.add_argument(
            "--readers", type=int, default=4, help="Readers fetching at once."
        )
        parser.add_argument(
            "--workers", type=int, default=2, help="Gunicorn workers per instance."
        )

    def handle(self, *, seconds, editors, readers, workers, **options):
        if seconds <= 0 or editors < 1 or readers < 0 or workers < 1:
            raise CommandError(
                "--seconds, --editors and --workers must be positive, "
                "--readers zero or more."
            )
        try:
            loadtest.check_shared_services()
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        run = f"-{secrets.token_hex(3)}"
        password = secrets.token_urlsafe(16)
        User = get_user_model()
        names = [f"loadtest{run}-{number}" for number in range(editors)]
        for name in names:
            User.objects.create_superuser(name, password=password)
        stories = loadtest.make_stories(editors, run)
        try:
            with loadtest.app_instances(2, workers=workers) as urls:
                self.stdout.write(f"Instances at {', '.join(urls)}")
                sessions = [
                    loadtest.Editor(urls[number % 2], name, password)
                    for number, name in enumerate(names)
                ]
                pages = ["/", stories[0].get_absolute_url(), "/tags/load-test/"]
                pages += ["/feeds/latest/", "/sitemap.xml"]
                started = time.monotonic()
                report = loadtest.run_load(
                    urls, sessions, stories, pages, seconds=seconds, readers=readers
                )
                elapsed = time.monotonic() - started
            problems = loadtest.lost_or_broken_edits(report, stories)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        finally:
            loadtest.remove_stories(stories)
            User.objects.filter(username__in=names).delete()
        self.stdout.write(report.as_text(elapsed))
        self.stdout.write(f"{len(problems)} lost or half-written edits in the database")
        failures = report.server_errors + report.failed_saves + report.stale_reads
        for line in (failures + problems)[:20]:
            self.stderr.write(line)
        if failures or problems:
            raise CommandError("The site broke under load; see above.")
        self.stdout.write(self.style.SUCCESS("Nothing broke."))
