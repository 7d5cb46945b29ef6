"""addresses.address(): reverse(), remembered per URLconf and script prefix."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from articles import addresses
from articles.addresses import address
from articles.models import people

from .factories import make_person


def test_an_address_is_the_path_reverse_gives():
    assert address("articles:person", slug="jane-roe") == reverse(
        "articles:person", kwargs={"slug": "jane-roe"}
    )
    assert address("articles:tag", "budget") == reverse("articles:tag", args=["budget"])
    assert address("articles:front") == "/"


def test_a_site_served_under_a_prefix_gets_prefixed_addresses():
    assert address("articles:front") == "/"
    set_script_prefix("/news/")
    try:
        assert address("articles:front") == "/news/"
    finally:
        set_script_prefix("/")
    assert address("articles:front") == "/"


def test_an_unknown_name_fails_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        address("articles:nowhere")


@pytest.mark.django_db
def test_a_persons_address_is_worked_out_once_and_follows_a_new_slug(monkeypatch):
    person = make_person(name="Jane Roe", slug="jane-roe")
    calls = []
    monkeypatch.setattr(
        people, "address", lambda *a, **k: calls.append(k) or addresses.address(*a, **k)
    )
    assert [person.get_absolute_url() for _ in range(3)] == ["/people/jane-roe/"] * 3
    assert len(calls) == 1
    person.slug = "jane-roe-2"
    assert person.get_absolute_url() == "/people/jane-roe-2/"
    assert len(calls) == 2
