"""newsroom/postgresql: a health check that asks the server nothing while the
connection is busy, idle between requests and quiet, and still finds a
connection the server ended or one left unused for a while; timestamps read
by psycopg's C loader, as Django's own loader reads them."""

import datetime
import time
from unittest import mock
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import close_old_connections, connection, connections
from psycopg import pq

from newsroom.postgresql.base import RECENTLY_USED, UTCTimestamptzLoader

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


def elsewhere():
    """A connection of its own to the same database, as an admin's would be."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


def end_from_elsewhere(pid):
    with elsewhere() as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]


def wait_for_word_from_server(seconds=5.0):
    deadline = time.monotonic() + seconds
    while connection._used_recently_and_quiet():
        assert time.monotonic() < deadline, "the server's goodbye never arrived"
        time.sleep(0.01)


def test_a_quiet_idle_connection_is_usable_without_a_query():
    backend_pid()  # connected, idle
    raw = connection.connection
    with mock.patch.object(raw, "cursor", wraps=raw.cursor) as cursor:
        assert connection.is_usable()
    assert cursor.call_count == 0


def test_a_connection_left_unused_for_a_while_is_asked_with_select_1():
    # Only a query finds a connection that a NAT gateway forgot in the meantime.
    backend_pid()
    raw = connection.connection
    connection.used_at -= RECENTLY_USED + 1
    with mock.patch.object(raw, "cursor", wraps=raw.cursor) as cursor:
        assert connection.is_usable()
    assert cursor.call_count == 1


def test_a_connection_with_something_to_read_is_asked_with_select_1():
    # A notification is waiting: not proof of a dead connection, but not quiet.
    backend_pid()
    with connection.cursor() as cursor:
        cursor.execute("LISTEN newsroom_test")
    with elsewhere() as other:
        other.execute("NOTIFY newsroom_test")
    raw = connection.connection
    wait_for_word_from_server()
    with mock.patch.object(raw, "cursor", wraps=raw.cursor) as cursor:
        assert connection.is_usable()
    assert cursor.call_count == 1
    with connection.cursor() as cursor:
        cursor.execute("UNLISTEN *")


def test_a_connection_in_doubt_is_still_asked_with_select_1():
    backend_pid()
    raw = connection.connection
    with (
        mock.patch.object(connection, "_used_recently_and_quiet", return_value=False),
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


TIMESTAMPS = [
    "2020-01-01 00:00:00+05",
    "1999-12-31 23:59:59.999999+00",
    "0001-01-01 00:00:00+00",
    "2026-03-29 01:30:00-03:30",
    "9999-12-31 23:59:59+00",
    "2000-02-29 12:00:00.5+14",
]


def read_timestamps(cursor):
    cursor.execute(
        "SELECT "
        + ", ".join(["%s::timestamptz"] * len(TIMESTAMPS))
        + ", NULL::timestamptz",
        TIMESTAMPS,
    )
    return cursor.fetchone()


def test_timestamps_come_from_the_c_loader_exactly_as_djangos_would_give_them():
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    assert pq.__impl__ in ("c", "binary")  # psycopg[binary], as requirements.txt asks
    with connection.cursor() as cursor:
        assert (
            cursor.cursor.adapters.get_loader(1184, pq.Format.TEXT)
            is UTCTimestamptzLoader
        )
        ours = read_timestamps(cursor)
    with connection.cursor() as cursor:
        register_tzloader(datetime.UTC, cursor.cursor)  # Django's own
        djangos = read_timestamps(cursor)
    assert ours == djangos
    assert ours[0] == datetime.datetime(2019, 12, 31, 19, tzinfo=datetime.UTC)
    assert all(value.tzinfo is datetime.UTC for value in ours[:-1])
    assert ours[-1] is None


def loader_and_noon_utc(settings_dict, alias):
    """On a connection of its own: its timestamptz loader, and 12:00 UTC as read."""
    other = connections["default"].__class__(settings_dict, alias=alias)
    try:
        with other.cursor() as cursor:
            loader = cursor.cursor.adapters.get_loader(1184, pq.Format.TEXT)
            cursor.execute("SELECT %s::timestamptz", ["2020-06-01 12:00:00+00"])
            (value,) = cursor.fetchone()
    finally:
        other.close()
    return loader, value


def test_a_database_in_another_time_zone_keeps_djangos_loader():
    loader, value = loader_and_noon_utc(
        {**connection.settings_dict, "TIME_ZONE": "Europe/Paris"}, "paris"
    )
    assert loader is not UTCTimestamptzLoader
    assert value == datetime.datetime(2020, 6, 1, 14, tzinfo=ZoneInfo("Europe/Paris"))
    assert value.tzinfo == ZoneInfo("Europe/Paris")


def test_without_use_tz_timestamps_stay_naive_as_django_gives_them(settings):
    settings.USE_TZ = False
    loader, value = loader_and_noon_utc(dict(connection.settings_dict), "naive")
    assert loader is not UTCTimestamptzLoader
    assert value.tzinfo is None
