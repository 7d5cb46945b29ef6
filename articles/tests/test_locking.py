"""No lost updates: two editors, one story; the second save from a stale form is refused."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.conflicts import describe_change
from articles.models import (
    Agency,
    Article,
    ArticleAuthor,
    Person,
    PhotoCredit,
    Quote,
    StaleVersionError,
    Status,
)

from .conftest import ALL_ARTICLES_PERMISSIONS, make_staff
from .factories import make_article, make_person, make_photo
from .test_editor_admin import BODY, article_form, quote_form

pytestmark = pytest.mark.django_db

WORDS = "We are ready to talk,"
REFUSED = "so your save was refused and nothing was written"


def staff_client(django_user_model, username, first, last):
    user = make_staff(django_user_model, username, ALL_ARTICLES_PERMISSIONS)
    user.first_name, user.last_name = first, last
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ann(django_user_model):
    return staff_client(django_user_model, "ann", "Ann", "Okafor")


@pytest.fixture
def ben(django_user_model):
    return staff_client(django_user_model, "ben", "Ben", "Lindqvist")


@pytest.fixture
def story():
    story = make_article(body=BODY, slug="talks-to-begin", status=Status.DRAFT)
    story.tags.set(["Diplomacy", "NATO"])
    Quote.objects.create(article=story, speaker=make_person(), text=WORDS)
    return Article.objects.get(pk=story.pk)


def change_url(row):
    return reverse(f"admin:articles_{row._meta.model_name}_change", args=[row.pk])


def open_form(client, story):
    """GET the change form as an editor does; returns the POST data it would send."""
    response = client.get(change_url(story))
    assert response.status_code == 200
    form = response.context["adminform"].form
    inlines = {
        inline.formset.prefix: inline.formset
        for inline in response.context["inline_admin_formsets"]
    }
    quotes = inlines["quotes"]
    existing = [row.instance for row in quotes.initial_forms]
    data = article_form(
        existing_quotes=existing,
        authors=[row.instance for row in inlines["author_links"].initial_forms],
        headline=story.headline,
        slug=story.slug,
        body=story.body,
        tags=", ".join(sorted(story.tags.names())),
        base_version=str(form["base_version"].value()),
    )
    for i, row in enumerate(quotes.initial_forms):
        data[f"quotes-{i}-base_version"] = str(row["base_version"].value())
        data[f"quotes-{i}-order"] = str(row.instance.order)
    return data


def byline(story):
    """The story's byline rows as stored: each author and place, in order."""
    return list(
        ArticleAuthor.objects.filter(article=story).values_list(
            "person__name", "position"
        )
    )


def snapshot(story):
    """Everything a save could touch: the story, its tags and its quotes."""
    story = Article.objects.get(pk=story.pk)
    return (
        Article.objects.filter(pk=story.pk)
        .values("headline", "body", "status", "version", "changed_by", "changed_at")
        .get(),
        sorted(story.tags.names()),
        list(
            story.quotes.values_list("text", "context", "speaker", "order", "version")
        ),
    )


