"""A reporter submits a story, an editor publishes and corrects it, a reader sees the correction."""

from importlib import import_module

import pytest
from django.apps import apps
from playwright.sync_api import expect

from articles.models import Article, Correction, Status

from .conftest import BROWSER_DB, log_in

pytestmark = [pytest.mark.browser, BROWSER_DB]

HEADLINE = "Harbour bridge reopens after repairs"
BODY = "The harbour bridge reopened on Friday after nine months of repairs.\n\nTolls stay at two dollars."
CORRECTION = "An earlier version said the repairs took six months; they took nine."


@pytest.fixture(autouse=True)
def _desk_groups():
    """The Reporter and Editor groups, made as the migration makes them.

    Browser tests flush the database after each test, groups included.
    """
    import_module("articles.migrations.0005_workflow").create_groups(apps, None)


def select_and_run(page, headline, action):
    page.goto("/admin/articles/article/")
    page.get_by_role("row", name=headline).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label=action)
    page.get_by_role("button", name="Go").click()


def test_reporter_submits_editor_publishes_and_corrects_reader_sees_it(
    browsing, _desk_groups, desk_reporter, desk_editor
):
    reporter = browsing.new_page()
    log_in(reporter, desk_reporter.username)
    reporter.goto("/admin/articles/article/add/")
    # No publishing controls for a reporter.
    expect(reporter.locator("#id_status")).to_have_count(0)
    reporter.get_by_label("Headline:").fill(HEADLINE)
    reporter.get_by_label("Body:").fill(BODY)
    reporter.get_by_role("button", name="Save", exact=True).click()
    expect(reporter.locator(".messagelist")).to_contain_text("was added successfully")
    select_and_run(reporter, HEADLINE, "Submit selected stories for review")
    expect(reporter.locator(".messagelist")).to_contain_text(
        "1 story submitted for review."
    )
    expect(reporter.get_by_role("row", name=HEADLINE)).to_contain_text("In review")
    reporter.get_by_label("Action:").select_option(
        label="Submit selected stories for review"
    )
    assert (
        "Publish selected stories"
        not in reporter.locator("select[name=action]").inner_text()
    )

    editor = browsing.new_page()
    log_in(editor, desk_editor.username)
    editor.goto("/admin/articles/article/?status=review")
    expect(editor.get_by_role("row", name=HEADLINE)).to_be_visible()
    select_and_run(editor, HEADLINE, "Publish selected stories")
    expect(editor.locator(".messagelist")).to_contain_text("1 story published.")
    story = Article.objects.get(headline=HEADLINE)
    assert (story.status, story.created_by) == (Status.PUBLISHED, desk_reporter)

    editor.get_by_role("link", name=HEADLINE).click()
    editor.locator("#corrections-group .add-row a").click()
    editor.locator("#id_corrections-0-text").fill(CORRECTION)
    editor.get_by_role("button", name="Save and continue editing").click()
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Correction.objects.get().text == CORRECTION

    reader = browsing.new_page()
    reader.goto("/")
    reader.get_by_role("link", name=HEADLINE).click()
    corrections = reader.get_by_role("region", name="Correction")
    expect(corrections).to_contain_text(CORRECTION)
    reader.get_by_role("link", name="Corrections").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Corrections")
    expect(reader.locator(".correction-list")).to_contain_text(CORRECTION)
    expect(reader.locator(".correction-list")).to_contain_text(HEADLINE)
