"""`manage.py bench`: how fast the reader pages are, against a static file.

One run builds two throwaway demo databases (generate_demo, small and large),
collects static files into a temporary STATIC_ROOT, then serves each database
with gunicorn (2 sync workers, a free loopback port) and drives every page with
wrk (8 connections) from its own process. It reports requests per second, the
ratio to a whitenoise static file, p50/p99 latency and SQL queries per page,
plus how much the front and tag pages slow down from the small database to
the large one.

SQLite files in a temporary folder by default; with DATABASE_URL pointing at
PostgreSQL the bench creates (and drops) its own databases beside the
configured one, and with REDIS_URL it caches in Redis under a key prefix of
its own. Media go to a temporary MEDIA_ROOT, never to configured object storage.
"""

import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field

import dj_database_url

from .wrk import ROOT, Load, LoadTestError, fetch, gunicorn, require_wrk, wrk

SEARCH_QUERY = "budget"  # a word generate_demo writes into about one story in eight
CACHED_SECONDS = "300"  # PAGE_CACHE_SECONDS while the cached story is measured
STORY_LINK = r'href="(/\d{4}/\d{2}/\d{2}/[^/"]+/)"'
# Issue 8's targets on a 2-core machine: each story page's throughput against
# the static file's, and what a list page may cost on the large database
# against the small one.
STORY_TARGETS = {"story, uncached": 0.25, "story, cached": 0.9}
LIST_PAGE_COST_LIMIT = 2.0


@dataclass
class Page:
    name: str
    path: str
    page_cache: bool = False
    load: object = None
    queries: object = None
    reference: object = None  # the static file's load, when measured beside this page

    def ratio(self, static):
        """Throughput against the static file (the one measured beside it, if any)."""
        reference = self.reference or static
        return self.load.requests_per_second / reference.requests_per_second


@dataclass
class Report:
    engine: str
    sizes: tuple
    duration: int
    connections: int
    build_seconds: dict = field(default_factory=dict)
    pages: list = field(default_factory=list)
    scaling: list = field(default_factory=list)  # (name, load at small, load at large)


def run(*, small, large, duration, connections=8, out=print):
    """Build, serve and measure; returns the Report after printing it with out()."""
    require_wrk()
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as folder:
        env = bench_environment(folder)
        sizes = (small,) if large is None else (small, large)
        with demo_databases(env, sizes, folder) as urls:
            engine = dj_database_url.parse(urls[small])["ENGINE"].rsplit(".", 1)[-1]
            report = Report(engine, sizes, duration, connections)
            manage(env, "collectstatic", "--noinput")
            for size in sizes:
                out(f"Building a database of {size:,} demo stories ...")
                started = time.monotonic()
                manage({**env, "DATABASE_URL": urls[size]}, "migrate", "--noinput")
                manage(
                    {**env, "DATABASE_URL": urls[size]},
                    "generate_demo",
                    "--articles",
                    str(size),
                )
                report.build_seconds[size] = time.monotonic() - started
            out("Measuring ...")
            measure_pages(report, {**env, "DATABASE_URL": urls[small]})
            if large is not None:
                measure_scaling(report, env, urls)
    out(format_report(report))
    return report


