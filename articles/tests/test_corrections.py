"""Corrections: added to published stories, shown to readers, struck but never deleted."""

import json
import re
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from articles.models import (
    Article,
    Correction,
    CorrectionDeletionError,
    Quote,
    Status,
)

from .conftest import desk_member
from .factories import make_article
from .test_editor_admin import quote_form
from .test_fixtures import dump
from .test_metadata_and_preview import head_of
from .test_workflow import logged_in, workflow_form

pytestmark = pytest.mark.django_db


def record():
    return list(
        Correction.objects.order_by("pk").values_list(
            "pk", "text", "struck_at", "strike_note"
        )
    )


@pytest.fixture
def story():
    return make_article(quotes=2, published_at=timezone.now() - timedelta(days=2))


class TestAddCorrection:
    def test_a_correction_is_a_meaningful_update(self, story):
        correction = story.add_correction(
            "An earlier version misstated the date of the talks.",
            quote=story.quotes.first(),
        )
        story.refresh_from_db()
        assert story.updated_at == correction.published_at and story.was_updated
        assert story.modified_at == correction.published_at

    def test_one_dated_before_the_last_update_keeps_that_update(self, story):
        # Written up after a later edit, dated when the error was found: the
        # story still last changed at the edit, for readers, feeds and sitemaps.
        edited = timezone.now().replace(microsecond=0) - timedelta(hours=1)
        story.mark_updated(edited)
        story.add_correction("Misspelled a name.", when=edited - timedelta(hours=5))
        story.refresh_from_db()
        assert story.updated_at == story.modified_at == edited

    @pytest.mark.parametrize(
        "status, published_at",
        [
            (Status.DRAFT, None),
            (Status.SCHEDULED, timezone.now() + timedelta(days=1)),
        ],
    )
    def test_only_published_stories_take_corrections(self, status, published_at):
        draft = make_article(status=status, published_at=published_at)
        with pytest.raises(ValidationError, match="published stories"):
            draft.add_correction("Wrong.")
        assert Correction.objects.count() == 0
        assert Article.objects.get(pk=draft.pk).updated_at is None

    def test_a_quote_from_another_story_is_refused(self, story):
        other = make_article(quotes=1)
        with pytest.raises(ValidationError, match="quote from the story"):
            story.add_correction("Wrong.", quote=other.quotes.get())
        assert Correction.objects.count() == 0
        assert Article.objects.get(pk=story.pk).updated_at is None

    def test_two_in_one_second_get_a_clear_error(self, story):
        when = timezone.now()
        story.add_correction("First.", when=when)
        with pytest.raises(ValidationError, match="already exists"):
            story.add_correction("Second.", when=when.replace(microsecond=999))
        assert [c[1] for c in record()] == ["First."]


class TestNeverDeleted:
    def test_no_way_of_deleting_through_the_orm(self, story):
        correction = story.add_correction("Misspelled a name.")
        with pytest.raises(CorrectionDeletionError):
            correction.delete()
        with pytest.raises(CorrectionDeletionError):
            Correction.objects.all().delete()
        with pytest.raises(Exception, match="protected"):
            Article.objects.filter(pk=story.pk).delete()
        assert Correction.objects.count() == 1
        assert Article.objects.filter(pk=story.pk).exists()

    def test_nobody_may_delete_one_in_the_admin(self, story, admin_client):
        correction = story.add_correction("Misspelled a name.")
        before = record()
        url = reverse("admin:articles_correction_delete", args=[correction.pk])
        assert admin_client.post(url, {"post": "yes"}).status_code == 403
        changelist = reverse("admin:articles_correction_changelist")
        response = admin_client.post(
            changelist,
            {
                "action": "delete_selected",
                "_selected_action": [correction.pk],
                "post": "yes",
            },
        )
        assert response.status_code in (200, 302)
        assert record() == before

    def test_striking_keeps_it_on_the_record_with_its_note(self, story, desk_editor):
        correction = story.add_correction("The minister resigned on Monday.")
        url = reverse("admin:articles_correction_change", args=[correction.pk])
        client = logged_in(desk_editor)
        response = client.post(url, {"strike_note": ""})
        assert response.status_code == 200 and record()[0][2] is None
        response = client.post(url, {"strike_note": "She had not resigned."})
        assert response.status_code == 302
        correction.refresh_from_db()
        assert (
            correction.is_struck
            and correction.text == "The minister resigned on Monday."
        )
        page = Client().get(story.get_absolute_url()).content.decode()
        assert "<del>The minister resigned on Monday.</del>" in page
        assert "She had not resigned." in page
        # Struck once; the note cannot then be changed.
        client.post(url, {"strike_note": "Changed my mind."})
        correction.refresh_from_db()
        assert correction.strike_note == "She had not resigned."

    def test_a_second_strike_from_a_stale_page_is_refused(
        self, story, desk_editor, django_user_model
    ):
        correction = story.add_correction("The minister resigned on Monday.")
        url = reverse("admin:articles_correction_change", args=[correction.pk])
        first = logged_in(desk_editor)
        second = logged_in(desk_member(django_user_model, "ben", "Editor"))
        for client in (first, second):  # both open the page while it stands
            assert b'name="strike_note"' in client.get(url).content
        assert first.post(url, {"strike_note": "A"}).status_code == 302
        struck = record()
        response = second.post(url, {"strike_note": "B"}, follow=True)
        page = response.content.decode()
        assert "already struck" in page and "changed successfully" not in page
        when = timezone.localtime(Correction.objects.get().struck_at)
        assert f"{when:%H:%M:%S}" in page and "“A”" in page
        assert record() == struck and struck[0][3] == "A"


