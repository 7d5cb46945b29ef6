"""Long lists: numbered pages up to a cap, then the date archives carry on."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article, Status
from articles.views import CappedPaginator, PublishedArticleMixin

from .factories import make_article, make_person

pytestmark = pytest.mark.django_db

START = datetime(2024, 3, 20, 12, tzinfo=UTC)


@pytest.fixture
def short_pages(monkeypatch):
    """Pages of 3 stories, numbered up to page 2, so a dozen stories overflow."""
    monkeypatch.setattr(PublishedArticleMixin, "paginate_by", 3)
    monkeypatch.setattr(CappedPaginator, "max_pages", 2)


@pytest.fixture
def twelve_stories():
    person = make_person(slug="ana-duarte")
    stories = []
    for day in range(12):
        story = make_article(published_at=START - timedelta(days=day))
        story.tags.add("harbour")
        story.people.add(person)
        stories.append(story)
    return stories


@pytest.mark.parametrize("url", ["/", "/tags/harbour/", "/people/ana-duarte/"])
def test_reader_on_the_last_numbered_page_is_sent_on_to_the_archive(
    client, short_pages, twelve_stories, url
):
    last = client.get(url, {"page": 2})
    assert last.status_code == 200
    assertContains(last, "Page 2 of more than 2")
    # The sixth story closes page 2; its month's archive carries on.
    month = twelve_stories[5].published_at
    assertContains(
        last,
        f'<a rel="next" href="/{month:%Y/%m}/">'
        f"Older stories: {month:%B %Y} in the archive</a>",
        html=True,
    )
    assert client.get(url, {"page": 3}).status_code == 404


def test_month_archive_sends_readers_on_to_a_day(client, short_pages, twelve_stories):
    last = client.get("/2024/03/", {"page": 2})
    day = twelve_stories[5].published_at
    assertContains(last, f'href="/{day:%Y/%m/%d}/"')
    assertContains(last, f"Older stories: {day:%B} {day.day}, {day:%Y} in the archive")


def test_counts_say_more_than_when_the_list_is_longer_than_its_pages(
    client, short_pages, twelve_stories
):
    assertContains(client.get("/tags/harbour/"), "More than 6 stories")
    # The person page learns its length only on its last numbered page.
    assertContains(
        client.get("/people/ana-duarte/", {"page": 2}), "More than 6 stories"
    )


class TestPersonPageWithoutCount:
    """The person page reads one story past each page instead of counting."""

    @pytest.fixture
    def person_with(self, short_pages):
        def make(count):
            person = make_person(slug="ines-rossi")
            for day in range(count):
                make_article(published_at=START - timedelta(days=day)).people.add(
                    person
                )
            make_article(published_at=START, status=Status.DRAFT).people.add(person)
            return person.get_absolute_url()

        return make

    def test_reader_pages_through_to_the_last_story(self, client, person_with):
        url = person_with(4)  # a full page, then one story: the draft counts for none
        first = client.get(url)
        assertContains(first, '<span class="pagination__current">Page 1</span>')
        assertContains(first, '<a rel="next" href="?page=2">Older stories</a>')
        assertNotContains(first, 'class="count"')
        last = client.get(url, {"page": 2})
        assert len(last.context_data["object_list"]) == 1
        assertContains(last, "4 stories")
        assertContains(last, "Page 2 of 2")
        assertNotContains(last, "Older stories")
        assert client.get(url, {"page": 3}).status_code == 404

    def test_a_list_that_fills_one_page_exactly_has_no_second(
        self, client, person_with
    ):
        url = person_with(3)
        page = client.get(url)
        assertContains(page, "3 stories")
        assertNotContains(page, "Older stories")
        assert not page.context_data["is_paginated"]
        assert client.get(url, {"page": 2}).status_code == 404

    def test_page_last_counts_and_lands_on_the_last_page(self, client, person_with):
        page = client.get(person_with(5), {"page": "last"})
        assert page.context_data["page_obj"].number == 2
        assertContains(page, "5 stories")

    def test_person_page_counts_nothing(self, client, person_with):
        url = person_with(7)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        assert not [q for q in captured if "COUNT(" in q["sql"].upper()]


def test_a_list_that_fits_gets_an_exact_count_and_no_archive_link(client, short_pages):
    for day in range(5):
        make_article(published_at=START - timedelta(days=day)).tags.add("ferry")
    page = client.get("/tags/ferry/", {"page": 2})
    assertContains(page, "5 stories")
    assertContains(page, "Page 2 of 2")
    assertNotContains(page, "in the archive")


def test_a_tag_page_counts_its_public_stories_once_each(client, short_pages):
    """The count comes from a join on the tag's links (TagArticleListView)."""
    for day in range(4):
        story = make_article(published_at=START - timedelta(days=day))
        story.tags.add("ferry", "harbour")  # a second tag: still one story
    make_article(status=Status.DRAFT, published_at=START).tags.add("ferry")
    make_article(published_at=START + timedelta(days=3650)).tags.add("ferry")
    make_article(published_at=START).tags.add("harbour")
    page = client.get("/tags/ferry/", {"page": 2})
    assertContains(page, "4 stories")
    assertContains(page, "Page 2 of 2")


@pytest.mark.parametrize(
    "page", ["3", "0", "-1", "abc", "1.5", "9" * 30, "last%00", "%F0%9F%99%82"]
)
def test_garbage_page_numbers_are_404_and_change_nothing(
    client, short_pages, twelve_stories, page
):
    before = list(Article.objects.values_list("pk", "updated_at"))
    response = client.get(f"/?page={page}")
    assert response.status_code == 404
    assert list(Article.objects.values_list("pk", "updated_at")) == before


