"""Two gunicorn instances sharing PostgreSQL and Redis, as in production.

An edit saved through one instance is seen through the other at once, and a
few seconds of readers and concurrent editors on both break nothing. The
longer form is ``manage.py loadtest`` (see README.md).
"""

import html
import os

import pytest
from django.db import connection

from articles import loadtest
from articles.models import Article

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"),
        reason="needs PostgreSQL and Redis shared by two app processes: "
        "run with DATABASE_URL=postgres://... and REDIS_URL=redis://...",
    ),
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def instances(transactional_db):
    # Started afresh for each test: the flush between tests renumbers content
    # types, which running instances keep cached.
    with loadtest.app_instances(2) as urls:
        yield urls


@pytest.fixture
def editors(settings, django_user_model):
    # The instances check passwords with the project's own hashers, not the
    # fast one conftest.py gives the test process.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    for number in range(2):
        django_user_model.objects.create_superuser(f"desk{number}", password=PASSWORD)
    return [f"desk{number}" for number in range(2)]


def test_an_edit_through_one_instance_is_read_at_once_through_the_other(
    instances, editors
):
    one, other = instances
    (story,) = loadtest.make_stories(1)
    reader = loadtest.browser()
    # Enough reads that both of the other instance's workers keep the page in
    # their own memory (articles/near_cache.py) as well as in Redis.
    for url in (one, *[other] * 8):
        page = loadtest.fetch(reader, f"{url}{story.get_absolute_url()}")
    assert page.headers["X-Page-Cache"] == "hit"

    editor = loadtest.Editor(one, editors[0], PASSWORD)
    assert editor.save_headline(one, story.pk, "Saved through one") == 302, (
        editor.last_errors
    )
    for _ in range(4):  # whichever worker answers
        page = loadtest.fetch(reader, f"{other}{story.get_absolute_url()}")
        assert "Saved through one" in page.text
    assert Article.objects.get(pk=story.pk).headline == "Saved through one"

    story.refresh_from_db()
    story.headline = "Saved by the desk's script"
    story.save()  # through the ORM in this process, a third one
    for url in (one, other):
        front = loadtest.fetch(reader, f"{url}/")
        assert "Saved by the desk's script" in html.unescape(front.text), url


def test_two_instances_under_load_lose_nothing_and_serve_no_errors(instances, editors):
    stories = loadtest.make_stories(len(editors))
    sessions = [
        loadtest.Editor(url, name, PASSWORD)
        for url, name in zip(instances, editors, strict=True)
    ]
    pages = ["/", stories[0].get_absolute_url(), "/tags/load-test/", "/feeds/latest/"]
    report = loadtest.run_load(
        instances, sessions, stories, pages, seconds=3, readers=3
    )
    assert report.server_errors == []
    assert report.failed_saves == []
    assert report.stale_reads == []
    assert report.saves >= len(editors)
    assert report.cache_hits > 0  # the cache was really in play
    assert loadtest.lost_or_broken_edits(report, stories) == []
