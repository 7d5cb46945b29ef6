import pytest

from articles.models import Quote
from articles.rendering import clean_with_nh3, render_body, sanitize

from .factories import make_article, make_person

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "<svg onload=alert(1)>",
    '<iframe src="https://example.com"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<em onclick="alert(1)">hi</em>',
    "<<script>script>alert(1)<</script>/script>",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_stored_markup_never_reaches_the_page_as_markup(payload):
    html = render_body(f"Before {payload} after.")
    for needle in [
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "<iframe",
        "<svg",
        "style=",
        "data:text",
    ]:
        assert needle not in html.lower()


def test_allowed_inline_markup_survives_with_safe_links():
    html = render_body('See <a href="https://example.com">the <em>report</em></a>.')
    assert (
        '<a href="https://example.com" rel="noopener noreferrer nofollow">the <em>report</em></a>'
        in html
    )


def test_each_line_is_a_paragraph_and_text_is_escaped():
    html = render_body("One & two\n\n\nThree < four")
    assert html == "<p>One &amp; two</p>\n<p>Three &lt; four</p>"


def test_a_quote_is_marked_with_its_speaker_and_loses_its_marks_to_the_element():
    speaker = make_person(name="Igor Konashenkov", slug="igor-konashenkov")
    story = make_article(
        body="“Almost all troops take part in them,” Konashenkov said."
    )
    quote = Quote.objects.create(
        article=story, speaker=speaker, text="Almost all troops take part in them,"
    )
    html = render_body(story.body, [quote])
    assert html == (
        f'<p><q id="quote-{quote.order}" class="quote" cite="/people/igor-konashenkov/" '
        'data-speaker="Igor Konashenkov">Almost all troops take part in them,</q> '
        "Konashenkov said.</p>"
    )


def test_a_quote_without_surrounding_marks_keeps_the_text_around_it():
    speaker = make_person()
    story = make_article(body="He called it “a deal that is done” on Monday.")
    quote = Quote.objects.create(article=story, speaker=speaker, text="a deal")
    html = render_body(story.body, [quote])
    assert "“<q " in html and "</q> that is done”" in html


def test_a_quote_with_markup_in_the_text_is_marked_and_escaped():
    speaker = make_person()
    story = make_article(body="“Fish & chips <b>now</b>,” he said.")
    quote = Quote.objects.create(article=story, speaker=speaker, text="Fish & chips")
    html = render_body(story.body, [quote])
    assert ">Fish &amp; chips</q> <b>now</b>" in html


def test_plain_text_is_sanitized_exactly_as_nh3_would():
    # sanitize() hands nh3 only text holding a character nh3 changes; every
    # other character of the Basic Multilingual Plane must come back as is.
    for start in range(0, 0x10000, 256):
        text = "".join(
            f"a{chr(point)}b"
            for point in range(start, start + 256)
            if not 0xD800 <= point < 0xE000
        )
        assert sanitize(text) == clean_with_nh3(text), hex(start)
    for text in ["AT&T", "a\u00a0b", "1 < 2", "a\rb", "a\x00b", "<b onclick=x>"]:
        assert sanitize(text) == clean_with_nh3(text) != text
