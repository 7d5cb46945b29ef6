"""Roles and statuses: reporters draft and submit, editors schedule and publish."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article, Quote, Status

from .factories import make_article, make_person
from .test_editor_admin import BODY, article_form

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def quote_change_url(quote):
    return reverse("admin:articles_quote_change", args=[quote.pk])


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def workflow_form(**overrides):
    """The change form's POST data, with the (empty) corrections inline editors see."""
    return article_form(
        **{
            "corrections-TOTAL_FORMS": "0",
            "corrections-INITIAL_FORMS": "0",
            "corrections-MIN_NUM_FORMS": "0",
            "corrections-MAX_NUM_FORMS": "1000",
            **overrides,
        }
    )


def desk_state():
    return list(
        Article.objects.order_by("pk").values_list(
            "pk", "headline", "status", "published_at", "updated_at"
        )
    )


def run_action(client, action, articles, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [a.pk for a in articles], **extra},
    )


class TestStatuses:
    def test_a_scheduled_story_appears_by_itself_when_its_time_comes(self, client):
        story = make_article(status=Status.DRAFT, published_at=None)
        story.schedule(timezone.now() + timedelta(hours=1))
        assert story.status == Status.SCHEDULED
        assert not Article.objects.published().filter(pk=story.pk).exists()
        assert client.get(story.get_absolute_url()).status_code == 404
        # Time passes: nothing runs, the read path alone decides.
        Article.objects.filter(pk=story.pk).update(
            published_at=timezone.now() - timedelta(seconds=1)
        )
        story.refresh_from_db()
        assert story.status == Status.SCHEDULED and story.is_published
        assert story.public_status == Status.PUBLISHED
        assert list(Article.objects.published()) == [story]
        assert client.get(story.get_absolute_url()).status_code == 200
        assert story.headline in client.get("/").content.decode()

    def test_scheduling_in_the_past_is_refused_and_changes_nothing(self):
        story = make_article(status=Status.DRAFT, published_at=None)
        before = desk_state()
        with pytest.raises(Exception, match="future"):
            story.schedule(timezone.now() - timedelta(minutes=1))
        assert desk_state() == before

    def test_submit_publish_unpublish_keep_the_publication_time(self):
        story = make_article(status=Status.DRAFT, published_at=None)
        story.submit_for_review()
        assert Article.objects.get(pk=story.pk).status == Status.IN_REVIEW
        story.publish()
        first = Article.objects.get(pk=story.pk).published_at
        assert first is not None
        story.unpublish()
        story.publish()
        again = Article.objects.get(pk=story.pk)
        assert (again.status, again.published_at) == (Status.PUBLISHED, first)
        assert again.updated_at is None  # publishing is not an update

    def test_only_a_draft_can_be_submitted(self):
        story = make_article()
        with pytest.raises(Exception, match="Only a draft"):
            story.submit_for_review()
        assert Article.objects.get(pk=story.pk).status == Status.PUBLISHED


class TestGroups:
    def test_the_migration_made_both_groups_with_real_permissions(self):
        reporter = set(
            Group.objects.get(name="Reporter").permissions.values_list(
                "codename", flat=True
            )
        )
        editor = set(
            Group.objects.get(name="Editor").permissions.values_list(
                "codename", flat=True
            )
        )
        assert {"add_article", "change_article", "add_person", "add_quote"} <= reporter
        assert {"add_photocredit", "view_correction"} <= reporter
        assert "publish_article" not in reporter
        assert not {"delete_article", "add_correction"} & reporter
        assert {"publish_article", "delete_article", "add_correction"} <= editor
        assert "delete_correction" not in editor


