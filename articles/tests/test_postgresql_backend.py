"""newsroom/postgresql: a health check that asks the server nothing while the
connection is idle and quiet, and still finds a connection the server ended."""

import time
from unittest import mock

import psycopg
import pytest
from django.db import close_old_connections, connection

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs DATABASE_URL=postgres://..."
    ),
    pytest.mark.django_db(transaction=True),
]


def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def end_from_elsewhere(pid):
    """pg_terminate_backend(pid) through a connection of its own, as an admin would."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]


def wait_for_word_from_server(seconds=5.0):
    deadline = time.monotonic() + seconds
    while connection._idle_with_nothing_to_read():
        assert time.monotonic() < deadline, "the server's goodbye never arrived"
        time.sleep(0.01)


def test_a_quiet_idle_connection_is_usable_without_a_query():
    backend_pid()  # connected, idle
    raw = connection.connection
    with mock.patch.object(raw, "cursor", wraps=raw.cursor) as cursor:
        assert connection.is_usable()
    assert cursor.call_count == 0


def test_a_connection_in_doubt_is_still_asked_with_select_1():
    backend_pid()
    raw = connection.connection
    with (
        mock.patch.object(connection, "_idle_with_nothing_to_read", return_value=False),
        mock.patch.object(raw, "cursor", wraps=raw.cursor) as cursor,
    ):
        assert connection.is_usable()
    assert cursor.call_count == 1


def test_a_connection_the_server_ended_is_found_and_replaced_before_the_next_request():
    settings = connection.settings_dict
    with mock.patch.dict(settings, {"CONN_MAX_AGE": 600, "CONN_HEALTH_CHECKS": True}):
        connection.close()
        first = backend_pid()
        end_from_elsewhere(first)
        wait_for_word_from_server()
        assert not connection.is_usable()

        close_old_connections()  # as at the start of a request
        assert backend_pid() != first  # the request's query ran on a new connection
        assert connection.is_usable()
    connection.close()
