import html
import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pytest_django.asserts import assertContains

from articles.models import Article, Status

from .conftest import count_queries
from .factories import make_article, make_person, make_photo
from .test_metadata_and_preview import head_of

pytestmark = pytest.mark.django_db

HOST = "http://testserver"
SEED_URL = "/2022/02/15/putin-ready-to-talk-with-nato-says-some-russian-troops-leaving-ukraine-border/"
SEED_HEADLINE = (
    "Putin ready to talk with NATO; says some Russian troops leaving Ukraine border"
)
SEED_TAGS = {"Vladimir Putin", "NATO", "Russia", "Ukraine", "United States", "Belarus"}
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def get_xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return ET.fromstring(response.content)


def test_a_story_published_again_later_is_not_dated_by_its_first_run(client):
    # Updated in its first run, taken down, then scheduled again: readers see
    # it from its new time, so nothing may say it last changed before that.
    now = timezone.now().replace(microsecond=0)
    story = make_article(published_at=now - timedelta(days=10))
    story.tags.set(["rerun"])
    story.mark_updated(now - timedelta(days=9))
    story.unpublish()
    Article.objects.filter(pk=story.pk).update(
        status=Status.SCHEDULED, published_at=now - timedelta(hours=1)
    )
    story.refresh_from_db()
    published = story.published_at
    assert story.modified_at == published
    _, (news_article,), _ = head_of(client.get(story.get_absolute_url()))
    assert news_article["dateModified"] == published.isoformat()
    entry = get_xml(client, "/feeds/latest/atom/").find("atom:entry", NS)
    assert entry.findtext("atom:updated", namespaces=NS) == published.isoformat()
    for section, location in [
        ("stories", story.get_absolute_url()),
        ("tags", "/tags/rerun/"),
    ]:
        lastmod = sitemap_entries(client, f"/sitemap-{section}.xml")[HOST + location]
        assert lastmod == published.isoformat(), section


def rss_items(client, url):
    """The feed's <item> elements, keyed by headline."""
    channel = get_xml(client, url).find("channel")
    return {item.findtext("title"): item for item in channel.findall("item")}


def sitemap_entries(client, url):
    """{location: lastmod} for each <url> of a sitemap."""
    urlset = get_xml(client, url)
    return {
        entry.findtext("sm:loc", namespaces=NS): entry.findtext(
            "sm:lastmod", namespaces=NS
        )
        for entry in urlset.findall("sm:url", NS)
    }