class TestStriking:
    def test_editor_who_strikes_one_is_recorded_and_shown_read_only(
        self, story, desk_editor, django_user_model
    ):
        correction = story.add_correction("The minister resigned on Monday.")
        url = reverse("admin:articles_correction_change", args=[correction.pk])
        client = logged_in(desk_editor)
        response = client.post(url, {"strike_note": "She had not resigned."})
        assert response.status_code == 302
        correction.refresh_from_db()
        assert correction.struck_by == desk_editor and correction.is_struck
        page = client.get(url)
        assert "struck_by" not in page.context["adminform"].form.fields
        user_page = reverse("admin:auth_user_change", args=[desk_editor.pk])
        assertContains(
            page,
            f'<div class="readonly"><a href="{user_page}">desk-editor</a></div>',
            html=True,
        )
        # A second note, sent anyway, changes nobody's record.
        other = logged_in(desk_member(django_user_model, "ben", "Editor"))
        other.post(url, {"strike_note": "Changed my mind."})
        assert Correction.objects.get().struck_by == desk_editor

    def test_striking_marks_the_story_updated_at_the_strike(self, story):
        correction = story.add_correction(
            "Misspelled a name.", when=timezone.now() - timedelta(days=1)
        )
        correction.strike("The name was right.")
        story.refresh_from_db()
        assert correction.struck_at is not None
        assert story.updated_at == story.modified_at == correction.struck_at

    def test_the_story_struck_from_stays_current_for_its_next_correction(self, story):
        story.add_correction(
            "Misspelled a name.", when=timezone.now() - timedelta(hours=1)
        )
        story.corrections.get().strike("The name was right.")
        struck_at = Correction.objects.get().struck_at
        assert story.updated_at == struck_at  # the caller's copy, as stored
        story.add_correction("Got the day wrong.")  # not refused as stale
        assert Correction.objects.count() == 2

    def test_a_story_saved_since_the_correction_was_read_still_takes_the_strike(
        self, story
    ):
        correction = story.add_correction("Misspelled a name.")
        elsewhere = Article.objects.get(pk=story.pk)
        elsewhere.dek = "A new dek."
        elsewhere.save()  # the story copy the correction holds is now behind
        correction.strike("The name was right.")
        saved = Article.objects.get(pk=story.pk)
        assert saved.dek == "A new dek." and saved.updated_at == correction.struck_at
        assert Correction.objects.get().is_struck


class TestEditorAddsCorrections:
    def test_editor_adds_one_inline_and_readers_see_it(self, story, desk_editor):
        when = timezone.localtime(story.published_at)
        data = workflow_form(
            headline=story.headline,
            slug=story.slug,
            body=story.body,
            dateline="",
            source="",
            tags="",
            status=Status.PUBLISHED,
            published_at_0=f"{when:%Y-%m-%d}",
            published_at_1=f"{when:%H:%M:%S}",
            **{
                "quotes-TOTAL_FORMS": "0",
                "corrections-TOTAL_FORMS": "1",
                "corrections-0-text": "The vote was 12 to 3, not 13 to 2.",
                "corrections-0-published_at_0": f"{timezone.localdate():%Y-%m-%d}",
                "corrections-0-published_at_1": "00:00:00",
                "corrections-0-quote": "",
            },
        )
        data["quotes-INITIAL_FORMS"] = "0"
        response = logged_in(desk_editor).post(
            reverse("admin:articles_article_change", args=[story.pk]), data
        )
        assert response.status_code == 302, response.context["errors"]
        correction = Correction.objects.get()
        story.refresh_from_db()
        assert story.updated_at == correction.published_at
        response = Client().get(story.get_absolute_url())
        page = response.content.decode()
        assert "The vote was 12 to 3, not 13 to 2." in page
        assert f'id="{correction.anchor}"' in page
        _, (news_article,), _ = head_of(response)
        assert [c["@type"] for c in news_article["correction"]] == ["CorrectionComment"]
        assert news_article["dateModified"] == correction.published_at.isoformat()

    def test_reporter_cannot_add_one(self, story, desk_reporter):
        client = logged_in(desk_reporter)
        response = client.post(
            reverse("admin:articles_correction_add"),
            {
                "article": story.pk,
                "text": "Sneaky.",
                "published_at_0": "",
                "published_at_1": "",
            },
        )
        assert response.status_code == 403
        assert Correction.objects.count() == 0


