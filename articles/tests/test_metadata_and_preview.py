import io
import json
from pathlib import Path

import html5lib
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import _json_script_escapes
from django.utils.text import Truncator
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from articles.metadata import description_of, json_ld
from articles.models import Status
from articles.views import PublishedArticleMixin

from .factories import make_article, make_person, make_photo

pytestmark = pytest.mark.django_db

SEED_URL = "/2022/02/15/putin-ready-to-talk-with-nato-says-some-russian-troops-leaving-ukraine-border/"


def head_of(response):
    document = html5lib.parse(response.content.decode(), namespaceHTMLElements=False)
    metas = {}
    for meta in document.iter("meta"):
        key = meta.get("property") or meta.get("name")
        metas.setdefault(key, []).append(meta.get("content"))
    json_ld = [
        json.loads(s.text)
        for s in document.iter("script")
        if s.get("type") == "application/ld+json"
    ]
    canonical = [
        link.get("href")
        for link in document.iter("link")
        if link.get("rel") == "canonical"
    ]
    return metas, json_ld, canonical


def jpeg(width=1600, height=900, orientation=None):
    buffer = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation  # EXIF Orientation: browsers turn the photo
    Image.new("RGB", (width, height), "steelblue").save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


class TestStoryMetadata:
    def test_seed_story_carries_canonical_open_graph_and_twitter_tags(
        self, client, seed_story
    ):
        metas, _, canonical = head_of(client.get(SEED_URL))
        assert canonical == ["http://testserver" + SEED_URL]
        assert metas["og:type"] == ["article"]
        assert metas["og:title"] == [seed_story.headline]
        assert metas["og:description"][0].startswith(
            "Russian President Vladimir Putin announced on Tuesday"
        )
        assert metas["article:published_time"] == ["2022-02-15T12:00:00+00:00"]
        assert {"Russia", "Ukraine", "NATO"} <= set(metas["article:tag"])
        assert metas["twitter:card"] == ["summary"]  # no image file in the seed
        assert "og:image" not in metas

    def test_search_engines_may_show_a_story_photo_large(self, client, seed_story):
        # Google shows large previews (Discover, Top stories) only when allowed.
        metas, _, _ = head_of(client.get(SEED_URL))
        assert metas["robots"] == ["max-image-preview:large"]

    def test_news_article_json_ld_has_what_news_readers_need(self, client, seed_story):
        _, [data], _ = head_of(client.get(SEED_URL))
        assert (
            data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
        )
        for key in [
            "headline",
            "datePublished",
            "dateModified",
            "publisher",
            "mainEntityOfPage",
            "keywords",
        ]:
            assert data[key], key
        assert data["headline"] == seed_story.headline
        assert data["datePublished"] == "2022-02-15T12:00:00+00:00"
        assert data["mainEntityOfPage"]["@id"] == "http://testserver" + SEED_URL
        assert "author" not in data  # the wire copy names no byline
        assert data["sourceOrganization"]["name"] == "Tribune News Service"
        mentioned = {person["name"] for person in data["mentions"]}
        assert {
            "Vladimir Putin",
            "Olaf Scholz",
            "Sergei Shoigu",
            "Igor Konashenkov",
        } <= mentioned
        speakers = [quote["spokenByCharacter"]["name"] for quote in data["citation"]]
        assert speakers == ["Sergei Shoigu"] + ["Igor Konashenkov"] * 4
        assert "image" not in data

    def test_photo_with_a_file_gives_image_tags_and_a_credited_image_object(
        self, client
    ):
        photo = make_photo(
            photographer=make_person(name="Alexei Nikolsky"),
            agencies=["TASS", "TNS"],
            alt_text="Putin at a desk",
        )
        photo.image = jpeg()
        photo.save()
        story = make_article(lead_photo=photo)
        story.set_byline([make_person(name="Ann Lee")])
        metas, [data], _ = head_of(client.get(story.get_absolute_url()))
        # The widest rendition, which the page's figure shows too.
        [card] = metas["og:image"]
        assert card.startswith("http://testserver/media/renditions/photo-")
        assert card.endswith("/1600.jpg")
        assert metas["twitter:card"] == ["summary_large_image"]
        assert data["image"]["creditText"] == "Alexei Nikolsky/TASS/TNS"
        assert data["image"]["creator"] == {
            "@type": "Person",
            "name": "Alexei Nikolsky",
        }
        assert (data["image"]["width"], data["image"]["height"]) == (1600, 900)
        assert [author["name"] for author in data["author"]] == ["Ann Lee"]

    def test_seed_photo_is_credited_exactly_as_the_wire_credits_it(
        self, client, seed_story
    ):
        wire = (
            Path(settings.BASE_DIR) / "fixtures" / "wire" / "000_75c388e515c58762.txt"
        )
        headline_line = wire.read_text(encoding="utf-8").splitlines()[0]
        wire_credit = headline_line.rsplit("(", 1)[1].removesuffix(")")
        photo = seed_story.lead_photo
        photo.image = jpeg()
        photo.save()
        _, [data], _ = head_of(client.get(SEED_URL))
        assert data["image"]["creditText"] == wire_credit
        assert data["image"]["caption"] == "Russia's President Vladimir Putin."
        assert "author" not in data  # a photographer is not a byline

    def test_a_shared_story_card_knows_its_photos_size_before_fetching_it(self, client):
        # Facebook and LinkedIn draw the first share of a page from og:image's
        # declared size; without it the first card goes out with no picture.
        photo = make_photo(alt_text="Putin at a desk")
        photo.image = jpeg(1200, 630)
        photo.save()
        story = make_article(lead_photo=photo)
        metas, _, _ = head_of(client.get(story.get_absolute_url()))
        assert metas["og:image:width"] == ["1200"]
        assert metas["og:image:height"] == ["630"]
        assert metas["og:image:alt"] == ["Putin at a desk"]

    def test_a_camera_original_is_shared_as_a_picture_cards_accept(self, client):
        # X refuses card images over 4,096 pixels a side (or 5 MB), Facebook
        # over 8 MB: an agency or camera original left the card without one.
        photo = make_photo()
        photo.image = jpeg(4800, 3000)
        photo.save()
        story = make_article(lead_photo=photo)
        metas, _, _ = head_of(client.get(story.get_absolute_url()))
        [card] = metas["og:image"]
        assert metas["twitter:image"] == [card]
        assert card != "http://testserver" + photo.image.url
        with default_storage.open(card.split("/media/", 1)[1]) as stored:
            shown = Image.open(stored).size
        assert max(shown) <= 4096
        assert (metas["og:image:width"], metas["og:image:height"]) == (
            [str(shown[0])],
            [str(shown[1])],
        )

    def test_a_photo_taken_with_the_camera_turned_is_declared_upright(self, client):
        # Stored 1200 × 630 with "turn 90°" in its EXIF, as phones save a
        # portrait photo: browsers and card renderers show it 630 × 1200.
        photo = make_photo()
        photo.image = jpeg(1200, 630, orientation=6)
        photo.save()
        story = make_article(lead_photo=photo)
        metas, [data], _ = head_of(client.get(story.get_absolute_url()))
        assert metas["og:image:width"] == ["630"]
        assert metas["og:image:height"] == ["1200"]
        assert (data["image"]["width"], data["image"]["height"]) == (630, 1200)

    def test_json_ld_cannot_be_broken_out_of(self, client):
        story = make_article(
            headline="Breaking </script><script>alert(1)</script> news"
        )
        page = client.get(story.get_absolute_url()).content.decode()
        assert "<script>alert(1)" not in page
        _, [data], _ = head_of(client.get(story.get_absolute_url()))
        assert data["headline"] == "Breaking </script><script>alert(1)</script> news"


