"""taggit's remove_orphaned_tags, counting the stories' own tag links.

taggit's command calls a tag orphaned when its stock TaggedItem table does not
use it; stories are tagged through articles.TaggedArticle, so it deleted every
tag and untagged every story. This one (articles comes before taggit in
INSTALLED_APPS, so its command is the one run) removes only tags that no story
and no stock TaggedItem uses.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from taggit.models import Tag


class Command(BaseCommand):
    help = "Remove tags that no story (and no other tagged object) uses."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the tags that would go, and remove nothing.",
        )

    def handle(self, *, dry_run, **options):
        with transaction.atomic():
            orphaned = Tag.objects.filter(
                articles_taggedarticle_items=None, taggit_taggeditem_items=None
            ).order_by("name")
            names = list(orphaned.values_list("name", flat=True))
            if not dry_run:
                orphaned.delete()
        verb = "Would remove" if dry_run else "Removed"
        listed = f": {', '.join(names)}" if names else "."
        self.stdout.write(f"{verb} {len(names)} unused tag(s){listed}")
