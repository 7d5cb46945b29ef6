"""reverse(), remembered: the site's addresses, worked out once per process.

A story page links to its people, tags and the masthead's sections about
twenty-five times, and each reverse() walks the URL patterns and checks its
result against a regular expression: about 0.4 ms of a 3 ms page. The same
name and arguments always give the same path for a given URLconf and script
prefix, so both are part of what is remembered.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def address(name, *args, **kwargs):
    """reverse(name, args=args, kwargs=kwargs), remembered for this process."""
    return _reversed(
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        name,
        args,
        tuple(sorted(kwargs.items())),
    )


@lru_cache(maxsize=20_000)
def _reversed(urlconf, prefix, name, args, kwargs):
    return reverse(
        name, urlconf=urlconf, args=args or None, kwargs=dict(kwargs) or None
    )
