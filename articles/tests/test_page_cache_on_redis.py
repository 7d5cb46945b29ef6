"""The page cache's hit path on Redis: the first hit in a process is one MGET
under the configured key prefix, later hits send nothing while Redis reports no
change (articles/near_cache.py), and a change made anywhere is seen at once."""

import os
import subprocess
import sys
import time
from unittest import mock

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.test import RequestFactory
from django_redis import get_redis_connection

from articles import caching, near_cache
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


def test_a_readers_first_hit_is_one_mget_under_the_configured_key_prefix(client):
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


def test_later_hits_send_nothing_to_redis_and_are_the_same_page(client):
    story = make_article()
    first = client.get(story.get_absolute_url())
    client.get(story.get_absolute_url())  # the first hit: read and kept
    for _ in range(3):
        hit, commands = sent_commands(client, story.get_absolute_url())
        assert commands == []
        assert hit["X-Page-Cache"] == "hit"
        assert (hit.content, hit["ETag"]) == (first.content, first["ETag"])


def test_with_the_page_cache_off_a_page_asks_redis_nothing_once_the_generation_is_kept(
    client, settings
):
    # No page is stored, so the next-publication note is never written; the
    # generation (for Last-Modified) is still kept while Redis reports no change.
    settings.PAGE_CACHE_SECONDS = 0
    story = make_article()
    for _ in range(2):  # the first starts a generation, the second reads it
        client.get(story.get_absolute_url())
    assert cache.get(caching.NEXT_PUBLICATION_KEY) is None
    for _ in range(3):
        page, commands = sent_commands(client, story.get_absolute_url())
        assert commands == []
        assert page["X-Page-Cache"] == "bypass"
    cache.set(caching.NEXT_PUBLICATION_KEY, "a first write")  # reported, so read again
    page, commands = sent_commands(client, story.get_absolute_url())
    assert [command for command, *_ in commands] == ["MGET"]


def test_with_no_pages_kept_locally_every_hit_is_one_mget(client, settings):
    settings.PAGE_CACHE_LOCAL_PAGES = 0
    story = make_article()
    client.get(story.get_absolute_url())
    for _ in range(3):
        hit, commands = sent_commands(client, story.get_absolute_url())
        assert hit["X-Page-Cache"] == "hit"
        assert [command for command, *_ in commands] == ["MGET"]


def watching_near_cache():
    """The process's near cache, having just read the watched values."""
    caching.seconds_left(caching.current_generation())  # both values stored
    caching.current_generation()  # and read together
    near = near_cache._near_caches[
        next(key for key in near_cache._near_caches if key[1] == watched_keys())
    ]
    assert near.kept() is not None
    return near


def watched_keys():
    return tuple(cache.make_key(name) for name in caching.WATCHED)


def test_redis_tells_of_a_change_before_it_answers_the_writer():
    # What makes kept pages safe: once any process's write has returned, the
    # news is already waiting on every watching connection.
    near = watching_near_cache()
    for _ in range(200):
        caching.bump_generation()
        assert near.kept() is None
        caching.seconds_left(caching.current_generation())
        caching.current_generation()  # read and kept again
        assert near.kept() is not None
    cache.set(caching.NEXT_PUBLICATION_KEY, None)
    assert near.kept() is None


def test_a_cache_cleared_anywhere_drops_what_was_kept():
    near = watching_near_cache()
    get_redis_connection("default").flushdb()
    assert near.kept() is None


def test_a_lost_watch_is_replaced_and_nothing_stale_is_served(client):
    story = make_article()
    for _ in range(2):
        client.get(story.get_absolute_url())
    near = watching_near_cache()
    lost = near.connection
    killed = get_redis_connection("default").execute_command(
        "CLIENT", "KILL", "ID", near_client_id(lost)
    )
    assert killed == 1
    hit, commands = sent_commands(client, story.get_absolute_url())
    assert hit["X-Page-Cache"] == "hit"
    assert [command for command, *_ in commands] == ["MGET"]
    assert near.connection is not lost
    caching.bump_generation()  # the new watch hears of changes too
    assert client.get(story.get_absolute_url())["X-Page-Cache"] == "miss"


