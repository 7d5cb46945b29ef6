"""The public page cache: what readers get from it, when it is bypassed, and
that every change to the content reaches them at once (articles/caching.py)."""

import time
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from django.utils.http import http_date

from articles import caching
from articles.models import Article, Status

from .conftest import count_queries
from .factories import make_article, make_person, make_photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what a test writes as its own committed transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_reader_gets_the_second_visit_from_the_cache_without_queries(client):
    story = make_article(quotes=2, tags=2, people=2)
    first = client.get(story.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    assert count_queries(client, story.get_absolute_url()) == 0
    second = client.get(story.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


@pytest.mark.parametrize(
    "url_of",
    [
        lambda story: "/",
        lambda story: f"/tags/{story.tags.first().slug}/",
        lambda story: story.people.first().get_absolute_url(),
        lambda story: f"/{story.published_at:%Y}/",
        lambda story: "/feeds/latest/",
        lambda story: "/sitemap.xml",
        lambda story: "/sitemap-stories.xml",
        lambda story: "/robots.txt",
    ],
)
def test_every_public_page_is_served_from_the_cache(client, url_of):
    url = url_of(make_article(tags=1, people=1))
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert count_queries(client, url) == 0


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda story: story.save(), id="story edit"),
        pytest.param(lambda story: story.unpublish(), id="unpublish"),
        pytest.param(lambda story: story.quotes.first().save(), id="quote edit"),
        pytest.param(lambda story: story.people.first().save(), id="person edit"),
        pytest.param(lambda story: story.tags.first().save(), id="tag edit"),
        pytest.param(lambda story: story.tags.add("Breaking"), id="tag added"),
        pytest.param(lambda story: story.lead_photo.save(), id="photo credit"),
        pytest.param(lambda story: story.quotes.first().delete(), id="quote deleted"),
    ],
)
def test_any_change_to_the_content_starts_a_new_generation(commit, change):
    story = make_article(quotes=1, tags=1, people=1, lead_photo=make_photo())
    before = caching.current_generation()
    with commit():
        change(story)
    assert caching.current_generation() != before


def test_reader_sees_an_edit_at_once_on_every_page_that_shows_it(client, commit):
    story = make_article(tags=1, people=1)
    pages = [story.get_absolute_url(), "/", f"/tags/{story.tags.first().slug}/"]
    for url in pages:
        client.get(url)
    with commit():
        story.headline = "Talks resume in Geneva"
        story.save()
    for url in pages:
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss", url
        assert "Talks resume in Geneva" in response.content.decode(), url


def test_reader_sees_a_renamed_person_and_a_new_photo_credit(client, commit):
    photographer = make_person(name="Ann Lens")
    story = make_article(people=1, lead_photo=make_photo(photographer=photographer))
    assert "Ann Lens" in client.get(story.get_absolute_url()).content.decode()
    with commit():
        photographer.name = "Ann Shutter"
        photographer.save()
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Ann Shutter" in page and "Ann Lens" not in page


def test_unpublished_story_is_gone_for_readers_at_once(client, commit):
    story = make_article()
    assert client.get(story.get_absolute_url()).status_code == 200
    with commit():
        story.unpublish()
    assert client.get(story.get_absolute_url()).status_code == 404
    assert story.headline not in client.get("/").content.decode()


def test_scheduled_story_appears_when_its_time_comes_without_any_write(client):
    story = make_article(published_at=timezone.now() + timedelta(hours=2))
    assert story.headline not in client.get("/").content.decode()
    assert client.get("/")["X-Page-Cache"] == "hit"
    later = timezone.now() + timedelta(hours=3)
    with mock.patch("django.utils.timezone.now", return_value=later):
        front = client.get("/")
    assert front["X-Page-Cache"] == "miss"
    assert story.headline in front.content.decode()


def test_pages_are_kept_no_longer_than_the_next_scheduled_story(db):
    make_article(published_at=timezone.now() + timedelta(seconds=90))
    generation = caching.bump_generation()
    assert 0 < caching.seconds_left(generation) <= 90


def test_bump_waits_for_commit_and_a_rollback_changes_nothing(transactional_db):
    story = make_article()
    before = caching.current_generation()
    with transaction.atomic():
        story.headline = "Rolled back"
        story.save()
        assert caching.current_generation() == before  # not yet: no commit
        transaction.set_rollback(True)
    assert caching.current_generation() == before
    story.refresh_from_db()  # the rolled-back save had moved its version on
    with transaction.atomic():
        story.save()
    assert caching.current_generation() != before


