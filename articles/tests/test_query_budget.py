from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from .conftest import count_queries
from .factories import make_article, make_person, make_photo

pytestmark = pytest.mark.django_db

# The story with its photo and relations; its corrections, when it has any.
STORY_PAGE_BUDGET = 2


@pytest.fixture(autouse=True)
def _build_every_page(settings):
    # These budgets are for building a page; test_page_cache.py covers cache hits.
    settings.PAGE_CACHE_SECONDS = 0


def test_story_page_costs_the_same_with_one_quote_or_thirty(client):
    small = make_article(quotes=1, tags=1, people=1)
    large = make_article(quotes=30, tags=30, people=30)
    for story in (small, large):
        story.set_byline([make_person()])
        story.lead_photo = make_photo(
            photographer=make_person(), agencies=["TASS", "TNS"]
        )
        story.save()
    assert count_queries(client, small.get_absolute_url()) == 1
    for story, corrections in ((small, 1), (large, 5)):
        for minutes in range(1, corrections + 1):
            story.add_correction(
                f"Correction {minutes}.",
                quote=story.quotes.first(),
                when=timezone.now() - timedelta(minutes=minutes),
            )
    cost = [count_queries(client, story.get_absolute_url()) for story in (small, large)]
    assert cost[0] == cost[1] == STORY_PAGE_BUDGET


def test_seed_story_page_stays_within_budget(client, seed_story):
    assert count_queries(client, seed_story.get_absolute_url()) <= STORY_PAGE_BUDGET


@pytest.mark.parametrize(
    "url_of",
    [
        lambda story: "/",
        lambda story: f"/tags/{story.tags.first().slug}/",
        lambda story: story.people.first().get_absolute_url(),
        lambda story: f"/{story.published_at:%Y}/",
        lambda story: f"/{story.published_at:%Y/%m}/",
        lambda story: f"/{story.published_at:%Y/%m/%d}/",
        lambda story: "/feeds/latest/",
        lambda story: "/feeds/latest/atom/",
        lambda story: f"/tags/{story.tags.first().slug}/feed/",
        lambda story: f"{story.people.first().get_absolute_url()}feed/",
        lambda story: "/sitemap.xml",
    ],
)
def test_list_pages_cost_the_same_for_two_stories_or_twenty(client, url_of):
    def build(count):
        # One month, away from its edges: archive pages query for their
        # neighbouring months, and stories spread over a month boundary would
        # change which neighbours exist.
        person = make_person()
        middle = datetime(2024, 3, 15, 12, tzinfo=UTC)
        stories = [
            make_article(quotes=2, tags=3, published_at=middle - timedelta(minutes=i))
            for i in range(count)
        ]
        for story in stories:
            story.people.add(person)
            story.tags.add("shared")
            story.lead_photo = make_photo(
                photographer=make_person(), agencies=["AP", "TNS"]
            )
            story.save()
        return stories[0]

    few = count_queries(client, url_of(build(2)))
    many = count_queries(client, url_of(build(18)))
    assert few == many


def test_corrections_page_and_feed_cost_the_same_for_two_corrections_or_twenty(client):
    def build(count):
        story = make_article(quotes=1, published_at=timezone.now() - timedelta(days=1))
        for n in range(count):
            story.add_correction(
                f"Fix {n}.",
                quote=story.quotes.first(),
                when=timezone.now() - timedelta(minutes=n + 1),
            )

    build(2)
    few = [
        count_queries(client, url) for url in ("/corrections/", "/corrections/feed/")
    ]
    build(18)
    many = [
        count_queries(client, url) for url in ("/corrections/", "/corrections/feed/")
    ]
    assert few == many
    print(f"/corrections/ and its feed: {many} queries")


@pytest.mark.parametrize(
    "url_of",
    [
        lambda story: "/",
        lambda story: "/tags/shared/",
        lambda story: story.people.first().get_absolute_url(),
        lambda story: f"/{story.published_at:%Y}/",
        lambda story: f"/{story.published_at:%Y/%m}/",
    ],
)
def test_a_deep_page_costs_what_the_first_page_costs(client, url_of):
    person = make_person()
    middle = datetime(2024, 3, 15, 12, tzinfo=UTC)
    for i in range(65):
        story = make_article(tags=1, published_at=middle - timedelta(minutes=i))
        story.people.add(person)
        story.tags.add("shared")
    url = url_of(story)
    first, deep = (count_queries(client, f"{url}?page={n}") for n in (1, 4))
    assert first == deep


def test_list_pages_stay_within_their_budgets(client):
    person = make_person()
    middle = datetime(2024, 3, 15, 12, tzinfo=UTC)
    for i in range(25):
        story = make_article(
            tags=2, quotes=1, people=1, published_at=middle - timedelta(minutes=i)
        )
        story.people.add(person)
        story.tags.add("shared")
        story.lead_photo = make_photo(photographer=person, agencies=["AP"])
        story.save()
    # All 25 stories share a year; the front page spends two more queries
    # (a seek per public status) on each further year in its archive list.
    budgets = {
        # Each list's stories, then their bylines, tags and photos' agencies
        # in one query.
        "/": 7,
        "/tags/shared/": 5,
        person.get_absolute_url(): 5,
        "/feeds/latest/": 2,
        # Three sections dated by their newest update and newest publication.
        "/sitemap.xml": 9,
    }
    costs = {url: count_queries(client, url) for url in budgets}
    assert {url: cost for url, cost in costs.items() if cost > budgets[url]} == {}
