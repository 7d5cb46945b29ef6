from datetime import UTC, datetime
from itertools import pairwise

import html5lib
import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains
from taggit.models import Tag

from articles.models import Article, Status

from .factories import make_article, make_person

pytestmark = pytest.mark.django_db

CREDIT_LINE = "Alexei Nikolsky/Russian Presidential Press and Information Office/TASS/Abaca Press/TNS"
CAPTION = '<span class="photo__caption">Russia\'s President Vladimir Putin.</span>'
QUOTES = [
    ("sergei-shoigu", "against various types of hypothetical enemy attacks."),
    (
        "igor-konashenkov",
        "In the Armed Forces of the Russian Federation, a complex of large-scale measures for the combat training of troops and forces continues,",
    ),
    (
        "igor-konashenkov",
        "Almost all military districts, fleets and airborne troops take part in them.",
    ),
    (
        "igor-konashenkov",
        "As the combat training measures are completed, the troops, as always, will make marches in a combined way to the points of permanent deployment,",
    ),
    (
        "igor-konashenkov",
        "The units of the Southern and Western military districts, having completed their tasks, have already begun loading onto rail and road transport and will begin moving to their military garrisons today. Separate units will march on their own as part of military columns.",
    ),
]
SEED_URL = "/2022/02/15/putin-ready-to-talk-with-nato-says-some-russian-troops-leaving-ukraine-border/"


def assert_valid_html5(response):
    parser = html5lib.HTMLParser(strict=True)
    document = parser.parse(response.content.decode())  # raises on any parse error
    ids = [el.get("id") for el in document.iter() if el.get("id")]
    assert len(ids) == len(set(ids)), (
        f"duplicate ids: {sorted(i for i in ids if ids.count(i) > 1)}"
    )


class TestStoryPage:
    def test_reader_sees_the_seed_story_at_its_dated_address(self, client, seed_story):
        assert seed_story.get_absolute_url() == SEED_URL
        response = client.get(SEED_URL)
        assertContains(
            response,
            '<h1 class="story__headline">Putin ready to talk with NATO; says some Russian troops leaving Ukraine border</h1>',
            html=True,
        )
        assertContains(response, '<time datetime="2022-02-15T12:00:00+00:00">')
        assertContains(response, "Source: Tribune News Service.")
        assert_valid_html5(response)

    def test_every_quote_is_marked_and_cites_its_speaker(self, client, seed_story):
        page = client.get(SEED_URL).content.decode()
        for order, (speaker, words) in enumerate(QUOTES, 1):
            assert (
                f'<q id="quote-{order}" class="quote" cite="/people/{speaker}/"' in page
            ), words
            assert f">{words}</q>" in page

    def test_photo_caption_and_exact_credit_line_without_an_image_file(
        self, client, seed_story
    ):
        response = client.get(SEED_URL)
        assertContains(response, CAPTION, html=True)
        assertContains(response, f"({CREDIT_LINE})")
        assertNotContains(response, "<img")

    def test_people_and_tags_link_to_their_pages(self, client, seed_story):
        response = client.get(SEED_URL)
        for slug in [
            "vladimir-putin",
            "olaf-scholz",
            "sergei-shoigu",
            "igor-konashenkov",
        ]:
            assertContains(response, f'href="/people/{slug}/"')
        for slug in ["russia", "ukraine", "nato"]:
            assertContains(response, f'<a href="/tags/{slug}/" rel="tag">', count=1)

    def test_no_byline_is_invented(self, client, seed_story):
        assertNotContains(client.get(SEED_URL), "story__byline")

    def test_byline_links_authors_when_there_are_some(self, client):
        story = make_article()
        story.set_byline([make_person(name="Ann Lee", slug="ann-lee")])
        assertContains(
            client.get(story.get_absolute_url()),
            '<a href="/people/ann-lee/" rel="author">Ann Lee</a>',
            html=True,
        )

    def test_reader_gets_404_for_a_draft(self, client):
        draft = make_article(status=Status.DRAFT)
        assert client.get(draft.get_absolute_url()).status_code == 404

    def test_reader_gets_404_for_a_story_scheduled_later(self, client):
        from datetime import timedelta

        from django.utils import timezone

        later = make_article(published_at=timezone.now() + timedelta(days=1))
        assert client.get(later.get_absolute_url()).status_code == 404

    @pytest.mark.parametrize(
        "url",
        [
            "/2022/02/16/putin-ready-to-talk-with-nato-says-some-russian-troops-leaving-ukraine-border/",
            "/2022/02/15/no-such-story/",
            "/2022/02/30/putin/",
            "/2022/13/01/putin/",
            "/0000/00/00/putin/",
            "/2022/2/15/putin/",
            "/tags/no-such-tag/",
            "/people/no-such-person/",
            "/1999/",
            "/2022/13/",
            "/2022/02/31/",
            "/9999/12/31/",
            "/9999/12/31/putin/",
            "/2999/12/31/",
        ],
    )
    def test_wrong_addresses_are_404_not_500(self, client, seed_story, url):
        assert client.get(url).status_code == 404


