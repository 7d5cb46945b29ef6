"""Timing of the reader's list pages, for `manage.py bench` and docs/performance.md.

time_pages() requests each path through Django's test Client against the
configured database (no server, no network) and reports the median time and
the number of queries. list_pages() picks the paths the list pages have on
the database at hand: the front page and a deep page of it, the busiest tag,
the most written-about person, a year and a month archive, the feeds and the
sitemap index.

    .venv/bin/python manage.py shell -c \
        "from articles import benchmarks; print(benchmarks.report())"

On a machine busy with other work, wall times swing; cpu_report() gives the
CPU time each page costs instead.
"""

import statistics
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from .models import Article, Person

DEEP_PAGE = 40  # exists with 1,000 stories as with 100,000


def list_pages():
    """The paths of the site's list pages, as {name: path}, for the data loaded."""
    latest = Article.objects.published().first()
    if latest is None:
        raise ValueError("No published stories: run generate_demo first.")
    tag = (
        Tag.objects.annotate(stories=Count("articles_taggedarticle_items"))
        .order_by("-stories")
        .first()
    )
    person = latest.people.first() or Person.objects.first()
    day = latest.publication_day
    return {
        "front": "/",
        "deep page": f"/?page={DEEP_PAGE}",
        "tag": f"/tags/{tag.slug}/",
        "person": person.get_absolute_url(),
        "year archive": f"/{day:%Y}/",
        "month archive": f"/{day:%Y/%m}/",
        "feed": "/feeds/latest/",
        "tag feed": f"/tags/{tag.slug}/feed/",
        "person feed": f"{person.get_absolute_url()}feed/",
        "sitemap index": "/sitemap.xml",
    }


def reader_client():
    """A test Client addressed to a host the settings allow."""
    host = next((h for h in settings.ALLOWED_HOSTS if "*" not in h), "localhost")
    return Client(HTTP_HOST=host.lstrip("."))


def time_pages(paths, *, repeat=5):
    """Time each path: {path: (status, queries, median ms, fastest ms)}.

    The first request of each path counts the queries and warms up; the next
    `repeat` are timed. On a machine shared with other work the fastest run
    is the steadier figure.
    """
    client = reader_client()
    results = {}
    for path in paths:
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        queries = len(captured)  # before the next request clears the log
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        results[path] = (status, queries, statistics.median(times), min(times))
    return results


def report(repeat=5):
    """A plain-text table of list_pages() timed with time_pages()."""
    pages = list_pages()
    timed = time_pages(pages.values(), repeat=repeat)
    stories = Article.objects.count()
    lines = [
        f"{stories} stories on {connection.vendor}",
        f"{'page':<14} {'status':>6} {'queries':>7} {'median ms':>9} {'best ms':>7}"
        "  path",
    ]
    for name, path in pages.items():
        status, queries, median, best = timed[path]
        lines.append(
            f"{name:<14} {status:>6} {queries:>7} {median:>9.1f} {best:>7.1f}  {path}"
        )
    return "\n".join(lines)


def cpu_pages(paths, *, requests=20, rounds=3):
    """CPU milliseconds per request of each path: {path: ms}.

    This process's CPU time (SQLite runs inside it) plus, on PostgreSQL, that
    of the server process answering this connection, read from Linux's /proc:
    other work on the machine barely moves it, unlike wall time. The best of
    `rounds` means of `requests` requests, after three warm-ups. It needs the
    server on this machine and one connection throughout (CONN_MAX_AGE > 0).
    """
    client = reader_client()
    server = server_clock()
    results = {}
    for path in paths:
        for _ in range(3):
            client.get(path)
        means = []
        for _ in range(rounds):
            start = time.process_time_ns() + server()
            for _ in range(requests):
                client.get(path)
            spent = time.process_time_ns() + server() - start
            means.append(spent / 1e6 / requests)
        results[path] = min(means)
    return results


def server_clock():
    """A function giving the nanoseconds of CPU the database server has used for us."""
    if connection.vendor != "postgresql":
        return lambda: 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")
    if not stat.exists():
        raise ValueError("The PostgreSQL server does not run on this machine.")
    return lambda: int(stat.read_text().split()[0])


def cpu_report(requests=20, rounds=3):
    """A plain-text table of list_pages() measured with cpu_pages()."""
    pages = list_pages()
    spent = cpu_pages(list(pages.values()), requests=requests, rounds=rounds)
    lines = [
        f"{Article.objects.count()} stories on {connection.vendor}",
        f"{'page':<14} {'cpu ms':>6}  path",
    ]
    lines += [f"{name:<14} {spent[path]:>6.1f}  {path}" for name, path in pages.items()]
    return "\n".join(lines)
