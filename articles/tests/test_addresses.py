"""addresses.address(): reverse(), remembered per URLconf and script prefix."""

import io

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


def through_middleware(view):
    """view behind AddressMiddleware, called in the order Django's handler calls them."""

    def handler(request):
        middleware.process_view(request, view, (), {})
        return view(request)

    middleware = addresses.AddressMiddleware(handler)
    return middleware


@pytest.fixture
def reads(monkeypatch):
    """Each time address() asks Django for the URLconf and script prefix."""
    counted = []
    real = addresses._current_base

    def counting():
        counted.append(1)
        return real()

    monkeypatch.setattr(addresses, "_current_base", counting)
    return counted


def test_a_view_reads_the_urlconf_and_prefix_once_and_forgets_them_after_its_response(
    reads,
):
    seen = {}

    def view(request):
        seen["during"] = address("articles:front")
        set_script_prefix("/elsewhere/")  # nothing in Django does this mid-view
        address("articles:search")
        address("articles:tag", "budget")
        seen["reads"] = len(reads)
        return HttpResponse()

    set_script_prefix("/news/")
    try:
        through_middleware(view)(RequestFactory().get("/"))
        assert seen == {"during": "/news/", "reads": 1}
        # The response is done: address() follows Django again.
        assert address("articles:front") == "/elsewhere/"
    finally:
        set_script_prefix("/")
    assert address("articles:front") == "/"


def test_a_request_made_inside_a_view_gives_the_outer_view_its_values_back(reads):
    seen = {}

    def inner(request):
        seen["inner"] = address("articles:front")
        return HttpResponse()

    def outer(request):
        set_script_prefix("/inner/")
        through_middleware(inner)(RequestFactory().get("/"))
        seen["outer after"] = address("articles:front")
        return HttpResponse()

    set_script_prefix("/outer/")
    try:
        through_middleware(outer)(RequestFactory().get("/"))
    finally:
        set_script_prefix("/")
    assert seen == {"inner": "/inner/", "outer after": "/outer/"}
    assert len(reads) == 2  # once for each view


def test_a_view_gets_the_urlconf_its_request_was_resolved_with():
    seen = {}

    def view(request):
        seen["front"] = address("articles:front")
        return HttpResponse()

    set_urlconf("articles.tests.urls_under_news")  # as resolve_request() would
    try:
        through_middleware(view)(RequestFactory().get("/"))
    finally:
        set_urlconf(None)
    assert seen == {"front": "/news/"}
    assert address("articles:front") == "/"


@pytest.mark.django_db
def test_a_story_page_asks_django_for_them_once(client, reads):
    from .factories import make_article

    path = make_article(quotes=2, people=2, tags=2).get_absolute_url()
    reads.clear()  # that one was outside a request
    response = client.get(path)
    assert response.status_code == 200
    assert response.content.count(b'href="/') > 10  # its own addresses, a dozen
    assert len(reads) == 1


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
