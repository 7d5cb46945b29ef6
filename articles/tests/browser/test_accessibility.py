"""axe-core on every kind of page a reader or an editor opens.

Public pages must have no violation at all, of any impact (the issue asks for
none serious or critical; ours reach zero, and should stay there). The admin's pages are
Django's, not ours to fix: their counts are only recorded. Every page's counts
go to test-artifacts/axe-summary.txt.
"""

import json
import os
import re
from datetime import timedelta

import pytest
import reversion
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import AXE_SCRIPT, BROWSER_DB, log_in

pytestmark = [pytest.mark.browser, BROWSER_DB]

IMPACTS = ["critical", "serious", "moderate", "minor"]

PUBLIC_PAGES = {
    "front": lambda story: "/",
    "story": lambda story: story.get_absolute_url(),
    "tag": lambda story: "/tags/nato/",
    "person": lambda story: "/people/igor-konashenkov/",
    "search": lambda story: "/search/?q=troops",
}
ADMIN_PAGES = {
    "admin login": lambda story: "/admin/login/",
    "admin article change": lambda story: f"/admin/articles/article/{story.pk}/change/",
}


@pytest.fixture(scope="module")
def summary(artifacts):
    counts = {}
    yield counts
    if not counts:
        return  # axe did not run: keep the last summary
    lines = [f"{'page':<22}" + "".join(f"{i:>10}" for i in IMPACTS) + "  url"]
    for name, (url, by_impact) in counts.items():
        lines.append(
            f"{name:<22}"
            + "".join(f"{by_impact.get(i, 0):>10}" for i in IMPACTS)
            + f"  {url}"
        )
    (artifacts / "axe-summary.txt").write_text("\n".join(lines) + "\n")


@pytest.fixture
def page(browsing):
    # axe goes in as an inline script, which the site's CSP rightly refuses;
    # test_content_security_policy checks the policy on these same pages.
    return browsing.new_page(bypass_csp=True)


@pytest.fixture
def axe_script():
    if not AXE_SCRIPT.exists():
        message = f"{AXE_SCRIPT} is missing: run `make browser-deps`."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE_SCRIPT


def violations_on(page, axe_script, within="html"):
    page.add_script_tag(path=axe_script)
    result = page.evaluate(
        "(within) => axe.run(within, {resultTypes: ['violations']})", within
    )
    return result["violations"]


def describe(violations):
    return json.dumps(
        [
            {
                "rule": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [
                    {"target": n["target"], "summary": n["failureSummary"]}
                    for n in v["nodes"]
                ],
            }
            for v in violations
        ],
        indent=2,
    )


def record(summary, name, url, violations):
    by_impact = {}
    for violation in violations:
        by_impact[violation["impact"]] = by_impact.get(violation["impact"], 0) + 1
    summary[name] = (url, by_impact)
    print(f"axe on {name} ({url}): {by_impact or 'no violations'}")
    for v in violations:
        print(
            f"  {v['impact']}: {v['id']} on {len(v['nodes'])} element(s): {v['help']}"
        )


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_reader_pages_have_no_accessibility_violations(
    page, seed_story, axe_script, summary, name
):
    url = PUBLIC_PAGES[name](seed_story)
    assert page.goto(url).status == 200
    violations = violations_on(page, axe_script)
    record(summary, name, url, violations)
    assert not violations, f"axe on {url}:\n{describe(violations)}"


def test_the_not_found_page_has_no_accessibility_violations(
    browsing, axe_script, summary
):
    path = "/2022/02/15/no-such-story/"
    browsing.expect_failed_load(path)  # the 404 itself, which the console reports
    page = browsing.new_page(bypass_csp=True)  # for axe, as the page fixture
    assert page.goto(path).status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    violations = violations_on(page, axe_script)
    record(summary, "not found", path, violations)
    assert not violations, f"axe on {path}:\n{describe(violations)}"


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_editor_pages_load_and_their_accessibility_is_recorded(
    page, seed_story, editor, axe_script, summary, name
):
    if name != "admin login":
        log_in(page, editor.username)
    url = ADMIN_PAGES[name](seed_story)
    assert page.goto(url).status == 200
    expect(page).to_have_title(re.compile(r"\| Newsroom admin$"))
    expect(page.locator("#content")).to_be_visible()
    violations = violations_on(page, axe_script)
    record(summary, name, url, violations)


def test_corrections_have_no_accessibility_violations(
    page, seed_story, axe_script, summary
):
    seed_story.add_correction(
        "An earlier version gave the wrong day for the meeting.",
        quote=seed_story.quotes.first(),
    )
    seed_story.corrections.get().strike("The day given was right.")
    seed_story.add_correction(
        "An earlier version misspelled a name.",
        when=timezone.now() - timedelta(minutes=5),
    )
    for name, url in [
        ("story with corrections", seed_story.get_absolute_url()),
        ("corrections", "/corrections/"),
    ]:
        assert page.goto(url).status == 200
        violations = violations_on(page, axe_script)
        record(summary, name, url, violations)
        assert not violations, f"axe on {url}:\n{describe(violations)}"


def test_the_history_table_we_template_has_no_accessibility_violations(
    page, seed_story, editor, axe_script, summary
):
    # templates/reversion-compare/action_list_partial.html is ours; the rest
    # of the page is Django's and reversion-compare's, only recorded.
    person = seed_story.people.first()
    for name in ["Igor Konashenkov Jr.", "Igor Konashenkov"]:
        with reversion.create_revision():
            person.name = name
            person.save()
    log_in(page, editor.username)
    url = f"/admin/articles/person/{person.pk}/history/"
    assert page.goto(url).status == 200
    expect(page.get_by_label("Compare to this revision")).to_have_count(2)
    record(summary, "admin person history", url, violations_on(page, axe_script))
    violations = violations_on(page, axe_script, within="#change-history")
    assert not violations, f"axe on {url}:\n{describe(violations)}"
