"""Every URL pattern, fed garbage: the answer is a 404 or a clean message, never a 500.

The patterns come from the resolver itself, so a URL added later is walked
without anyone editing this file. Each parameter of each pattern gets every
hostile value in turn (the others stay valid), and every pattern also gets
hostile query strings (page, p, q, o), as a reader and as a superuser.
"""

import re
from urllib.parse import quote

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLResolver, get_resolver

from articles.models import Article

pytestmark = pytest.mark.django_db

HOSTILE_VALUES = [
    "99999999999999999999999999",
    "9223372036854775808",
    "-1",
    "0",
    "00",
    "13",
    "31",
    "1000",
    "2999",
    "1.5",
    "Ωμέγα-ünïcödé",
    "%00",
    "a%00b",
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2f",
    "1' OR '1'='1",
    "1; DROP TABLE articles_article; --",
    "%E0%A4%A",
    "%ZZ%",
    "%F0%9F%92%A9",
    "null",
    "<script>alert(1)</script>",
    "a" * 3000,
]
# Page numbers and sort orders: the public pages' ?page=, the admin's ?p= and
# ?o=, the sitemaps' ?p=.
HOSTILE_NUMBERS = [
    "0",
    "-1",
    "99999999",
    "99999999999999999999999999",
    "abc",
    "1e999",
    "last",
    "\x00",
]
# Search terms. Sent URL-encoded by the test client: "\x00" arrives as %00.
HOSTILE_TERMS = [
    "\x00",
    "war\x00peace",
    "%00",
    "Ωμέγα ünï",
    "'; DROP TABLE x; --",
    '"unbalanced AND (OR NOT * -',
    "x" * 3000,
]
# One parameter at a time: a bad ?o= answered first would hide what ?q= does.
HOSTILE_QUERIES = [{"q": term} for term in HOSTILE_TERMS] + [
    {name: number} for name in ("page", "p", "o") for number in HOSTILE_NUMBERS
]
# A route parameter <conv:name> or <name>, or a regex group (?P<name>…).
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^()]*\)")


def routes(patterns=None, prefix=""):
    """Every pattern the resolver knows, as one route string with its prefixes."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        else:
            yield route


def parameters(route):
    return [m.group(1) or m.group(2) for m in PARAMETER.finditer(route)]


def build(route, values):
    """The path for route with each parameter replaced by its value."""
    path = PARAMETER.sub(lambda m: values[m.group(1) or m.group(2)], route)
    return "/" + path.replace("^", "").replace("$", "")


def samples(route, seed_story, superuser):
    """Values that make a valid path for route, so one bad part is tested at a time."""
    day = seed_story.publication_day
    slug = seed_story.slug
    if route.startswith("tags/"):
        slug = seed_story.tags.first().slug
    elif route.startswith("people/"):
        slug = seed_story.people.first().slug
    return {
        "year": f"{day.year:04d}",
        "month": f"{day.month:02d}",
        "day": f"{day.day:02d}",
        "slug": slug,
        "pk": str(seed_story.pk),
        "object_id": str(seed_story.pk),
        "id": str(superuser.pk),
        "content_type_id": str(ContentType.objects.get_for_model(Article).pk),
        "app_label": "articles",
        "section": "stories",
        "url": "nowhere/",
        "path": "photos/none.jpg",
    }


def hostile_requests(seed_story, superuser):
    """(path, query) pairs: each parameter hostile in turn, then hostile queries."""
    for route in routes():
        valid = samples(route, seed_story, superuser)
        for name in parameters(route):
            for value in HOSTILE_VALUES:
                yield build(route, {**valid, name: quote(value, safe="%/")}), {}
        path = build(route, valid)
        for query in HOSTILE_QUERIES:
            yield path, query


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(
        "chief", "chief@example.com", "correct horse battery staple"
    )


@pytest.mark.parametrize("who", ["reader", "superuser"])
def test_no_url_answers_hostile_values_with_a_server_error(
    client, seed_story, superuser, who
):
    if who == "superuser":
        client.force_login(superuser)
    before = Article.objects.count(), list(Article.objects.values())
    failures, statuses, tried = [], {}, 0
    for path, query in hostile_requests(seed_story, superuser):
        tried += 1
        try:
            response = client.get(path, query)
        except Exception as error:  # noqa: BLE001 - every crash is a finding
            failures.append(f"{path[:120]} {str(query)[:80]}: {error!r}"[:300])
            continue
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            failures.append(f"{path[:120]} {str(query)[:80]}: {response.status_code}")
    print(
        f"{who}: {tried} hostile requests over {len(list(routes()))} patterns: {statuses}"
    )
    assert tried > 1000
    assert failures == []
    # Nothing a GET did changed any story.
    assert (Article.objects.count(), list(Article.objects.values())) == before


def test_the_walk_covers_every_pattern_and_every_parameter():
    walked = list(routes())
    assert "<yyyy:year>/<mm:month>/<dd:day>/<slug:slug>/" in walked
    assert any("object_id" in route for route in walked)
    for route in walked:
        # A parameter this file cannot fill in would leave its pattern unwalked.
        assert "<" not in build(route, dict.fromkeys(parameters(route), "x")), route