class TestListPages:
    def test_front_page_leads_with_the_latest_story_and_its_photo_credit(
        self, client, seed_story
    ):
        response = client.get("/")
        assertContains(response, seed_story.headline)
        assertContains(response, CAPTION, html=True)
        assertContains(response, f"({CREDIT_LINE})")
        assert_valid_html5(response)

    def test_front_page_works_before_anything_is_published(self, client, db):
        assertContains(client.get("/"), "No stories have been published yet.")

    def test_front_page_hides_drafts(self, client, seed_story):
        make_article(status=Status.DRAFT, headline="Secret draft headline")
        assertNotContains(client.get("/"), "Secret draft headline")

    def test_front_page_paginates(self, client, db):
        for _ in range(25):
            make_article()
        assert len(client.get("/").context_data["object_list"]) == 20
        assert len(client.get("/?page=2").context_data["object_list"]) == 5
        for page in ["3", "0", "-1", "abc", "9" * 30]:
            assert client.get(f"/?page={page}").status_code == 404, page

    def test_headings_never_skip_a_level_on_any_page_of_a_list(self, client, db):
        for _ in range(25):
            make_article()
        make_article(tags=1)
        tag = Article.objects.filter(tags__isnull=False).first().tags.get()
        year = Article.objects.first().published_at.year
        for url in ["/", "/?page=2", f"/tags/{tag.slug}/", f"/{year}/"]:
            response = client.get(url)
            assert response.status_code == 200, url
            page = html5lib.parse(
                response.content.decode(), namespaceHTMLElements=False
            )
            levels = [
                int(element.tag[1])
                for element in page.iter()
                if element.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}
            ]
            assert levels[0] == 1, url
            assert all(b <= a + 1 for a, b in pairwise(levels)), (url, levels)

    def test_tag_page_lists_the_story_with_a_count(self, client, seed_story):
        response = client.get("/tags/nato/")
        assertContains(response, "<h1>NATO</h1>", html=True)
        assertContains(response, "1 story")
        assertContains(response, f'href="{SEED_URL}"')
        assert_valid_html5(response)

    def test_tags_in_any_script_have_working_pages(self, client, seed_story):
        seed_story.tags.add("Київ", "Zürich")
        story_page = client.get(SEED_URL)
        for name in ["Київ", "Zürich"]:
            url = reverse("articles:tag", args=[seed_story.tags.get(name=name).slug])
            assertContains(story_page, f'href="{url}"')
            assertContains(client.get(url), f"<h1>{name}</h1>", html=True)
        assert client.get("/").status_code == 200

    def test_tag_carried_only_by_drafts_is_not_public(self, client, db):
        make_article(status=Status.DRAFT).tags.add("Embargoed topic")
        assert client.get("/tags/embargoed-topic/").status_code == 404

    def test_person_page_shows_role_stories_and_quotes_linking_back(
        self, client, seed_story
    ):
        response = client.get("/people/igor-konashenkov/")
        assertContains(response, "<h1>Maj. Gen. Igor Konashenkov</h1>", html=True)
        assertContains(response, "spokesperson for the Russian Defense Ministry")
        assertContains(response, f'href="{SEED_URL}"')
        for order, (speaker, words) in enumerate(QUOTES, 1):
            if speaker == "igor-konashenkov":
                assertContains(response, words)
                assertContains(response, f'href="{SEED_URL}#quote-{order}"')
        assertNotContains(response, QUOTES[0][1])  # Shoigu's words are not his
        assert_valid_html5(response)

    def test_photographer_page_lists_the_story_with_his_photo(self, client, seed_story):
        response = client.get("/people/alexei-nikolsky/")
        assertContains(response, "Photo by Alexei Nikolsky")

    def test_person_named_only_in_drafts_is_not_public(self, client, db):
        person = make_person(slug="source-in-draft")
        make_article(status=Status.DRAFT).people.add(person)
        assert client.get("/people/source-in-draft/").status_code == 404

    @pytest.mark.parametrize("url", ["/2022/", "/2022/02/", "/2022/02/15/"])
    def test_date_archives_list_the_story(self, client, seed_story, url):
        response = client.get(url)
        assertContains(response, f'href="{SEED_URL}"')
        assert_valid_html5(response)

    def test_archives_hide_drafts(self, client, seed_story):
        Article.objects.update(status=Status.DRAFT)
        for url in ["/2022/", "/2022/02/", "/2022/02/15/"]:
            assert client.get(url).status_code == 404

    def test_reverse_builds_zero_padded_dates(self):
        assert reverse("articles:archive-day", args=[2022, 2, 5]) == "/2022/02/05/"


