"""taggit's deduplicate_tags, for the stories' own tag links.

taggit's command merges tags that differ only in case by moving its stock
TaggedItem rows, then deletes the duplicate; stories are tagged through
articles.TaggedArticle, whose rows went with the deleted tag, so every story
lost the duplicate tag instead of getting the one kept. This one (articles
comes before taggit in INSTALLED_APPS, so its command is the one run) compares
names as models.tags.tag_named() does (str.casefold: "Straße" is "STRASSE"),
keeps the tag more stories carry (the older on a tie) and moves every story's
link to it, in one transaction. Stories are all the site tags.
"""

from collections import defaultdict

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from taggit.models import Tag

from ...models import TaggedArticle


class Command(BaseCommand):
    help = (
        "Merge tags whose names differ only in case into one, keeping every "
        "story's tag."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the merges, and change nothing.",
        )

    def handle(self, *, dry_run, **options):
        if not getattr(settings, "TAGGIT_CASE_INSENSITIVE", False):
            raise CommandError(
                "TAGGIT_CASE_INSENSITIVE is off: tags differing in case are "
                "different tags here, so there is nothing to merge."
            )
        with transaction.atomic():
            merges = duplicate_groups()
            for kept, others in merges:
                verb = "Would merge" if dry_run else "Merged"
                names = ", ".join(f"“{tag.name}”" for tag in others)
                self.stdout.write(f"{verb} {names} into “{kept.name}”.")
                if not dry_run:
                    merge_tags(kept, others)
        if not merges:
            self.stdout.write("No tags differ only in case.")


def duplicate_groups():
    """[(tag kept, [tags merged into it])] for names equal whatever their case."""
    groups = defaultdict(list)
    tags = Tag.objects.annotate(stories=Count("articles_taggedarticle_items"))
    for tag in tags.order_by("pk"):
        groups[tag.name.casefold()].append(tag)
    merges = []
    for group in groups.values():
        if len(group) > 1:
            kept = max(group, key=lambda tag: (tag.stories, -tag.pk))
            merges.append((kept, [tag for tag in group if tag != kept]))
    return merges


def merge_tags(kept, others):
    """Give every story tagged with one of others the tag kept; delete others."""
    already = set(
        TaggedArticle.objects.filter(tag=kept).values_list(
            "content_object_id", flat=True
        )
    )
    for link in TaggedArticle.objects.filter(tag__in=others).order_by("pk"):
        if link.content_object_id in already:
            link.delete()
        else:
            # Saved one by one, so each story is reindexed and pages refreshed.
            link.tag = kept
            link.save()
            already.add(link.content_object_id)
    for tag in others:
        tag.delete()