class TestReporter:
    def test_reporter_writes_a_draft_that_is_theirs(self, desk_reporter):
        client = logged_in(desk_reporter)
        response = client.post(reverse("admin:articles_article_add"), workflow_form())
        assert response.status_code == 302
        story = Article.objects.get(slug="talks-to-begin")
        assert (story.created_by, story.status) == (desk_reporter, Status.DRAFT)

    def test_reporter_cannot_publish_through_the_form(self, desk_reporter):
        client = logged_in(desk_reporter)
        soon = timezone.now() + timedelta(days=1)
        client.post(
            reverse("admin:articles_article_add"),
            workflow_form(
                status=Status.PUBLISHED,
                published_at_0=f"{soon:%Y-%m-%d}",
                published_at_1="12:00:00",
            ),
        )
        story = Article.objects.get(slug="talks-to-begin")
        assert (story.status, story.published_at) == (Status.DRAFT, None)
        # The same on their own draft's change form.
        response = client.post(
            change_url(story),
            workflow_form(status=Status.PUBLISHED, headline="Talks to begin soon"),
        )
        assert response.status_code == 302
        story.refresh_from_db()
        assert story.headline == "Talks to begin soon"
        assert (story.status, story.published_at) == (Status.DRAFT, None)
        assert not Article.objects.published().exists()

    @pytest.mark.parametrize(
        "action", ["publish_selected", "schedule_selected", "unpublish_selected"]
    )
    def test_reporter_cannot_publish_or_schedule_by_bulk_action(
        self, desk_reporter, action
    ):
        own = make_article(
            status=Status.DRAFT, published_at=None, created_by=desk_reporter
        )
        live = make_article()
        before = desk_state()
        client = logged_in(desk_reporter)
        soon = timezone.now() + timedelta(days=1)
        run_action(
            client,
            action,
            [own, live],
            schedule="Schedule",
            publish_at=f"{soon:%Y-%m-%d %H:%M}",
        )
        assert desk_state() == before

    def test_reporter_cannot_change_others_or_published_stories(self, desk_reporter):
        others = make_article(status=Status.DRAFT, published_at=None)
        own_live = make_article(created_by=desk_reporter)
        before = desk_state()
        client = logged_in(desk_reporter)
        for story in (others, own_live):
            response = client.post(
                change_url(story), workflow_form(headline="Rewritten", slug=story.slug)
            )
            assert response.status_code == 403
        assert desk_state() == before

    def test_reporter_submits_own_draft_but_not_others(self, desk_reporter):
        own = make_article(
            status=Status.DRAFT, published_at=None, created_by=desk_reporter
        )
        others = make_article(status=Status.DRAFT, published_at=None)
        client = logged_in(desk_reporter)
        response = run_action(client, "submit_selected_for_review", [own, others])
        assert response.status_code == 302
        assert Article.objects.get(pk=own.pk).status == Status.IN_REVIEW
        assert Article.objects.get(pk=others.pk).status == Status.DRAFT
        messages = [str(m) for m in response.wsgi_request._messages]
        assert "1 story submitted for review." in messages

    def test_reporter_still_edits_own_story_in_review(self, desk_reporter):
        own = make_article(
            status=Status.IN_REVIEW, published_at=None, created_by=desk_reporter
        )
        response = logged_in(desk_reporter).post(
            change_url(own), workflow_form(slug=own.slug, headline="Better headline")
        )
        assert response.status_code == 302
        assert Article.objects.get(pk=own.pk).headline == "Better headline"


