"""The page cache's hit path on Redis: one command per hit, under the configured
key prefix, and a generation bumped by another process is seen at once."""

import os
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import RequestFactory
from django_redis import get_redis_connection

from articles import caching
from articles.wrk import ROOT

from .factories import make_article

pytestmark = [
    pytest.mark.skipif(
        "django_redis" not in settings.CACHES["default"]["BACKEND"],
        reason="needs Redis as the cache: run with REDIS_URL=redis://...",
    ),
    pytest.mark.django_db,
]


def sent_commands(client, url):
    """The Redis commands one GET of url sends, with their arguments."""
    redis = get_redis_connection("default", write=False)
    with mock.patch.object(
        redis, "execute_command", wraps=redis.execute_command
    ) as sent:
        response = client.get(url)
    return response, [call.args for call in sent.call_args_list]


def test_a_readers_hit_is_one_mget_under_the_configured_key_prefix(client):
    story = make_article()
    first = client.get(story.get_absolute_url())
    hit, commands = sent_commands(client, story.get_absolute_url())
    assert hit["X-Page-Cache"] == "hit"
    assert (hit.status_code, hit.content) == (first.status_code, first.content)
    ((command, *keys),) = commands
    assert command == "MGET"
    assert keys[:2] == [
        cache.make_key(caching.GENERATION_KEY),
        cache.make_key(caching.NEXT_PUBLICATION_KEY),
    ]
    assert keys[2].startswith(cache.make_key("pages:"))


def test_a_hit_reads_the_same_values_as_djangos_cache_api(client):
    story = make_article()
    for _ in range(2):  # stored, then hit: the small values are remembered
        client.get(story.get_absolute_url())
    key = caching._page_key(RequestFactory().get(story.get_absolute_url()))
    names = [caching.GENERATION_KEY, caching.NEXT_PUBLICATION_KEY, key]
    stored = [cache.get_many(names)[name] for name in names]
    generation, noted, entry = caching._read_for_hit(key)
    assert (generation, noted, entry[0]) == (stored[0], stored[1], stored[2][0])
    assert entry[1].content == stored[2][1].content
    caching.bump_generation()
    assert caching._read_for_hit(key)[0] == cache.get(caching.GENERATION_KEY)
    assert caching._read_for_hit(key)[0] != generation


def test_a_generation_bumped_by_another_process_is_seen_at_once(client):
    story = make_article()
    client.get(story.get_absolute_url())
    assert client.get(story.get_absolute_url())["X-Page-Cache"] == "hit"
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from articles import caching; caching.bump_generation()",
        ],
        cwd=ROOT,
        env=os.environ,
        check=True,
    )
    assert client.get(story.get_absolute_url())["X-Page-Cache"] == "miss"
    assert client.get(story.get_absolute_url())["X-Page-Cache"] == "hit"