class TestTagWithNoPage:
    """A tag whose name has no letter or digit ("!!!") gets the slug "" from taggit."""

    @pytest.fixture
    def story(self, db):
        story = make_article(
            slug="shouting", published_at=datetime(2025, 3, 4, 12, tzinfo=UTC)
        )
        story.tags.add(Tag.objects.create(name="!!!"), "Budget")
        story.people.add(make_person(slug="olga-brandt"))
        return story

    def test_taggit_gives_such_a_tag_an_empty_slug(self, story):
        assert story.tags.get(name="!!!").slug == ""

    @pytest.mark.parametrize(
        "url",
        [
            "/2025/03/04/shouting/",
            "/",
            "/2025/",
            "/2025/03/",
            "/2025/03/04/",
            "/tags/budget/",
        ],
    )
    def test_reader_sees_it_as_plain_text_beside_linked_tags(self, client, story, url):
        response = client.get(url)
        assertContains(response, "<li>!!!</li>", html=True)
        assertContains(response, 'href="/tags/budget/"')
        assertNotContains(response, 'href="/tags//"')
        assert_valid_html5(response)

    def test_person_page_feeds_and_sitemaps_still_answer(self, client, story):
        for url in [
            "/people/olga-brandt/",
            "/feeds/latest/",
            "/feeds/latest/atom/",
            "/tags/budget/feed/",
            "/people/olga-brandt/feed/",
            "/sitemap.xml",
            "/sitemap-tags.xml",
        ]:
            response = client.get(url)
            assert response.status_code == 200, url
            assertNotContains(response, "/tags//")
        assertContains(client.get("/feeds/latest/"), "<category>!!!</category>")


class TestErrorPages:
    @pytest.mark.parametrize(
        "path", ["/no-such-page/", "/2022/02/30/", "/tags/no-such-tag/", "/?page=999"]
    )
    def test_a_missing_page_is_the_sites_own_with_a_way_on(self, client, path):
        response = client.get(path)
        assert response.status_code == 404
        assert_valid_html5(response)
        page = response.content.decode()
        assert "<h1>Page not found</h1>" in page
        assert '<meta name="robots" content="noindex">' in page
        assert f'href="{reverse("articles:front")}"' in page
        assert f'action="{reverse("articles:search")}"' in page

    def test_a_server_error_page_needs_no_request_context(self, rf):
        from django.views.defaults import server_error

        response = server_error(rf.get("/"))
        assert response.status_code == 500
        assert_valid_html5(response)
        page = response.content.decode()
        assert "<h1>Something went wrong</h1>" in page
        assert 'rel="stylesheet" href="/static/' in page
