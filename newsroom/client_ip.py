"""Which address a request comes from, for login throttling (django-axes).

X-Forwarded-For is a list any client can start: only the entries appended by
the TRUSTED_PROXIES proxies we run are believed. The address the outermost of
them saw is the client; everything to its left may be forged.
"""

from django.conf import settings


def client_ip(request):
    """The client's address: REMOTE_ADDR, or the one our proxies recorded."""
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        # Each proxy appends the address it was reached from, so with two
        # proxies the header ends "client, first-proxy" and the client sits
        # `proxies` places from the end. Too short: not through our proxies.
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
