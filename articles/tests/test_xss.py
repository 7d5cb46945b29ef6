"""Hostile markup in every field editors and readers can fill in.

Each payload of data/xss_payloads.txt goes into a story's headline, dek, body,
dateline, quote, photo caption and alt text, a person's name, honorific, role,
organization and bio, a tag name and a search query. The story, tag, person
and search pages and the feeds are then parsed as a browser (or feed reader)
would, and a payload "survives" if anything it could run is found: a script
element, an on* handler, a javascript:/vbscript:/data: URL, a style attribute,
or an element that embeds or redirects. The figures go to
test-artifacts/xss_report.txt.
"""

import json
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import html5lib
import pytest
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Person, PhotoCredit, Quote, Status
from articles.rendering import clean_body, sanitize

pytestmark = pytest.mark.django_db

HERE = Path(__file__).resolve().parent
PAYLOADS = [
    line
    for line in (HERE / "data/xss_payloads.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]
ARTIFACTS = HERE.parents[1] / "test-artifacts"

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "codebase",
    "srcdoc",
    "dynsrc",
    "lowsrc",
    "ping",
    "to",
    "values",
}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
EMBEDDING_ELEMENTS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "portal",
    "svg",
    "math",
    "base",
    "style",
    "template",
}


def local(name):
    return name.rsplit("}", 1)[-1].lower()


def is_dangerous_url(value):
    # Browsers drop whitespace and control characters inside a scheme.
    squashed = "".join(ch for ch in value if ord(ch) > 0x20).lower()
    return squashed.startswith(DANGEROUS_SCHEMES)


def hazards(document):
    """What in a parsed document could run script or pull in foreign content."""
    found = []
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue  # a comment
        tag = local(element.tag)
        if tag == "script":
            if element.get("type") != "application/ld+json":
                found.append("script element")
            else:
                try:
                    json.loads(element.text or "")
                except ValueError:
                    found.append("JSON-LD broken open")
        if tag in EMBEDDING_ELEMENTS:
            found.append(f"<{tag}> element")
        if tag == "meta" and element.get("http-equiv"):
            found.append("meta http-equiv")
        if tag == "link" and "import" in (element.get("rel") or "").lower():
            found.append("link rel=import")
        for name, value in element.attrib.items():
            name = local(name)
            if name.startswith("on"):
                found.append(f"{name} handler on <{tag}>")
            elif name == "style":
                found.append(f"style attribute on <{tag}>")
            elif name in URL_ATTRIBUTES and is_dangerous_url(value):
                found.append(f"{name}={value[:30]!r} on <{tag}>")
            elif name in {"srcset", "imagesrcset"} and any(
                is_dangerous_url(candidate.strip()) for candidate in value.split(",")
            ):
                found.append(f"{name} URL on <{tag}>")
    return found


def html_hazards(markup):
    return hazards(html5lib.parse(markup, namespaceHTMLElements=False))


def feed_hazards(xml):
    # Readers render titles, descriptions and summaries as HTML: check them so.
    root = ET.fromstring(xml)
    found = []
    for element in root.iter():
        if local(element.tag) in {"title", "description", "summary", "subtitle"}:
            found += html_hazards(element.text or "")
    return found


def plant(index, payload):
    """A published story carrying payload in every field a reader may see."""
    person = Person.objects.create(
        name=payload[:200],
        slug=f"person-{index}",
        honorific=payload[:50],
        role=payload[:300],
        organization=payload[:200],
        bio=payload,
    )
    photo = PhotoCredit.objects.create(
        slug=f"photo-{index}",
        caption=payload,
        alt_text=payload[:300],
        photographer=person,
    )
    said = f"Plain words number {index} were said today"
    article = Article.objects.create(
        headline=payload[:300],
        slug=f"story-{index}",
        dek=payload,
        dateline=payload[:100],
        body=f"Lead paragraph {index}: {payload}\n“{said},” {payload} said.",
        source=payload[:200],
        lead_photo=photo,
        status=Status.PUBLISHED,
        published_at=timezone.now() - timedelta(minutes=index + 1),
    )
    article.set_byline([person])
    article.people.add(person)
    article.tags.add(f"t{index} {payload}"[:100])
    # Created directly, as loaddata would: the verbatim check is not run.
    Quote.objects.create(
        article=article, speaker=person, text=payload, context=payload[:300], order=1
    )
    Quote.objects.create(article=article, speaker=person, text=said, order=2)
    tag = Tag.objects.get(name__iexact=f"t{index} {payload}"[:100])
    return article, person, tag


def test_the_corpus_is_hostile_by_the_same_measure():
    # Guards the detector itself: raw, most payloads are caught by it. The
    # rest are encoded variants that only turn hostile if something decodes them.
    flagged = [payload for payload in PAYLOADS if html_hazards(payload)]
    assert len(PAYLOADS) >= 100
    assert len(flagged) >= 0.85 * len(PAYLOADS), len(flagged)