def test_json_ld_escapes_what_djangos_json_script_escapes():
    data = {"headline": "A & B </script><!-- é", "n": [1, True, None]}
    inner = json_ld(data).removeprefix('<script type="application/ld+json">')
    expected = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    assert inner.removesuffix("</script>") == expected.translate(_json_script_escapes)


def test_person_page_has_person_json_ld(client, seed_story):
    _, [data], canonical = head_of(client.get("/people/igor-konashenkov/"))
    assert canonical == ["http://testserver/people/igor-konashenkov/"]
    assert data["@type"] == "Person" and data["name"] == "Igor Konashenkov"
    assert data["honorificPrefix"] == "Maj. Gen."
    assert data["jobTitle"] == "spokesperson for the Russian Defense Ministry"
    assert data["worksFor"]["name"] == "Russian Defense Ministry"


def test_later_pages_of_a_person_are_their_own_canonical_pages(client, monkeypatch):
    # A canonical naming page 1 on page 2 tells search engines to drop page 2,
    # and with it the only crawlable path to the person's older stories.
    monkeypatch.setattr(PublishedArticleMixin, "paginate_by", 2)
    person = make_person(slug="ana-duarte")
    for _ in range(5):
        make_article().people.add(person)
    url = "/people/ana-duarte/"
    for query, expected in [({}, ""), ({"page": 1}, ""), ({"page": 2}, "?page=2")]:
        _, _, canonical = head_of(client.get(url, query))
        assert canonical == [f"http://testserver{url}{expected}"]
    _, _, canonical = head_of(client.get(url, {"page": "last"}))
    assert canonical == [f"http://testserver{url}?page=3"]


