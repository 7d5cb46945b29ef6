"""newsroom/conditional_get.py answers exactly as Django's ConditionalGetMiddleware.

Its tags are SHA-1 where Django's are MD5: Django's middleware is compared with
the same tagging function lent to it.
"""

import hashlib

import pytest
from django.http import HttpResponse
from django.middleware import http as djangos_http
from django.middleware.http import ConditionalGetMiddleware as DjangosMiddleware
from django.test import RequestFactory
from django.utils.cache import patch_cache_control
from django.utils.http import http_date

from articles.caching import set_response_etag
from newsroom.conditional_get import ConditionalGetMiddleware

LAST_MODIFIED = http_date(1_700_000_000)
ETAG = '"53e9e5e5d5d2b34e9a6e8c5c2b0b2c61"'


def page(cache_control=None, etag=None):
    response = HttpResponse("<p>A story.</p>")
    response["Last-Modified"] = LAST_MODIFIED
    if etag:
        response["ETag"] = etag
    if cache_control:
        patch_cache_control(response, **cache_control)
    return response


def answer(middleware_class, method, headers, **page_options):
    middleware = middleware_class(lambda request: page(**page_options))
    request = getattr(RequestFactory(), method)("/2025/12/24/a-story/", headers=headers)
    response = middleware(request)
    return response.status_code, dict(response.headers.items()), response.content


REQUESTS = [
    {},
    {"if-none-match": ETAG},
    {"if-none-match": '"something-else"'},
    {"if-none-match": "*"},
    {"if-modified-since": LAST_MODIFIED},
    {"if-modified-since": http_date(1_600_000_000)},
    {"if-modified-since": "not a date"},
    {"if-match": '"something-else"'},
    {"if-unmodified-since": http_date(1_600_000_000)},
]


@pytest.mark.parametrize("method", ["get", "head", "post"])
@pytest.mark.parametrize("headers", REQUESTS)
@pytest.mark.parametrize(
    "page_options",
    [
        {},
        {"etag": ETAG},
        {"cache_control": {"no_store": True}},
        {"cache_control": {"public": True, "max_age": 0}},
    ],
)
def test_a_reader_gets_the_answer_djangos_middleware_gives(
    monkeypatch, method, headers, page_options
):
    ours = answer(ConditionalGetMiddleware, method, headers, **page_options)
    monkeypatch.setattr(djangos_http, "set_response_etag", set_response_etag)
    assert ours == answer(DjangosMiddleware, method, headers, **page_options)


def test_a_reader_without_preconditions_gets_the_page_with_an_etag():
    status, headers, content = answer(ConditionalGetMiddleware, "get", {})
    assert status == 200 and content == b"<p>A story.</p>"
    assert headers["ETag"] == f'"{hashlib.sha1(content).hexdigest()}"'


def test_the_tag_a_reader_was_given_gets_a_304():
    _, headers, _ = answer(ConditionalGetMiddleware, "get", {})
    status, _, content = answer(
        ConditionalGetMiddleware, "get", {"if-none-match": headers["ETag"]}
    )
    assert (status, content) == (304, b"")


def test_a_reader_who_has_the_page_gets_304s():
    for headers in ({"if-none-match": ETAG}, {"if-modified-since": LAST_MODIFIED}):
        status, _, content = answer(ConditionalGetMiddleware, "get", headers, etag=ETAG)
        assert (status, content) == (304, b"")
    status, _, _ = answer(ConditionalGetMiddleware, "get", {"if-match": '"x"'})
    assert status == 412


def test_a_page_that_must_not_be_stored_gets_no_etag():
    _, headers, _ = answer(
        ConditionalGetMiddleware, "get", {}, cache_control={"no_store": True}
    )
    assert "ETag" not in headers
