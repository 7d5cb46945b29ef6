"""The public page cache: anonymous GETs served from Django's shared cache.

Every cached page is stored with the *generation* it was made in, a random
token kept in the same shared cache (Redis in production), and is served only
while that token is current. Any committed change to the newsroom's content
replaces the token (``bump_generation``, called from signals.py on commit), so
every page on every app instance is fresh at once. A reader's request reads the
token, the next scheduled publication and the page in one round trip.

A story scheduled for later appears without any write, so each generation also
knows the next scheduled publication moment: pages never outlive it, and the
first request after it starts a new generation.

Staff (anyone signed in) always bypass the cache, and what they see is sent
``Cache-Control: private`` so no shared cache keeps it. Previews, error pages
and responses that set cookies are never stored.
"""

import hashlib
import time
import uuid
from datetime import datetime, timedelta
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.core import checks
from django.core.cache import cache, caches
from django.db.models import Min
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from django_redis.cache import RedisCache
from django_redis.client import DefaultClient

from .near_cache import near_cache

GENERATION_KEY = "pages:generation"
# Without a scheduled story, a generation still re-checks now and then, in case
# a schedule was written by something that skips signals (a bulk update).
LONGEST_WAIT = timedelta(hours=1)
NO_STORE_DIRECTIVES = ("private", "no-store", "no-cache")


class Generation(NamedTuple):
    token: str
    started: datetime


def _new_generation():
    return Generation(uuid.uuid4().hex, timezone.now().replace(microsecond=0))


def bump_generation():
    """Start a new generation: every page cached so far is out of date."""
    generation = _new_generation()
    cache.set(GENERATION_KEY, generation, timeout=None)
    return generation


def current_generation():
    """The current generation, starting one if the cache has none (or lost it)."""
    generation = _watched_value(GENERATION_KEY)
    if generation is None:
        fresh = _new_generation()
        # Another instance may have won the race; everyone uses what is stored.
        stored = cache.add(GENERATION_KEY, fresh, timeout=None)
        generation = fresh if stored else cache.get(GENERATION_KEY, fresh)
    return generation


# The next scheduled publication, noted as (generation token, moment) under one
# fixed key, so a reader fetches it with the generation in one round trip.
NEXT_PUBLICATION_KEY = "pages:next-publication"
# What a process may keep while Redis reports no change to it (near_cache.py).
WATCHED = (GENERATION_KEY, NEXT_PUBLICATION_KEY)


def _next_publication():
    # Imported here: models import nothing from this module, but signals.py
    # imports it while the app registry is still loading.
    from .models import Article

    upcoming = Article.objects.scheduled().aggregate(next=Min("published_at"))
    return upcoming["next"] or timezone.now() + LONGEST_WAIT


def seconds_left(generation, noted=None):
    """How long a page of this generation may be kept: 0 once a schedule is due.

    noted is what NEXT_PUBLICATION_KEY held, when the caller already read it.
    The moment is looked up once per generation, after the token was read, so
    it reflects every change committed before the token was made; a note left
    by an older generation is simply looked up again.
    """
    noted = noted or _watched_value(NEXT_PUBLICATION_KEY)
    if noted is None or noted[0] != generation.token:
        noted = (generation.token, _next_publication())
        cache.set(NEXT_PUBLICATION_KEY, noted, LONGEST_WAIT.total_seconds())
    left = int((noted[1] - timezone.now()).total_seconds())
    return max(0, min(settings.PAGE_CACHE_SECONDS, left))


def _page_key(request):
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"pages:{hashlib.sha256(address.encode()).hexdigest()}"


def _current_page(entry, generation):
    """The page in a stored (token, page) entry, if made in this generation."""
    if entry is not None and entry[0] == generation.token:
        return entry[1]
    return None


def _bypasses_cache(request):
    return (
        request.method != "GET"
        or settings.PAGE_CACHE_SECONDS <= 0
        or request.user.is_authenticated
    )


def _storable(request, response):
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # A page that rendered {% csrf_token %} is about to get a cookie.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not any(word in cache_control for word in NO_STORE_DIRECTIVES)
    )


def cache_is_per_process():
    """Whether the default cache is local to each process (LocMemCache, DummyCache).

    Then each gunicorn worker keeps a generation of its own, which a change
    made through another worker does not replace.
    """
    backend = settings.CACHES["default"]["BACKEND"]
    return backend.endswith(("LocMemCache", "DummyCache"))


