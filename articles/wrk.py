"""The machinery `manage.py bench` drives: gunicorn on a free port, and wrk.

Standard library only. wrk (Debian's package) is the load generator: it runs
as its own process, so the load does not compete with Python's interpreter
lock in the process being measured.
"""

import contextlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


class LoadTestError(RuntimeError):
    """Something the bench needs is missing or misbehaved; the message says what."""


@dataclass(frozen=True)
class Load:
    """What wrk measured for one URL: throughput and latency in milliseconds."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: str = ""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


@contextlib.contextmanager
def gunicorn(env, workers=2):
    """The site under gunicorn with `workers` sync workers; yields its base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "gunicorn.conf.py",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**env, "ACCESS_LOG": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(server, base)
        yield base
    finally:
        server.terminate()
        try:
            server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()


def wait_until_up(server, base, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise LoadTestError(f"gunicorn exited: {server.stderr.read()[-2000:]}")
        try:
            fetch(base + "/", timeout=5)
            return
        except OSError:
            time.sleep(0.2)
    raise LoadTestError(f"gunicorn did not answer at {base} within {seconds} s")


def require_wrk():
    if shutil.which("wrk") is None:
        raise LoadTestError(
            "wrk is not installed: run `make bench-deps` (apt-get install wrk)."
        )


def wrk(url, *, duration, connections=8, threads=2):
    """Drive url with wrk for `duration` seconds; the figures it printed."""
    result = subprocess.run(
        [
            "wrk",
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={duration}s",
            "--timeout=10s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=duration + 60,
    )
    if result.returncode != 0:
        raise LoadTestError(f"wrk failed on {url}: {result.stderr.strip()}")
    return parse_wrk(result.stdout)


def parse_wrk(output):
    """The throughput, p50/p99 latency and any errors from wrk --latency's report."""
    try:
        rps = float(re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M).group(1))
        requests = int(re.search(r"^\s*(\d+) requests in", output, re.M).group(1))
        p50, p99 = (
            latency_ms(re.search(rf"^\s+{pct}%\s+(\S+)", output, re.M).group(1))
            for pct in ("50", "99")
        )
    except AttributeError:
        raise LoadTestError(f"Could not read wrk's report:\n{output}") from None
    problems = re.findall(
        r"^\s*(Non-2xx or 3xx responses: \d+|Socket errors: .*)$", output, re.M
    )
    return Load(rps, p50, p99, requests, "; ".join(problems))


def latency_ms(text):
    """wrk's "812.00us", "3.41ms" or "1.02s" in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()
    return float(number) * _UNITS[unit]
