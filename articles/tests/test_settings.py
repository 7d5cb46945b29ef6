"""Settings that come from the environment, read as a fresh process reads them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def fresh_process(environ, *arguments):
    """What `python arguments` prints, split, run afresh with environ added."""
    env = {key: value for key, value in os.environ.items() if key != "CONN_MAX_AGE"}
    env.update(environ)
    result = subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def settings_in(environ, expression):
    return fresh_process(
        environ,
        "manage.py",
        "shell",
        "--verbosity",
        "0",
        "-c",
        f"from django.conf import settings; print({expression})",
    )


@pytest.mark.parametrize(
    "environ, expected", [({}, ["600", "True"]), ({"CONN_MAX_AGE": "0"}, ["0", "True"])]
)
def test_database_connections_persist_with_health_checks(environ, expected):
    database = "settings.DATABASES['default']"
    assert (
        settings_in(
            environ, f"{database}['CONN_MAX_AGE'], {database}['CONN_HEALTH_CHECKS']"
        )
        == expected
    )


POSTGRES = "postgres://postgres@127.0.0.1:5432/newsroom"
OPTIONS = "settings.DATABASES['default'].get('OPTIONS', {})"


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({"DATABASE_URL": POSTGRES}, ["True", "5"]),
        ({"DATABASE_URL": POSTGRES, "PG_PREPARED_STATEMENTS": "0"}, ["None", "None"]),
        ({"DATABASE_URL": "sqlite:///x.sqlite3"}, ["None", "None"]),
    ],
)
def test_postgresql_prepares_repeated_queries_unless_told_not_to(environ, expected):
    expression = (
        f"{OPTIONS}.get('server_side_binding'), {OPTIONS}.get('prepare_threshold')"
    )
    assert settings_in(environ, expression) == expected


# Two editors' saves at once on a SQLite file, each in its own thread and
# connection, as two gunicorn workers would make them: each reads, then writes.
CONCURRENT_SAVES = """
import threading

import django

django.setup()
from django.db import connection, connections, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE counter (n INTEGER)")
    cursor.execute("INSERT INTO counter VALUES (0)")
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
both_read = threading.Barrier(2, timeout=1)
failures = []


def save():
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT n FROM counter")
            (n,) = cursor.fetchone()
            try:
                both_read.wait()
            except threading.BrokenBarrierError:
                pass  # the other save held the file: this one read after it
            cursor.execute("UPDATE counter SET n = %s", [n + 1])
    except Exception as error:
        failures.append(repr(error))
    finally:
        connections.close_all()


threads = [threading.Thread(target=save) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT n FROM counter")
    print(journal, cursor.fetchone()[0], failures)
"""


def test_sqlite_saves_at_once_wait_their_turn(tmp_path):
    """Neither save fails with "database is locked", and neither is lost."""
    environ = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
    }
    assert fresh_process(environ, "-c", CONCURRENT_SAVES) == ["wal", "2", "[]"]
