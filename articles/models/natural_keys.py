"""Names of rows that outlast their addresses: natural keys that name their
parent row, as dumpdata writes them, and the feeds' permanent ids."""

from datetime import UTC

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist


def key_of(instance, relation, length):
    """The natural key of the row instance's `relation` points to.

    loaddata asks a row it builds for its natural key (to find it in the
    database) before it reports a reference it found nowhere: the row then
    has no parent yet, and the key is `length` Nones, which no row matches.
    The project's loaddata names the missing reference next (save_obj), where
    asking the parent raised "Quote has no article." from deep in Django.
    """
    try:
        return getattr(instance, relation).natural_key()
    except ObjectDoesNotExist:
        return (None,) * length


def permanent_id(moment, specific):
    """A permanent name for feed ids (RFC 4151): tag:<FEED_ID_DOMAIN>,<day>:<specific>.

    The day is moment's in UTC, so that TIME_ZONE cannot move it; specific
    names the row by kind and id ("article/12"), never by slug or headline.
    """
    return f"tag:{settings.FEED_ID_DOMAIN},{moment.astimezone(UTC):%Y-%m-%d}:{specific}"
