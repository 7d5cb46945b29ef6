"""People and photo credits that stories show: a reporter's view, and their history."""

from importlib import import_module

import pytest
from django.apps import apps
from playwright.sync_api import expect

from articles.models import ArticleAuthor

from ..factories import make_article, make_person
from .conftest import BROWSER_DB, log_in
from .test_content_security_policy import COLLECT_VIOLATIONS

pytestmark = [pytest.mark.browser, BROWSER_DB]

READ_ONLY = (
    "A published or scheduled story shows this {}, so only an editor can change it."
)


@pytest.fixture(autouse=True)
def _desk_groups():
    """The Reporter and Editor groups, made as the migration makes them."""
    import_module("articles.migrations.0005_workflow").create_groups(apps, None)


def test_reporter_sees_a_byline_author_and_a_credit_of_published_stories_read_only(
    browsing, seed_story, desk_reporter
):
    author = make_person(name="Ann Aardvark")
    ArticleAuthor.objects.create(
        article=make_article(), person=author, position=1
    )  # her only story, published
    credit = seed_story.lead_photo
    page = browsing.new_page()
    page.add_init_script(COLLECT_VIOLATIONS)
    log_in(page, desk_reporter.username)
    for path, kind in [
        (f"/admin/articles/person/{author.pk}/change/", "person"),
        (f"/admin/articles/photocredit/{credit.pk}/change/", "photo credit"),
    ]:
        page.goto(path)
        expect(page.locator(".messagelist")).to_have_text(READ_ONLY.format(kind))
        expect(page.get_by_role("heading", level=1)).to_have_text(f"View {kind}")
        expect(page.locator("#content-main form [name]:visible")).to_have_count(0)
        expect(page.locator(".submit-row")).to_have_text("Close")
    # The credit line's agencies, read-only as the credit is: names, no fields.
    agencies = page.locator("#agency_links-group")
    expect(agencies.locator("tbody tr.has_original")).to_have_count(4)
    expect(agencies).to_contain_text("Abaca Press")
    expect(agencies.locator("input:not([type=hidden]), select")).to_have_count(0)
    expect(agencies.get_by_role("button", name="Add another")).to_have_count(0)
    assert page.evaluate("window.__cspViolations") == []


def test_editor_compares_a_renamed_person_and_reverts_to_the_first_name(
    browsing, desk_editor
):
    author = make_person(name="Ann Aardvark")
    story = make_article()
    ArticleAuthor.objects.create(article=story, person=author, position=1)
    desk = browsing.new_page()
    desk.add_init_script(COLLECT_VIOLATIONS)
    log_in(desk, desk_editor.username)
    for name in ["Ann Ardvark", "Anne Aardvark"]:
        desk.goto(f"/admin/articles/person/{author.pk}/change/")
        desk.get_by_label("Name:").fill(name)
        desk.get_by_role("button", name="Save and continue editing").click()
        expect(desk.locator(".messagelist")).to_contain_text("changed successfully")
    reader = browsing.new_page()
    reader.goto(story.get_absolute_url())
    expect(reader.locator(".story__byline")).to_have_text("By Anne Aardvark")

    desk.get_by_role("link", name="History").click()
    history = desk.locator("#change-history tbody tr")
    expect(history).to_have_count(3)  # the name as first saved, and two renames
    desk.get_by_role("button", name="compare").click()
    expect(desk.locator("#content del")).to_have_text("- Ann Ardvark")
    expect(desk.locator("#content ins")).to_have_text("+ Anne Aardvark")
    desk.go_back()
    history.last.get_by_role("link").click()
    expect(desk.get_by_label("Name:")).to_have_value("Ann Aardvark")
    desk.get_by_role("button", name="Save", exact=True).click()
    expect(desk.locator(".messagelist")).to_contain_text(
        "“Ann Aardvark” was changed successfully"
    )

    reader.goto(story.get_absolute_url())
    expect(reader.locator(".story__byline")).to_have_text("By Ann Aardvark")
    assert desk.evaluate("window.__cspViolations") == []