class TestEditor:
    def test_editor_schedules_from_the_list_after_choosing_a_time(self, desk_editor):
        story = make_article(status=Status.IN_REVIEW, published_at=None)
        client = logged_in(desk_editor)
        page = run_action(client, "schedule_selected", [story])
        assert page.status_code == 200 and b"Publish at" in page.content
        assert Article.objects.get(pk=story.pk).status == Status.IN_REVIEW

        refused = run_action(
            client,
            "schedule_selected",
            [story],
            schedule="1",
            publish_at="2001-01-01 10:00",
        )
        assert b"Choose a time in the future." in refused.content
        assert Article.objects.get(pk=story.pk).status == Status.IN_REVIEW

        soon = timezone.localtime() + timedelta(days=2)
        response = run_action(
            client,
            "schedule_selected",
            [story],
            schedule="1",
            publish_at=f"{soon:%Y-%m-%d %H:%M}",
        )
        assert response.status_code == 302
        story.refresh_from_db()
        assert story.status == Status.SCHEDULED
        assert story.published_at == soon.replace(second=0, microsecond=0)

    def test_change_list_labels_and_filters_statuses(self, desk_editor):
        make_article(headline="Draft one", status=Status.DRAFT, published_at=None)
        make_article(
            headline="Waiting one",
            status=Status.SCHEDULED,
            published_at=timezone.now() + timedelta(hours=3),
        )
        make_article(
            headline="Due one",
            status=Status.SCHEDULED,
            published_at=timezone.now() - timedelta(hours=3),
        )
        client = logged_in(desk_editor)
        page = client.get(CHANGELIST).content.decode()
        assert page.count('class="status-label status-') == 3
        assert ">Scheduled for " in page and ">Draft<" in page and ">Published<" in page

        def listed(status):
            response = client.get(CHANGELIST, {"status": status})
            return sorted(a.headline for a in response.context["cl"].result_list)

        assert listed("scheduled") == ["Waiting one"]
        assert listed("published") == ["Due one"]
        assert listed("draft") == ["Draft one"]

    @pytest.mark.parametrize("page", ["add", "change"])
    def test_editor_publishing_with_a_time_to_come_is_told_it_is_scheduled(
        self, desk_editor, client, settings, page
    ):
        settings.TIME_ZONE = "America/New_York"  # the site's zone, not UTC
        if page == "change":
            story = make_article(
                slug="talks-to-begin", status=Status.DRAFT, published_at=None
            )
            url = change_url(story)
        else:
            url = reverse("admin:articles_article_add")
        when = timezone.make_aware(
            datetime.combine(timezone.localdate() + timedelta(days=2), time(7))
        )
        response = logged_in(desk_editor).post(
            url,
            workflow_form(
                status=Status.PUBLISHED,
                published_at_0=f"{when:%Y-%m-%d}",
                published_at_1="07:00:00",
            ),
            follow=True,
        )

        story = Article.objects.get(slug="talks-to-begin")
        # The editor's choice is kept: Published, at the time they gave.
        assert (story.status, story.published_at) == (Status.PUBLISHED, when)
        assert client.get(story.get_absolute_url()).status_code == 404
        [message] = [str(m) for m in response.context["messages"]]
        assert message.endswith(
            "Its publication time is still to come, so it is scheduled: it stays "
            f"hidden from readers until 07:00 on {when.day} {when:%b %Y} (EST), "
            "then appears on its own."
        )
        assert "published" not in message
        # The story list says so too, in the site's zone.
        listed = response.content.decode()
        assert f">Scheduled for {when:%Y-%m-%d} 07:00<" in listed
        assert [a.headline for a in Article.objects.scheduled()] == [story.headline]

    def test_meaningful_edit_shows_an_update_and_minor_edit_does_not(
        self, desk_editor, client, django_capture_on_commit_callbacks
    ):
        story = make_article(
            slug="talks-to-begin", published_at=timezone.now() - timedelta(days=1)
        )
        published_at = story.published_at
        editor = logged_in(desk_editor)
        when = timezone.localtime(published_at)
        form = {
            "status": Status.PUBLISHED,
            "published_at_0": f"{when:%Y-%m-%d}",
            "published_at_1": f"{when:%H:%M:%S}",
        }
        response = editor.post(
            change_url(story),
            workflow_form(headline="Talks to begin", minor_edit="on", **form),
        )
        assert response.status_code == 302
        story.refresh_from_db()
        assert story.headline == "Talks to begin" and story.updated_at is None
        assert (
            "updated <time" not in client.get(story.get_absolute_url()).content.decode()
        )

        # Committing refreshes the cached page (the test's transaction never commits).
        with django_capture_on_commit_callbacks(execute=True):
            editor.post(
                change_url(story),
                workflow_form(
                    headline="Talks begin on Monday",
                    base_version=str(story.version),  # the form as reopened
                    **form,
                ),
            )
        story.refresh_from_db()
        assert story.published_at == published_at
        assert story.updated_at > published_at and story.was_updated
        assert "updated <time" in client.get(story.get_absolute_url()).content.decode()

    def test_edits_before_publication_are_not_updates(self, desk_editor):
        story = make_article(
            slug="talks-to-begin", status=Status.DRAFT, published_at=None
        )
        logged_in(desk_editor).post(change_url(story), workflow_form(headline="New"))
        story.refresh_from_db()
        assert story.headline == "New" and story.updated_at is None

    @pytest.mark.parametrize("stored", ["\n", "\r\n"], ids=["LF", "CRLF"])
    def test_a_story_saved_unchanged_from_a_browser_is_no_update(
        self, desk_editor, stored
    ):
        """Browsers send a text box's line breaks as CRLF; the story is stored with LF.

        CRLF stored: a row saved before the admin turned line breaks into LF.
        """
        dek = "Both sides agree.\nA date is set."
        story = make_article(
            headline="Talks to begin",
            slug="talks-to-begin",
            dateline="GENEVA",
            source="Tribune News Service",
            dek=dek.replace("\n", stored),
            body=BODY.replace("\n", stored),
        )
        story.tags.set(["Diplomacy", "NATO"])
        version = story.version
        when = timezone.localtime(story.published_at)
        response = logged_in(desk_editor).post(
            change_url(story),
            workflow_form(
                dek=dek.replace("\n", "\r\n"),
                body=BODY.replace("\n", "\r\n"),
                status=Status.PUBLISHED,
                published_at_0=f"{when:%Y-%m-%d}",
                published_at_1=f"{when:%H:%M:%S}",
                base_version=str(version),
            ),
        )
        assert response.status_code == 302
        story.refresh_from_db()
        assert story.updated_at is None and not story.was_updated
        assert (story.body, story.dek) == (BODY, dek)
        assert story.version == version + 1  # the save itself, and nothing more


