"""The production environment README.md documents passes Django's deployment checks."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-key-" + "x7Qz" * 12,
    "DEBUG": "0",
    "HTTPS": "1",
    "TRUSTED_PROXIES": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "ALLOWED_HOSTS": "news.example",
}


def run_in(environment, *args):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "HTTPS", "TRUSTED_PROXIES", "SECRET_KEY"}
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**env, **environment},
        capture_output=True,
        text=True,
        check=False,
    )


def settings_in(environment, *names):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'newsroom.settings';"
        "django.setup(); from django.conf import settings;"
        f"print(repr([getattr(settings, n, None) for n in {list(names)!r}]))"
    )
    result = run_in(environment, "-c", code)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout)


def test_check_deploy_prints_no_warning_in_the_documented_production_environment():
    result = run_in(
        PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr


def test_the_development_defaults_are_flagged_by_check_deploy():
    # Guards the test above: the same check does fail without the environment.
    result = run_in({}, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stderr  # no HSTS
    assert "security.W009" in result.stderr  # the insecure development key
    assert "articles.W001" in result.stderr  # feed ids named after localhost


@pytest.mark.parametrize(
    "proxies, header", [("0", None), ("1", ("HTTP_X_FORWARDED_PROTO", "https"))]
)
def test_x_forwarded_proto_is_believed_only_behind_a_trusted_proxy(proxies, header):
    environment = {**PRODUCTION, "TRUSTED_PROXIES": proxies}
    proxy_header, redirect, frame_options = settings_in(
        environment, "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "X_FRAME_OPTIONS"
    )
    assert proxy_header == header
    assert redirect is True
    assert frame_options == "DENY"


@pytest.mark.parametrize(
    "domain, warned",
    [
        ("news.example", False),
        ("www.news-site.co.uk", False),
        ("localhost", True),  # the fallback's own default
        ("127.0.0.1", True),
        ("[::1]", True),
        ("*", True),
        ("news.example.", True),  # not a tag URI's authority
        ("-news.example", True),
    ],
)
def test_check_deploy_warns_of_a_feed_id_domain_no_one_holds(settings, domain, warned):
    from articles.checks import check_feed_id_domain

    settings.FEED_ID_DOMAIN = domain
    found = [message.id for message in check_feed_id_domain()]
    assert found == (["articles.W001"] if warned else [])
