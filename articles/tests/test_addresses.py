"""addresses.address(): reverse(), remembered per URLconf and script prefix."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from articles.addresses import address


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
