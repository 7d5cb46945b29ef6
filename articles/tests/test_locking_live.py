"""Two real requests at the same moment against a running server, on PostgreSQL.

SQLite takes one writer at a time for the whole file, so only PostgreSQL's row
locks show whether the check really happens inside the save's transaction.
"""

import http.client
import re
import threading
from functools import partial
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from articles.models import Agency, Article, Quote, StaleVersionError, Status

from .conftest import ALL_ARTICLES_PERMISSIONS, make_staff
from .factories import make_article, make_person
from .test_editor_admin import BODY, article_form

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's row locks and concurrent connections: "
        "run with DATABASE_URL=postgres://…",
    ),
]

ROUNDS = 3


def at_once(calls):
    """Run each call in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results = {}

    def run(name, call):
        barrier.wait()
        try:
            results[name] = call()
        except StaleVersionError:
            results[name] = "refused"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=[name, call]) for name, call in calls.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class Editor:
    """A browser stand-in: a session cookie, a CSRF token, raw HTTP."""

    def __init__(self, django_user_model, live_server, username, full_name):
        first, last = full_name.split()
        self.user = make_staff(django_user_model, username, ALL_ARTICLES_PERMISSIONS)
        self.user.first_name, self.user.last_name = first, last
        self.user.save()
        client = Client()
        client.force_login(self.user)
        self.cookies = {
            settings.SESSION_COOKIE_NAME: client.cookies[
                settings.SESSION_COOKIE_NAME
            ].value
        }
        self.address = urlsplit(live_server.url)

    def request(self, method, path, data=None):
        conn = http.client.HTTPConnection(self.address.hostname, self.address.port)
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        headers = {"Cookie": cookie}
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        conn.close()
        return response.status, text

    def open(self, path):
        status, page = self.request("GET", path)
        assert status == 200, page[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        version = re.search(r'name="base_version" value="(\d+)"', page)[1]
        quote_version = re.search(r'name="quotes-0-base_version" value="(\d+)"', page)
        return token, version, quote_version[1]


def test_two_simultaneous_saves_one_wins_one_is_told(live_server, django_user_model):
    story = make_article(body=BODY, slug="talks-to-begin", status=Status.DRAFT)
    story.tags.set(["Diplomacy", "NATO"])
    quote = Quote.objects.create(
        article=story, speaker=make_person(), text="We are ready to talk,"
    )
    editors = {
        "Ann Okafor": Editor(django_user_model, live_server, "ann", "Ann Okafor"),
        "Ben Lindqvist": Editor(django_user_model, live_server, "ben", "Ben Lindqvist"),
    }
    path = reverse("admin:articles_article_change", args=[story.pk])

    for round_ in range(ROUNDS):
        forms = {}
        for name, editor in editors.items():
            token, version, quote_version = editor.open(path)
            data = article_form(
                existing_quotes=[quote],
                slug=story.slug,
                body=f"{BODY}\n\nRound {round_}: {name} was here.",
                base_version=version,
                csrfmiddlewaretoken=token,
            )
            data["quotes-0-base_version"] = quote_version
            data["quotes-0-order"] = str(quote.order)
            forms[name] = data
        results = at_once(
            {
                name: partial(editors[name].request, "POST", path, forms[name])
                for name in editors
            }
        )

        statuses = sorted(status for status, _ in results.values())
        assert statuses == [200, 302], results
        (winner,) = [name for name, (status, _) in results.items() if status == 302]
        (loser,) = [name for name in editors if name != winner]
        refusal = results[loser][1]
        assert f"This article was changed by {winner} at " in refusal
        assert f"Round {round_}: {loser} was here." in refusal  # text kept
        saved = Article.objects.get(pk=story.pk)
        assert saved.body == f"{BODY}\n\nRound {round_}: {winner} was here."
        assert saved.changed_by.get_full_name() == winner
        assert saved.version == round_ + 2
        assert sorted(saved.tags.names()) == ["Diplomacy", "NATO"]
        assert list(saved.quotes.values_list("text", "order")) == [
            ("We are ready to talk,", 1)
        ]


@pytest.mark.parametrize("kind", ["agency", "tag"])
def test_two_simultaneous_renames_one_wins_one_is_told(
    live_server, django_user_model, kind
):
    if kind == "agency":
        record = Agency.objects.create(name="TASS")
    else:
        # No version column: only the row lock keeps the check and the write
        # of one save from interleaving with the other's.
        record = Tag.objects.create(name="Diplomacy", slug="diplomacy")
    editors = {
        "Ann Okafor": Editor(django_user_model, live_server, "ann", "Ann Okafor"),
        "Ben Lindqvist": Editor(django_user_model, live_server, "ben", "Ben Lindqvist"),
    }
    opts = record._meta
    path = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])

    for round_ in range(ROUNDS):
        forms = {}
        for name, editor in editors.items():
            status, page = editor.request("GET", path)
            assert status == 200, page[:500]
            forms[name] = {
                "csrfmiddlewaretoken": re.search(
                    r'name="csrfmiddlewaretoken" value="([^"]+)"', page
                )[1],
                "base_version": re.search(r'name="base_version" value="([^"]+)"', page)[
                    1
                ],
                "name": f"{name} round {round_}",
                "slug": f"{name.split()[0].lower()}-round-{round_}",
            }
        results = at_once(
            {
                name: partial(editors[name].request, "POST", path, forms[name])
                for name in editors
            }
        )

        statuses = sorted(status for status, _ in results.values())
        assert statuses == [200, 302], results
        (winner,) = [name for name, (status, _) in results.items() if status == 302]
        (loser,) = [name for name in editors if name != winner]
        refusal = results[loser][1]
        assert f"This {opts.verbose_name} was changed by {winner} at " in refusal
        assert f"{loser} round {round_}" in refusal  # text kept
        saved = type(record).objects.get(pk=record.pk)
        assert saved.name == f"{winner} round {round_}"


def test_two_simultaneous_model_saves_one_is_refused(transactional_db):
    story = make_article(status=Status.DRAFT)
    copies = {name: Article.objects.get(pk=story.pk) for name in ("first", "second")}
    for name, copy in copies.items():
        copy.headline = f"Saved by {name}"
    outcomes = at_once({name: copy.save for name, copy in copies.items()})

    assert sorted(outcomes.values(), key=str) == [None, "refused"]
    (winner,) = [name for name, outcome in outcomes.items() if outcome is None]
    saved = Article.objects.get(pk=story.pk)
    assert (saved.headline, saved.version) == (f"Saved by {winner}", 2)