class TestTwoEditors:
    def test_stale_save_is_refused_with_who_and_when_and_keeps_the_text(
        self, ann, ben, story
    ):
        ann_data, ben_data = open_form(ann, story), open_form(ben, story)
        ann_data.update(body=BODY + "\n\nTalks begin at noon.")
        ann_data["quotes-0-context"] = "press conference"
        assert ann.post(change_url(story), ann_data).status_code == 302
        after_ann = snapshot(story)

        ben_body = BODY + "\n\nThe talks were postponed."
        ben_data.update(body=ben_body, headline="Talks postponed", tags="Geneva")
        response = ben.post(change_url(story), ben_data)

        assert response.status_code == 200
        saved = Article.objects.get(pk=story.pk)
        assertContains(
            response, f"This article was changed by {describe_change(saved)}"
        )
        assert "Ann Okafor at " in describe_change(saved)
        assertContains(response, REFUSED)
        form = response.context["adminform"].form
        assert form["body"].value() == ben_body
        assert form["headline"].value() == "Talks postponed"
        # What is saved now stands beside each field that differs.
        assert form.errors["body"] == [
            f"Saved meanwhile by {describe_change(saved)}: “{saved.body}”"
        ]
        assert "“Diplomacy, NATO”" in form.errors["tags"][0]
        assertContains(response, "This quote was changed by Ann Okafor")
        assert snapshot(story) == after_ann

    def test_the_refused_editor_can_merge_and_save_again(self, ann, ben, story):
        ann_data, ben_data = open_form(ann, story), open_form(ben, story)
        ann_data.update(headline="Talks begin on Tuesday")
        assert ann.post(change_url(story), ann_data).status_code == 302
        ben_data.update(body=BODY + "\n\nThe talks were postponed.")
        refused = ben.post(change_url(story), ben_data)
        assert refused.status_code == 200

        # The page now carries the version it showed; Ben keeps Ann's headline.
        form = refused.context["adminform"].form
        merged = {**ben_data, "headline": "Talks begin on Tuesday"}
        merged["base_version"] = str(form["base_version"].value())
        (quotes,) = [
            inline
            for inline in refused.context["inline_admin_formsets"]
            if inline.formset.prefix == "quotes"
        ]
        merged["quotes-0-base_version"] = str(
            quotes.formset.forms[0]["base_version"].value()
        )
        assert ben.post(change_url(story), merged).status_code == 302
        saved = Article.objects.get(pk=story.pk)
        assert (saved.headline, saved.body) == (
            "Talks begin on Tuesday",
            BODY + "\n\nThe talks were postponed.",
        )
        assert saved.changed_by.username == "ben"

    def test_a_quote_changed_elsewhere_refuses_the_stale_inline_row(
        self, ann, ben, story
    ):
        ben_data = open_form(ben, story)
        quote = story.quotes.get()
        response = ann.post(
            change_url(quote),
            {
                "article": story.pk,
                "speaker": quote.speaker_id,
                "text": WORDS,
                "context": "press conference",
                "order": quote.order,
                "base_version": quote.version,
            },
        )
        assert response.status_code == 302
        before = snapshot(story)

        ben_data["quotes-0-context"] = "interview"
        response = ben.post(change_url(story), ben_data)
        assert response.status_code == 200
        assertContains(response, "This quote was changed by Ann Okafor")
        assertContains(response, "Saved meanwhile by Ann Okafor")
        assert snapshot(story) == before
        assert story.quotes.get().context == "press conference"

    def test_deleting_a_quote_changed_elsewhere_is_refused(self, ann, ben, story):
        ben_data = open_form(ben, story)
        quote = story.quotes.get()
        quote.context, quote.changed_by = "press conference", None
        quote.save()
        before = snapshot(story)

        ben_data["quotes-0-DELETE"] = "on"
        response = ben.post(change_url(story), ben_data)
        assert response.status_code == 200
        assertContains(response, "so it was not deleted and nothing was written")
        assert snapshot(story) == before

    def open_delete_page(self, client, row):
        """GET the row's delete page; returns its URL and the POST it would send."""
        url = reverse(f"admin:articles_{row._meta.model_name}_delete", args=[row.pk])
        page = client.get(url)
        assertContains(
            page,
            f'<input type="hidden" name="base_version" value="{row.version}">',
            html=True,
        )
        return url, {"post": "yes", "base_version": str(row.version)}

    @pytest.mark.parametrize("kind", ["story", "person", "photo credit", "agency"])
    def test_a_row_changed_after_its_delete_page_opened_is_not_deleted(
        self, ann, ben, story, kind
    ):
        row = {
            "story": story,
            "person": make_person(),  # in no story: nothing protects it
            "photo credit": make_photo(),
            "agency": Agency.objects.create(name="TASS"),  # in no credit line
        }[kind]
        url, confirm = self.open_delete_page(ben, row)
        model = type(row)
        # Ann's save, as her change form does it.
        saved = model.objects.get(pk=row.pk)
        if kind == "story":
            saved.dek = "Ann's new dek"
        elif kind == "person":
            saved.bio = "Ann's new biography"
        elif kind == "agency":
            saved.name = "TASS news agency"
        else:
            saved.alt_text = "Ann's new alt text"
        saved.save()
        before = (
            list(model.objects.filter(pk=row.pk).values()),
            Quote.objects.count(),
            LogEntry.objects.count(),
        )

        response = ben.post(url, confirm, follow=True)

        assert response.redirect_chain == [(change_url(row), 302)]
        assertContains(response, "so it was not deleted and nothing was written")
        assert (
            list(model.objects.filter(pk=row.pk).values()),
            Quote.objects.count(),
            LogEntry.objects.count(),
        ) == before

    @pytest.mark.parametrize("kind", ["story", "person", "photo credit", "agency"])
    def test_a_row_unchanged_since_its_delete_page_opened_is_deleted(
        self, ben, story, kind
    ):
        row = {
            "story": story,
            "person": make_person(),
            "photo credit": make_photo(),
            "agency": Agency.objects.create(name="TASS"),
        }[kind]
        url, confirm = self.open_delete_page(ben, row)
        assert ben.post(url, confirm).status_code == 302
        assert not type(row).objects.filter(pk=row.pk).exists()

    def test_a_quote_changed_after_its_delete_page_opened_is_not_deleted(
        self, ann, ben, story
    ):
        quote = story.quotes.get()
        url, confirm = self.open_delete_page(ben, quote)
        ann.post(change_url(quote), quote_form(quote, context="press conference"))
        before = (snapshot(story), LogEntry.objects.count())
        assert before[0][2][0][1] == "press conference"  # Ann's edit was saved
        response = ben.post(url, confirm, follow=True)
        assert response.redirect_chain == [(change_url(quote), 302)]
        assertContains(
            response,
            f"Quote {quote} was changed by Ann Okafor at ",
        )
        assertContains(response, "so it was not deleted and nothing was written")
        assert (snapshot(story), LogEntry.objects.count()) == before

    def test_a_quote_unchanged_since_its_delete_page_opened_is_deleted(
        self, ben, story
    ):
        quote = story.quotes.get()
        url, confirm = self.open_delete_page(ben, quote)
        assert ben.post(url, confirm).status_code == 302
        assert not story.quotes.exists()

    def test_publishing_while_a_form_is_open_refuses_the_stale_form(
        self, ann, ben, story
    ):
        ben_data = open_form(ben, story)
        response = ann.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish_selected", "_selected_action": [story.pk]},
        )
        assert response.status_code == 302
        story.refresh_from_db()
        assert (story.status, story.version, story.changed_by.username) == (
            Status.PUBLISHED,
            2,
            "ann",
        )
        before = snapshot(story)

        ben_data.update(body=BODY + "\n\nThe talks were postponed.")
        response = ben.post(change_url(story), ben_data)
        assertContains(response, "This article was changed by Ann Okafor")
        assert snapshot(story) == before

    def test_a_person_and_a_photo_credit_refuse_stale_saves(self, ann, ben):
        person = make_person(name="Olaf Scholz", slug="olaf-scholz")
        opened = {
            "name": "Olaf Scholz",
            "slug": "olaf-scholz",
            "honorific": "",
            "role": "German Chancellor",
            "organization": "",
            "bio": "",
            "base_version": "1",
            "quotes-TOTAL_FORMS": "0",
            "quotes-INITIAL_FORMS": "0",
            "quotes-MIN_NUM_FORMS": "0",
            "quotes-MAX_NUM_FORMS": "0",
        }
        assert ann.post(change_url(person), opened).status_code == 302
        response = ben.post(change_url(person), {**opened, "role": "Chancellor"})
        assertContains(response, "This person was changed by Ann Okafor")
        assert Person.objects.get(pk=person.pk).role == "German Chancellor"

        credit = make_photo(caption="Leaders meet.", slug="leaders-meet")
        opened = {
            "caption": "Leaders meet in Moscow.",
            "alt_text": "",
            "photographer": "",
            "slug": "leaders-meet",
            "base_version": "1",
            "agency_links-TOTAL_FORMS": "0",
            "agency_links-INITIAL_FORMS": "0",
            "agency_links-MIN_NUM_FORMS": "0",
            "agency_links-MAX_NUM_FORMS": "1000",
        }
        assert ann.post(change_url(credit), opened).status_code == 302
        response = ben.post(change_url(credit), {**opened, "alt_text": "Two men."})
        assertContains(response, "This photo credit was changed by Ann Okafor")
        saved = PhotoCredit.objects.get(pk=credit.pk)
        assert (saved.caption, saved.alt_text, saved.version) == (
            "Leaders meet in Moscow.",
            "",
            2,
        )

    @pytest.mark.parametrize("meanwhile", ["deleted", "given to another speaker"])
    def test_a_person_saves_after_one_of_their_quotes_went_meanwhile(
        self, ann, ben, story, meanwhile
    ):
        quote = story.quotes.get()
        person = quote.speaker
        page = ann.get(change_url(person))
        (quotes,) = page.context["inline_admin_formsets"]
        opened = {
            "name": person.name,
            "slug": person.slug,
            "honorific": "",
            "role": "Foreign minister",
            "organization": "",
            "bio": "",
            "base_version": str(person.version),
            "quotes-TOTAL_FORMS": "1",
            "quotes-INITIAL_FORMS": "1",
            "quotes-MIN_NUM_FORMS": "0",
            "quotes-MAX_NUM_FORMS": "0",
            "quotes-0-id": str(quote.pk),
            "quotes-0-speaker": str(person.pk),
        }
        assert [row.instance for row in quotes.formset.forms] == [quote]
        if meanwhile == "deleted":
            delete = reverse("admin:articles_quote_delete", args=[quote.pk])
            assert ben.post(delete, {"post": "yes"}).status_code == 302
        else:
            quote.speaker = make_person()
            quote.save()
        quotes_after = list(Quote.objects.values_list("pk", "speaker", "version"))

        # The quotes are only listed on a person's page: whatever became of
        # them, the person's own fields save (this was a server error).
        response = ann.post(change_url(person), opened)

        assert response.status_code == 302
        assert Person.objects.get(pk=person.pk).role == "Foreign minister"
        assert list(Quote.objects.values_list("pk", "speaker", "version")) == (
            quotes_after
        )

    def test_editing_a_quote_deleted_meanwhile_says_so(self, ann, ben, story):
        ben_data = open_form(ben, story)
        quote = story.quotes.get()
        delete = reverse("admin:articles_quote_delete", args=[quote.pk])
        assert ann.post(delete, {"post": "yes"}).status_code == 302
        after = snapshot(story)
        ben_data["quotes-0-context"] = "at a press conference"
        response = ben.post(change_url(story), ben_data)
        assertContains(
            response,
            "One of the quotes on this page was deleted by someone else after you "
            "opened it, so your save was refused and nothing was written.",
        )
        assert snapshot(story) == after

    @pytest.mark.parametrize("row", ["a new quote", "the quote moved"])
    def test_a_quote_placed_where_one_was_added_meanwhile_is_refused(
        self, ann, ben, story, row
    ):
        data = open_form(ann, story)
        speaker = make_person()
        added = ben.post(
            reverse("admin:articles_quote_add"),
            {
                "article": story.pk,
                "speaker": speaker.pk,
                "text": "Talks begin on Monday",
                "context": "",
                "order": "2",
            },
        )
        assert added.status_code == 302
        before = snapshot(story)
        if row == "a new quote":
            data.update(
                {
                    "quotes-TOTAL_FORMS": "2",
                    "quotes-1-text": "Talks begin on Monday",
                    "quotes-1-speaker": str(speaker.pk),
                    "quotes-1-context": "",
                    "quotes-1-order": "2",
                    "quotes-1-base_version": "1",
                }
            )
        else:
            data["quotes-0-order"] = "2"

        # Django checks the places only among the rows on the page: this was
        # the database's unique index, a server error.
        response = ann.post(change_url(story), data)

        assert response.status_code == 200
        assertContains(
            response,
            "Place 2 was taken by “Talks begin on Monday”, added by Ben Lindqvist",
        )
        assert snapshot(story) == before

    def test_editing_a_quote_moved_to_another_story_meanwhile_says_so(
        self, ann, ben, story
    ):
        ben_data = open_form(ben, story)
        quote = story.quotes.get()
        other = make_article(body=f"“{WORDS}” the minister said.")
        moved = ann.post(
            change_url(quote),
            quote_form(quote, article=str(other.pk), context="", order=""),
        )
        assert moved.status_code == 302
        after = (snapshot(story), snapshot(other))
        ben_data["quotes-0-context"] = "at a press conference"

        # Ben's change to the quote was dropped and the save reported done.
        response = ben.post(change_url(story), ben_data)

        assertContains(
            response,
            "One of the quotes on this page was moved to another article by "
            "someone else after you opened it, so your save was refused and "
            "nothing was written.",
        )
        assert (snapshot(story), snapshot(other)) == after

    def test_a_double_click_adds_a_new_quote_once(self, ann, story):
        data = open_form(ann, story)
        i = int(data["quotes-TOTAL_FORMS"])
        data.update(
            {
                "quotes-TOTAL_FORMS": str(i + 1),
                f"quotes-{i}-text": "Talks begin on Monday.",
                f"quotes-{i}-speaker": str(story.quotes.get().speaker_id),
                f"quotes-{i}-context": "",
                f"quotes-{i}-order": "",
                f"quotes-{i}-base_version": "1",
            }
        )
        assert ann.post(change_url(story), data).status_code == 302
        after = snapshot(story)
        response = ann.post(change_url(story), data)  # the second click
        assertContains(
            response,
            "your changes to its quotes were not saved and nothing was written",
        )
        assert snapshot(story) == after
        assert story.quotes.filter(text="Talks begin on Monday.").count() == 1

    def test_a_stale_form_neither_reorders_nor_adds_authors(self, ann, ben, story):
        lead, second = make_person(name="Zoe Writer"), make_person(name="Adam Lee")
        story.set_byline([lead, second])
        story = Article.objects.get(pk=story.pk)
        ann_data, ben_data = open_form(ann, story), open_form(ben, story)
        ann_data.update(headline="Talks begin on Tuesday")
        assert ann.post(change_url(story), ann_data).status_code == 302
        after_ann = (snapshot(story), byline(story))

        # Ben swaps the two authors' places on the page he opened before;
        # its other fields agree with what is saved now (he typed Ann's
        # headline too), so only the byline rows can be refused.
        ben_data["headline"] = "Talks begin on Tuesday"
        swapped = {
            **ben_data,
            "author_links-0-position": "2",
            "author_links-1-position": "1",
        }
        refused = (
            "your changes to its authors in byline were not saved and nothing "
            "was written"
        )
        assertContains(ben.post(change_url(story), swapped), refused)
        # And the same page with an author added.
        added = {
            **ben_data,
            "author_links-TOTAL_FORMS": "3",
            "author_links-2-person": str(make_person(name="Bea Lopes").pk),
            "author_links-2-position": "",
        }
        assertContains(ben.post(change_url(story), added), refused)
        assert (snapshot(story), byline(story)) == after_ann
        assert byline(story) == [("Zoe Writer", 1), ("Adam Lee", 2)]

    def test_a_double_click_on_a_quotes_own_add_page_adds_it_once(self, ann, story):
        add = reverse("admin:articles_quote_add")
        form = ann.get(add).context["adminform"].form
        data = {
            name: "" if form[name].value() is None else str(form[name].value())
            for name in form.fields
        }
        data.update(
            article=str(story.pk),
            speaker=str(story.quotes.get().speaker_id),
            text="Talks begin on Monday.",
        )
        assert ann.post(add, data).status_code == 302
        after = snapshot(story)

        response = ann.post(add, data)  # the second click

        assertContains(
            response,
            "The quote “Talks begin on Monday.” was added to this article by "
            "Ann Okafor",
        )
        assertContains(response, "after you opened this page, so your save was")
        # The editor's words are still on the page, and the first save stands.
        assert response.context["adminform"].form["text"].value() == (
            "Talks begin on Monday."
        )
        assert snapshot(story) == after
        assert story.quotes.filter(text="Talks begin on Monday.").count() == 1

    def test_a_stale_page_cannot_undo_agencies_reordered_meanwhile(self, ann, ben):
        credit = make_photo(caption="Leaders meet.", agencies=["TASS", "Abaca", "TNS"])

        def opened(client):
            response = client.get(change_url(credit))
            (agencies,) = response.context["inline_admin_formsets"]
            data = {
                "caption": credit.caption,
                "alt_text": "",
                "photographer": "",
                "slug": credit.slug,
                "base_version": str(
                    response.context["adminform"].form["base_version"].value()
                ),
                "agency_links-TOTAL_FORMS": "3",
                "agency_links-INITIAL_FORMS": "3",
                "agency_links-MIN_NUM_FORMS": "0",
                "agency_links-MAX_NUM_FORMS": "1000",
            }
            for i, row in enumerate(agencies.formset.initial_forms):
                link = row.instance
                data.update(
                    {
                        f"agency_links-{i}-id": str(link.pk),
                        f"agency_links-{i}-credit": str(credit.pk),
                        f"agency_links-{i}-agency": str(link.agency_id),
                        f"agency_links-{i}-position": str(link.position),
                    }
                )
            return data

        ann_data, ben_data = opened(ann), opened(ben)
        ann_data["agency_links-0-position"], ann_data["agency_links-1-position"] = (
            "2",
            "1",
        )
        assert ann.post(change_url(credit), ann_data).status_code == 302
        assert PhotoCredit.objects.get().credit_line == "Abaca/TASS/TNS"
        ben_data["agency_links-2-DELETE"] = "on"
        response = ben.post(change_url(credit), ben_data)
        assertContains(
            response,
            "This photo credit was saved by Ann Okafor",
        )
        assert PhotoCredit.objects.get().credit_line == "Abaca/TASS/TNS"