class TestCorrectionsPage:
    def test_lists_corrections_newest_first_with_their_stories_and_feed(
        self, story, client
    ):
        first = story.add_correction(
            "First fix.", when=timezone.now() - timedelta(hours=2)
        )
        story.add_correction("Second fix.", when=timezone.now() - timedelta(hours=1))
        first.strike("Not needed after all.")
        hidden = make_article(
            status=Status.DRAFT, published_at=timezone.now() - timedelta(days=3)
        )
        Correction.objects.create(article=hidden, text="On a story taken down.")

        response = client.get(reverse("articles:corrections"))
        page = response.content.decode()
        assert page.index("Second fix.") < page.index("First fix.")
        assert "Not needed after all." in page and story.headline in page
        assert "On a story taken down." not in page
        assert reverse("articles:corrections") in client.get("/").content.decode()

        feed = client.get(reverse("articles:corrections-feed")).content.decode()
        assert "Second fix." in feed and "Struck: Not needed after all." in feed
        assert "On a story taken down." not in feed

    def test_each_correction_leads_to_itself_on_its_story(self, story, client):
        # Corrections dated the same moment on two stories (the admin's time
        # field is whole seconds, often left at a round time) gave the page
        # two equal ids.
        other = make_article()
        when = timezone.now().replace(microsecond=0)
        corrections = [s.add_correction("A fix.", when=when) for s in (story, other)]
        page = client.get(reverse("articles:corrections")).content.decode()
        ids = re.findall(r' id="([^"]+)"', page)
        assert len(ids) == len(set(ids))
        for correction in corrections:
            assert f'href="{correction.get_absolute_url()}"' in page

    def test_a_strike_dates_the_corrections_feed(self, story, client):
        first = story.add_correction(
            "First fix.", when=timezone.now() - timedelta(hours=2)
        )
        story.add_correction("Second fix.", when=timezone.now() - timedelta(hours=1))
        first.strike("Not needed after all.")

        feed = client.get(reverse("articles:corrections-feed")).content.decode()
        built = re.search(r"<lastBuildDate>([^<]+)</lastBuildDate>", feed).group(1)
        assert parsedate_to_datetime(built) == first.struck_at

    def test_is_paginated_and_a_bad_page_is_404(self, story, client):
        start = story.published_at + timedelta(minutes=1)
        for n in range(31):
            story.add_correction(f"Fix {n}.", when=start + timedelta(minutes=n))
        url = reverse("articles:corrections")
        assert "Fix 30." in client.get(url).content.decode()
        assert "Fix 0." in client.get(url, {"page": 2}).content.decode()
        assert client.get(url, {"page": 3}).status_code == 404


class TestFixtures:
    def test_corrections_round_trip_with_natural_keys(self, seed_story, desk_editor):
        seed_story.add_correction(
            "An earlier version gave the wrong day.", quote=seed_story.quotes.first()
        )
        seed_story.corrections.get().strike("The day was right.", by=desk_editor)
        struck_at = Correction.objects.get().struck_at

        before = dump()
        rows = [
            row for row in json.loads(before) if row["model"] == "articles.correction"
        ]
        assert len(rows) == 1 and "pk" not in rows[0]
        # Who struck it is desk bookkeeping: the dump loads where nobody has
        # an account (as changed_by, test_fixtures.py).
        assert "struck_by" not in rows[0]["fields"]
        desk_editor.delete()
        # Only raw SQL can remove a correction, which is the point.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM articles_correction")
        Article.tags.through.objects.all().delete()
        Quote.objects.all().delete()
        Article.objects.all().delete()
        path = Path(settings.MEDIA_ROOT).parent / "dump.json"
        path.write_text(before, encoding="utf-8")
        call_command("loaddata", str(path), verbosity=0)
        call_command("loaddata", str(path), verbosity=0)  # twice changes nothing
        assert dump() == before
        correction = Correction.objects.get()
        assert correction.is_struck and correction.quote.order == 1
        assert correction.struck_at == struck_at  # to the second, as it was