class TestStaffPreview:
    def test_staff_see_a_draft_marked_never_cached_and_noindexed(self, editor_client):
        draft = make_article(
            status=Status.DRAFT, published_at=None, headline="Embargoed story"
        )
        url = reverse("articles:preview", args=[draft.pk])
        assert Client().get(url).status_code == 404
        response = editor_client.get(url)
        assertContains(response, "Not published.")
        assertContains(
            response, '<meta name="robots" content="noindex, nofollow">', html=True
        )
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert (
            "no-cache" in response["Cache-Control"]
            and "private" in response["Cache-Control"]
        )
        _, _, canonical = head_of(response)
        assert canonical == []

    def test_a_dated_draft_previews_at_its_own_address_for_staff_only(
        self, editor_client
    ):
        draft = make_article(status=Status.DRAFT, headline="Dated draft")
        assert Client().get(draft.get_absolute_url()).status_code == 404
        assertContains(editor_client.get(draft.get_absolute_url()), "Not published.")

    def test_published_stories_are_not_marked_for_staff(
        self, editor_client, seed_story
    ):
        response = editor_client.get(SEED_URL)
        assertNotContains(response, "Not published.")
        assert "X-Robots-Tag" not in response
        preview = editor_client.get(reverse("articles:preview", args=[seed_story.pk]))
        assert preview.status_code == 302 and preview["Location"] == SEED_URL

    def test_admin_view_on_site_opens_the_preview_for_a_draft(self, editor_client):
        draft = make_article(status=Status.DRAFT, published_at=None)
        response = editor_client.get(
            reverse("admin:articles_article_change", args=[draft.pk])
        )
        assert response.context["original"] == draft
        preview_link = f'<a href="{reverse("articles:preview", args=[draft.pk])}" class="viewsitelink">'
        assert preview_link in response.content.decode()

    def test_reporters_without_change_permission_get_404(
        self, client, django_user_model
    ):
        from .conftest import make_staff

        client.force_login(make_staff(django_user_model, "guest", ["view_article"]))
        draft = make_article(status=Status.DRAFT, published_at=None)
        assert (
            client.get(reverse("articles:preview", args=[draft.pk])).status_code == 404
        )


def test_descriptions_and_snippets_show_entities_as_characters(client):
    story = make_article(headline="Smith sells", body="Smith &amp; Sons sold the mill.")
    metas, [data], _ = head_of(client.get(story.get_absolute_url()))
    assert metas["og:description"] == ["Smith & Sons sold the mill."]
    assert data["description"] == "Smith & Sons sold the mill."
    page = client.get("/search/", {"q": "amp"}).content.decode()
    assert "<mark>amp</mark>" not in page


@pytest.mark.parametrize(
    "dek",
    [
        "Short.",
        "x" * 300,
        "x" * 301,
        "e\u0301" * 200,  # NFC makes 200 characters of these 400
        "e\u0301" * 301,
        "y" * 299 + "\u0301" * 5,  # combining marks do not count towards the limit
    ],
)
def test_a_story_description_is_cut_as_djangos_truncator_cuts_it(dek):
    story = make_article(dek=dek)
    assert description_of(story) == Truncator(dek).chars(300)


def test_json_ld_is_written_as_the_standard_librarys_compact_json():
    from articles.metadata import json_ld

    data = {
        "headline": 'Путин: "NATO" — </script><!-- & \u2028\u2029 \x00\x1f\t\n',
        "count": 12345678901234,
        "free": True,
        "none": None,
        "nested": [{"é": "ü"}, [], {}],
    }
    expected = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, safe in (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026")):
        expected = expected.replace(raw, safe)
    script = str(json_ld(data))
    assert script == f'<script type="application/ld+json">{expected}</script>'
    assert json.loads(script.split(">", 1)[1].rsplit("<", 1)[0]) == data


class TestListPageMetadata:
    """Front, tag and person pages name themselves and make a social card."""

    def test_front_tag_and_person_pages_carry_canonical_and_open_graph(
        self, client, seed_story
    ):
        for path, kind, title, description in [
            ("/", "website", settings.SITE_NAME, "The latest stories from"),
            ("/tags/nato/", "website", "NATO", "Stories tagged NATO."),
            (
                "/people/vladimir-putin/",
                "profile",
                "Vladimir Putin",
                "Vladimir Putin, Russian President",
            ),
        ]:
            metas, _, canonical = head_of(client.get(path))
            assert canonical == ["http://testserver" + path], path
            assert metas["og:type"] == [kind], path
            assert metas["og:url"] == canonical, path
            assert metas["og:title"] == metas["twitter:title"] == [title], path
            assert metas["og:site_name"] == [settings.SITE_NAME], path
            assert metas["og:description"] == metas["description"], path
            assert metas["description"][0].startswith(description), path
            assert metas["twitter:card"] == ["summary"], path

    def test_a_later_page_names_itself(self, client):
        for _ in range(21):
            make_article().tags.add("Diplomacy")
        for path in ["/", "/tags/diplomacy/"]:
            metas, _, canonical = head_of(client.get(path, {"page": 2}))
            assert canonical == [f"http://testserver{path}?page=2"], path
            assert metas["og:url"] == canonical, path