def _honest_last_modified(response, generation=None):
    # A Last-Modified from the page's own dates (a story's last save, a feed's
    # newest item) misses changes that carry no date: a person renamed, a story
    # unpublished. Never claim an earlier time than the content generation's.
    if "Last-Modified" not in response:
        return
    if cache_is_per_process():
        # This process's generation knows nothing of a rename saved through
        # another worker, so the date could be too early, and a client asking
        # If-Modified-Since would get a wrong 304. The ETag, made from the page
        # itself, still answers conditional requests.
        del response["Last-Modified"]
        return
    generation = generation or current_generation()
    stated = parse_http_date_safe(response["Last-Modified"])
    started = generation.started.timestamp()
    if stated is not None and stated < started:
        response["Last-Modified"] = http_date(started)
        stated = started
    if stated is not None and stated >= int(time.time()):
        # HTTP dates count whole seconds: a page dated this very second could
        # change again before it ends and keep the same date, and a client
        # asking If-Modified-Since would get a wrong 304 for the new one. No
        # date until the second is over; the ETag answers meanwhile.
        del response["Last-Modified"]


def _mark_public(response):
    # Browsers revalidate every time (a 304 from the ETag is cheap); a CDN may
    # keep the page CDN_CACHE_SECONDS, since the app cannot purge a CDN.
    patch_cache_control(
        response, public=True, max_age=0, s_maxage=settings.CDN_CACHE_SECONDS
    )
    patch_vary_headers(response, ["Cookie"])


# The generation and the next-publication note as decoded, under the bytes
# Redis returned for them. Both are immutable tuples that change only with a
# generation, and new bytes are decoded afresh, so a hit unpickles only its page.
_decoded_by_bytes = {}


def _decode_small_value(client, raw):
    if raw is None:
        return None
    value = _decoded_by_bytes.get(raw)
    if value is None:
        if len(_decoded_by_bytes) >= 8:  # a handful of generations at most
            _decoded_by_bytes.clear()
        value = _decoded_by_bytes[raw] = client.decode(raw)
    return value


def _plain_redis_client(backend):
    """django-redis's default client, or None for any other backend or client.

    Sentinel, sharded or other clients choose their server per call: they, and
    every other backend, are read through Django's cache API.
    """
    if isinstance(backend, RedisCache) and type(backend.client) is DefaultClient:
        return backend.client
    return None


def _fetch(client, key=None):
    """The WATCHED values, and key's raw entry if a key is given: one MGET."""
    names = (*WATCHED, key) if key else WATCHED
    found = client.get_client(write=False).mget([client.make_key(n) for n in names])
    values = tuple(_decode_small_value(client, raw) for raw in found[: len(WATCHED)])
    return values, found[len(WATCHED)] if key else None


def _watched_value(name):
    """One of the WATCHED values as stored, or None (on Redis, as kept)."""
    if _plain_redis_client(caches["default"]) is None:
        return cache.get(name)
    return _read_for_hit(None)[WATCHED.index(name)]


def _read_for_hit(key):
    """The generation, the next-publication note and key's entry.

    On Redis, what this process read last is used while Redis reports no change
    (articles/near_cache.py); otherwise it is one MGET through django-redis's
    own client, key prefix, version and serializer, minus get_many's decoding of
    the two small values, which are the same on every hit until a generation
    ends.
    """
    backend = caches["default"]
    client = _plain_redis_client(backend)
    if client is None:
        found = backend.get_many((*WATCHED, key))
        return tuple(found.get(name) for name in (*WATCHED, key))
    near = near_cache(client, WATCHED)
    kept = near.kept(key)
    if kept is None or (key is not None and kept[1] is None):
        kept = near.read(lambda: _fetch(client, key), key)
    (generation, noted), raw = kept
    return generation, noted, None if raw is None else client.decode(raw)


def cached_page(request):
    """The page stored for this request in the current generation, or None."""
    generation, noted, entry = _read_for_hit(_page_key(request))
    if generation is None or seconds_left(generation, noted) == 0:
        return None  # the view starts a generation, or a new one: a schedule is due
    response = _current_page(entry, generation)
    if response is not None:
        response["X-Page-Cache"] = "hit"
    return response


