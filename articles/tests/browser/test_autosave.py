"""The body autosaves in the editor's browser; a crash or a refused save loses nothing."""

import pytest
from playwright.sync_api import expect

from articles.models import Article, Status

from ..conftest import ALL_ARTICLES_PERMISSIONS, make_staff
from ..factories import make_article
from .conftest import BROWSER_DB, log_in

pytestmark = [pytest.mark.browser, BROWSER_DB]

BODY = "The council met on Monday.\n\nIt agreed nothing."
TYPED = "The council met on Monday.\n\nIt agreed a budget after midnight."


@pytest.fixture
def story():
    return make_article(
        headline="Council meets", slug="council-meets", body=BODY, status=Status.DRAFT
    )


def stored_body(story):
    # Browsers send a textarea's lines with CRLF, and the body is stored as sent.
    return Article.objects.get(pk=story.pk).body.replace("\r\n", "\n")


def open_story(page, story):
    page.goto(f"/admin/articles/article/{story.pk}/change/")
    expect(page.get_by_label("Body:")).to_have_value(BODY)


def type_body(page, text):
    page.get_by_label("Body:").fill(text)
    # Autosave waits for a pause in typing; wait until the draft is stored.
    page.wait_for_function(
        "text => Object.keys(localStorage).some(key =>"
        "  key.startsWith('newsroom:article-draft:')"
        "  && JSON.parse(localStorage.getItem(key)).body === text)",
        arg=text,
    )


def test_a_reload_without_saving_offers_the_typed_text_back(browsing, editor, story):
    desk = browsing.new_page()
    log_in(desk, editor.username)
    open_story(desk, story)
    type_body(desk, TYPED)

    desk.reload()  # as after a crash: nothing was saved
    expect(desk.get_by_label("Body:")).to_have_value(BODY)
    expect(desk.locator(".autosave-offer")).to_contain_text(
        "This browser kept body text you had not saved"
    )
    desk.get_by_role("button", name="Restore my text").click()
    expect(desk.get_by_label("Body:")).to_have_value(TYPED)
    expect(desk.locator(".autosave-offer")).to_have_count(0)
    saved = Article.objects.get(pk=story.pk)
    assert (saved.body, saved.version) == (BODY, 1)

    desk.get_by_role("button", name="Save and continue editing").click()
    expect(desk.locator(".messagelist")).to_contain_text("was changed successfully")
    assert stored_body(story) == TYPED


def test_autosave_then_save_is_no_conflict_and_leaves_no_offer(browsing, editor, story):
    desk = browsing.new_page()
    log_in(desk, editor.username)
    open_story(desk, story)
    type_body(desk, TYPED)
    desk.get_by_role("button", name="Save and continue editing").click()
    expect(desk.locator(".messagelist")).to_contain_text("was changed successfully")
    type_body(desk, TYPED + " Then it adjourned.")
    desk.get_by_role("button", name="Save and continue editing").click()
    expect(desk.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(desk.locator(".errornote")).to_have_count(0)
    assert stored_body(story) == TYPED + " Then it adjourned."
    assert Article.objects.get(pk=story.pk).version == 3

    desk.reload()
    expect(desk.get_by_label("Body:")).to_have_value(TYPED + " Then it adjourned.")
    expect(desk.locator(".autosave-offer")).to_have_count(0)


def test_a_refused_stale_save_keeps_the_typed_text(
    browsing, editor, story, django_user_model
):
    rival = make_staff(django_user_model, "rival", ALL_ARTICLES_PERMISSIONS)
    rival.first_name, rival.last_name = "Rosa", "Vance"
    rival.save()
    ann, ben = browsing.new_page(), browsing.new_page()
    log_in(ann, rival.username)
    log_in(ben, editor.username)
    open_story(ann, story)
    open_story(ben, story)

    ann.get_by_label("Headline:").fill("Council agrees a budget")
    ann.get_by_role("button", name="Save and continue editing").click()
    expect(ann.locator(".messagelist")).to_contain_text("was changed successfully")

    type_body(ben, TYPED)
    ben.get_by_role("button", name="Save and continue editing").click()
    expect(ben.locator(".errornote")).to_be_visible()
    expect(ben.locator(".errorlist.nonfield")).to_contain_text(
        "This article was changed by Rosa Vance at"
    )
    expect(ben.get_by_label("Body:")).to_have_value(TYPED)
    # Rosa's headline is shown beside the one Ben's stale form still carries.
    expect(ben.locator(".field-headline .errorlist")).to_contain_text(
        "Saved meanwhile by Rosa Vance"
    )
    saved = Article.objects.get(pk=story.pk)
    assert (saved.headline, stored_body(story), saved.version) == (
        "Council agrees a budget",
        BODY,
        2,
    )

    ben.goto(f"/admin/articles/article/{story.pk}/change/")  # a fresh load
    expect(ben.get_by_label("Body:")).to_have_value(BODY)
    ben.get_by_role("button", name="Restore my text").click()
    expect(ben.get_by_label("Body:")).to_have_value(TYPED)
