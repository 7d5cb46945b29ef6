"""Settings that come from the environment, read as a fresh process reads them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def settings_in(environ, expression):
    env = {key: value for key, value in os.environ.items() if key != "CONN_MAX_AGE"}
    env.update(environ)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--verbosity",
            "0",
            "-c",
            f"from django.conf import settings; print({expression})",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


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