def test_no_payload_survives_on_any_page_or_feed(client):
    tried, survived = 0, Counter()
    where = {}
    for index, payload in enumerate(PAYLOADS):
        article, person, tag = plant(index, payload)
        pages = {
            "story": article.get_absolute_url(),
            "tag": reverse("articles:tag", kwargs={"slug": tag.slug}),
            "person": person.get_absolute_url(),
            "search": reverse("articles:search") + "?" + urlencode({"q": payload}),
            "search hit": f"/search/?q=Lead+paragraph+{index}",
        }
        feeds = {
            "tag feed": reverse("articles:tag-feed", kwargs={"slug": tag.slug}),
            "person feed": reverse(
                "articles:person-feed", kwargs={"slug": person.slug}
            ),
        }
        tried += 1
        for name, url in pages.items():
            response = client.get(url)
            assert response.status_code == 200, (name, payload)
            document = html5lib.parse(response.content, namespaceHTMLElements=False)
            if name == "story":
                # The payload did reach the page, as the text it is.
                headline = "".join(document.find(".//h1").itertext())
                assert headline == payload[:300], payload
            found = hazards(document)
            if found:
                survived[name] += 1
                where.setdefault(payload, []).append((name, found))
        for name, url in feeds.items():
            response = client.get(url)
            assert response.status_code == 200, (name, payload)
            found = feed_hazards(response.content)
            if found:
                survived[name] += 1
                where.setdefault(payload, []).append((name, found))
    for name, url in {
        "front": "/",
        "feed": "/feeds/latest/",
        "atom": "/feeds/latest/atom/",
    }.items():
        response = client.get(url)
        found = (
            html_hazards(response.content)
            if name == "front"
            else feed_hazards(response.content)
        )
        if found:
            survived[name] += 1
            where.setdefault(f"({name} page)", []).append((name, found))

    report = [
        f"payloads tried: {tried}",
        f"payloads surviving anywhere: {len(where)}",
        "outputs checked per payload: story, tag, person, search, search hit, "
        "tag feed, person feed; then front page, RSS and Atom with all of them",
    ] + [f"  survived on {name}: {count}" for name, count in sorted(survived.items())]
    report += [f"SURVIVED {payload!r}: {found}" for payload, found in where.items()]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "xss_report.txt").write_text("\n".join(report) + "\n")
    print("\n".join(report))
    assert tried == len(PAYLOADS) >= 100
    assert where == {}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_saved_body_holds_no_disallowed_markup_and_renders_the_same(payload):
    body = f"Before {payload} after.\n<em>Kept</em> & “quoted,” he said."
    article = Article.objects.create(headline="H", slug="h", body=body)
    stored = Article.objects.get(pk=article.pk).body
    assert html_hazards(stored) == []
    # Rendering sees the same text either way.
    assert [sanitize(line) for line in stored.splitlines()] == [
        sanitize(line) for line in body.splitlines()
    ]
    assert clean_body(stored) == stored  # a second save changes nothing


def test_harmless_text_is_stored_exactly_as_the_editor_typed_it():
    body = (
        "AT&T said 5 > 3 and 2 < 4 — “fine,” she said.\n"
        '<a href="https://example.com/">A link</a>, <em>emphasis</em> &amp; <abbr title="x">X</abbr>\n'
        "\n"
        "Non-breaking\u00a0space, &nbsp; entity & <b>closed bold</b>"
    )
    article = Article.objects.create(headline="H", slug="h", body=body)
    assert Article.objects.get(pk=article.pk).body == body


def test_an_unclosed_tag_is_closed_so_it_cannot_run_into_the_next_paragraph():
    body = "An <b>unclosed bold\nA <a href='https://example.com/' title='x\nNext line."
    article = Article.objects.create(headline="H", slug="h", body=body)
    assert Article.objects.get(pk=article.pk).body == (
        "An <b>unclosed bold</b>\nA \nNext line."
    )


def test_the_seed_story_is_unchanged_by_a_save(seed_story):
    before = seed_story.body
    seed_story.save()
    seed_story.refresh_from_db()
    assert seed_story.body == before


def test_a_quote_next_to_hostile_markup_still_passes_the_verbatim_check():
    article = Article.objects.create(
        headline="H",
        slug="h",
        body="<img src=x onerror=alert(1)>“We will talk,” he said. <script>x()</script>",
    )
    assert "onerror" not in article.body and "<script" not in article.body
    speaker = Person.objects.create(name="A Speaker", slug="a-speaker")
    quote = Quote(article=article, speaker=speaker, text="We will talk,")
    quote.full_clean()
