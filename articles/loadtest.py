"""Two app instances under load: readers, and editors saving through the admin.

``AppInstances`` starts gunicorn processes on loopback ports, all on this
project's database and cache (they must be shared: PostgreSQL and Redis).
``run_load`` then has editors save stories through the admin change form over
HTTP (GET the form, POST it back with a new headline), each save followed at
once by a read of the story through *another* instance, while readers fetch
public pages from every instance. Used by ``manage.py loadtest`` and by
tests/test_two_instances.py.
"""

import itertools
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from http.cookiejar import CookieJar

from django.conf import settings
from django.db import connection
from django.utils import timezone
from taggit.models import Tag

from .models import Article, Person, Quote
from .wrk import gunicorn

LOOPBACK = "127.0.0.1"
LOAD_TAG = "load test"


def database_url():
    """The URL of the database this process uses, for the instances to share."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        raise RuntimeError("Two app instances need PostgreSQL (set DATABASE_URL).")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or LOOPBACK}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def check_shared_services():
    """Raise RuntimeError unless the database and cache can be shared."""
    database_url()
    if not os.environ.get("REDIS_URL"):
        raise RuntimeError("Two app instances need a shared cache (set REDIS_URL).")


@contextmanager
def app_instances(count=2, *, workers=2, page_cache_seconds=None):
    """Start count gunicorn instances on loopback; yield their base URLs."""
    check_shared_services()
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="newsroom-static-") as static_root:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "STATIC_ROOT": static_root,
            "PAGE_CACHE_SECONDS": str(
                settings.PAGE_CACHE_SECONDS
                if page_cache_seconds is None
                else page_cache_seconds
            ),
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        subprocess.run(
            [python, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
        )
        with ExitStack() as instances:
            yield [
                instances.enter_context(gunicorn(env, workers=workers))
                for _ in range(count)
            ]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the caller looks at the 302 itself


def browser(*handlers):
    """A URL opener that reports redirects instead of following them."""
    return urllib.request.build_opener(_NoRedirects, *handlers)


@dataclass
class Reply:
    status: int
    headers: dict
    text: str


def fetch(opener, url, form=None):
    """GET url (or POST form to it); any HTTP status comes back as a Reply."""
    data = urllib.parse.urlencode(form, doseq=True).encode() if form else None
    try:
        with opener.open(url, data=data, timeout=30) as response:
            body = response.read().decode()
            return Reply(response.status, dict(response.headers), body)
    except urllib.error.HTTPError as error:
        with error:
            body = error.read().decode(errors="replace")
            return Reply(error.code, dict(error.headers), body)


class _FormFields(HTMLParser):
    """The values a browser would submit from the form with id form_id."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.fields, self._textarea, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag != "option":
            return
        kind = attrs.get("type", "text")
        if tag == "input" and kind not in {"submit", "button", "file", "image"}:
            ticked = kind in {"checkbox", "radio"}
            if not ticked or "checked" in attrs:
                value = attrs.get("value") or ("on" if ticked else "")
                self.fields.append((attrs["name"], value))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))

    def handle_data(self, text):
        if self._textarea:
            self._textarea[1] += text

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea:
            name, text = self._textarea
            # Browsers drop the one newline that follows <textarea>.
            self.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_fields(page, form_id):
    parser = _FormFields(form_id)
    parser.feed(page)
    return parser.fields


class Editor:
    """An editor's browser session on one instance's admin."""

    def __init__(self, base_url, username, password):
        self.base_url, self.last_errors = base_url, []
        self.opener = browser(urllib.request.HTTPCookieProcessor(CookieJar()))
        login = f"{base_url}/admin/login/"
        fields = dict(form_fields(fetch(self.opener, login).text, "login-form"))
        fields.update(username=username, password=password)
        if fetch(self.opener, login, fields).status != 302:
            raise RuntimeError(f"{username} could not sign in at {base_url}.")

    def save_headline(self, base_url, article_pk, headline):
        """Save headline through the change form on base_url; the reply status.

        A refused form (200 with errors) leaves its error text in last_errors.
        """
        change = f"{base_url}/admin/articles/article/{article_pk}/change/"
        form = fetch(self.opener, change)
        if form.status != 200:
            return form.status
        fields = [
            (name, headline if name == "headline" else value)
            for name, value in form_fields(form.text, "article_form")
        ]
        reply = fetch(self.opener, change, fields + [("_save", "Save")])
        self.last_errors = re.findall(
            r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', reply.text, re.S
        )
        return reply.status


