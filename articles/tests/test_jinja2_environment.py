"""The reader pages' Jinja2 environment (newsroom/jinja2.py) formats as Django's engine does."""

from datetime import UTC, datetime
from unittest import mock

import pytest
from django.template import defaultfilters, engines
from django.template.defaultfilters import date as django_date
from django.utils import timezone
from django.utils.safestring import mark_safe
from jinja2 import pass_context, runtime

MOMENT = datetime(2022, 2, 15, 23, 30, tzinfo=UTC)
FORMATS = [
    "c",
    "l, F j, Y, H:i T",
    "F j, Y",
    "N j, Y",
    "F Y",
    "Y",
    "aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ",
    r"\Y\e\a\r: Y, \\H",
]


def jinja(source, **context):
    return engines["jinja2"].from_string(source).render(context)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Tokyo"])
@pytest.mark.parametrize("format_string", FORMATS)
def test_date_filter_matches_djangos_in_the_sites_time_zone(
    settings, zone, format_string
):
    settings.TIME_ZONE = zone
    expected = django_date(timezone.localtime(MOMENT), format_string)
    assert jinja("{{ when|date(f) }}", when=MOMENT, f=format_string) == expected


def test_date_filter_formats_a_date_as_django_does_and_refuses_a_time_format():
    day = MOMENT.date()
    assert jinja("{{ when|date('D, F j') }}", when=day) == django_date(day, "D, F j")
    with pytest.raises(TypeError):
        jinja("{{ when|date('H:i') }}", when=day)


def test_date_filter_without_a_format_uses_date_format_and_leaves_nothing_for_none():
    assert jinja("{{ when|date }}", when=MOMENT) == django_date(MOMENT)
    assert jinja("{{ when|date('Y') }}", when=None) == ""


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Tokyo"])
def test_time_tag_is_a_time_element_of_the_two_dates_django_would_give(settings, zone):
    settings.TIME_ZONE = zone
    local = timezone.localtime(MOMENT)
    shown = jinja("{{ when|time_tag('l, F j, Y, H:i T') }}", when=MOMENT)
    assert shown == (
        f'<time datetime="{django_date(local, "c")}">'
        f"{django_date(local, 'l, F j, Y, H:i T')}</time>"
    )
    # The zone's own date: 23:30 UTC is already the next day in Tokyo.
    assert jinja("{{ when|time_tag('j') }}", when=MOMENT).endswith(
        f">{local.day}</time>"
    )


def test_time_tag_escapes_its_text_and_leaves_nothing_for_none():
    shown = jinja("{{ when|time_tag(f) }}", when=MOMENT, f=r"<\b>")
    assert shown.endswith(">&lt;b&gt;</time>")
    assert jinja("{{ when|time_tag('Y') }}", when=None) == ""


def test_static_and_address_give_what_django_gives():
    assert jinja("{{ static('css/site.css') }}").endswith("css/site.css")
    assert jinja("{{ address('articles:tag', 'nato') }}") == "/tags/nato/"


def test_output_is_escaped_and_safe_strings_are_not():
    from django.utils.safestring import mark_safe

    assert jinja("{{ s }}", s="<b>") == "&lt;b&gt;"
    assert jinja("{{ s }}", s=mark_safe("<b>")) == "<b>"


def test_static_follows_a_changed_static_url(settings):
    jinja("{{ static('css/site.css') }}")  # remembered under the old setting
    settings.STATIC_URL = "https://cdn.example/static/"
    assert jinja("{{ static('css/site.css') }}").startswith("https://cdn.example/")


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland"])
def test_now_shows_the_moment_in_the_sites_time_zone(settings, zone):
    settings.TIME_ZONE = zone
    moment = datetime(2025, 12, 31, 12, tzinfo=UTC)  # 2026 already in Auckland
    with mock.patch("django.utils.timezone.now", return_value=moment):
        shown = jinja('{{ now("Y-m-d H:i T") }}')
    assert shown == django_date(timezone.localtime(moment), "Y-m-d H:i T")
    assert (
        shown
        == {
            "UTC": "2025-12-31 12:00 UTC",
            "Pacific/Auckland": "2026-01-01 01:00 NZDT",
        }[zone]
    )


class Speaker:
    name = "Igor Konashenkov"

    def greeting(self, word, punctuation="."):
        return f"{word}, {self.name}{punctuation}"

    @pass_context
    def greeting_in(self, context, word):
        return f"{word}, {context['place']}"

    def stop(self):
        raise StopIteration


@pass_context
def place_from(context):
    return context["place"]


def test_templates_call_functions_and_methods_with_their_arguments():
    speaker = Speaker()
    shown = jinja(
        "{{ speaker.greeting('Hello') }} {{ speaker.greeting('Bye', punctuation='!') }}"
        " {{ upper('x') }}",
        speaker=speaker,
        upper=lambda text: text.upper(),
    )
    assert shown == "Hello, Igor Konashenkov. Bye, Igor Konashenkov! X"


CALLING_TEMPLATES = [
    "{{ place_from() }} {{ speaker.greeting_in('Hi') }}",
    "{% for place in ['Kyiv'] %}{{ place_from() }} {{ speaker.greeting_in('Hi') }}"
    " {{ loop.index }}{% endfor %}",
    "{% set place = 'Kyiv' %}{{ place_from() }} {{ speaker.greeting('Hi', '?') }}",
    "{% macro m(place) %}{{ place_from() }}{% endmacro %}{{ m('Kyiv') }}",
    "{{ speaker.greeting }}",
]


@pytest.mark.parametrize("source", CALLING_TEMPLATES)
def test_calls_give_what_jinja2s_own_context_gives(source):
    ours = engines["jinja2"].env
    stock = ours.overlay()
    stock.context_class = runtime.Context
    context = {"place": "Moscow", "place_from": place_from, "speaker": Speaker()}
    assert ours.context_class is not runtime.Context
    assert ours.from_string(source).render(context) == stock.from_string(source).render(
        context
    )


def test_a_call_that_raises_stopiteration_is_undefined_as_in_jinja2():
    assert jinja("{{ speaker.stop() is undefined }}", speaker=Speaker()) == "True"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "One",
        "“The numbers simply do not add up,” Karim Moreau said.",
        "a b c d e f g h i j k l m n",
        "  spaced\tout\nover   lines  and more words than twelve, one two three four ",
        "ends already with a b c d e f g h i j …  k l",
        mark_safe("<b>safe</b> words one two three four five six seven eight nine ten"),
        42,
    ],
)
@pytest.mark.parametrize("length", [12, 3, 1, 0, -1, "2", "x"])
def test_truncatewords_gives_what_djangos_filter_gives(value, length):
    ours = jinja("{{ value|truncatewords(length) }}", value=value, length=length)
    djangos = jinja(
        "{{ djangos(value, length) }}",
        value=value,
        length=length,
        djangos=defaultfilters.truncatewords,
    )
    assert ours == djangos
