from django.core.management.base import BaseCommand

from articles import search


class Command(BaseCommand):
    help = "Rebuild the full-text search rows of every story (after bulk loads that skip signals)."

    def handle(self, **options):
        count = search.rebuild()
        self.stdout.write(f"Indexed {count} stories.")
