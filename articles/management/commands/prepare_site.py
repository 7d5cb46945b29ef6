import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from articles.models import Article


class Command(BaseCommand):
    help = (
        "Make a fresh database usable: load the seed story when there are no stories, "
        "and create an admin account with a random password when there is none."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixture",
            default="seed_story",
            help="Fixture to load into an empty site.",
        )
        parser.add_argument(
            "--username", default="admin", help="Name of the first admin account."
        )

    def handle(self, *, fixture, username, **options):
        # Loading into a site that has stories would overwrite editors' changes to them.
        if Article.objects.exists():
            self.stdout.write("Stories exist already; the seed fixture was not loaded.")
        else:
            call_command("loaddata", fixture, stdout=self.stdout)
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("An admin account exists already.")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created admin account {username!r} with password {password}\n"
                "This password is shown once only; change it in the admin."
            )
        )
