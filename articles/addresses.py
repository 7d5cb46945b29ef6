"""reverse(), remembered: the site's addresses, worked out once per process.

A story page links to its people, tags and the masthead's sections about
twenty-five times, and each reverse() walks the URL patterns and checks its
result against a regular expression: about 0.4 ms of a 3 ms page. The same
name and arguments always give the same path for a given URLconf and script
prefix, so both are part of what is remembered.

Django keeps the URLconf and script prefix of the current request in
asgiref Locals, and reading one costs a lock and half a dozen Python calls:
with two of them for each of a story page's dozen addresses, that was 4% of
the page. AddressMiddleware reads both once, when the view is about to run
(the URLconf is the request's by then), and address() uses them until the
response is done; anywhere else (middleware before the view, commands,
tests) it reads them from Django as reverse() does.
"""

from contextvars import ContextVar
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse, set_script_prefix

# (URLconf, script prefix) of the request whose view is running, if any.
_request_base = ContextVar("address_base", default=None)


def address(name, *args, **kwargs):
    """reverse(name, args=args, kwargs=kwargs), remembered for this process."""
    urlconf, prefix = _request_base.get() or _current_base()
    return _reversed(urlconf, prefix, name, args, tuple(sorted(kwargs.items())))


def _current_base():
    return get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()


@lru_cache(maxsize=20_000)
def _reversed(urlconf, prefix, name, args, kwargs):
    # reverse() reads the script prefix itself: let it read the one remembered
    # with the path (a request made inside a view may have set another).
    live = get_script_prefix()
    set_script_prefix(prefix)
    try:
        return reverse(
            name, urlconf=urlconf, args=args or None, kwargs=dict(kwargs) or None
        )
    finally:
        set_script_prefix(live)


class AddressMiddleware:
    """Reads the request's URLconf and script prefix once, for address()."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Reset rather than cleared: a request made from inside a view (the
        # test client, say) gives the outer view its values back.
        token = _request_base.set(None)
        try:
            return self.get_response(request)
        finally:
            _request_base.reset(token)

    def process_view(self, request, view, args, kwargs):
        _request_base.set(_current_base())