@dataclass
class LoadReport:
    requests: int = 0
    server_errors: list = field(default_factory=list)
    stale_reads: list = field(default_factory=list)
    failed_saves: list = field(default_factory=list)
    saves: int = 0
    last_headline: dict = field(default_factory=dict)
    cache_hits: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get(self, opener, url):
        """Fetch url and count the reply; no answer at all counts as an error."""
        try:
            reply = fetch(opener, url)
        except OSError as error:
            reply = Reply(599, {}, f"no answer: {error}")
        with self.lock:
            self.requests += 1
            self.cache_hits += reply.headers.get("X-Page-Cache") == "hit"
            if reply.status >= 500:
                self.server_errors.append(f"{reply.status} {url} {reply.text[:80]}")
        return reply

    def as_text(self, seconds):
        return "\n".join(
            [
                f"{self.requests} requests in {seconds:.1f}s "
                f"({self.requests / seconds:.0f}/s), {self.cache_hits} cache hits",
                f"{self.saves} admin saves, {len(self.failed_saves)} failed",
                f"{len(self.server_errors)} server errors (5xx)",
                f"{len(self.stale_reads)} stale reads right after a save",
            ]
        )


def run_load(urls, editors, stories, reader_urls, *, seconds, readers=4):
    """Readers and editors on every instance for seconds; returns a LoadReport.

    editors is a list of signed-in Editor sessions, stories one Article per
    editor (each edits only its own, so no save can overwrite another's).
    """
    report = LoadReport()
    stop = time.monotonic() + seconds

    def read():
        opener = browser()
        for n in itertools.count():
            if time.monotonic() > stop:
                return
            # Every page from every instance, in turn.
            page = reader_urls[n // len(urls) % len(reader_urls)]
            report.get(opener, urls[n % len(urls)] + page)

    def edit(editor, story, number):
        opener = browser()
        for n in itertools.count(1):
            if time.monotonic() > stop:
                return
            writer, reader = urls[n % len(urls)], urls[(n + 1) % len(urls)]
            headline = f"Load-test story {number}, edit {n}"
            try:
                status = editor.save_headline(writer, story.pk, headline)
            except OSError:
                status = 599  # no answer
            with report.lock:
                report.requests += 2
                if status >= 500:
                    report.server_errors.append(f"{status} saving {headline}")
                if status != 302:
                    report.failed_saves.append(f"{status} {headline}")
                    continue
                report.saves += 1
                report.last_headline[story.pk] = headline
            page = f"{reader}{story.get_absolute_url()}"
            reply = report.get(opener, page)
            if headline not in reply.text:
                with report.lock:
                    report.stale_reads.append(f"{page} lacks {headline!r}")

    threads = [threading.Thread(target=read) for _ in range(readers)] + [
        threading.Thread(target=edit, args=(editor, story, number))
        for number, (editor, story) in enumerate(zip(editors, stories, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return report


def make_stories(count, run=""):
    """Published stories for editors to work on, each with a quote and a tag."""
    speaker, _ = Person.objects.get_or_create(
        slug="load-test-speaker", defaults={"name": "Load Test Speaker"}
    )
    stories = []
    for number in range(count):
        story = Article.objects.create(
            headline=f"Load-test story {number}",
            slug=f"load-test-story{run}-{number}",
            body=f"Opening of load-test story {number}.\n\n"
            "“We are under load,” the speaker said.",
            status="published",
            published_at=timezone.now().replace(microsecond=0) - timedelta(hours=1),
        )
        Quote.objects.create(article=story, speaker=speaker, text="We are under load")
        story.tags.add(LOAD_TAG)
        stories.append(story)
    return stories


def remove_stories(stories):
    """Delete what make_stories made, and its speaker and tag once unused."""
    Article.objects.filter(pk__in=[story.pk for story in stories]).delete()
    Person.objects.filter(slug="load-test-speaker", quotes=None).delete()
    Tag.objects.filter(name=LOAD_TAG, articles_taggedarticle_items=None).delete()


def lost_or_broken_edits(report, stories):
    """What the database lost: headlines other than each story's last saved
    one, and any change to what the editors did not touch (body, quotes, tags)."""
    problems = []
    for before in stories:
        after = Article.objects.get(pk=before.pk)
        expected = report.last_headline.get(before.pk, before.headline)
        if after.headline != expected:
            problems.append(f"story {before.pk}: {after.headline!r} != {expected!r}")
        if after.body != before.body or after.slug != before.slug:
            problems.append(f"story {before.pk}: body or slug changed")
        if [q.text for q in after.quotes.all()] != ["We are under load"]:
            problems.append(f"story {before.pk}: quotes changed")
        if list(after.tags.names()) != [LOAD_TAG]:
            problems.append(f"story {before.pk}: tags changed")
    return problems
