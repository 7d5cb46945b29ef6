"""Sitemap sections paged by blocks of ids, numbered from the highest public id."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone
from taggit.models import Tag

from articles.models import Person, Status
from articles.sitemaps import ArticleSitemap, PersonSitemap, TagSitemap

from .factories import make_article, make_person

pytestmark = pytest.mark.django_db

HOST = "http://testserver"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BLOCK = 3


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    for sitemap in (ArticleSitemap, TagSitemap, PersonSitemap):
        monkeypatch.setattr(sitemap, "limit", BLOCK)


def page_of(row):
    return (row.pk - 1) // BLOCK + 1


def locations(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    root = ET.fromstring(response.content)
    return [loc.text for loc in root.iterfind("*/sm:loc", NS)]


def section_pages(client, section):
    """The pages of a section the sitemap index lists, in order."""
    first = f"{HOST}/sitemap-{section}.xml"
    return [
        loc
        for loc in locations(client, "/sitemap.xml")
        if loc == first or loc.startswith(f"{first}?p=")
    ]


def listed(client, section, rows):
    """Every URL on the pages of section that hold any of rows, repeats kept.

    Rows past the last page the index lists are looked for nowhere.
    """
    last = len(section_pages(client, section))
    pages = sorted({page_of(row) for row in rows} & set(range(1, last + 1)))
    return [
        loc
        for page in pages
        for loc in locations(client, f"/sitemap-{section}.xml?p={page}")
    ]


@pytest.fixture
def stories():
    """Seven published stories, a draft and a story scheduled for tomorrow."""
    published = [make_article() for _ in range(7)]
    draft = make_article(status=Status.DRAFT)
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1))
    return published, [draft, scheduled]


def test_index_numbers_story_pages_up_to_the_newest_published_story(client, stories):
    published, _ = stories
    pages = section_pages(client, "stories")
    # The draft and the scheduled story came later, and may not add a page.
    assert len(pages) == page_of(published[-1])
    assert pages[-1].endswith(f"?p={len(pages)}" if len(pages) > 1 else ".xml")


def test_crawler_finds_each_published_story_once_and_no_other(client, stories):
    published, hidden = stories
    urls = listed(client, "stories", published + hidden)
    assert sorted(urls) == sorted(
        HOST + story.get_absolute_url() for story in published
    )


def test_a_story_keeps_its_page_as_newer_stories_are_published(client, stories):
    oldest = stories[0][0]
    page = f"/sitemap-stories.xml?p={page_of(oldest)}"
    before = locations(client, page)
    for _ in range(2 * BLOCK):
        make_article()
    assert locations(client, page) == before


def test_a_page_past_the_last_is_not_found(client, stories):
    beyond = len(section_pages(client, "stories")) + 1
    assert client.get(f"/sitemap-stories.xml?p={beyond}").status_code == 404


def test_tag_pages_list_exactly_the_tags_of_published_stories(client, stories):
    published, (draft, scheduled) = stories
    # Hidden tags first, so their ids fall among the pages a crawler reads.
    draft.tags.add("draft only", "shared")
    scheduled.tags.add("scheduled only")
    for n, story in enumerate(published):
        story.tags.add(f"public {n}", "shared")
    public = Tag.objects.exclude(name__in=["draft only", "scheduled only"])
    urls = listed(client, "tags", Tag.objects.all())
    assert sorted(urls) == sorted(f"{HOST}/tags/{tag.slug}/" for tag in public)
    assert len(section_pages(client, "tags")) == page_of(public.order_by("pk").last())


def test_people_pages_list_exactly_the_people_of_published_stories(client, stories):
    published, (draft, scheduled) = stories
    draft.set_byline([make_person(slug="draft-writer")])
    scheduled.people.add(make_person(slug="scheduled-subject"))
    for story in published:
        story.people.add(make_person())
    public = Person.objects.exclude(slug__in=["draft-writer", "scheduled-subject"])
    urls = listed(client, "people", Person.objects.all())
    assert sorted(urls) == sorted(HOST + person.get_absolute_url() for person in public)


@pytest.mark.parametrize("section", ["stories", "tags", "people", "pages", "news"])
@pytest.mark.parametrize("spelling", ["01", "+1", " 1", "\uff11", "1.0"])
def test_each_sitemap_page_has_one_address(client, stories, section, spelling):
    """Django reads ?p= with int(): "01" or "+1" would be page 1 again."""
    assert client.get(f"/sitemap-{section}.xml?p=1").status_code == 200
    assert client.get(f"/sitemap-{section}.xml", {"p": spelling}).status_code == 404