def test_staff_always_bypass_the_cache_and_never_fill_it(editor_client, client):
    story = make_article()
    draft = make_article(status=Status.DRAFT, published_at=timezone.now())
    response = editor_client.get(story.get_absolute_url())
    assert response["X-Page-Cache"] == "bypass"
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    preview = editor_client.get(draft.get_absolute_url())
    assert preview.status_code == 200
    assert "no-store" in preview["Cache-Control"]
    client.logout()
    # The staff visits stored nothing: the reader's first visit is a miss, and
    # the draft the editor previewed at its address is still a 404.
    assert client.get(story.get_absolute_url())["X-Page-Cache"] == "miss"
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_not_found_pages_are_not_cached(client):
    assert client.get("/tags/geneva/").status_code == 404
    make_article().tags.add("Geneva")  # no commit callbacks run: no bump
    assert client.get("/tags/geneva/").status_code == 200


def test_search_is_not_cached(client):
    make_article(headline="Geneva talks")
    client.get("/search/?q=geneva")
    assert count_queries(client, "/search/?q=geneva") > 0


def test_responses_that_set_cookies_are_not_stored(db):
    def sets_a_cookie(request):
        response = HttpResponse("hello")
        response.set_cookie("seen", "1")
        return response

    view = caching.public_page(sets_a_cookie)
    request = RequestFactory().get("/cookie/")
    request.user = AnonymousUser()
    assert view(request)["X-Page-Cache"] == "miss"
    assert view(request)["X-Page-Cache"] == "miss"