class PageCacheMiddleware:
    """Answer readers who carry no session from the page cache, and keep pages.

    It sits below ConditionalGetMiddleware (which answers 304s against the
    stored ETag) and above the frame-options, CSP, session, CSRF,
    authentication and message middleware. A request without a session cookie
    is anonymous, so a stored page can be sent without any of those; and a page
    that public_page marked for keeping is stored here, on its way out, after
    they have added their headers, so a hit is sent exactly as the miss was.
    Anything else goes on to the view, where public_page decides.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "GET"
            and settings.PAGE_CACHE_SECONDS > 0
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            response = cached_page(request)
            if response is not None:
                return response
            request.page_cache_missed = True  # public_page need not look again
        request.page_cache_middleware = True
        response = self.get_response(request)
        if (
            response.status_code in NOT_HERE_STATUSES
            and "Cache-Control" not in response
        ):
            # A CDN keeps an unmarked 404 as it likes (Fastly, an hour): a
            # story scheduled at that address would stay missing there.
            _mark_for_whom(request, response)
        entry = getattr(response, "page_cache_entry", None)
        # Checked again: the session or CSRF middleware may have set a cookie.
        if entry is not None and _storable(request, response):
            _store(response, *entry)
        return response


# "Not here (yet)", or "moved on from here" (a story's former address, which
# leads on only while its story is public and no other story takes it):
# marked as pages are, so a CDN keeps one no longer than a page. Unmarked, a
# browser keeps a 301 for good, and a CDN as it likes.
NOT_HERE_STATUSES = (301, 404, 410)


def _mark_for_whom(request, response):
    """Private for staff (they may see what readers do not); public for readers."""
    user = getattr(request, "user", None)  # none if a middleware above answered
    if user is not None and user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    elif request.method in ("GET", "HEAD") and (
        response.status_code == 200 or response.status_code in NOT_HERE_STATUSES
    ):
        _mark_public(response)


def never_kept_page(view):
    """A public page the page cache does not keep, with the same headers as one it does.

    Search: its addresses are endless, each a one-off, so keeping them would
    only push out the pages readers share; but a CDN and the browser are told
    what they are told of every other page (and staff's copies stay private).
    """

    @wraps(view)
    def marked_view(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        _mark_for_whom(request, response)
        return response

    return marked_view


def set_response_etag(response):
    """Django's set_response_etag(), with SHA-1 where Django uses MD5.

    A strong validator of the body either way; OpenSSL's SHA-1 runs on the
    SHA instructions of current x86 and ARM processors, at under half MD5's
    cost (an 8.5 kB story page: 7 against 16 microseconds here).
    """
    if not response.streaming and response.content:
        digest = hashlib.sha1(response.content, usedforsecurity=False).hexdigest()
        response.headers["ETag"] = f'"{digest}"'
    return response


def _store(response, key, lifetime, token):
    # The ETag goes in with the page, so ConditionalGetMiddleware answers hits
    # without hashing the body again; the moment it expires, so that a copy kept
    # in a process (near_cache.py) does not outlive it.
    set_response_etag(response)
    cache.set(key, (token, response, time.time() + lifetime), lifetime)


def public_page(view):
    """Serve view's page to anonymous readers from the shared page cache."""

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if _bypasses_cache(request):
            response = view(request, *args, **kwargs)
            _honest_last_modified(response)  # reads the generation if it needs it
            _mark_for_whom(request, response)
            response["X-Page-Cache"] = "bypass"
            return response

        generation = current_generation()
        lifetime = seconds_left(generation)
        if lifetime == 0:
            # A scheduled story is now due: pages made before it are stale.
            generation = bump_generation()
            lifetime = seconds_left(generation)
        key = _page_key(request)
        # Unless PageCacheMiddleware looked a moment ago and found nothing (a
        # request with a session cookie passes it by), look for the page here.
        if not getattr(request, "page_cache_missed", False):
            response = _current_page(cache.get(key), generation)
            if response is not None:
                response["X-Page-Cache"] = "hit"
                return response

        response = view(request, *args, **kwargs)
        response["X-Page-Cache"] = "miss"
        _honest_last_modified(response, generation)
        if _storable(request, response) and lifetime > 0:
            _mark_public(response)
            entry = (key, lifetime, generation.token)
            if getattr(request, "page_cache_middleware", False):
                response.page_cache_entry = entry  # stored on its way out
            elif hasattr(response, "add_post_render_callback"):
                response.add_post_render_callback(
                    lambda rendered: _store(rendered, *entry)
                )
            else:
                _store(response, *entry)
        return response

    return cached_view


@checks.register(checks.Tags.caches)
def check_shared_cache(app_configs, **kwargs):
    """Warn when pages are cached where other processes cannot see a change."""
    if settings.PAGE_CACHE_SECONDS > 0 and cache_is_per_process():
        return [
            checks.Warning(
                "PAGE_CACHE_SECONDS is set but the cache is local to each process.",
                hint="Set REDIS_URL: with several workers or instances, a change "
                "made in one process would not refresh pages cached by the others.",
                id="articles.W101",
            )
        ]
    return []