def jpeg_upload(name="lead.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "darkred").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def hidden_stories():
    """A draft and a story scheduled for tomorrow, sharing a tag and a person."""
    insider = make_person(name="Hidden Insider", slug="hidden-insider")
    draft = make_article(
        headline="Draft scoop", slug="draft-scoop", status=Status.DRAFT
    )
    scheduled = make_article(
        headline="Scheduled scoop",
        slug="scheduled-scoop",
        published_at=timezone.now() + timedelta(days=1),
    )
    for story in (draft, scheduled):
        story.tags.add("Embargoed", "NATO")
        story.people.add(insider)
    return draft, scheduled


class TestLatestFeed:
    def test_reader_finds_the_seed_story_with_its_headline_link_and_tags(
        self, client, seed_story
    ):
        channel = get_xml(client, "/feeds/latest/").find("channel")
        assert channel.findtext("title") == f"{settings.SITE_NAME}: latest stories"
        assert channel.findtext("link") == f"{HOST}/"
        [item] = channel.findall("item")
        assert item.findtext("title") == SEED_HEADLINE
        assert item.findtext("link") == HOST + SEED_URL
        assert item.findtext("pubDate") == "Tue, 15 Feb 2022 12:00:00 +0000"
        assert {c.text for c in item.findall("category")} == SEED_TAGS
        assert item.findtext("description") == seed_story.first_paragraph
        assert item.findtext("description").startswith("Russian President")

    def test_reader_sees_no_author_for_a_story_without_a_byline(
        self, client, seed_story
    ):
        item = rss_items(client, "/feeds/latest/")[SEED_HEADLINE]
        assert item.find("author") is None
        assert item.find("dc:creator", NS) is None

    def test_reader_sees_each_author_of_a_byline_as_a_creator_in_order(self, client):
        story = make_article(headline="Budget passes")
        story.set_byline(
            [
                make_person(name="Rui Almeida"),
                make_person(name="Ana Costa"),
                make_person(name="Bea Lopes"),
            ]
        )
        assert story.byline == "Rui Almeida, Ana Costa and Bea Lopes"
        item = rss_items(client, "/feeds/latest/")["Budget passes"]
        assert [c.text for c in item.findall("dc:creator", NS)] == [
            "Rui Almeida",
            "Ana Costa",
            "Bea Lopes",
        ]
        assert item.find("author") is None

    def test_reader_gets_the_dek_as_description_when_there_is_one(self, client):
        make_article(headline="With a dek", dek="The short version.")
        item = rss_items(client, "/feeds/latest/")["With a dek"]
        assert item.findtext("description") == "The short version."

    def test_reader_gets_the_lead_photo_as_an_enclosure_only_when_it_has_a_file(
        self, client
    ):
        with_file = make_photo(caption="With a file", image=jpeg_upload())
        make_article(headline="Pictured", lead_photo=with_file)
        without_file = make_photo(caption="Credit only")
        make_article(headline="Credited", lead_photo=without_file)
        make_article(headline="No photo")

        items = rss_items(client, "/feeds/latest/")
        enclosure = items["Pictured"].find("enclosure")
        assert enclosure.attrib == {
            "url": HOST + with_file.image.url,
            "length": str(with_file.image.size),
            "type": "image/jpeg",
        }
        assert with_file.image.size > 0
        assert items["Credited"].find("enclosure") is None
        assert items["No photo"].find("enclosure") is None

    def test_feed_carries_the_thirty_latest_stories(self, client):
        for hours in range(1, 33):
            make_article(
                headline=f"Hour {hours}",
                published_at=timezone.now() - timedelta(hours=hours),
            )
        items = rss_items(client, "/feeds/latest/")
        assert len(items) == 30
        assert "Hour 1" in items and "Hour 31" not in items

    def test_atom_reader_gets_entries_with_dates_and_authors(self, client, seed_story):
        story = make_article(headline="Atom story", dek="Dek.")
        story.set_byline([make_person(name="Ana Costa")])
        story.lead_photo = make_photo(image=jpeg_upload())
        story.save()

        response = client.get("/feeds/latest/atom/")
        assert response["Content-Type"].startswith("application/atom+xml")
        feed = ET.fromstring(response.content)
        assert feed.tag == f"{{{NS['atom']}}}feed"
        assert feed.findtext("atom:title", namespaces=NS).startswith(settings.SITE_NAME)
        assert feed.findtext("atom:subtitle", namespaces=NS)
        entries = {
            e.findtext("atom:title", namespaces=NS): e
            for e in feed.findall("atom:entry", NS)
        }
        assert set(entries) == {SEED_HEADLINE, "Atom story"}
        seed = entries[SEED_HEADLINE]
        assert seed.find("atom:link", NS).get("href") == HOST + SEED_URL
        assert seed.findtext("atom:published", namespaces=NS) == (
            "2022-02-15T12:00:00+00:00"
        )
        assert seed.findtext("atom:updated", namespaces=NS)
        assert seed.find("atom:author", NS) is None
        atom = entries["Atom story"]
        assert atom.findtext("atom:author/atom:name", namespaces=NS) == "Ana Costa"
        assert atom.findtext("atom:summary", namespaces=NS) == "Dek."
        [enclosure] = atom.findall("atom:link[@rel='enclosure']", NS)
        assert enclosure.get("href") == HOST + story.lead_photo.image.url
        assert enclosure.get("type") == "image/jpeg"

    def test_atom_reader_gets_each_author_of_a_byline_with_their_page(
        self, client, seed_story
    ):
        story = make_article(headline="Budget passes")
        story.set_byline(
            [
                make_person(name="Rui Almeida", slug="rui-almeida"),
                make_person(name="Ana Costa", slug="ana-costa"),
            ]
        )
        make_article(headline="Sole byline").set_byline(
            [make_person(name="Bea Lopes", slug="bea-lopes")]
        )
        feed = get_xml(client, "/feeds/latest/atom/")
        entries = {
            e.findtext("atom:title", namespaces=NS): e
            for e in feed.findall("atom:entry", NS)
        }

        def authors(entry):
            return [
                (
                    a.findtext("atom:name", namespaces=NS),
                    a.findtext("atom:uri", namespaces=NS),
                )
                for a in entry.findall("atom:author", NS)
            ]

        # In byline order (story.byline reads "Rui Almeida and Ana Costa").
        assert authors(entries["Budget passes"]) == [
            ("Rui Almeida", f"{HOST}/people/rui-almeida/"),
            ("Ana Costa", f"{HOST}/people/ana-costa/"),
        ]
        assert authors(entries["Sole byline"]) == [
            ("Bea Lopes", f"{HOST}/people/bea-lopes/")
        ]
        assert authors(entries[SEED_HEADLINE]) == []
        assert [
            a.findtext("atom:name", namespaces=NS)
            for a in feed.findall("atom:author", NS)
        ] == [settings.SITE_NAME]

    def test_atom_reader_gets_a_valid_feed_when_no_story_has_a_byline(
        self, client, seed_story
    ):
        # RFC 4287, 4.1.1: a feed names an author unless every entry names
        # one. The publication answers for the feed; the seed's entry, whose
        # copy names no one, still carries no author of its own.
        feed = get_xml(client, "/feeds/latest/atom/")
        [entry] = feed.findall("atom:entry", NS)
        assert entry.find("atom:author", NS) is None
        assert [
            a.findtext("atom:name", namespaces=NS)
            for a in feed.findall("atom:author", NS)
        ] == [settings.SITE_NAME]

    def test_pages_advertise_both_latest_feeds(self, client, seed_story):
        response = client.get("/")
        assertContains(
            response,
            f'<link rel="alternate" type="application/rss+xml" title="{settings.SITE_NAME}: latest stories" href="/feeds/latest/">',
            html=True,
        )
        assertContains(response, 'type="application/atom+xml"')
        assertContains(response, 'href="/feeds/latest/atom/"')


class TestTagAndPersonFeeds:
    def test_tag_feed_carries_only_stories_with_that_tag(self, client, seed_story):
        make_article(headline="Unrelated", tags=1)
        channel = get_xml(client, "/tags/nato/feed/").find("channel")
        assert channel.findtext("title") == f"{settings.SITE_NAME}: NATO"
        assert channel.findtext("link") == f"{HOST}/tags/nato/"
        assert [i.findtext("title") for i in channel.findall("item")] == [SEED_HEADLINE]

    def test_person_feed_carries_stories_naming_quoting_or_photographed_by_them(
        self, client, seed_story
    ):
        author = make_person(name="Ana Costa", slug="ana-costa")
        make_article(headline="Written by Ana").set_byline([author])
        make_article(headline="Not about anyone")

        for slug in ("vladimir-putin", "sergei-shoigu", "alexei-nikolsky"):
            items = rss_items(client, f"/people/{slug}/feed/")
            assert list(items) == [SEED_HEADLINE], slug
        assert list(rss_items(client, "/people/ana-costa/feed/")) == ["Written by Ana"]
        channel = get_xml(client, "/people/ana-costa/feed/").find("channel")
        assert channel.findtext("link") == f"{HOST}/people/ana-costa/"

    def test_reader_gets_404_for_an_unknown_tag_or_person(self, client, seed_story):
        assert client.get("/tags/no-such-tag/feed/").status_code == 404
        assert client.get("/people/no-such-person/feed/").status_code == 404

    def test_reader_gets_404_for_a_tag_or_person_only_in_unpublished_stories(
        self, client, hidden_stories
    ):
        assert client.get("/tags/embargoed/feed/").status_code == 404
        assert client.get("/people/hidden-insider/feed/").status_code == 404

    def test_tag_and_person_pages_link_to_their_feeds(self, client, seed_story):
        response = client.get("/tags/nato/")
        assertContains(
            response, '<a href="/tags/nato/feed/">RSS feed for NATO</a>', html=True
        )
        assertContains(
            response,
            '<link rel="alternate" type="application/rss+xml" '
            f'title="{settings.SITE_NAME}: NATO" href="/tags/nato/feed/">',
            html=True,
        )
        response = client.get("/people/vladimir-putin/")
        assertContains(
            response,
            '<a href="/people/vladimir-putin/feed/">RSS feed for Vladimir Putin</a>',
            html=True,
        )
        assertContains(
            response,
            '<link rel="alternate" type="application/rss+xml" '
            f'title="{settings.SITE_NAME}: Vladimir Putin" '
            'href="/people/vladimir-putin/feed/">',
            html=True,
        )


def test_unpublished_stories_appear_in_no_feed_or_sitemap(
    client, seed_story, hidden_stories
):
    feeds = ["/feeds/latest/", "/tags/nato/feed/", "/people/vladimir-putin/feed/"]
    for url in feeds:
        assert list(rss_items(client, url)) == [SEED_HEADLINE], url
    atom = client.get("/feeds/latest/atom/").content.decode()
    sitemaps = [
        client.get(f"/sitemap-{section}.xml").content.decode()
        for section in ("stories", "tags", "people", "news")
    ]
    for text in [atom, *sitemaps]:
        assert "scoop" not in text.lower()
        assert "embargoed" not in text
        assert "hidden-insider" not in text


class TestSitemaps:
    def test_index_lists_the_four_sections(self, client, seed_story):
        index = get_xml(client, "/sitemap.xml")
        locations = {e.text for e in index.findall("sm:sitemap/sm:loc", NS)}
        assert locations == {
            f"{HOST}/sitemap-{section}.xml"
            for section in ("stories", "tags", "people", "pages")
        }

    def test_index_dates_each_section_by_its_latest_published_change(
        self, client, seed_story
    ):
        tagged = make_article(tags=1)
        named = make_article(people=1)
        draft = make_article(status=Status.DRAFT, tags=1, people=1)
        for story, day in [(tagged, 3), (named, 4), (draft, 9), (seed_story, 1)]:
            # Published in 2024, updated (as readers were told) on the day.
            Article.objects.filter(pk=story.pk).update(
                published_at=datetime(2024, 6, day, 12, tzinfo=UTC),
                updated_at=datetime(2025, 1, day, 12, tzinfo=UTC),
            )
        index = get_xml(client, "/sitemap.xml")
        lastmod = {
            e.find("sm:loc", NS).text: e.find("sm:lastmod", NS).text[:10]
            for e in index.findall("sm:sitemap", NS)
            if e.find("sm:lastmod", NS) is not None
        }
        # The draft's later change shows nowhere; the seed story carries
        # tags and people too, but changed first.
        assert lastmod == {
            f"{HOST}/sitemap-stories.xml": "2025-01-04",
            f"{HOST}/sitemap-tags.xml": "2025-01-03",
            f"{HOST}/sitemap-people.xml": "2025-01-04",
        }

    def test_stories_section_lists_published_stories_with_lastmod(
        self, client, seed_story
    ):
        assert sitemap_entries(client, "/sitemap-stories.xml") == {
            HOST + SEED_URL: "2022-02-15T12:00:00+00:00"
        }

    def test_tags_section_dates_each_tag_by_its_latest_story(self, client, seed_story):
        newer = make_article(
            headline="Newer NATO story", published_at=datetime(2023, 5, 1, tzinfo=UTC)
        )
        newer.tags.add("NATO")
        Article.objects.filter(pk=newer.pk).update(
            updated_at=datetime(2023, 5, 6, 12, tzinfo=UTC)
        )
        entries = sitemap_entries(client, "/sitemap-tags.xml")
        assert entries[f"{HOST}/tags/nato/"] == "2023-05-06T12:00:00+00:00"
        assert entries[f"{HOST}/tags/russia/"] == "2022-02-15T12:00:00+00:00"
        assert len(entries) == len(SEED_TAGS)

    def test_people_section_lists_everyone_appearing_in_published_stories(
        self, client, seed_story
    ):
        author = make_person(slug="ana-costa")
        story = make_article(published_at=datetime(2024, 1, 1, tzinfo=UTC))
        story.set_byline([author])
        Article.objects.filter(pk=story.pk).update(
            updated_at=datetime(2024, 1, 2, 12, tzinfo=UTC)
        )
        make_person(slug="nobody-in-particular")

        entries = sitemap_entries(client, "/sitemap-people.xml")
        expected = {
            # named, named, quoted, quoted, photographer
            "vladimir-putin": "2022-02-15T12:00:00+00:00",
            "olaf-scholz": "2022-02-15T12:00:00+00:00",
            "sergei-shoigu": "2022-02-15T12:00:00+00:00",
            "igor-konashenkov": "2022-02-15T12:00:00+00:00",
            "alexei-nikolsky": "2022-02-15T12:00:00+00:00",
            "ana-costa": "2024-01-02T12:00:00+00:00",
        }
        assert entries == {
            f"{HOST}/people/{slug}/": lastmod for slug, lastmod in expected.items()
        }

    def test_pages_section_lists_the_front_page(self, client, seed_story):
        assert list(sitemap_entries(client, "/sitemap-pages.xml")) == [f"{HOST}/"]

    def test_news_sitemap_lists_only_the_last_two_days(self, client, seed_story):
        fresh = make_article(
            headline="Fresh & urgent",
            published_at=timezone.now() - timedelta(hours=2),
        )
        make_article(
            headline="Three days old",
            published_at=timezone.now() - timedelta(days=3),
        )
        urlset = get_xml(client, "/sitemap-news.xml")
        [entry] = urlset.findall("sm:url", NS)
        assert (
            entry.findtext("sm:loc", namespaces=NS) == HOST + fresh.get_absolute_url()
        )
        news = entry.find("news:news", NS)
        assert news.findtext("news:title", namespaces=NS) == "Fresh & urgent"
        published = datetime.fromisoformat(
            news.findtext("news:publication_date", namespaces=NS)
        )
        assert published == fresh.published_at
        publication = news.find("news:publication", NS)
        assert publication.findtext("news:name", namespaces=NS) == settings.SITE_NAME
        assert publication.findtext("news:language", namespaces=NS) == "en"

    def test_news_sitemap_stays_readable_with_a_control_character_pasted(self, client):
        make_article(headline=PASTED, published_at=timezone.now() - timedelta(hours=1))
        urlset = get_xml(client, "/sitemap-news.xml")
        title = urlset.findtext("sm:url/news:news/news:title", namespaces=NS)
        assert title == "Minister resigns  today"

    def test_robots_txt_names_both_sitemaps_and_keeps_crawlers_out_of_admin(
        self, client
    ):
        response = client.get("/robots.txt")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        lines = response.content.decode().splitlines()
        assert "User-agent: *" in lines
        assert "Disallow: /admin/" in lines
        assert f"Sitemap: {HOST}/sitemap.xml" in lines
        assert f"Sitemap: {HOST}/sitemap-news.xml" in lines


def test_feeds_cost_the_same_with_two_stories_or_twenty(client, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the cost of building them, not of a cache hit
    author = make_person(slug="staff-writer")

    def add_stories(count):
        for _ in range(count):
            story = make_article(
                tags=2,
                lead_photo=make_photo(
                    photographer=make_person(), agencies=["TASS", "Reuters"]
                ),
            )
            story.tags.add("Budget")
            story.set_byline([author])

    urls = ["/feeds/latest/", "/tags/budget/feed/", "/people/staff-writer/feed/"]
    add_stories(2)
    few = [count_queries(client, url) for url in urls]
    add_stories(18)
    many = [count_queries(client, url) for url in urls]
    assert few == many
    assert many[0] <= 4


def test_feeds_cost_the_same_with_one_author_a_story_or_three(client, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the cost of building them, not of a cache hit
    staff = make_person(slug="staff-writer")
    urls = [
        "/feeds/latest/",
        "/feeds/latest/atom/",
        "/tags/budget/feed/",
        "/people/staff-writer/feed/",
    ]
    stories = [make_article(tags=1) for _ in range(5)]
    for story in stories:
        story.tags.add("Budget")
        story.set_byline([staff])
    one = [count_queries(client, url) for url in urls]
    for story in stories:
        story.set_byline([staff, make_person(), make_person()])
    three = [count_queries(client, url) for url in urls]
    assert one == three
    creators = rss_items(client, "/feeds/latest/")[stories[0].headline].findall(
        "dc:creator", NS
    )
    assert len(creators) == 3


def atom_ids(client, url):
    """{headline: (id, link)} for each entry of an Atom feed."""
    feed = get_xml(client, url)
    return {
        entry.findtext("atom:title", namespaces=NS): (
            entry.findtext("atom:id", namespaces=NS),
            entry.find("atom:link[@rel='alternate']", NS).get("href"),
        )
        for entry in feed.findall("atom:entry", NS)
    }


class TestPermanentIds:
    def test_feed_reader_keeps_a_story_whose_slug_and_headline_changed(
        self, client, settings, committed
    ):
        settings.FEED_ID_DOMAIN = "news.example"
        story = make_article(
            headline="Budget pases",
            slug="budget-pases",
            published_at=datetime(2024, 3, 5, 23, 30, tzinfo=UTC),
        )
        name = f"tag:news.example,2024-03-05:article/{story.pk}"
        assert atom_ids(client, "/feeds/latest/atom/") == {
            "Budget pases": (name, f"{HOST}/2024/03/05/budget-pases/")
        }
        guid = rss_items(client, "/feeds/latest/")["Budget pases"].find("guid")
        assert (guid.text, guid.get("isPermaLink")) == (name, "false")

        story.headline, story.slug = "Budget passes", "budget-passes"
        with committed():  # the cached feeds are replaced on commit
            story.save()
        assert atom_ids(client, "/feeds/latest/atom/") == {
            "Budget passes": (name, f"{HOST}/2024/03/05/budget-passes/")
        }
        guid = rss_items(client, "/feeds/latest/")["Budget passes"].find("guid")
        assert (guid.text, guid.get("isPermaLink")) == (name, "false")

    def test_ids_name_the_story_not_the_site_time_zone_or_host(self, client, settings):
        settings.FEED_ID_DOMAIN = "news.example"
        settings.PAGE_CACHE_SECONDS = 0  # each request builds its own feed
        story = make_article(
            headline="Late count",
            published_at=datetime(2024, 3, 5, 23, 30, tzinfo=UTC),
        )
        make_article(headline="Same day", published_at=story.published_at)
        settings.TIME_ZONE = "Asia/Tokyo"  # the story's address says 2024/03/06
        ids = atom_ids(client, "/feeds/latest/atom/")
        other = client.get("/feeds/latest/atom/", HTTP_HOST="127.0.0.1").content
        assert ids["Late count"][1].startswith(f"{HOST}/2024/03/06/")
        assert ids["Late count"][0] == f"tag:news.example,2024-03-05:article/{story.pk}"
        assert ids["Same day"][0] != ids["Late count"][0]
        assert b"http://127.0.0.1/2024/03/06/" in other
        assert ids["Late count"][0].encode() in other

    def test_a_correction_keeps_its_id_when_its_story_moves(
        self, client, settings, committed
    ):
        settings.FEED_ID_DOMAIN = "news.example"
        story = make_article(
            headline="Budget pases",
            slug="budget-pases",
            published_at=datetime(2024, 3, 5, 23, 30, tzinfo=UTC),
        )
        with committed():
            correction = story.add_correction(
                "An earlier version misspelled the headline.",
                when=datetime(2024, 3, 6, 1, 0, tzinfo=UTC),
            )
        name = f"tag:news.example,2024-03-06:correction/{correction.pk}"

        def entry():
            (item,) = rss_items(client, "/corrections/feed/").values()
            guid = item.find("guid")
            return guid.text, guid.get("isPermaLink"), item.findtext("link")

        assert entry() == (name, "false", f"{HOST}{correction.get_absolute_url()}")
        story.slug = "budget-passes"
        with committed():
            story.save()
        assert entry()[:2] == (name, "false")
        assert "/budget-passes/" in entry()[2]

    def test_every_story_feed_gives_a_story_the_same_id(self, client, seed_story):
        name = seed_story.tag_uri
        assert name.startswith("tag:") and name.endswith(f":article/{seed_story.pk}")
        for url in [
            "/feeds/latest/",
            "/tags/nato/feed/",
            "/people/vladimir-putin/feed/",
        ]:
            assert rss_items(client, url)[SEED_HEADLINE].findtext("guid") == name, url
        assert atom_ids(client, "/feeds/latest/atom/")[SEED_HEADLINE][0] == name


def test_stored_markup_reaches_feed_readers_as_text(client, db):
    from .factories import make_article as make

    make(headline="Tom & Jerry <b>live</b>", dek='<img src=x onerror="alert(1)">')
    for url in ["/feeds/latest/", "/feeds/latest/atom/"]:
        body = client.get(url).content.decode()
        # Escaped once for HTML and once more for XML: a reader shows the text.
        assert "&amp;lt;img src=x" in body
        assert "&lt;img src=x" not in body.replace("&amp;lt;img", "")


MARKED_UP_HEADLINE = 'AT&T <b>x</b> "y" isn\'t'


def test_atom_reader_sees_a_headline_with_markup_characters_as_written(client, db):
    make_article(headline=MARKED_UP_HEADLINE)
    feed = get_xml(client, "/feeds/latest/atom/")
    title = feed.find("atom:entry/atom:title", NS)
    # Typed as HTML (RFC 4287, 3.1.1.2): a reader shows its text decoded once.
    assert title.get("type") == "html"
    assert "<" not in title.text
    assert html.unescape(title.text) == MARKED_UP_HEADLINE
    # The feed's own title is untyped, so text, and written unescaped.
    assert feed.find("atom:title", NS).get("type") is None
    assert feed.findtext("atom:title", namespaces=NS) == (
        f"{settings.SITE_NAME}: latest stories"
    )


def test_rss_reader_sees_a_headline_with_markup_characters_as_written(client, db):
    make_article(headline=MARKED_UP_HEADLINE)
    title = get_xml(client, "/feeds/latest/").findtext("channel/item/title")
    # RSS titles have no type and readers render them as HTML (Django ticket
    # #6533): the XML's text is the headline escaped once for HTML.
    assert "<" not in title
    assert html.unescape(title) == MARKED_UP_HEADLINE


# Word pastes a line break inside a paragraph as a vertical tab, a page break
# as a form feed: characters XML 1.0 cannot carry, even escaped.
PASTED = "Minister\x0bresigns\x0c today"


@pytest.mark.parametrize("field", ["headline", "dek", "tag", "author", "correction"])
def test_a_control_character_pasted_into_a_story_leaves_its_feeds_readable(
    client, field
):
    story = make_article(headline=PASTED if field == "headline" else "Minister resigns")
    if field == "dek":
        Article.objects.filter(pk=story.pk).update(dek=PASTED)
    story.tags.set([PASTED if field == "tag" else "politics"])
    story.set_byline(
        [make_person(slug="writer", name=PASTED)] if field == "author" else []
    )
    story.people.set([make_person(slug="minister")])
    if field == "correction":
        story.add_correction(PASTED)
    tag = story.tags.get().slug
    for url in [
        "/feeds/latest/",
        "/feeds/latest/atom/",
        f"/tags/{tag}/feed/",
        "/people/minister/feed/",
        "/corrections/feed/",
    ]:
        text = ET.tostring(get_xml(client, url), encoding="unicode")
        assert "\x0b" not in text and "\x0c" not in text
        if url == "/feeds/latest/" and field in ("headline", "dek", "author"):
            assert "Minister resigns  today" in text
