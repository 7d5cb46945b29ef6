"""Django's ConditionalGetMiddleware, without parsing what a request cannot use.

Django's middleware adds an ETag, then parses the response's Last-Modified
and the request's four precondition headers on every GET, even when the
request carries none of them and the response can only go out unchanged:
0.08 million instructions of an uncached story page's 9.3 million. Here a
request without preconditions only gets the ETag; one with any of them goes
through Django's code as before, so 304s and 412s are decided as Django
decides them.

Every ETag here comes from articles.caching.set_response_etag(), as the page
cache's do, so a tag sent on a miss matches the same page sent on a hit.
"""

import re

from django.middleware import http

from articles.caching import set_response_etag

PRECONDITIONS = (
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)

# django.utils.cache.cc_delim_re, compiled now rather than behind a lazy
# object, whose every use raises and catches an AttributeError.
CACHE_CONTROL_DELIMITER = re.compile(r"\s*,\s*")


class ConditionalGetMiddleware(http.ConditionalGetMiddleware):
    def process_response(self, request, response):
        if request.method != "GET":
            return response  # as Django's: a HEAD's empty body has no tag
        # Tagged here, so Django's code below compares with this tag.
        if self.needs_etag(response) and not response.has_header("ETag"):
            set_response_etag(response)
        if not any(header in request.META for header in PRECONDITIONS):
            # Nothing to compare with: Django would send the response as it is.
            return response
        return super().process_response(request, response)

    def needs_etag(self, response):
        directives = CACHE_CONTROL_DELIMITER.split(response.get("Cache-Control", ""))
        return all(directive.lower() != "no-store" for directive in directives)