class TestNoFalseConflicts:
    def test_save_and_continue_then_save_again(self, ann, story):
        data = open_form(ann, story)
        data.update(body=BODY + "\n\nFirst addition.", _continue="1")
        response = ann.post(change_url(story), data)
        assert response.status_code == 302
        assert response.url == change_url(story)
        data = open_form(ann, Article.objects.get(pk=story.pk))
        data.update(body=BODY + "\n\nSecond addition.")
        assert ann.post(change_url(story), data).status_code == 302
        saved = Article.objects.get(pk=story.pk)
        assert (saved.body, saved.version) == (BODY + "\n\nSecond addition.", 3)

    def test_the_same_save_sent_twice_is_not_a_conflict(self, ann, story):
        data = open_form(ann, story)
        data.update(body=BODY + "\n\nSent twice.")
        assert ann.post(change_url(story), data).status_code == 302
        response = ann.post(change_url(story), data)  # a double click
        assert response.status_code == 302
        assert Article.objects.get(pk=story.pk).body == BODY + "\n\nSent twice."
        # The history says the second changed nothing, not "Changed base_version."
        logged = LogEntry.objects.filter(user__username="ann").latest("pk")
        assert logged.get_change_message() == "No fields changed."

    def test_a_scheduled_story_going_live_writes_nothing(self, ann, client, story):
        story.publish(when=timezone.now() + timedelta(hours=1))
        story.refresh_from_db()
        data = open_form(ann, story)
        before = snapshot(story)
        later = timezone.now() + timedelta(hours=2)
        with mock.patch("django.utils.timezone.now", return_value=later):
            assert client.get(story.get_absolute_url()).status_code == 200
            for url in ["/", "/feeds/latest/", "/sitemap-news.xml", "/tags/nato/"]:
                assert client.get(url).status_code == 200, url
            assert snapshot(story) == before
            published = timezone.localtime(story.published_at)
            data.update(
                status=Status.PUBLISHED,
                published_at_0=f"{published:%Y-%m-%d}",
                published_at_1=f"{published:%H:%M:%S}",
                body=BODY + "\n\nUpdated after publication.",
            )
            response = ann.post(change_url(story), data)
        assert response.status_code == 302
        assertNotContains(ann.get(change_url(story)), REFUSED)
        assert Article.objects.get(pk=story.pk).body.endswith("after publication.")


