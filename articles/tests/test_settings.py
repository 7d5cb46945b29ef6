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
