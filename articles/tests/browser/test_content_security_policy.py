"""The Content-Security-Policy holds on the pages readers and editors use.

Chromium fires `securitypolicyviolation` for anything the policy blocks (inline
script or style, a foreign source); a listener installed before any page script
runs collects them. Chromium also logs each one as a console error, which the
browsing fixture turns into a failure of its own.
"""

import pytest
import reversion
from playwright.sync_api import expect

from articles.models import Person, PhotoCredit

from .conftest import BROWSER_DB, log_in

pytestmark = [pytest.mark.browser, BROWSER_DB]

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"}` +
    ` at ${event.sourceFile || location.pathname}:${event.lineNumber}`
  );
});
"""
WIRE_COPY = (
    "Council agrees a budget. A council meeting on Monday. (Jane Roe/TNS)\n"
    "The city council agreed its budget on Monday.\n"
    "“We have a budget that protects every school,” said Mara Quill, the treasurer."
)


def visit(page, path, violations):
    response = page.goto(path)
    assert response.status < 400, path
    policy = response.header_value("content-security-policy")
    assert policy and "script-src 'self'" in policy, path
    assert "unsafe-inline" not in policy
    page.wait_for_load_state("load")
    violations += [f"{path}: {v}" for v in page.evaluate("window.__cspViolations")]


def test_public_pages_raise_no_policy_violation(browsing, seed_story):
    page = browsing.new_page()
    page.add_init_script(COLLECT_VIOLATIONS)
    person = seed_story.people.first()
    tag = seed_story.tags.first()
    violations = []
    for path in [
        "/",
        seed_story.get_absolute_url(),
        f"/{seed_story.publication_day:%Y/%m}/",
        f"/tags/{tag.slug}/",
        f"/people/{person.slug}/",
        "/search/?q=Putin",
    ]:
        visit(page, path, violations)
    # The story page carries JSON-LD: data, not script, and not blocked.
    page.goto(seed_story.get_absolute_url())
    expect(page.locator('script[type="application/ld+json"]')).to_have_count(1)
    assert violations == []


def test_admin_pages_editors_use_raise_no_policy_violation(
    browsing, seed_story, editor
):
    page = browsing.new_page()
    page.add_init_script(COLLECT_VIOLATIONS)
    log_in(page, editor.username)
    violations = []
    credit = PhotoCredit.objects.first()
    person = Person.objects.first()
    for dek in ["A first revision.", "A second: the history can compare them."]:
        with reversion.create_revision():
            seed_story.dek = dek
            seed_story.save()
    for path in [
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/?q=Putin",
        "/admin/articles/article/add/",
        f"/admin/articles/article/{seed_story.pk}/change/",
        f"/admin/articles/article/{seed_story.pk}/history/",
        "/admin/articles/person/",
        f"/admin/articles/person/{person.pk}/change/",
        "/admin/articles/photocredit/",
        f"/admin/articles/photocredit/{credit.pk}/change/",
        "/admin/articles/quote/",
        "/admin/taggit/tag/",
    ]:
        visit(page, path, violations)
    # The history offers two revisions to compare, the newer one only as "to".
    page.goto(f"/admin/articles/article/{seed_story.pk}/history/")
    expect(page.get_by_label("Compare from this revision")).to_have_count(2)
    expect(page.get_by_label("Compare from this revision").first).not_to_be_visible()
    violations += page.evaluate("window.__cspViolations")

    # The scripted parts: prepopulated slug, a select2 autocomplete, an inline row.
    visit(page, "/admin/articles/article/add/", violations)
    page.get_by_label("Headline:").press_sequentially("Council agrees a budget")
    expect(page.get_by_label("Slug:")).to_have_value("council-agrees-a-budget")
    page.locator("#quotes-0 .field-speaker .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Putin")
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Add another Quote").click()
    expect(page.locator("#quotes-1")).to_be_visible()
    violations += page.evaluate("window.__cspViolations")

    # The wire import page, with its highlighted preview.
    visit(page, "/admin/articles/article/import-wire/", violations)
    page.get_by_label("Wire copy:").fill(WIRE_COPY)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".wire-body q")).to_have_count(1)
    # Styled by static/css/admin.css, not by an inline style the policy blocks.
    expect(page.locator(".wire-body q")).to_have_css(
        "background-color", "rgb(255, 242, 168)"
    )
    violations += page.evaluate("window.__cspViolations")
    assert violations == []


def test_a_blocked_inline_script_is_reported_so_the_check_can_fail(browsing):
    # Guards the listener: an inline script on our own origin is refused and seen.
    page = browsing.new_page()
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto("/robots.txt")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.head.append(s); }"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.ran") is None
    assert "script-src" in page.evaluate("window.__cspViolations")[0]
    browsing.errors.clear()  # the console error this test provoked on purpose
