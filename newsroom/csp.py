"""django-csp's middleware, with the site's own policy built once per process.

django-csp builds the Content-Security-Policy header from settings for every
response: 0.4 million instructions of an uncached story page's 9.6 million,
more than a tenth of a small page's. The site's pages carry no policy of their
own (no csp_update, csp_replace or csp decorators, no nonce), so they get the
header built from settings once; anything else, and report-only or excluded
prefixes if settings ask for them, goes to django-csp as before.
"""

from functools import cache

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

OWN_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt",
)


@cache
def site_policy():
    """The header built from CONTENT_SECURITY_POLICY, as django-csp builds it."""
    return build_policy()


@receiver(setting_changed)
def forget_site_policy(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        site_policy.cache_clear()


class CSPMiddleware(LibraryCSPMiddleware):
    def process_response(self, request, response):
        if (
            any(hasattr(response, name) for name in OWN_POLICY)
            or getattr(request, "_csp_nonce", None) is not None
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get(
                "EXCLUDE_URL_PREFIXES"
            )
            or (settings.DEBUG and response.status_code in (404, 500))
        ):
            return super().process_response(request, response)
        policy = site_policy()
        if policy and HEADER not in response:
            response[HEADER] = policy
        # As django-csp does: a nonce asked for after the header is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
