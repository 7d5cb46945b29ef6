"""Django's PostgreSQL backend, with a health check that needs no round trip.

With CONN_HEALTH_CHECKS, Django asks is_usable() before a request's first
query on a persistent connection, and the stock answer sends SELECT 1: on a
story page that was one of five round trips to the server. A server that ends
a connection (a restart, pg_terminate_backend, idle_session_timeout) says so
on the socket before it closes it, with an error message and then the end of
the stream. So an idle connection with nothing waiting to be read is as usable
as SELECT 1 would find it; anything waiting, or any doubt, still goes to
SELECT 1. A connection cut without a word (a cable pulled) is found by the
request's first query instead of by SELECT 1, and replaced at the start of the
next request, as Django does after any error.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        if self.connection is None:
            return False
        if self._idle_with_nothing_to_read():
            return True
        return super().is_usable()

    def _idle_with_nothing_to_read(self):
        connection = self.connection
        if connection.broken or connection.closed:
            return False
        pgconn = connection.pgconn
        if (
            pgconn.status != pq.ConnStatus.OK
            or pgconn.transaction_status != pq.TransactionStatus.IDLE
        ):
            return False
        poller = select.poll()
        try:
            poller.register(pgconn.socket, select.POLLIN)
            return not poller.poll(0)
        except (OSError, ValueError):
            return False
