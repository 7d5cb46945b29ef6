"""Timing of the reader's list pages, for `manage.py bench` and the README's figures.

time_pages() requests each path through Django's test Client against the
configured database (no server, no network) and reports the median time and
the number of queries. list_pages() picks the paths the list pages have on
the database at hand: the front page and a deep page of it, the busiest tag,
the most written-about person, a year and a month archive, the feeds and the
sitemap index.

    .venv/bin/python manage.py shell -c \
        "from articles import benchmarks; print(benchmarks.report())"
"""

import statistics
import time

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


def time_pages(paths, *, repeat=5):
    """Time each path: {path: (status, queries, median ms, fastest ms)}.

    The first request of each path counts the queries and warms up; the next
    `repeat` are timed. On a machine shared with other work the fastest run
    is the steadier figure.
    """
    host = next((h for h in settings.ALLOWED_HOSTS if "*" not in h), "localhost")
    client = Client(HTTP_HOST=host.lstrip("."))
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