class TestCorrectionAdmin:
    def add(self, client, story, text="The vote was 12 to 3."):
        now = timezone.localtime()
        return client.post(
            reverse("admin:articles_correction_add"),
            {
                "article": story.pk,
                "text": text,
                "quote": "",
                "published_at_0": f"{now:%Y-%m-%d}",
                "published_at_1": f"{now:%H:%M:%S}",
            },
        )

    def test_editor_adds_one_to_a_published_story(self, story, desk_editor):
        response = self.add(logged_in(desk_editor), story)
        assert response.status_code == 302
        correction = Correction.objects.get()
        assert Article.objects.get(pk=story.pk).updated_at == correction.published_at

    def test_the_add_forms_offer_only_what_is_saved(self, story, desk_editor):
        """A correction is struck on its own page once printed, never as it is added."""
        client = logged_in(desk_editor)
        add_page = client.get(reverse("admin:articles_correction_add"))
        assert set(add_page.context["adminform"].form.fields) == {
            "article",
            "published_at",
            "text",
            "quote",
        }
        assert b'name="strike_note"' not in add_page.content
        story_page = client.get(
            reverse("admin:articles_article_change", args=[story.pk])
        )
        (inline,) = [
            inline.formset
            for inline in story_page.context["inline_admin_formsets"]
            if inline.formset.prefix == "corrections"
        ]
        assert set(inline.empty_form.fields) == {
            "id",
            "article",
            "published_at",
            "text",
            "quote",
        }
        assert b'name="corrections-__prefix__-strike_note"' not in story_page.content

    def test_adding_one_leaves_it_standing_with_its_text(self, story, desk_editor):
        response = self.add(logged_in(desk_editor), story, text="The vote was 12.")
        assert response.status_code == 302
        assert [row[1:] for row in record()] == [("The vote was 12.", None, "")]

    def test_a_draft_is_refused_with_a_clear_error(self, desk_editor):
        draft = make_article(status=Status.DRAFT, published_at=None)
        response = self.add(logged_in(desk_editor), draft)
        assert response.status_code == 200
        assert b"Corrections are added to published stories." in response.content
        assert Correction.objects.count() == 0


def test_reporter_cannot_change_quotes_of_a_published_story(desk_reporter):
    story = make_article(quotes=1)
    quote = story.quotes.get()
    response = logged_in(desk_reporter).post(
        reverse("admin:articles_quote_change", args=[quote.pk]),
        {
            "article": story.pk,
            "speaker": quote.speaker_id,
            "text": "Changed,",
            "order": 1,
        },
    )
    assert response.status_code == 403
    assert Quote.objects.get(pk=quote.pk).text == quote.text


def test_feeds_sitemaps_and_json_ld_date_a_story_by_its_correction(
    client, seed_story, django_capture_on_commit_callbacks
):
    def modified():
        response = client.get(seed_story.get_absolute_url())
        _, (news_article,), _ = head_of(response)
        sitemap = client.get("/sitemap-stories.xml").content.decode()
        atom = client.get(reverse("articles:feed-atom")).content.decode()
        return response.content.decode(), news_article, sitemap, atom

    page, news_article, sitemap, atom = modified()
    assert news_article["dateModified"] == "2022-02-15T12:00:00+00:00"
    assert "<lastmod>2022-02-15T12:00:00+00:00</lastmod>" in sitemap
    assert "<updated>2022-02-15T12:00:00+00:00</updated>" in atom

    when = timezone.now().replace(microsecond=0) - timedelta(days=1)
    # Committing refreshes the cached pages (the test's transaction never commits).
    with django_capture_on_commit_callbacks(execute=True):
        seed_story.add_correction("An earlier version misspelled a name.", when=when)
    page, news_article, sitemap, atom = modified()
    assert news_article["dateModified"] == when.isoformat()
    assert f"<lastmod>{when.isoformat()}</lastmod>" in sitemap
    assert f"<updated>{when.isoformat()}</updated>" in atom
    assert "updated <time" in page


