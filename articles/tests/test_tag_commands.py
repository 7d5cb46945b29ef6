"""taggit's tag upkeep commands, replaced by ones that know the stories' tag links."""

import io

import pytest
from django.core.management import call_command
from taggit.models import Tag

from articles.models import Article

from .factories import make_article

pytestmark = pytest.mark.django_db


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def story_tags():
    return {a.slug: sorted(a.tags.names()) for a in Article.objects.all()}


def tag_spelled(name, slug):
    """A tag the forms would not make: one differing from another only in case."""
    return Tag.objects.create(name=name, slug=slug)


class TestRemoveOrphanedTags:
    def test_only_tags_no_story_carries_go(self):
        make_article(slug="summit").tags.set(["NATO", "Ukraine"])
        Tag.objects.create(name="Unused", slug="unused")
        before = story_tags()

        output = run("remove_orphaned_tags")

        assert "Removed 1 unused tag(s): Unused" in output
        assert sorted(Tag.objects.values_list("name", flat=True)) == ["NATO", "Ukraine"]
        assert story_tags() == before

    def test_a_dry_run_removes_nothing(self):
        make_article(slug="summit").tags.set(["NATO"])
        Tag.objects.create(name="Unused", slug="unused")

        output = run("remove_orphaned_tags", "--dry-run")

        assert "Would remove 1 unused tag(s): Unused" in output
        assert Tag.objects.count() == 2


class TestDeduplicateTags:
    @pytest.fixture
    def spelled_twice(self):
        nato = tag_spelled("NATO", "nato")
        lower = tag_spelled("nato", "nato-2")
        strasse = tag_spelled("Straße", "strasse")
        upper = tag_spelled("STRASSE", "strasse-2")
        make_article(slug="one").tags.add(nato, strasse)
        make_article(slug="two").tags.add(lower, upper)
        make_article(slug="three").tags.add(nato, lower, upper)
        return nato, lower, strasse, upper

    def test_every_story_keeps_its_tag_under_one_name(self, spelled_twice):
        nato, lower, strasse, upper = spelled_twice

        output = run("deduplicate_tags")

        assert "Merged “nato” into “NATO”." in output  # a tie: the older stays
        assert "Merged “Straße” into “STRASSE”." in output  # on more stories
        assert sorted(Tag.objects.values_list("pk", flat=True)) == sorted(
            [nato.pk, upper.pk]
        )
        assert story_tags() == {
            "one": ["NATO", "STRASSE"],
            "two": ["NATO", "STRASSE"],
            "three": ["NATO", "STRASSE"],
        }

    def test_a_dry_run_changes_nothing(self, spelled_twice):
        before = story_tags(), Tag.objects.count()

        output = run("deduplicate_tags", "--dry-run")

        assert "Would merge “nato” into “NATO”." in output
        assert (story_tags(), Tag.objects.count()) == before

    def test_no_duplicates_says_so(self):
        make_article(slug="summit").tags.set(["NATO"])
        assert "No tags differ only in case." in run("deduplicate_tags")
