"""newsroom/csp.py: django-csp's header, built once for pages without a policy of their own."""

from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory

from newsroom.csp import CSPMiddleware


def respond(response=None, request=None):
    middleware = CSPMiddleware(lambda request: response or HttpResponse("page"))
    return middleware(request or RequestFactory().get("/"))


def test_a_page_gets_the_policy_django_csp_builds_from_settings(client, db):
    assert respond()["Content-Security-Policy"] == build_policy()
    page = client.get("/")
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["Content-Security-Policy"] == build_policy()


def test_a_policy_of_the_views_own_is_still_django_csps(settings):
    response = HttpResponse("page")
    response._csp_update = {"img-src": ["https://images.example"]}
    header = respond(response)["Content-Security-Policy"]
    assert "https://images.example" in header
    assert header == build_policy(update=response._csp_update)


def test_changed_settings_change_the_header(settings):
    before = respond()["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": ["'self'"], "img-src": ["*"]}
    }
    after = respond()["Content-Security-Policy"]
    assert after != before and "img-src *" in after


def test_a_header_set_by_the_view_is_kept():
    response = HttpResponse("page")
    response["Content-Security-Policy"] = "default-src 'none'"
    assert respond(response)["Content-Security-Policy"] == "default-src 'none'"