def bench_environment(folder):
    """The site's environment for the run: production-like, isolated from real data."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "STATIC_ROOT": os.path.join(folder, "static"),
        "MEDIA_ROOT": os.path.join(folder, "media"),
        "CACHE_KEY_PREFIX": f"bench-{os.getpid()}-{time.time_ns()}",
    }
    env.pop("AWS_STORAGE_BUCKET_NAME", None)  # never upload demo photos to a bucket
    return env


@contextlib.contextmanager
def demo_databases(env, sizes, folder):
    """A fresh, empty database URL per size, removed afterwards."""
    configured = env.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        yield {size: f"sqlite:///{folder}/bench-{size}.sqlite3" for size in sizes}
        return
    import psycopg

    parts = urllib.parse.urlsplit(configured)
    base_name = parts.path.lstrip("/") or "newsroom"
    names = {size: f"{base_name}_bench_{size}" for size in sizes}
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as admin:
        for name in names.values():
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield {
                size: parts._replace(path=f"/{name}").geturl()
                for size, name in names.items()
            }
        finally:
            for name in names.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise LoadTestError(
            f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}"
        )
    return result.stdout


def find_paths(base):
    """A story, a tag, the static stylesheet: found the way a reader would."""
    front = fetch(base + "/")
    story = re.search(STORY_LINK, front)
    if story is None:
        raise LoadTestError("The front page links no story.")
    page = fetch(base + story.group(1))
    tag = re.search(r'href="(/tags/[^/"]+/)" rel="tag"', page)
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)">', page)
    if tag is None or stylesheet is None:
        raise LoadTestError("The story page links no tag or no stylesheet.")
    return {
        "static": stylesheet.group(1),
        "story": story.group(1),
        "front": "/",
        "tag": tag.group(1),
        "search": f"/search/?q={SEARCH_QUERY}",
    }


def warm_up(base, path, requests=20):
    """Load templates, make renditions and fill caches in both workers first."""
    for _ in range(requests):
        fetch(base + path)


# Each page is measured in ROUNDS turns, taken in rotation with the other pages
# on the same server: this machine's speed drifts by a third over minutes, and
# a ratio of two figures taken minutes apart moved with it (0.19-0.24 for the
# same code). Rotation gives every page its share of fast and slow moments.
ROUNDS = 3


def measure_in_rotation(report, base, pages):
    """Load each page with wrk ROUNDS times (fewer in a shorter run), in turns."""
    for page in pages:
        warm_up(base, page.path)
    turns = min(ROUNDS, report.duration)  # wrk runs whole seconds
    seconds = max(1, round(report.duration / turns))
    rounds = {page.name: [] for page in pages}
    for _ in range(turns):
        for page in pages:
            rounds[page.name].append(
                wrk(base + page.path, duration=seconds, connections=report.connections)
            )
    for page in pages:
        page.load = combined(rounds[page.name])
    return pages


def combined(loads):
    """One Load from several runs of wrk on one URL: throughput over all of them,
    the median of their medians and the worst of their 99th percentiles."""
    requests = sum(load.requests for load in loads)
    seconds = sum(load.requests / load.requests_per_second for load in loads)
    return Load(
        requests_per_second=requests / seconds,
        p50_ms=statistics.median(load.p50_ms for load in loads),
        p99_ms=max(load.p99_ms for load in loads),
        requests=requests,
        errors="; ".join(load.errors for load in loads if load.errors),
    )


def measure_pages(report, env):
    uncached = {**env, "PAGE_CACHE_SECONDS": "0"}
    cached = {**env, "PAGE_CACHE_SECONDS": CACHED_SECONDS}
    with gunicorn(uncached) as base:
        paths = find_paths(base)
        pages = [
            Page("static file (whitenoise)", paths["static"]),
            Page("story, uncached", paths["story"]),
            Page("front page", paths["front"]),
            Page("tag page", paths["tag"]),
            Page("search", paths["search"]),
        ]
        measure_in_rotation(report, base, pages)
    cached_story = Page("story, cached", paths["story"], page_cache=True)
    with gunicorn(cached) as base:
        # Against the static file measured beside it, on this server.
        static = Page("static file", paths["static"])
        measure_in_rotation(report, base, [static, cached_story])
        cached_story.reference = static.load
    pages.insert(2, cached_story)
    counts = {
        False: query_counts(uncached, [p.path for p in pages if not p.page_cache]),
        True: query_counts(cached, [cached_story.path]),
    }
    for page in pages:
        page.queries = counts[page.page_cache].get(page.path)
    report.pages = pages


def measure_scaling(report, env, urls):
    """The front and tag pages on the large database, beside their small-database figures."""
    small, large = report.sizes
    measured = {page.name: page.load for page in report.pages}
    names = {"front page": "front", "tag page": "tag"}
    with gunicorn(
        {**env, "DATABASE_URL": urls[large], "PAGE_CACHE_SECONDS": "0"}
    ) as base:
        paths = find_paths(base)
        large_pages = measure_in_rotation(
            report, base, [Page(name, paths[key]) for name, key in names.items()]
        )
        report.scaling = [
            (page.name, measured[page.name], page.load) for page in large_pages
        ]


QUERY_COUNTER = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client, counts = Client(), {}
for path in json.loads(PATHS):
    client.get(path)  # the second request counts: no first-use costs
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    counts[path] = len(queries) if status == 200 else None
print(json.dumps(counts))
"""