class TestPreview:
    @pytest.mark.parametrize(
        "status", [Status.DRAFT, Status.IN_REVIEW, Status.SCHEDULED]
    )
    def test_preview_is_private_never_cached_and_noindexed(self, desk_reporter, status):
        when = (
            timezone.now() + timedelta(days=1) if status == Status.SCHEDULED else None
        )
        story = make_article(status=status, published_at=when)
        client = logged_in(desk_reporter)
        urls = [reverse("articles:preview", args=[story.pk])]
        if when:
            urls.append(story.get_absolute_url())
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            cache_control = {p.strip() for p in response["Cache-Control"].split(",")}
            assert {"private", "no-cache", "no-store", "max-age=0"} <= cache_control
            assert response["X-Robots-Tag"] == "noindex, nofollow"
            assert b'class="preview-banner"' in response.content
        assert Client().get(urls[0]).status_code == 404


class TestChangeForm:
    def test_editor_sees_status_minor_edit_and_corrections_on_a_live_story(
        self, desk_editor
    ):
        story = make_article(quotes=1)
        story.add_correction("Fixed a name.")
        page = logged_in(desk_editor).get(change_url(story)).content.decode()
        assert 'name="status"' in page and 'name="minor_edit"' in page
        assert 'class="status-label status-' in page
        assert "Fixed a name." in page and 'id="corrections-group"' in page
        assert 'name="corrections-0-text"' not in page  # saved ones are read-only

    def test_a_draft_has_no_minor_edit_box(self, desk_editor):
        story = make_article(status=Status.DRAFT, published_at=None)
        page = logged_in(desk_editor).get(change_url(story)).content.decode()
        assert 'name="status"' in page and 'name="minor_edit"' not in page

    def test_reporter_form_has_no_publishing_controls(self, desk_reporter):
        page = logged_in(desk_reporter).get(reverse("admin:articles_article_add"))
        html = page.content.decode()
        assert page.status_code == 200
        assert 'name="status"' not in html and 'name="published_at_0"' not in html

    @staticmethod
    def post_live_story(editor, story, **changes):
        """A minor edit of a published story, its form carrying `changes`."""
        return editor.post(
            change_url(story),
            workflow_form(
                **{
                    "status": Status.PUBLISHED,
                    "minor_edit": "on",
                    "headline": story.headline,
                    "dateline": "",
                    "source": "",
                    "tags": "",
                    "body": story.body,
                    **changes,
                }
            ),
        )

    def test_a_live_story_keeps_its_publication_time(self, desk_editor):
        story = make_article(slug="talks-to-begin")
        before = desk_state()
        response = self.post_live_story(
            logged_in(desk_editor),
            story,
            published_at_0="2001-01-01",
            published_at_1="10:00:00",
        )
        assert response.status_code == 302
        assert desk_state() == before

    def test_a_live_story_keeps_its_address(self, desk_editor, client):
        story = make_article(slug="talks-to-begin")
        address = story.get_absolute_url()
        editor = logged_in(desk_editor)
        page = editor.get(change_url(story)).content.decode()
        assert 'name="slug"' not in page and "talks-to-begin" in page
        before = desk_state()
        response = self.post_live_story(editor, story, slug="talks-are-off")
        assert response.status_code == 302
        assert desk_state() == before
        assert Article.objects.get(pk=story.pk).slug == "talks-to-begin"
        assert client.get(address).status_code == 200

    def test_an_unpublished_story_can_have_its_address_changed(self, desk_editor):
        story = make_article(slug="talks-to-begin")
        story.unpublish()
        editor = logged_in(desk_editor)
        page = editor.get(change_url(story)).content.decode()
        assert 'name="slug"' in page and 'name="published_at_0"' in page
        response = editor.post(
            change_url(story),
            workflow_form(
                slug="talks-are-off",
                headline=story.headline,
                dateline="",
                source="",
                tags="",
                body=story.body,
                base_version=str(Article.objects.get(pk=story.pk).version),
            ),
        )
        assert response.status_code == 302, response.context["errors"]
        assert Article.objects.get(pk=story.pk).slug == "talks-are-off"

    def test_a_refused_publish_shows_the_same_form_again(self, desk_editor):
        story = make_article(
            slug="talks-to-begin", status=Status.DRAFT, published_at=None
        )
        before = desk_state()
        response = logged_in(desk_editor).post(
            change_url(story),
            workflow_form(status=Status.SCHEDULED),  # with no time
        )
        assert response.status_code == 200
        assert b"A scheduled story needs its publication time." in response.content
        assert desk_state() == before

    def test_scheduling_for_a_time_that_has_passed_is_refused_on_the_field(
        self, desk_editor
    ):
        story = make_article(
            slug="talks-to-begin", status=Status.DRAFT, published_at=None
        )
        before = desk_state()
        yesterday = timezone.localtime() - timedelta(days=1)
        response = logged_in(desk_editor).post(
            change_url(story),
            workflow_form(
                status=Status.SCHEDULED,
                published_at_0=f"{yesterday:%Y-%m-%d}",
                published_at_1=f"{yesterday:%H:%M:%S}",
            ),
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["published_at"] == [
            "A story can only be scheduled for a time in the future; to publish "
            "it at a time that has passed, choose Published."
        ]
        assert desk_state() == before

    def test_a_live_story_cannot_be_set_back_to_scheduled(self, desk_editor):
        story = make_article(slug="talks-to-begin")
        before = desk_state()
        response = self.post_live_story(
            logged_in(desk_editor), story, status=Status.SCHEDULED
        )
        # Its time is read-only on the form, so the error is on the status.
        assert response.status_code == 200
        assert "can only be scheduled for a time in the future" in str(
            response.context["adminform"].form.errors["status"]
        )
        assert desk_state() == before

    def test_a_scheduled_story_whose_time_came_can_still_be_edited(self, desk_editor):
        story = make_article(
            status=Status.SCHEDULED,
            published_at=timezone.now() - timedelta(minutes=5),
        )
        response = self.post_live_story(
            logged_in(desk_editor),
            story,
            status=Status.SCHEDULED,
            body=story.body + "\n\nA late paragraph.",
        )
        assert response.status_code == 302
        assert Article.objects.get(pk=story.pk).body.endswith("A late paragraph.")


@pytest.mark.parametrize("role", ["desk_reporter", "desk_editor"])
def test_queryset_and_story_agree_on_who_may_edit(request, role):
    user = request.getfixturevalue(role)
    for status in Status:
        when = (
            timezone.now() + timedelta(hours=1) if status == Status.SCHEDULED else None
        )
        make_article(status=status, published_at=when, created_by=user)
        make_article(status=status, published_at=when)
    stories = Article.objects.all()
    editable = {a for a in stories if a.editable_by(user)}
    assert set(Article.objects.editable_by(user)) == editable
    expected = 8 if role == "desk_editor" else 2
    assert len(editable) == expected


def test_only_a_publication_after_the_reporter_read_it_takes_their_draft(
    desk_reporter, desk_editor
):
    own = make_article(status=Status.DRAFT, published_at=None, created_by=desk_reporter)
    others = make_article(status=Status.DRAFT, published_at=None)
    read = {story.pk: story.version for story in (own, others)}
    assert own.taken_from(desk_reporter, read[own.pk]) == ""
    for story in (own, others):
        story.publish(by=desk_editor)
    assert own.taken_from(desk_reporter, read[own.pk]) == (
        "an editor published this story"
    )
    assert own.taken_from(desk_reporter, own.version) == ""  # read it published
    assert own.taken_from(desk_editor, read[own.pk]) == ""  # still theirs to change
    assert others.taken_from(desk_reporter, read[others.pk]) == ""  # never theirs
    own.unpublish(by=desk_editor)
    assert own.taken_from(desk_reporter, read[own.pk]) == ""  # theirs again
    own.schedule(timezone.now() + timedelta(hours=1), by=desk_editor)
    assert own.taken_from(desk_reporter, read[own.pk]) == (
        "an editor scheduled this story for publication"
    )


def test_a_quote_is_taken_with_its_story_only_as_its_page_opened_it(
    desk_reporter, desk_editor
):
    story = make_article(
        status=Status.DRAFT, published_at=None, created_by=desk_reporter, quotes=1
    )
    quote = story.quotes.get()
    opened = {"version": quote.version, "story_version": story.version}
    assert quote.taken_from(desk_reporter, **opened) == ""
    story.publish(by=desk_editor)
    quote.refresh_from_db()
    assert quote.taken_from(desk_reporter, **opened) == (
        "an editor published this quote’s story"
    )
    assert quote.taken_from(desk_reporter, quote.version) == ""  # no story version
    assert quote.taken_from(desk_editor, **opened) == ""  # still theirs to change
    assert quote.taken_by == story
    quote.context = "at the press conference"
    quote.save()  # saved since the page opened: not taken by the story alone
    assert quote.taken_from(desk_reporter, **opened) == ""


class TestPublishedWhileAReporterEdits:
    """An editor publishes a reporter's draft while its change form is open."""

    HEADLINE = "Talks to begin on Monday, both sides say"
    DEK = "Negotiators agreed a date late on Sunday."
    BODY = BODY + "\n\nA paragraph the reporter added while the editor published."

    @pytest.fixture
    def draft(self, desk_reporter):
        story = make_article(
            slug="talks-to-begin",
            status=Status.DRAFT,
            published_at=None,
            created_by=desk_reporter,
            body=BODY,
        )
        story.tags.set(["Diplomacy", "NATO"])
        Quote.objects.create(
            article=story, speaker=make_person(), text="We are ready to talk,"
        )
        return story

    @staticmethod
    def stored(story):
        """Every column of the story's row, its tags and its quotes, as saved."""
        row = Article.objects.filter(pk=story.pk).values().get()
        tags = sorted(Article.objects.get(pk=story.pk).tags.names())
        quotes = list(story.quotes.order_by("pk").values())
        return row, tags, quotes

    def reporters_edit(self, reporter, story):
        """The reporter opens the change form; returns what pressing Save sends."""
        page = reporter.get(change_url(story))
        assert page.status_code == 200
        opened_at = page.context["adminform"].form["base_version"].value()
        return workflow_form(
            existing_quotes=story.quotes.all(),
            slug=story.slug,
            headline=self.HEADLINE,
            dek=self.DEK,
            body=self.BODY,
            base_version=str(opened_at),
            **{"quotes-0-context": "at the press conference"},
        )

    def test_reporter_is_told_and_keeps_their_text_and_the_story_is_unchanged(
        self, desk_reporter, desk_editor, draft
    ):
        reporter, editor = logged_in(desk_reporter), logged_in(desk_editor)
        edit = self.reporters_edit(reporter, draft)
        run_action(editor, "publish_selected", [draft])
        published = self.stored(draft)
        assert published[0]["status"] == Status.PUBLISHED

        response = reporter.post(change_url(draft), edit)

        assert response.status_code == 200
        assertContains(response, "An editor published this story after you opened")
        assertContains(response, "so you can no longer change it")
        assertContains(response, "nothing was written")
        assertContains(response, "desk-editor at ")  # who saved it last, and when
        assertContains(response, self.HEADLINE)
        assertContains(response, self.DEK)
        # Every paragraph, line breaks and all, in a box it can be copied from.
        assert escape(self.BODY) in response.content.decode()
        assertContains(response, "Diplomacy, NATO")
        assertContains(response, "at the press conference")  # from the quotes too
        # Nothing offers to save again: the reporter may not.
        assertNotContains(response, 'name="_save"')
        assert self.stored(draft) == published

    def test_a_scheduled_story_is_refused_the_same_way(
        self, desk_reporter, desk_editor, draft
    ):
        reporter, editor = logged_in(desk_reporter), logged_in(desk_editor)
        edit = self.reporters_edit(reporter, draft)
        soon = timezone.localtime() + timedelta(days=1)
        run_action(
            editor,
            "schedule_selected",
            [draft],
            schedule="1",
            publish_at=f"{soon:%Y-%m-%d %H:%M}",
        )
        scheduled = self.stored(draft)
        assert scheduled[0]["status"] == Status.SCHEDULED

        response = reporter.post(change_url(draft), edit)

        assertContains(response, "An editor scheduled this story for publication")
        assertContains(response, self.HEADLINE)
        assert self.stored(draft) == scheduled

    def test_reporter_is_still_refused_a_story_published_before_they_opened_it(
        self, desk_reporter, desk_editor, draft
    ):
        reporter, editor = logged_in(desk_reporter), logged_in(desk_editor)
        run_action(editor, "publish_selected", [draft])
        published = self.stored(draft)
        page = reporter.get(change_url(draft))
        assert page.status_code == 200  # to read, with nothing to save
        assertNotContains(page, 'name="_save"')
        response = reporter.post(
            change_url(draft),
            workflow_form(
                slug=draft.slug,
                headline=self.HEADLINE,
                base_version=str(published[0]["version"]),
            ),
        )
        assert response.status_code == 403
        assert self.stored(draft) == published

    QUOTE = "We are ready to talk, and we will talk on Monday,"

    def reporters_quote_edit(self, reporter, quote):
        """The reporter opens the quote's own page; returns what Save sends."""
        page = reporter.get(quote_change_url(quote))
        assert page.status_code == 200
        assertContains(page, 'name="_save"')
        # What the browser sends back untouched: the versions the page opened.
        hidden = dict(
            re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text)
        )
        return {
            **hidden,
            "article": str(quote.article_id),
            "speaker": str(quote.speaker_id),
            "text": self.QUOTE,
            "context": "at the press conference",
            "order": str(quote.order),
            "_save": "Save",
        }

    def test_reporter_on_a_quotes_page_is_told_and_keeps_their_text(
        self, desk_reporter, desk_editor, draft
    ):
        reporter, editor = logged_in(desk_reporter), logged_in(desk_editor)
        quote = draft.quotes.get()
        edit = self.reporters_quote_edit(reporter, quote)
        run_action(editor, "publish_selected", [draft])
        published = self.stored(draft)
        assert published[0]["status"] == Status.PUBLISHED

        response = reporter.post(quote_change_url(quote), edit)

        assert response.status_code == 200
        assertContains(
            response, "An editor published this quote’s story after you opened it"
        )
        assertContains(response, "so you can no longer change it")
        assertContains(response, "nothing was written")
        # Who last saved the story (published it), and when.
        assertContains(
            response, f"“{draft.headline}” was last saved by desk-editor at "
        )
        assertContains(response, "<h1>Your changes to “We are ready to talk,” were")
        assertContains(response, escape(self.QUOTE))
        assertContains(response, "at the press conference")
        assertNotContains(response, 'name="_save"')
        # The story, its tags and its quote: every column, versions included.
        assert self.stored(draft) == published

    def test_reporter_on_a_quotes_page_is_still_refused_a_story_published_before(
        self, desk_reporter, desk_editor, draft
    ):
        reporter, editor = logged_in(desk_reporter), logged_in(desk_editor)
        quote = draft.quotes.get()
        run_action(editor, "publish_selected", [draft])
        published = self.stored(draft)
        page = reporter.get(quote_change_url(quote))
        assert page.status_code == 200  # to read, with nothing to save
        assertNotContains(page, 'name="_save"')
        response = reporter.post(
            quote_change_url(quote),
            {
                "article": str(draft.pk),
                "speaker": str(quote.speaker_id),
                "text": self.QUOTE,
                "context": "",
                "order": str(quote.order),
                "base_version": str(published[2][0]["version"]),
                "story_version": str(published[0]["version"]),
            },
        )
        assert response.status_code == 403
        assert self.stored(draft) == published

    def test_reporter_is_refused_anothers_draft_published_meanwhile(
        self, desk_reporter, desk_editor
    ):
        others = make_article(status=Status.DRAFT, published_at=None)
        editor = logged_in(desk_editor)
        opened_at = others.version
        run_action(editor, "publish_selected", [others])
        published = self.stored(others)
        response = logged_in(desk_reporter).post(
            change_url(others),
            workflow_form(
                slug=others.slug, headline=self.HEADLINE, base_version=str(opened_at)
            ),
        )
        assert response.status_code == 403
        assert self.stored(others) == published