def near_client_id(connection):
    """The id Redis gave a watching connection (from CLIENT LIST)."""
    port = connection._sock.getsockname()[1]
    for line in get_redis_connection("default").client_list():
        if line["addr"].endswith(f":{port}"):
            return line["id"]
    raise AssertionError("the watch connection is not in CLIENT LIST")


def test_what_was_read_is_trusted_only_for_a_while(client, monkeypatch):
    story = make_article()
    for _ in range(2):
        client.get(story.get_absolute_url())
    monkeypatch.setattr(near_cache, "TRUST_SECONDS", 0)
    for _ in range(2):
        hit, commands = sent_commands(client, story.get_absolute_url())
        assert hit["X-Page-Cache"] == "hit"
        assert [command for command, *_ in commands] == ["MGET"]


def test_a_kept_page_does_not_outlive_its_time_in_redis(client, monkeypatch):
    story = make_article()
    for _ in range(2):
        client.get(story.get_absolute_url())
    later = time.time() + settings.PAGE_CACHE_SECONDS + 1
    monkeypatch.setattr(near_cache.time, "time", lambda: later)
    hit, commands = sent_commands(client, story.get_absolute_url())
    assert [command for command, *_ in commands] == ["MGET"]


def test_a_process_keeps_at_most_page_cache_local_pages(client, settings):
    settings.PAGE_CACHE_LOCAL_PAGES = 2
    stories = [make_article(headline=f"Story {number}") for number in range(3)]
    for story in stories:
        for _ in range(2):
            client.get(story.get_absolute_url())
    near = watching_near_cache()
    assert len(near.pages) == 2
    newest = caching._page_key(RequestFactory().get(stories[-1].get_absolute_url()))
    assert newest in near.pages


def test_a_forked_worker_watches_on_a_connection_of_its_own():
    # gunicorn's preload_app forks workers from a process that may be watching.
    near = watching_near_cache()
    parent_port = near.connection._sock.getsockname()[1]
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child reports through the pipe)
        try:
            own = near.kept() is None and near._watch()
            own = own and near.connection._sock.getsockname()[1] != parent_port
            os.write(writer, b"1" if own else b"0")
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    assert os.read(reader, 1) == b"1"
    assert near.kept() is not None  # the parent's watch is untouched
    caching.bump_generation()
    assert near.kept() is None


def test_a_redis_that_will_not_watch_is_asked_again_only_after_a_while(
    client, monkeypatch
):
    story = make_article()
    client.get(story.get_absolute_url())
    near = watching_near_cache()
    near._close()
    pool = get_redis_connection("default", write=False).connection_pool
    attempts = []

    class Refusing(pool.connection_class):
        def connect(self):
            attempts.append(1)
            raise redis.ConnectionError("no tracking here")

    monkeypatch.setattr(pool, "connection_class", Refusing)
    for _ in range(3):
        hit, commands = sent_commands(client, story.get_absolute_url())
        assert hit["X-Page-Cache"] == "hit"
        assert [command for command, *_ in commands] == ["MGET"]
    assert len(attempts) == 1
    monkeypatch.setattr(near, "retry_at", 0.0)
    client.get(story.get_absolute_url())
    assert len(attempts) == 2


def test_a_miss_reads_redis_once_and_stores_the_page(client):
    story = make_article()
    client.get("/")  # a generation and its next-publication note exist now
    miss, commands = sent_commands(client, story.get_absolute_url())
    assert miss["X-Page-Cache"] == "miss"
    small = {cache.make_key(caching.GENERATION_KEY)}
    small.add(cache.make_key(caching.NEXT_PUBLICATION_KEY))
    (page,) = [
        args[1] for args in commands if args[0] == "SET" and args[1] not in small
    ]
    assert page.startswith(cache.make_key("pages:"))
    # The middleware's MGET looked for the page; the view does not ask again.
    assert [args[0] for args in commands if page in args] == ["MGET", "SET"]
