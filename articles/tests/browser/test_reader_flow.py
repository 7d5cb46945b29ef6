"""A reader follows links through the site as a browser shows it."""

from xml.etree import ElementTree

import pytest
from playwright.sync_api import expect

from articles.models import Quote
from articles.tests.factories import make_article, make_person, make_photo

from .conftest import BROWSER_DB, SEED_CREDIT, SEED_HEADLINE

pytestmark = [pytest.mark.browser, BROWSER_DB]

SECOND_HEADLINE = "NATO ministers meet in Brussels"


@pytest.fixture
def second_story(seed_story):
    """A later published story that shares the seed story's NATO tag."""
    speaker = make_person(name="Jens Stoltenberg", slug="jens-stoltenberg")
    story = make_article(
        headline=SECOND_HEADLINE,
        slug="nato-ministers-meet-in-brussels",
        body="Defence ministers met on Thursday.\n\n"
        "“We are ready for dialogue,” the secretary general said.",
    )
    story.tags.set(["NATO"])
    Quote.objects.create(
        article=story, speaker=speaker, text="We are ready for dialogue,"
    )
    return story


def headline_of(page):
    return page.get_by_role("heading", level=1)


def feed_titles(response):
    assert response.status == 200, response.url
    assert "xml" in response.headers["content-type"], response.headers
    return [
        item.findtext("title")
        for item in ElementTree.fromstring(response.body()).iter("item")
    ]


def test_reader_follows_a_story_through_tags_people_search_and_feeds(
    page, seed_story, second_story
):
    page.goto("/")
    page.get_by_role("link", name=SEED_HEADLINE).click()

    expect(headline_of(page)).to_have_text(SEED_HEADLINE)
    assert page.url.endswith(seed_story.get_absolute_url())
    marked = page.locator(".story__body q.quote")
    expect(marked).to_have_count(seed_story.quotes.count())
    for quote in seed_story.quotes.all():
        expect(page.locator(f"q.quote#{quote.anchor}")).to_be_visible()
    expect(page.locator(".photo__credit")).to_have_text(f"({SEED_CREDIT})")

    page.locator(".story__tags").get_by_role("link", name="NATO", exact=True).click()
    expect(headline_of(page)).to_have_text("NATO")
    page.get_by_role("link", name=SECOND_HEADLINE).click()
    expect(headline_of(page)).to_have_text(SECOND_HEADLINE)
    expect(page.locator("q.quote")).to_have_text("We are ready for dialogue,")

    page.go_back()
    expect(headline_of(page)).to_have_text("NATO")
    page.go_back()
    expect(headline_of(page)).to_have_text(SEED_HEADLINE)

    page.locator(".story__people").get_by_role("link", name="Igor Konashenkov").click()
    expect(headline_of(page)).to_have_text("Maj. Gen. Igor Konashenkov")
    said = seed_story.quotes.filter(speaker__slug="igor-konashenkov")
    expect(page.locator(".person__quotes blockquote")).to_have_text(
        [quote.text for quote in said]
    )

    page.goto("/search/")
    search = page.get_by_role("main").get_by_role("search")
    search.get_by_label("Search stories, people and tags").fill("troops")
    search.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=troops")
    expect(page.locator(".search-result .summary__headline")).to_have_text(
        [SEED_HEADLINE]
    )

    page.goto("/tags/nato/")
    tag_feed = page.get_by_role("link", name="RSS feed for NATO")
    titles = feed_titles(page.request.get(tag_feed.get_attribute("href")))
    assert titles == [SECOND_HEADLINE, SEED_HEADLINE]

    page.goto("/")
    latest = page.locator('link[rel="alternate"][type="application/rss+xml"]')
    titles = feed_titles(page.request.get(latest.get_attribute("href")))
    assert SEED_HEADLINE in titles


def test_story_page_fits_a_phone_and_a_desktop(browsing, seed_story, artifacts):
    for name, width, height in [("phone", 390, 844), ("desktop", 1280, 900)]:
        page = browsing.new_page(viewport={"width": width, "height": height})
        page.goto(seed_story.get_absolute_url())
        expect(headline_of(page)).to_have_text(SEED_HEADLINE)
        # Nothing wider than the screen: no sideways scrolling on a phone.
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, (name, scroll_width)
        page.screenshot(
            path=artifacts / f"story-page-{name}-{width}x{height}.png", full_page=True
        )


def test_a_dateline_runs_into_a_first_paragraph_that_keeps_its_space(browsing):
    """The first paragraph follows the dateline on its line, yet stands as far
    from the second as the second from the third."""
    story = make_article(
        dateline="AUCKLAND",
        body="Officials met on Thursday.\n\n“We waited years,” a resident said.\n\n"
        "A decision is expected next month.",
    )
    for width in (375, 1280):
        page = browsing.new_page(viewport={"width": width, "height": 800})
        page.goto(story.get_absolute_url())
        dateline = page.locator(".story__dateline").bounding_box()
        gaps = page.evaluate(
            """() => {
              const [a, b, c] = [...document.querySelectorAll('.story__body p')]
                .map((p) => p.getBoundingClientRect());
              return [a.top, b.top - a.bottom, c.top - b.bottom];
            }"""
        )
        first_top, first_gap, second_gap = gaps
        assert abs(first_top - dateline["y"]) < dateline["height"], width  # one line
        assert first_gap >= 0.8 * second_gap, (width, gaps)


def test_long_unbroken_words_wrap_on_a_small_phone(browsing, artifacts):
    """A 150-character word or address never makes a 320-pixel screen scroll
    sideways: in the headline, dek, body, dateline, caption, credit line,
    quote list, source, people or tags, on the story page or a list."""
    # Within every field's length on PostgreSQL (names and headlines take 200).
    word = "Llanfair" * 19
    address = "https://example.com/" + "a" * 130
    agency = "Agency" + "X" * 144
    quoted = f"Look at {address} now,"
    story = make_article(
        headline=f"{word} headline",
        dek=f"A dek with {word} in it.",
        dateline=("D" * 99),
        body=f"The body quotes {word} and links {address}.\n\n“{quoted}” he said.",
        source=f"Source {agency}",
        lead_photo=make_photo(
            caption=f"A caption with {word}.",
            photographer=make_person(name=f"Photographer {word}"),
            agencies=[agency],
        ),
    )
    story.tags.add(f"Tag{'Z' * 96}")
    story.people.add(make_person(name=f"Someone {word}"))
    Quote.objects.create(
        article=story, speaker=make_person(name=word), text=quoted, context=word
    )
    for path in [story.get_absolute_url(), "/"]:
        page = browsing.new_page(viewport={"width": 320, "height": 640})
        page.goto(path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        name = "story" if path != "/" else "front"
        page.screenshot(path=artifacts / f"long-words-{name}-320.png", full_page=True)
        assert scroll_width <= 320, (path, scroll_width)
