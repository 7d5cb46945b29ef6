"""An editor sets a story's byline in its inline rows, and restores an older one."""

import re

import pytest
import reversion
from playwright.sync_api import expect

from articles.admin.reordering import PARKED
from articles.models import ArticleAuthor

from ..factories import make_article, make_person
from .conftest import BROWSER_DB, log_in
from .test_content_security_policy import COLLECT_VIOLATIONS

pytestmark = [pytest.mark.browser, BROWSER_DB]


def pick_author(page, row, typed, name):
    """Type part of a name into a byline row's autocomplete and pick the match."""
    page.locator(f"#author_links-{row} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=name).click()
    expect(
        page.locator(f"#select2-id_author_links-{row}-person-container")
    ).to_have_text(re.compile(name))


def save_and_continue(page):
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")


def test_editor_builds_a_byline_in_added_rows_and_with_a_new_person(browsing, editor):
    story = make_article()
    make_person(name="Ann Aardvark", slug="ann-aardvark")
    make_person(name="Bob Zebra", slug="bob-zebra")
    desk = browsing.new_page()
    desk.add_init_script(COLLECT_VIOLATIONS)
    log_in(desk, editor.username)
    desk.goto(f"/admin/articles/article/{story.pk}/change/")

    pick_author(desk, 0, "Zeb", "Bob Zebra")
    desk.get_by_role("button", name="Add another Author").click()
    pick_author(desk, 1, "Aard", "Ann Aardvark")
    # The "+" beside a row added in the page opens the person form in a popup;
    # saving it there picks the new person in that row.
    desk.get_by_role("button", name="Add another Author").click()
    with desk.expect_popup() as opened:
        desk.locator("#author_links-2").get_by_role(
            "link", name="Add another person"
        ).click()
    popup = opened.value
    popup.get_by_label("Name:").fill("Cleo Quill")
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Save", exact=True).click()
    expect(desk.locator("#select2-id_author_links-2-person-container")).to_have_text(
        re.compile("Cleo Quill")
    )
    save_and_continue(desk)
    assert [(link.person.name, link.position) for link in story.author_links.all()] == [
        ("Bob Zebra", 1),
        ("Ann Aardvark", 2),
        ("Cleo Quill", 3),
    ]

    # Swapped places: each row takes the place the other held.
    desk.locator("#id_author_links-0-position").fill("2")
    desk.locator("#id_author_links-1-position").fill("1")
    save_and_continue(desk)
    reader = browsing.new_page()
    reader.goto(story.get_absolute_url())
    expect(reader.locator(".story__byline")).to_have_text(
        "By Ann Aardvark, Bob Zebra and Cleo Quill"
    )
    assert desk.evaluate("window.__cspViolations") == []
    assert popup.is_closed()


def test_editor_restores_a_byline_from_before_its_authors_swapped(browsing, editor):
    story = make_article(quotes=1)
    ann, bob = [
        ArticleAuthor.objects.create(
            article=story, person=make_person(name=name), position=place
        )
        for place, name in enumerate(["Ann Aardvark", "Bob Zebra"], 1)
    ]
    for dek, places in [("Ann wrote most of it.", (1, 2)), ("Bob did.", (2, 1))]:
        with reversion.create_revision():
            ann.position = PARKED  # out of the way while the two swap
            ann.save()
            bob.position, ann.position = places[1], places[0]
            bob.save()
            ann.save()
            story.dek = dek
            story.save()
    reader = browsing.new_page()
    reader.goto(story.get_absolute_url())
    expect(reader.locator(".story__byline")).to_have_text(
        "By Bob Zebra and Ann Aardvark"
    )
    desk = browsing.new_page()
    desk.add_init_script(COLLECT_VIOLATIONS)
    log_in(desk, editor.username)
    desk.goto(f"/admin/articles/article/{story.pk}/change/")
    desk.get_by_role("link", name="History").click()
    # Newest first: the second row is the save before the swap.
    desk.locator("#change-history tbody tr").nth(1).get_by_role("link").click()
    expect(desk.locator("#id_dek")).to_have_value("Ann wrote most of it.")
    expect(desk.locator("#select2-id_author_links-0-person-container")).to_have_text(
        re.compile("Ann Aardvark")
    )
    expect(desk.locator("#id_author_links-0-position")).to_have_value("1")
    desk.get_by_role("button", name="Save", exact=True).click()
    expect(desk.locator(".messagelist")).to_contain_text("was changed successfully")

    reader.goto(story.get_absolute_url())
    expect(reader.locator(".story__byline")).to_have_text(
        "By Ann Aardvark and Bob Zebra"
    )
    assert desk.evaluate("window.__cspViolations") == []
