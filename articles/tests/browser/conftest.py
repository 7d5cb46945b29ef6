"""Real-browser tests: Playwright drives Debian's Chromium against live_server.

`make browser-deps` installs what they need: /usr/bin/chromium (Debian's
package; `playwright install` is never used) and axe-core under .cache/axe/.
One browser serves all of them; every test gets fresh contexts, and a test
fails on any console error or uncaught exception in its pages.
"""

import os
from pathlib import Path

import pytest
from django.db import connection, connections
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
AXE_SCRIPT = ROOT / ".cache/axe/node_modules/axe-core/axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"
SEED_HEADLINE = (
    "Putin ready to talk with NATO; says some Russian troops leaving Ukraine border"
)
SEED_CREDIT = "Alexei Nikolsky/Russian Presidential Press and Information Office/TASS/Abaca Press/TNS"

BROWSER_DB = pytest.mark.django_db(transaction=True)


# Launched once for all the browser tests: they all live in this package. Not
# session-scoped on purpose: while Playwright runs, the test thread has a running
# event loop, and the rest of the suite should not run under one.
@pytest.fixture(scope="package")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` first.")
    # Playwright's sync API runs an asyncio event loop in the test thread, so
    # Django would take every ORM call a test makes (fixtures, factories,
    # assertions) for one made from async code and refuse it with
    # SynchronousOnlyOperation. Only for as long as Playwright runs.
    already_allowed = "DJANGO_ALLOW_ASYNC_UNSAFE" in os.environ
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            # While Playwright runs, this thread has a running event loop, so
            # Django keeps its database connections in a context-local slot of
            # their own. Close them before the loop goes, or PostgreSQL refuses
            # to drop the test database: "being accessed by other users".
            connections.close_all()
            chromium.close()
    finally:
        playwright.stop()
        if not already_allowed:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


class Browsing:
    """Contexts and pages for one test, each page reporting its errors here."""

    def __init__(self, browser, base_url):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.errors = []
        self.expected_failures = set()

    def new_context(self, **options):
        context = self.browser.new_context(base_url=self.base_url, **options)
        context.set_default_timeout(10_000)
        context.on("page", self._watch)
        self.contexts.append(context)
        return context

    def new_page(self, context=None, **options):
        return (context or self.new_context(**options)).new_page()

    def expect_failed_load(self, path):
        """Let an error response for path (a 404 we test for) pass the console check."""
        self.expected_failures.add(self.base_url + path)

    def _watch(self, page):
        def console(message):
            if message.type != "error":
                return
            failed = message.location.get("url", "")
            if (
                message.text.startswith("Failed to load resource")
                and failed in self.expected_failures
            ):
                return
            self.errors.append(f"console error on {page.url}: {message.text}")

        page.on("console", console)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser, live_server):
    session = Browsing(browser, live_server.url)
    yield session
    session.close()


@pytest.fixture
def page(browsing):
    return browsing.new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a test that passed if any of its pages logged an error."""
    result = yield
    session = item.funcargs.get("browsing")
    if session and session.errors:
        pytest.fail("The browser reported errors:\n" + "\n".join(session.errors))
    return result


@pytest.fixture(autouse=True)
def _forget_search_rows(transactional_db):
    yield
    # flush does not know the search table (no model owns it): leave no rows behind.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM articles_search")


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def log_in(page, username, password=PASSWORD):
    """Sign in through the admin's own login form."""
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