def test_page_last_is_the_last_numbered_page(client, short_pages, twelve_stories):
    assert client.get("/", {"page": "last"}).context_data["page_obj"].number == 2


def test_capped_count_never_reads_past_the_cap(django_assert_num_queries, db):
    for day in range(7):
        make_article(published_at=START - timedelta(days=day))
    paginator = CappedPaginator(Article.objects.published(), 3)
    paginator.max_pages = 2
    with django_assert_num_queries(1) as captured:
        assert (paginator.count, paginator.num_pages, paginator.has_more) == (
            6,
            2,
            True,
        )
    assert "LIMIT 7" in captured.captured_queries[0]["sql"]


class TestPublishedPeriods:
    """published_periods() finds what QuerySet.datetimes() finds, by seeking."""

    @pytest.fixture
    def spread(self, settings):
        settings.TIME_ZONE = "America/New_York"
        # 03:00 UTC on 1 January 2021 is still 2020 in New York.
        moments = [
            datetime(2021, 1, 1, 3, tzinfo=UTC),
            datetime(2021, 6, 30, 23, tzinfo=UTC),
            datetime(2022, 2, 1, 2, tzinfo=UTC),
            datetime(2022, 2, 14, 12, tzinfo=UTC),
            datetime(2024, 12, 31, 12, tzinfo=UTC),
        ]
        for moment in moments:
            make_article(published_at=moment)
        make_article(published_at=datetime(2023, 5, 5, tzinfo=UTC), status=Status.DRAFT)

    @pytest.mark.parametrize("kind", ["year", "month", "day"])
    @pytest.mark.parametrize("order", ["ASC", "DESC"])
    def test_periods_match_django_datetimes_in_the_site_time_zone(
        self, spread, kind, order
    ):
        stories = Article.objects.published()
        assert stories.published_periods(kind, order) == list(
            stories.datetimes("published_at", kind, order)
        )

    def test_gaps_stay_gaps(self, spread):
        years = Article.objects.published().published_periods("year", "DESC")
        assert [y.year for y in years] == [2024, 2022, 2021, 2020]

    def test_front_page_lists_archive_years_with_stories(self, client, spread):
        page = client.get("/")
        years = [d.year for d in page.context_data["date_list"]]
        assert years == [2024, 2022, 2021, 2020]
        assertNotContains(page, 'href="/2023/"')


def test_a_list_with_djangos_own_paginator_still_says_how_many_pages(client):
    # The corrections page counts with Django's Paginator, which knows its total.
    story = make_article()
    start = story.published_at + timedelta(minutes=1)
    for n in range(31):
        story.add_correction(
            f"Correction number {n}.", when=start + timedelta(seconds=n)
        )
    page = client.get("/corrections/?page=2")
    assertContains(page, "Page 2 of 2")


def test_a_later_page_says_its_number_in_its_title_and_links_one_prev_and_next(
    client, short_pages, twelve_stories
):
    make_article(published_at=START - timedelta(days=400))  # an earlier year and month
    for url in ["/", "/2024/", "/2024/03/", "/tags/harbour/"]:
        first = client.get(url).content.decode()
        second = client.get(url, {"page": 2}).content.decode()
        title = re.search(r"<title>(.*?)</title>", second).group(1)
        assert title == "Page 2: " + re.search(r"<title>(.*?)</title>", first).group(1)
        assert second.count('rel="prev"') == 1, url
        assert second.count('rel="next"') <= 1, url


def test_reader_pages_through_corrections_not_stories(client):
    story = make_article()
    start = story.published_at + timedelta(minutes=1)
    for n in range(31):
        story.add_correction(
            f"Correction number {n}.", when=start + timedelta(seconds=n)
        )
    first = client.get("/corrections/")
    assertContains(
        first, '<a rel="next" href="?page=2">Older corrections</a>', html=True
    )
    second = client.get("/corrections/?page=2")
    assertContains(
        second, '<a rel="prev" href="/corrections/">Newer corrections</a>', html=True
    )
    assertNotContains(second, "Newer stories")


@pytest.mark.parametrize(
    "url", ["/", "/2024/", "/2024/03/", "/tags/harbour/", "/people/ana-duarte/"]
)
def test_page_two_links_back_to_the_lists_own_address_not_to_page_1(
    client, short_pages, twelve_stories, url
):
    # ?page=1 is the first page again at a second address: one more copy for
    # search engines, the page cache and a CDN to keep.
    second = client.get(url, {"page": 2})
    assertContains(second, f'<a rel="prev" href="{url}">Newer stories</a>', html=True)
    assertNotContains(second, "page=1")


@pytest.mark.parametrize(
    "url", ["/", "/tags/harbour/", "/people/ana-duarte/", "/2024/03/"]
)
@pytest.mark.parametrize(
    "page", ["+2", "02", " 2", "2 ", "\uff12", "\u0662", "2.0", "-1"]
)
def test_a_page_has_one_address(client, short_pages, twelve_stories, url, page):
    """int() reads all of these as 2 (or -1): each would be page 2 again."""
    assert client.get(url, {"page": 2}).status_code == 200
    assert client.get(url, {"page": page}).status_code == 404


@pytest.mark.parametrize(
    "url", ["/", "/tags/harbour/", "/corrections/", "/search/?q=story"]
)
def test_the_first_page_without_a_number_or_with_an_empty_one(
    client, twelve_stories, url
):
    joiner = "&" if "?" in url else "?"
    assert client.get(url).status_code == 200
    assert client.get(f"{url}{joiner}page=").status_code == 200
    assert client.get(f"{url}{joiner}page=1").status_code == 200
    assert client.get(f"{url}{joiner}page=%2B1").status_code == 404
    assert client.get(f"{url}{joiner}page=01").status_code == 404