def dump_stories(folder):
    """The stories as `manage.py dumpdata` writes them; returns the file."""
    dump = folder / "stories.json"
    call_command(
        "dumpdata",
        "articles.article",
        natural_foreign=True,
        natural_primary=True,
        output=str(dump),
        verbosity=0,
    )
    return dump


class TestLoadedFixtures:
    def test_a_form_opened_before_a_fixture_changed_the_story_is_refused(
        self, ann, story, tmp_path
    ):
        # A dump taken now, at version 1, loaded back after an edit.
        dump = dump_stories(tmp_path)
        ann_data = open_form(ann, story)
        edited = Article.objects.get(pk=story.pk)
        edited.headline = "Talks begin on Tuesday"
        edited.save()

        call_command("loaddata", str(dump), verbosity=0)
        loaded = snapshot(story)
        assert loaded[0]["headline"] == story.headline
        assert loaded[0]["version"] == 3  # past the dump's 1 and the stored 2

        ann_data.update(body=BODY + "\n\nTalks begin at noon.")
        response = ann.post(change_url(story), ann_data)
        assert response.status_code == 200
        assertContains(response, REFUSED)
        assert snapshot(story) == loaded

    def test_loading_a_story_as_it_is_stored_keeps_its_version(self, story, tmp_path):
        story.headline = "Talks begin on Tuesday"
        story.save()
        dump = dump_stories(tmp_path)
        before = snapshot(story)
        call_command("loaddata", str(dump), verbosity=0)
        assert snapshot(story) == before


