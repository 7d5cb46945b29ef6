"""Django's PostgreSQL backend, with a health check that needs no round trip
while a connection is busy, and timestamps read by psycopg's C loader.

With CONN_HEALTH_CHECKS, Django asks is_usable() before a request's first
query on a persistent connection, and the stock answer sends SELECT 1: on a
story page that was one of five round trips to the server. A server that ends
a connection (a restart, pg_terminate_backend, idle_session_timeout) says so
on the socket before it closes it, with an error message and then the end of
the stream. So a connection that was used a moment ago and has nothing waiting
to be read is as usable as SELECT 1 would find it. Anything waiting, any doubt,
and any connection left quiet for more than RECENTLY_USED seconds still get
SELECT 1: a connection can also die without a word (a NAT gateway or load
balancer that forgets idle connections, a failover that moves the server's
address), and only a query finds that out before the request's own query does.

Django reads every timestamptz with a loader of its own, a subclass of
psycopg's pure-Python one, so that each value gets the connection's time zone
as Django sees it; a story's row carries half a dozen, and parsing them in
Python was about 4% of a story page's time in its worker. With USE_TZ and the
connection in UTC, which is how Django sets up a connection unless a database
names another TIME_ZONE, psycopg's C loader already gives datetimes in
datetime.timezone.utc, exactly what Django's would: UTCTimestamptzLoader hands
each value to it.
"""

import datetime
import select
import time

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from psycopg import adapters, pq
from psycopg.adapt import Loader

# Well under the idle timeouts of NAT gateways and load balancers (a minute
# and more); a worker under load uses its connection many times a second.
RECENTLY_USED = 30.0


# psycopg's own loader for timestamptz text: the C one when psycopg[binary] or
# psycopg[c] is installed.
TIMESTAMPTZ = adapters.get_loader(adapters.types["timestamptz"].oid, pq.Format.TEXT)


class UTCTimestamptzLoader(Loader):
    """timestamptz as aware datetimes in UTC, for a connection whose TimeZone is UTC."""

    timezone = datetime.UTC  # what Django's create_cursor() compares

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        # psycopg's C classes cannot be subclassed; their load() can be lent.
        self.load = TIMESTAMPTZ(oid, context).load

    def load(self, data):  # replaced in each instance by the C loader's
        raise NotImplementedError


class DatabaseWrapper(base.DatabaseWrapper):
    used_at = float("-inf")  # when a cursor was last made on the connection

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if settings.USE_TZ and self.timezone_name == "UTC":
            connection.adapters.register_loader("timestamptz", UTCTimestamptzLoader)
        return connection

    def create_cursor(self, name=None):
        self.used_at = time.monotonic()
        return super().create_cursor(name)

    def is_usable(self):
        if self.connection is None:
            return False
        if self._used_recently_and_quiet():
            return True
        return super().is_usable()

    def _used_recently_and_quiet(self):
        """Whether the connection is idle, was used a moment ago, and has nothing to read."""
        if time.monotonic() - self.used_at > RECENTLY_USED:
            return False
        connection = self.connection
        try:
            if connection.broken or connection.closed:
                return False
            pgconn = connection.pgconn
            if (
                pgconn.status != pq.ConnStatus.OK
                or pgconn.transaction_status != pq.TransactionStatus.IDLE
            ):
                return False
            poller = select.poll()
            poller.register(pgconn.socket, select.POLLIN)
            return not poller.poll(0)
        except (OSError, ValueError, AttributeError, psycopg.Error):
            return False  # no poll() here, or no socket: ask the server
