"""manage.py bench: every figure printed in its shortest form, and the report's
verdict on each target worked out from the figures it is given (no test times
anything)."""

import re
import shutil
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.bench import Page, Report, combined, format_report
from articles.wrk import Load, latency_ms, parse_wrk

NUMBER = r"\d+\.\d+"
WRK_REPORT = """\
Running 1s test @ http://127.0.0.1:8000/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.41ms    1.02ms  12.50ms   80.00%
    Req/Sec     1.20k   100.00     1.40k    70.00%
  Latency Distribution
     50%  812.00us
     75%    3.90ms
     90%    5.10ms
     99%    1.02s
  2400 requests in 1.00s, 10.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   2398.51
Transfer/sec:     10.00MB
"""


def test_wrk_reports_are_read_in_milliseconds_with_their_errors():
    load = parse_wrk(WRK_REPORT)
    assert (load.requests_per_second, load.requests) == (2398.51, 2400)
    assert (load.p50_ms, load.p99_ms) == (0.812, 1020.0)
    assert load.errors == "Non-2xx or 3xx responses: 3"
    assert latency_ms("3.41ms") == 3.41


def test_rounds_of_one_page_combine_into_its_throughput_over_all_of_them():
    fast = Load(requests_per_second=2000.0, p50_ms=1.0, p99_ms=5.0, requests=4000)
    slow = Load(requests_per_second=1000.0, p50_ms=3.0, p99_ms=9.0, requests=1000)
    middle = Load(requests_per_second=1500.0, p50_ms=2.0, p99_ms=4.0, requests=3000)
    load = combined([fast, slow, middle])
    # 8,000 requests in 2 + 1 + 2 seconds.
    assert load.requests_per_second == pytest.approx(1600.0)
    assert (load.requests, load.p50_ms, load.p99_ms) == (8000, 2.0, 9.0)
    assert combined([fast, Load(1.0, 1.0, 1.0, 1, "Socket errors: 1")]).errors == (
        "Socket errors: 1"
    )


def load(requests_per_second):
    return Load(requests_per_second, p50_ms=1.0, p99_ms=2.0, requests=1000)


def test_the_report_judges_each_target_on_its_own_figures():
    static, static_beside_cached = load(4000.0), load(3000.0)
    pages = [
        Page("static file (whitenoise)", "/static/", load=static, queries=0),
        Page("story, uncached", "/story/", load=load(996.0), queries=1),
        Page(
            "story, cached",
            "/story/",
            page_cache=True,
            load=load(2700.0),
            queries=0,
            reference=static_beside_cached,
        ),
        Page("front page", "/", load=load(100.0), queries=16),
    ]
    report = Report("sqlite3", (1000, 100000), 5, 8, {1000: 1.0, 100000: 9.0}, pages)
    report.scaling = [
        ("front page", load(100.0), load(51.0)),
        ("tag page", load(100.0), load(49.0)),
    ]
    targets = format_report(report).split("Targets (2-core machine):\n")[1].splitlines()
    assert targets == [
        "  story, uncached  >= 0.25x the static file: 0.249x, MISSED",
        "  story, cached    >= 0.90x the static file: 0.900x, met",  # against its own
        "  front page       at 100,000 stories <= 2x its cost at 1,000: 1.961x, met",
        "  tag page         at 100,000 stories <= 2x its cost at 1,000: 2.041x, MISSED",
    ]


@pytest.mark.skipif(shutil.which("wrk") is None, reason="needs wrk: make bench-deps")
def test_the_shortest_bench_prints_every_figure():
    out = StringIO()
    call_command(
        "bench",
        "--articles-small=20",
        "--articles-large=40",
        "--duration=1",
        stdout=out,
    )
    report = out.getvalue()
    for page in (
        "static file (whitenoise)",
        "story, uncached",
        "story, cached",
        "front page",
        "tag page",
        "search",
    ):
        row = rf"^{re.escape(page)}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+\d+"
        assert re.search(row, report, re.M), f"no figures for {page}:\n{report}"
    for page in ("front page", "tag page"):
        ratio = (
            rf"^  {page}\s+{NUMBER} req/s vs\s+{NUMBER} req/s: 40/20 ratio {NUMBER}$"
        )
        assert re.search(ratio, report, re.M), f"no ratio for {page}:\n{report}"
    assert re.search(
        rf"^\(story, cached: against the static file measured in turn with it on its "
        rf"own server, {NUMBER} req/s\)$",
        report,
        re.M,
    ), report
    assert "Non-2xx" not in report
    for target in ("story, uncached", "story, cached", "front page", "tag page"):
        verdict = rf"^  {target}\s+.* {NUMBER}x, (met|MISSED)$"
        assert re.search(verdict, report, re.M), f"no verdict for {target}:\n{report}"


@pytest.mark.parametrize(
    "arguments",
    [
        ["--articles-small=50", "--articles-large=50"],
        ["--articles-small=0", "--skip-large"],
        ["--duration=0", "--skip-large"],
    ],
)
def test_bad_arguments_are_refused_before_anything_is_built(arguments):
    before = set(Path(tempfile.gettempdir()).glob("newsroom-bench-*"))
    with pytest.raises(CommandError, match="must be"):
        call_command("bench", *arguments, stdout=StringIO())
    assert set(Path(tempfile.gettempdir()).glob("newsroom-bench-*")) == before
