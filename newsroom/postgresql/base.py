"""Django's PostgreSQL backend, with a health check that needs no round trip
while a connection is busy.

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
"""

import select
import time

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq

# Well under the idle timeouts of NAT gateways and load balancers (a minute
# and more); a worker under load uses its connection many times a second.
RECENTLY_USED = 30.0


class DatabaseWrapper(base.DatabaseWrapper):
    used_at = float("-inf")  # when a cursor was last made on the connection

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
