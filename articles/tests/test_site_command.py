"""The README's first command, step by step, in a fresh database and a real server."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def fresh_site(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DEBUG": "0",
    }
    env.pop("REDIS_URL", None)
    return env


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def test_a_fresh_clone_migrates_seeds_and_serves_the_story(fresh_site):
    for step in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = manage(fresh_site, *step)
        assert result.returncode == 0, result.stderr
    prepared = manage(fresh_site, "prepare_site")
    assert prepared.returncode == 0, prepared.stderr
    assert "Created admin account 'admin' with password " in prepared.stdout
    assert manage(fresh_site, "check", "--database", "default").returncode == 0

    port = free_port()
    # As `make serve` starts it: everything from gunicorn.conf.py and the environment.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env={**fresh_site, "HOST": "127.0.0.1", "PORT": str(port), "WORKERS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                status, front = fetch(base + "/")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
        assert status == 200 and "Putin ready to talk with NATO" in front
        status, story = fetch(
            base
            + "/2022/02/15/putin-ready-to-talk-with-nato-says-some-russian-troops-leaving-ukraine-border/"
        )
        assert (
            status == 200
            and "Alexei Nikolsky/Russian Presidential Press and Information Office/TASS/Abaca Press/TNS"
            in story
        )
        stylesheet = story.split('<link rel="stylesheet" href="')[1].split('"')[0]
        assert (
            stylesheet.startswith("/static/css/site.")
            and stylesheet != "/static/css/site.css"
        )
        request = urllib.request.Request(
            base + stylesheet, headers={"Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert (
                response.status == 200
                and response.headers["Content-Encoding"] == "gzip"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_second_run_keeps_the_admin_and_the_desks_edits(fresh_site):
    assert manage(fresh_site, "migrate", "--noinput").returncode == 0
    first = manage(fresh_site, "prepare_site")
    second = manage(fresh_site, "prepare_site")
    assert "password" in first.stdout
    assert (
        "Stories exist already" in second.stdout
        and "An admin account exists already." in second.stdout
    )