def query_counts(env, paths):
    """SQL queries one warm GET of each path costs, through Django's test client."""
    script = QUERY_COUNTER.replace("PATHS", repr(json.dumps(paths)))
    output = manage(env, "shell", "--verbosity", "0", "-c", script)
    return json.loads(output.strip().splitlines()[-1])


def format_report(report):
    static = report.pages[0].load if report.pages else None
    sizes = " and ".join(f"{size:,}" for size in report.sizes)
    lines = [
        "",
        f"Newsroom bench on {report.engine}: gunicorn 2 sync workers, wrk "
        f"{report.connections} connections, {report.duration} s per URL",
        f"Demo databases of {sizes} stories (built in "
        + ", ".join(f"{s:.1f} s" for s in report.build_seconds.values())
        + ")",
        "",
        f"{'page':<26} {'req/s':>9} {'× static':>9} {'p50 ms':>8} {'p99 ms':>8} {'queries':>8}",
    ]
    for page in report.pages:
        load = page.load
        queries = "-" if page.queries is None else str(page.queries)
        lines.append(
            f"{page.name:<26} {load.requests_per_second:>9.1f} "
            f"{page.ratio(static):>9.2f} {load.p50_ms:>8.2f} "
            f"{load.p99_ms:>8.2f} {queries:>8}"
            + (f"  ({load.errors})" if load.errors else "")
        )
    for page in report.pages:
        if page.reference:
            lines.append(
                f"({page.name}: against the static file measured in turn with it "
                f"on its own server, {page.reference.requests_per_second:.1f} req/s)"
            )
    if report.scaling:
        small, large = report.sizes
        lines += ["", f"List pages, {small:,} vs {large:,} stories (uncached):"]
        for name, at_small, at_large in report.scaling:
            lines.append(
                f"  {name:<12} {at_small.requests_per_second:>9.1f} req/s vs "
                f"{at_large.requests_per_second:>9.1f} req/s: "
                f"{large:,}/{small:,} ratio "
                f"{at_large.requests_per_second / at_small.requests_per_second:.2f}"
            )
    else:
        lines += ["", "Large database skipped (--skip-large): no list-page ratio."]
    return "\n".join(lines + target_lines(report, static))


def target_lines(report, static):
    """Each target, the figure it is judged on, and whether this run met it."""

    def verdict(met):
        return "met" if met else "MISSED"

    lines = ["", "Targets (2-core machine):"]
    for page in report.pages:
        if page.name in STORY_TARGETS:
            target, ratio = STORY_TARGETS[page.name], page.ratio(static)
            lines.append(
                f"  {page.name:<16} >= {target:.2f}x the static file: "
                f"{ratio:.3f}x, {verdict(ratio >= target)}"
            )
    if report.scaling:
        small, large = report.sizes
        for name, at_small, at_large in report.scaling:
            cost = at_small.requests_per_second / at_large.requests_per_second
            lines.append(
                f"  {name:<16} at {large:,} stories <= {LIST_PAGE_COST_LIMIT:.0f}x "
                f"its cost at {small:,}: {cost:.3f}x, "
                f"{verdict(cost <= LIST_PAGE_COST_LIMIT)}"
            )
    return lines
