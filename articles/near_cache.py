"""Pages kept in each app process for as long as Redis reports no change.

A reader's hit on Redis costs a round trip (the generation, the next
publication and the page, in one MGET). Most hits ask for the same few pages in
the same generation, so each process keeps what it last read, and asks Redis to
tell it when the generation or the next-publication note changes: Redis's
client-side caching ("tracking") in broadcast mode, with the invalidations sent
to a connection of this process's own.

A kept value is used only after that connection has been checked for news,
without waiting (a non-blocking read, about a microsecond). In broadcast mode
Redis sends the news of a write to every watching connection in the same pass
as, and before, its answer to the client that wrote: once an editor's save has
returned, every process that looks finds the news waiting, and reads afresh.
Any message at all, a closed connection or an error drops everything kept; so
does TRUST_SECONDS without a fresh read, in case a connection was cut without a
word (the only way a kept page could outlive its generation, and then never by
more than that). A kept page also never outlives its own time in Redis.

redis-py has client-side caching of its own, but only for Redis 7.4 and later;
this works with any Redis since 6.0, over the plain protocol (RESP2).
"""

import os
import threading
import time
from collections import OrderedDict

import redis
from django.conf import settings

TRUST_SECONDS = 1.0
# After Redis refused to watch (no tracking before 6.0, an ACL), ask again after this.
RETRY_SECONDS = 30.0
INVALIDATIONS = "__redis__:invalidate"


class NearCache:
    """The watched values and the pages this process read last, for one Redis."""

    def __init__(self, client, watched_keys):
        self.client = client  # django-redis's DefaultClient, for its pool and decoder
        self.watched = watched_keys  # as stored in Redis: prefix, version, name
        self.lock = threading.Lock()
        self.pid = None
        self.connection = None
        self.retry_at = 0.0
        self._forget()

    def _forget(self):
        self.values = None  # the watched values, decoded
        self.read_at = 0.0
        self.pages = OrderedDict()  # page key -> (token, expires, raw entry)

    def _close(self):
        if self.connection is not None:
            self.connection.disconnect()
        self.connection = None
        self._forget()

    def _standing(self):
        """True while nothing has changed since the values were read."""
        if self.values is None or self.pid != os.getpid():
            return False
        if time.monotonic() - self.read_at > TRUST_SECONDS:
            self._forget()
            return False
        if self._drained():
            return True
        self._forget()
        return False

    def _drained(self):
        """Read every message waiting; True if there were none."""
        try:
            if not self.connection.can_read(timeout=0):
                return True
            while self.connection.can_read(timeout=0):
                self.connection.read_response(push_request=True)
        except (redis.RedisError, OSError):
            self._close()
        return False

    def _watch(self):
        """Make sure Redis reports changes from now on; False if it cannot."""
        if settings.PAGE_CACHE_LOCAL_PAGES <= 0:
            return False
        if self.pid != os.getpid():  # a forked child: the parent's socket is not ours
            self.connection = None
            self._forget()
            self.pid = os.getpid()
        if self.connection is not None:
            return True
        if time.monotonic() < self.retry_at:
            return False
        pool = self.client.get_client(write=False).connection_pool
        connection = pool.connection_class(**pool.connection_kwargs)
        try:
            connection.connect()
            connection.send_command("CLIENT", "ID")
            own_id = connection.read_response()
            prefixes = [word for key in self.watched for word in ("PREFIX", key)]
            connection.send_command(
                "CLIENT", "TRACKING", "ON", "REDIRECT", own_id, "BCAST", *prefixes
            )
            connection.read_response()
            connection.send_command("SUBSCRIBE", INVALIDATIONS)
            connection.read_response(push_request=True)
        except (redis.RedisError, OSError):
            connection.disconnect()
            self.retry_at = time.monotonic() + RETRY_SECONDS
            return False
        self.connection = connection
        return True

    def kept(self, key=None):
        """(values, raw page entry or None) as kept, or None if not standing."""
        with self.lock:
            if not self._standing():
                return None
            page = self.pages.get(key)
            if page is None:
                return self.values, None
            token, expires, raw = page
            if token != self.values[0].token or expires <= time.time():
                del self.pages[key]
                return self.values, None
            self.pages.move_to_end(key)
            return self.values, raw

    def read(self, fetch, key=None):
        """fetch() the values and key's raw entry from Redis, keeping them.

        Watching starts before the read, so no change can fall between them.
        """
        with self.lock:
            watching = self._watch()
            if watching and not self._drained():  # news of changes before this read
                watching = self._watch()  # again, if the connection was lost
            values, raw = fetch()
            # A value not yet in Redis is kept as missing too: its first write
            # is a change like any other, and Redis reports it.
            if watching:
                if self.values is None or self.values[0] != values[0]:
                    self.pages.clear()
                self.values, self.read_at = values, time.monotonic()
                if key is not None and raw is not None:
                    self._keep_page(key, raw)
            return values, raw

    def _keep_page(self, key, raw):
        token, _, *expires = self.client.decode(raw)
        generation = self.values[0]
        if generation is None or token != generation.token or not expires:
            return
        self.pages[key] = (token, expires[0], raw)
        self.pages.move_to_end(key)
        while len(self.pages) > settings.PAGE_CACHE_LOCAL_PAGES:
            self.pages.popitem(last=False)


_near_caches = {}


def near_cache(client, watched_names):
    """The process's NearCache for client's Redis and these names."""
    pool = client.get_client(write=False).connection_pool
    keys = tuple(client.make_key(name) for name in watched_names)
    found = _near_caches.get((id(pool), keys))
    if found is None:
        found = _near_caches[(id(pool), keys)] = NearCache(client, keys)
    return found
