"""addresses.address(): reverse(), remembered per URLconf and script prefix."""

import io
from unittest import mock

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.db import close_old_connections
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse, set_script_prefix, set_urlconf

from articles import addresses
from articles.addresses import address
from articles.models import people

from .factories import make_person


def test_an_address_is_the_path_reverse_gives():
    assert address("articles:person", slug="jane-roe") == reverse(
        "articles:person", kwargs={"slug": "jane-roe"}
    )
    assert address("articles:tag", "budget") == reverse("articles:tag", args=["budget"])
    assert address("articles:front") == "/"


def test_a_site_served_under_a_prefix_gets_prefixed_addresses():
    assert address("articles:front") == "/"
    set_script_prefix("/news/")
    try:
        assert address("articles:front") == "/news/"
    finally:
        set_script_prefix("/")
    assert address("articles:front") == "/"


def test_an_unknown_name_fails_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        address("articles:nowhere")


@pytest.mark.django_db
def test_a_persons_address_is_worked_out_once_and_follows_a_new_slug(monkeypatch):
    person = make_person(name="Jane Roe", slug="jane-roe")
    calls = []
    monkeypatch.setattr(
        people, "address", lambda *a, **k: calls.append(k) or addresses.address(*a, **k)
    )
    assert [person.get_absolute_url() for _ in range(3)] == ["/people/jane-roe/"] * 3
    assert len(calls) == 1
    person.slug = "jane-roe-2"
    assert person.get_absolute_url() == "/people/jane-roe-2/"
    assert len(calls) == 2


def test_a_view_reads_the_urlconf_and_prefix_once_and_forgets_them_after_its_response():
    seen = {}

    def view(request):
        seen["during"] = address("articles:front")
        seen["reads"] = len(reads)
        address("articles:search")
        address("articles:tag", "budget")
        seen["reads after three"] = len(reads)
        return HttpResponse()

    reads = []
    real = addresses._current_base

    def counted():
        reads.append(1)
        return real()

    middleware = addresses.AddressMiddleware(lambda request: view(request))
    request = RequestFactory().get("/")
    set_script_prefix("/news/")
    try:
        with mock.patch.object(addresses, "_current_base", counted):
            middleware.process_view(request, view, (), {})
            set_script_prefix("/elsewhere/")  # nothing in Django does this mid-view
            middleware(request)
            assert seen == {"during": "/news/", "reads": 1, "reads after three": 1}
            # The response is done: address() follows Django again.
            assert address("articles:front") == "/elsewhere/"
    finally:
        set_script_prefix("/")
    assert address("articles:front") == "/"


def test_a_view_gets_the_urlconf_its_request_was_resolved_with():
    middleware = addresses.AddressMiddleware(lambda request: HttpResponse())
    set_urlconf("articles.tests.urls_under_news")
    try:
        middleware.process_view(RequestFactory().get("/"), None, (), {})
        assert address("articles:front") == "/news/"
    finally:
        set_urlconf(None)
        middleware(RequestFactory().get("/"))  # the response, which forgets it
    assert address("articles:front") == "/"


@pytest.mark.django_db
def test_pages_served_under_a_prefix_link_under_it():
    """Through Django's WSGI handler, which sets the prefix from SCRIPT_NAME
    (the test client does not)."""
    from .factories import make_article

    path = make_article(headline="Prefixed").get_absolute_url()
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "/news",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    statuses = []
    # As the test client does: the test's transaction keeps its connection.
    request_started.disconnect(close_old_connections)
    try:
        body = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
        html = b"".join(body).decode()
        body.close()
    finally:
        request_started.connect(close_old_connections)
        set_script_prefix("/")
    assert statuses == ["200 OK"]
    assert 'href="/news/"' in html  # the masthead
    assert f'href="http://testserver/news{path}"' in html  # the canonical link
    assert address("articles:front") == "/"
