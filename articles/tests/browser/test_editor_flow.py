"""An editor writes, previews and publishes a story in the admin, as a browser does it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Person, Status

from ..factories import make_article
from .conftest import BROWSER_DB, log_in

pytestmark = [pytest.mark.browser, BROWSER_DB]

HEADLINE = "Council agrees a budget before the elections"
QUOTE = "We have a budget that protects every school"
BODY = f"The city council agreed its budget on Monday.\n\n“{QUOTE},” said Mara Quill."


def test_editor_writes_previews_and_publishes_a_story(browsing, editor):
    desk = browsing.new_page()
    log_in(desk, editor.username)

    desk.goto("/admin/articles/person/add/")
    desk.get_by_label("Name:").fill("Mara Quill")
    desk.get_by_label("Role:").fill("council treasurer")
    desk.get_by_role("button", name="Save", exact=True).click()
    expect(desk.locator(".messagelist")).to_contain_text("Mara Quill")
    assert Person.objects.get(name="Mara Quill").slug == "mara-quill"

    desk.goto("/admin/articles/article/add/")
    desk.get_by_label("Headline:").fill(HEADLINE)
    desk.get_by_label("Body:").fill(BODY)
    desk.get_by_label("Tags:").fill("Elections, Budget")
    desk.locator("#id_quotes-0-text").fill(QUOTE)
    # The speaker is a select2 autocomplete: type part of the name, pick the match.
    desk.locator("#quotes-0 .field-speaker .select2-selection").click()
    desk.locator(".select2-container--open .select2-search__field").fill("Quill")
    desk.locator(".select2-results__option", has_text="Mara Quill").click()
    expect(desk.locator("#select2-id_quotes-0-speaker-container")).to_have_text(
        re.compile("Mara Quill")
    )
    desk.get_by_role("button", name="Save and continue editing").click()
    expect(desk.locator(".messagelist")).to_contain_text("was added successfully")

    story = Article.objects.get(headline=HEADLINE)
    assert story.status == Status.DRAFT
    assert sorted(story.tags.names()) == ["Budget", "Elections"]
    assert [(q.text, q.speaker.name) for q in story.quotes.all()] == [
        (QUOTE, "Mara Quill")
    ]

    desk.locator(".object-tools").get_by_role("link", name="View on site").click()
    desk.wait_for_url(f"**/preview/{story.pk}/")
    expect(desk.locator(".preview-banner")).to_contain_text("Not published.")
    expect(desk.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    expect(desk.locator("q.quote")).to_have_text(QUOTE)

    reader = browsing.new_page()
    for path in [f"/preview/{story.pk}/", story.get_absolute_url()]:
        browsing.expect_failed_load(path)
        assert reader.goto(path).status == 404, path

    desk.goto("/admin/articles/article/")
    desk.get_by_role("row", name=HEADLINE).get_by_role("checkbox").check()
    desk.get_by_label("Action:").select_option(label="Publish selected stories")
    desk.get_by_role("button", name="Go").click()
    expect(desk.locator(".messagelist")).to_contain_text("1 story published.")

    reader.goto("/")
    reader.get_by_role("link", name=HEADLINE).click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    story.refresh_from_db()
    assert reader.url.endswith(story.get_absolute_url())
    expect(reader.locator(".preview-banner")).to_have_count(0)


def test_a_published_story_saved_unchanged_is_not_updated_for_readers(browsing, editor):
    """The browser sends the text boxes' line breaks as CRLF; nothing changed, so nothing is."""
    story = make_article(
        quotes=1,
        dek="Both sides agree.\nA date is set.",
        published_at=timezone.now() - timedelta(days=2),
    )
    stored = Article.objects.values().get(pk=story.pk)
    quotes = list(story.quotes.values())
    desk = browsing.new_page()
    log_in(desk, editor.username)
    desk.goto(f"/admin/articles/article/{story.pk}/change/")
    desk.get_by_role("button", name="Save and continue editing").click()
    expect(desk.locator(".messagelist")).to_contain_text("was changed successfully")

    saved = Article.objects.values().get(pk=story.pk)
    assert saved["version"] == stored["version"] + 1  # the save, and no update after it
    assert {**saved, "version": 0, "changed_at": 0, "changed_by_id": 0} == {
        **stored,
        "version": 0,
        "changed_at": 0,
        "changed_by_id": 0,
    }
    assert [q["text"] for q in story.quotes.values()] == [q["text"] for q in quotes]
    reader = browsing.new_page()
    reader.goto(story.get_absolute_url())
    expect(reader.locator(".story__dates")).not_to_contain_text("updated")


def test_the_story_form_fits_a_desktop_window(browsing, editor, seed_story):
    page = browsing.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, editor.username)
    page.goto(f"/admin/articles/article/{seed_story.pk}/change/")
    expect(page.locator("#id_quotes-0-text")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, width