class TestVersionedSave:
    def test_every_save_bumps_the_version(self, story):
        story.headline = "Talks begin on Tuesday"
        story.save()
        story.unpublish()
        story.publish()
        assert Article.objects.get(pk=story.pk).version == 4

    def test_a_stale_copy_cannot_overwrite(self, story):
        first, second = (
            Article.objects.get(pk=story.pk),
            Article.objects.get(pk=story.pk),
        )
        first.headline = "First"
        first.save()
        second.headline = "Second"
        with pytest.raises(StaleVersionError):
            second.save()
        with pytest.raises(StaleVersionError):
            second.publish()
        saved = Article.objects.get(pk=story.pk)
        assert (saved.headline, saved.status, saved.version) == (
            "First",
            Status.DRAFT,
            2,
        )
        assert second.version == 1  # unchanged by the refused saves

    def test_publishing_records_who_did_it(self, story, editor):
        story.publish(by=editor)
        saved = Article.objects.get(pk=story.pk)
        assert (saved.changed_by, saved.version) == (editor, 2)
        assert saved.changed_at is not None


class TestActions:
    def test_publishing_a_story_changed_since_the_list_was_read_is_skipped(
        self, rf, editor, story
    ):
        headline = story.headline
        listed = Article.objects.filter(pk=story.pk)
        list(listed)  # the action's rows, read before another editor's save
        story.headline = "Talks begin on Tuesday"
        story.save()
        before = snapshot(story)

        request = rf.post("/admin/articles/article/")
        request.user, request.session = editor, {}
        request._messages = FallbackStorage(request)
        admin.site._registry[Article].publish_selected(request, listed)

        notes = [str(message) for message in get_messages(request)]
        assert notes[0].startswith(f"“{headline}” was changed by ")
        assert notes[-1] == "0 stories published."
        assert snapshot(story) == before