def test_striking_one_dates_the_story_anew_and_refreshes_cached_pages(
    client, seed_story, desk_editor, django_capture_on_commit_callbacks
):
    def reader_sees():
        response = client.get(seed_story.get_absolute_url())
        _, (news_article,), _ = head_of(response)
        sitemap = client.get("/sitemap-stories.xml").content.decode()
        atom = client.get(reverse("articles:feed-atom")).content.decode()
        return response.content.decode(), news_article, sitemap, atom

    added = timezone.now().replace(microsecond=0) - timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        correction = seed_story.add_correction("The talks were on Tuesday.", when=added)
    page, news_article, sitemap, atom = reader_sees()
    assert client.get(seed_story.get_absolute_url())["X-Page-Cache"] == "hit"
    assert news_article["dateModified"] == added.isoformat()
    assert [c["text"] for c in news_article["correction"]] == [
        "The talks were on Tuesday."
    ]

    url = reverse("admin:articles_correction_change", args=[correction.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(desk_editor).post(
            url, {"strike_note": "They were on Monday, as first reported."}
        )
    assert response.status_code == 302
    struck_at = Correction.objects.get().struck_at
    assert Article.objects.get(pk=seed_story.pk).updated_at == struck_at

    assert client.get(seed_story.get_absolute_url())["X-Page-Cache"] == "miss"
    page, news_article, sitemap, atom = reader_sees()
    assert "<del>The talks were on Tuesday.</del>" in page
    assert "They were on Monday, as first reported." in page
    assert "correction" not in news_article
    assert news_article["dateModified"] == struck_at.isoformat()
    assert f"<lastmod>{struck_at.isoformat()}</lastmod>" in sitemap
    assert f"<updated>{struck_at.isoformat()}</updated>" in atom


class TestACorrectedQuoteStays:
    def test_its_story_page_cannot_delete_it(self, story, desk_editor):
        quote = story.quotes.order_by("order").first()
        story.add_correction("An earlier version misquoted the minister.", quote=quote)
        story.refresh_from_db()
        quotes = list(story.quotes.order_by("order"))
        data = workflow_form(
            headline=story.headline,
            slug=story.slug,
            body=story.body,
            tags="",
            status=story.status,
            published_at_0=f"{timezone.localtime(story.published_at):%Y-%m-%d}",
            published_at_1=f"{timezone.localtime(story.published_at):%H:%M:%S}",
            base_version=str(story.version),
            **{
                "quotes-TOTAL_FORMS": str(len(quotes)),
                "quotes-INITIAL_FORMS": str(len(quotes)),
            },
        )
        for i, row in enumerate(quotes):
            data.update(
                {
                    f"quotes-{i}-id": str(row.pk),
                    f"quotes-{i}-text": row.text,
                    f"quotes-{i}-speaker": str(row.speaker_id),
                    f"quotes-{i}-context": row.context,
                    f"quotes-{i}-order": str(row.order),
                    f"quotes-{i}-base_version": str(row.version),
                }
            )
        data["quotes-0-DELETE"] = "on"
        before = (record(), list(story.quotes.values_list("pk", "text")))
        response = logged_in(desk_editor).post(
            reverse("admin:articles_article_change", args=[story.pk]), data
        )
        assert response.status_code == 200
        assert "cannot be deleted: the correction of" in response.content.decode()
        assert (record(), list(story.quotes.values_list("pk", "text"))) == before

    def test_its_own_delete_page_lists_the_correction_and_deletes_nothing(
        self, story, desk_editor
    ):
        quote = story.quotes.order_by("order").first()
        correction = story.add_correction("An earlier version misquoted.", quote=quote)
        client = logged_in(desk_editor)
        url = reverse("admin:articles_quote_delete", args=[quote.pk])
        page = client.get(url).content.decode()
        assert "protected" in page and str(correction)[:40] in page
        client.post(url, {"post": "yes"})
        assert Correction.objects.get(pk=correction.pk).quote_id == quote.pk

    def test_its_own_page_cannot_move_it_to_another_story(self, story, desk_editor):
        quote = story.quotes.order_by("order").first()
        correction = story.add_correction("An earlier version misquoted.", quote=quote)
        other = make_article(body=f"“{quote.text}” the minister said.")
        before = (
            record(),
            list(Quote.objects.order_by("pk").values_list("pk", "article", "order")),
        )
        response = logged_in(desk_editor).post(
            reverse("admin:articles_quote_change", args=[quote.pk]),
            quote_form(quote, article=str(other.pk), context="", order=""),
        )
        # Moved, the quote left the correction naming a quote of another story.
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["article"] == [
            f"The correction of {correction.published_at:%Y-%m-%d} to "
            f"“{story.headline}” names this quote, and corrections stay on the "
            "record: it stays in that story."
        ]
        assert (
            record(),
            list(Quote.objects.order_by("pk").values_list("pk", "article", "order")),
        ) == before