def test_page_cache_seconds_zero_turns_the_cache_off(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    story = make_article()
    client.get(story.get_absolute_url())
    response = client.get(story.get_absolute_url())
    assert response["X-Page-Cache"] == "bypass"
    assert count_queries(client, story.get_absolute_url()) > 0


def test_public_pages_tell_shared_caches_what_they_may_do(client, settings):
    story = make_article()
    response = client.get(story.get_absolute_url())
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=0", "s-maxage=0"}
    assert "Cookie" in response["Vary"]
    settings.CDN_CACHE_SECONDS = 120
    caching.bump_generation()  # the stored copy carries the old header
    assert "s-maxage=120" in client.get(story.get_absolute_url())["Cache-Control"]


@pytest.mark.parametrize("path", ["/2031/01/02/not-yet/", "/tags/none/", "/nowhere/"])
def test_a_missing_page_tells_shared_caches_to_keep_it_no_longer_than_a_page(
    editor_client, settings, path
):
    """An unmarked 404 is kept as a CDN likes: a story due there would stay missing."""
    settings.CDN_CACHE_SECONDS = 60
    reader = Client().get(path)
    assert reader.status_code == 404
    assert {p.strip() for p in reader["Cache-Control"].split(",")} == {
        "public",
        "max-age=0",
        "s-maxage=60",
    }
    assert "Cookie" in reader["Vary"]
    staff = editor_client.get(path)
    assert staff.status_code == 404
    assert "private" in staff["Cache-Control"]
    assert "public" not in staff["Cache-Control"]


@pytest.fixture
def shared_cache(settings, tmp_path):
    """A cache that every process shares, as Redis is: here, a folder of files."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }


@pytest.fixture
def seconds_later(monkeypatch):
    """Pages are read some seconds after the content last changed."""
    real = time.time
    monkeypatch.setattr(caching.time, "time", lambda: real() + 3)


def test_story_page_answers_304_to_a_reader_who_has_it(
    client, commit, shared_cache, seconds_later
):
    story = make_article()
    first = client.get(story.get_absolute_url())
    etag, last_modified = first["ETag"], first["Last-Modified"]
    for headers in ({"if-none-match": etag}, {"if-modified-since": last_modified}):
        again = client.get(story.get_absolute_url(), headers=headers)
        assert again.status_code == 304, headers
        assert again.content == b""
    with commit():
        story.headline = "A new headline"
        story.save()
    changed = client.get(story.get_absolute_url(), headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_last_modified_is_the_latest_of_save_and_publication():
    story = Article(updated_at=timezone.now(), published_at=None)
    assert story.last_modified == story.updated_at
    story.published_at = story.updated_at + timedelta(hours=1)
    assert story.last_modified == story.published_at


def test_operators_are_warned_when_pages_are_cached_per_process(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    assert [w.id for w in caching.check_shared_cache(None)] == ["articles.W101"]
    settings.PAGE_CACHE_SECONDS = 0
    assert caching.check_shared_cache(None) == []


def test_last_modified_is_never_before_the_latest_change_to_the_content(
    client, commit, shared_cache, seconds_later
):
    long_ago = timezone.now().replace(microsecond=0) - timedelta(days=30)
    story = make_article(people=1, published_at=long_ago)
    Article.objects.filter(pk=story.pk).update(updated_at=long_ago)
    assert client.get(story.get_absolute_url())["Last-Modified"] == http_date(
        max(long_ago, caching.current_generation().started).timestamp()
    )
    with commit():
        story.people.first().save()  # a rename: the story itself is untouched
    started = caching.current_generation().started
    assert started > long_ago
    page = client.get(story.get_absolute_url())
    assert page["Last-Modified"] == http_date(started.timestamp())
    stale = client.get(
        story.get_absolute_url(),
        headers={"if-modified-since": http_date(long_ago.timestamp())},
    )
    assert stale.status_code == 200


@pytest.mark.parametrize(
    "url_of", [lambda story: story.get_absolute_url(), lambda story: "/feeds/latest/"]
)
def test_two_changes_in_one_second_never_share_a_last_modified(
    client, commit, shared_cache, monkeypatch, url_of
):
    """HTTP dates count whole seconds: a page read in the second its content
    changed carries no date, so If-Modified-Since cannot match a later change
    made in that second."""
    story = make_article(people=1)
    url = url_of(story)
    second = int(time.time()) + 10
    monkeypatch.setattr(caching.time, "time", lambda: second + 0.2)
    with mock.patch(
        "django.utils.timezone.now", return_value=datetime_at(second + 0.1)
    ):
        with commit():
            story.headline = "First change"
            story.save()
        first = client.get(url)
        assert first.status_code == 200 and "Last-Modified" not in first
        with commit():
            story.headline = "Second change"
            story.save()
    monkeypatch.setattr(caching.time, "time", lambda: second + 1.5)
    later = client.get(url)
    assert b"Second change" in later.content
    assert later["Last-Modified"] == http_date(second)
    asked = client.get(url, headers={"if-modified-since": http_date(second - 1)})
    assert asked.status_code == 200


def datetime_at(timestamp):
    return datetime.fromtimestamp(timestamp, tz=UTC)


@pytest.mark.parametrize(
    "url_of", [lambda story: story.get_absolute_url(), lambda story: "/feeds/latest/"]
)
def test_with_a_cache_per_process_only_the_etag_answers(client, settings, url_of):
    """Each worker's generation misses renames made through the others, so no
    Last-Modified is claimed from it; the ETag, taken from the page, still gives 304s."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    url = url_of(make_article(people=1))
    first = client.get(url)
    assert first.status_code == 200
    assert "Last-Modified" not in first
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    dated = client.get(url, headers={"if-modified-since": http_date(time.time())})
    assert dated.status_code == 200


def test_a_lost_generation_starts_afresh_rather_than_serving_old_pages(client):
    story = make_article()
    client.get(story.get_absolute_url())
    cache.delete(caching.GENERATION_KEY)  # evicted, or Redis restarted
    assert client.get(story.get_absolute_url())["X-Page-Cache"] == "miss"
    assert client.get(story.get_absolute_url())["X-Page-Cache"] == "hit"


def test_readers_without_a_session_are_answered_before_the_session_middleware(client):
    story = make_article(quotes=1)
    first = client.get(story.get_absolute_url())
    with mock.patch(
        "django.contrib.sessions.middleware.SessionMiddleware.process_request",
        side_effect=AssertionError("the session middleware ran"),
    ):
        hit = client.get(story.get_absolute_url())
        # Still the full set of headers, and a 304 against the stored ETag.
        unchanged = client.get(story.get_absolute_url(), HTTP_IF_NONE_MATCH=hit["ETag"])
    assert hit["X-Page-Cache"] == "hit" and hit.content == first.content
    assert hit["ETag"] == first["ETag"]
    assert "Content-Security-Policy" in hit and hit["X-Frame-Options"] == "DENY"
    assert "s-maxage" in hit["Cache-Control"] and "Cookie" in hit["Vary"]
    assert unchanged.status_code == 304


def test_a_reader_with_a_session_still_gets_cached_pages_but_staff_never(
    client, editor
):
    story = make_article()
    client.get(story.get_absolute_url())
    client.cookies["sessionid"] = "no-such-session"  # anonymous all the same
    assert client.get(story.get_absolute_url())["X-Page-Cache"] == "hit"
    client.force_login(editor)
    assert client.get(story.get_absolute_url())["X-Page-Cache"] == "bypass"


def test_search_is_never_kept_but_says_who_may_keep_it(editor_client, settings):
    settings.CDN_CACHE_SECONDS = 60
    make_article(headline="Budget talks resume")
    reader = Client().get("/search/", {"q": "budget"})
    assert reader.status_code == 200
    assert {p.strip() for p in reader["Cache-Control"].split(",")} == {
        "public",
        "max-age=0",
        "s-maxage=60",
    }
    assert "Cookie" in reader["Vary"]
    assert "X-Page-Cache" not in reader  # the page cache never saw it
    staff = editor_client.get("/search/", {"q": "budget"})
    assert "private" in staff["Cache-Control"]
    assert "public" not in staff["Cache-Control"]
