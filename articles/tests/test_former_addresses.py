"""A story's old address leads readers to it after an editor corrects it."""

import json
from datetime import timedelta

import pytest
import reversion
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, FormerAddress, Status, history

from .factories import make_article
from .test_history import as_submitted
from .test_workflow import change_url, logged_in, workflow_form

pytestmark = pytest.mark.django_db


def moved(story, **changes):
    """story taken down, given changes (slug, published_at), published again."""
    story.unpublish()
    for name, value in changes.items():
        setattr(story, name, value)
    story.status = Status.PUBLISHED
    story.save()
    return story


def test_the_old_address_leads_to_the_new_one(client):
    story = make_article(slug="talks-to-begn")
    old = story.get_absolute_url()
    moved(story, slug="talks-to-begin")
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_a_corrected_day_keeps_the_old_day_address(client):
    story = make_article(slug="talks", published_at=timezone.now() - timedelta(days=3))
    old = story.get_absolute_url()
    moved(story, published_at=timezone.now() - timedelta(days=2))
    assert story.get_absolute_url() != old
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (
        301,
        story.get_absolute_url(),
    )


def test_a_time_corrected_within_its_day_keeps_no_address():
    when = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    story = make_article(published_at=when - timedelta(days=1))
    moved(story, published_at=when - timedelta(days=1, minutes=5))
    assert not FormerAddress.objects.exists()


def test_a_story_moved_twice_leads_from_both_addresses_to_the_last(client):
    story = make_article(slug="first")
    first = story.get_absolute_url()
    moved(story, slug="second")
    second = story.get_absolute_url()
    moved(story, slug="third")
    for old in (first, second):
        assert client.get(old)["Location"] == story.get_absolute_url()


def test_moving_back_to_an_old_address_forgets_it(client):
    story = make_article(slug="first")
    first = story.get_absolute_url()
    moved(story, slug="second")
    moved(story, slug="first")
    assert client.get(first).status_code == 200
    assert list(FormerAddress.objects.values_list("slug", flat=True)) == ["second"]


def test_a_story_now_at_the_address_is_shown_rather_than_sent_on(client):
    day = timezone.now() - timedelta(days=1)
    story = make_article(slug="budget", published_at=day)
    old = story.get_absolute_url()
    moved(story, slug="budget-talks")
    newcomer = make_article(slug="budget", published_at=day + timedelta(minutes=1))
    assert newcomer.get_absolute_url() == old
    response = client.get(old)
    assert response.status_code == 200
    assert newcomer.headline.encode() in response.content


def test_an_unpublished_story_is_not_sent_on_to(client):
    story = make_article(slug="first")
    old = story.get_absolute_url()
    moved(story, slug="second")
    story.unpublish()
    assert client.get(old).status_code == 404


def test_an_address_that_never_came_is_not_kept():
    story = make_article(
        status=Status.SCHEDULED, published_at=timezone.now() + timedelta(days=1)
    )
    story.slug = "renamed"
    story.save()
    assert not FormerAddress.objects.exists()


def test_saves_that_leave_the_address_keep_nothing():
    story = make_article(slug="first")
    story.headline = "A new headline"
    story.save()
    story.unpublish()  # update_fields=["status"]
    assert not FormerAddress.objects.exists()


def test_the_editor_corrects_an_address_through_the_admin(desk_editor, client):
    story = make_article(slug="talks-to-begn")
    old = story.get_absolute_url()
    story.unpublish()
    editor = logged_in(desk_editor)
    when = timezone.localtime(story.published_at)
    response = editor.post(
        change_url(story),
        workflow_form(
            slug="talks-to-begin",
            headline=story.headline,
            dateline="",
            source="",
            tags="",
            body=story.body,
            status=Status.PUBLISHED,
            published_at_0=f"{when:%Y-%m-%d}",
            published_at_1=f"{when:%H:%M:%S}",
            base_version=str(Article.objects.get(pk=story.pk).version),
        ),
    )
    assert response.status_code == 302, response.context["errors"]
    story.refresh_from_db()
    assert story.slug == "talks-to-begin" and story.is_published
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (
        301,
        story.get_absolute_url(),
    )
    # Editors see where stories were, and may delete an address kept.
    listing = editor.get(reverse("admin:articles_formeraddress_changelist"))
    assert "talks-to-begn" in listing.content.decode()
    former = FormerAddress.objects.get()
    response = editor.post(
        reverse("admin:articles_formeraddress_delete", args=[former.pk]),
        {"post": "yes"},
    )
    assert response.status_code == 302
    assert Client().get(old).status_code == 404  # the cached redirect is gone too


def test_reporters_see_former_addresses_but_cannot_delete_them(desk_reporter):
    story = make_article(slug="first")
    moved(story, slug="second")
    former = FormerAddress.objects.get()
    reporter = logged_in(desk_reporter)
    listing = reporter.get(reverse("admin:articles_formeraddress_changelist"))
    assert listing.status_code == 200 and "first" in listing.content.decode()
    delete = reverse("admin:articles_formeraddress_delete", args=[former.pk])
    assert reporter.post(delete, {"post": "yes"}).status_code == 403
    add = reverse("admin:articles_formeraddress_add")
    assert reporter.get(add).status_code == 403
    assert FormerAddress.objects.filter(pk=former.pk).exists()


def test_former_addresses_dump_and_load_with_natural_keys(tmp_path):
    story = make_article(slug="first")
    moved(story, slug="second")
    dump = tmp_path / "dump.json"
    call_command(
        "dumpdata",
        "articles.article",
        "articles.formeraddress",
        natural_foreign=True,
        natural_primary=True,
        output=dump,
    )
    records = json.loads(dump.read_text())
    kept = next(r for r in records if r["model"] == "articles.formeraddress")
    assert "pk" not in kept
    assert kept["fields"]["article"] == list(story.natural_key())
    FormerAddress.objects.all().delete()
    call_command("loaddata", dump, verbosity=0)
    assert FormerAddress.objects.get().article == story


def test_a_restore_that_moves_the_story_keeps_the_address_it_leaves(client):
    story = make_article(slug="first")
    with reversion.create_revision():
        story.save()
    revision = Version.objects.get_for_object(story).get().revision
    moved(story, slug="second")
    second = story.get_absolute_url()
    history.restore_story(revision)
    story.refresh_from_db()
    assert story.slug == "first" and story.is_published
    response = client.get(second)
    assert (response.status_code, response["Location"]) == (
        301,
        story.get_absolute_url(),
    )


def test_the_redirect_tells_browsers_and_caches_to_ask_again(editor_client, settings):
    """A 301 sent unmarked is kept by browsers for good and by a CDN as it likes:
    after an editor deletes the address, or another story takes it, they would
    still send readers on."""
    settings.CDN_CACHE_SECONDS = 60
    story = make_article(slug="first")
    old = story.get_absolute_url()
    moved(story, slug="second")
    reader = Client().get(old)
    assert reader.status_code == 301
    assert {p.strip() for p in reader["Cache-Control"].split(",")} == {
        "public",
        "max-age=0",
        "s-maxage=60",
    }
    assert "Cookie" in reader["Vary"]
    staff = editor_client.get(old)
    assert staff.status_code == 301
    assert "private" in staff["Cache-Control"]
    assert "public" not in staff["Cache-Control"]


def test_restoring_a_story_leaves_another_storys_old_address_to_it(desk_editor):
    """The admin's restore keeps where the story stands, its address included
    (test_history): the revision's address, written over the row for a moment,
    is not one the story leaves, and must not take over another's redirect."""
    day = timezone.now() - timedelta(days=1)
    story = make_article(slug="budget", published_at=day)
    with reversion.create_revision():
        story.save()
    revision = Version.objects.get_for_object(story).get()
    moved(story, slug="budget-talks")
    # Another story went out at the address the first left, then moved too:
    # the address is the newcomer's now.
    newcomer = make_article(slug="budget", published_at=day + timedelta(minutes=1))
    old = newcomer.get_absolute_url()
    moved(newcomer, slug="budget-vote")
    assert Client().get(old)["Location"] == newcomer.get_absolute_url()
    editor = logged_in(desk_editor)
    url = reverse("admin:articles_article_revision", args=[story.pk, revision.pk])
    response = editor.post(url, as_submitted(editor.get(url)))
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.slug == "budget-talks"
    assert Client().get(old)["Location"] == newcomer.get_absolute_url()


def test_restoring_a_story_brings_back_no_address_an_editor_deleted(desk_editor):
    story = make_article(slug="first")
    with reversion.create_revision():
        story.save()
    revision = Version.objects.get_for_object(story).get()
    old = story.get_absolute_url()
    moved(story, slug="second")
    FormerAddress.objects.all().delete()
    editor = logged_in(desk_editor)
    url = reverse("admin:articles_article_revision", args=[story.pk, revision.pk])
    assert editor.post(url, as_submitted(editor.get(url))).status_code == 302
    story.refresh_from_db()
    assert story.slug == "second" and story.is_published
    assert not FormerAddress.objects.exists()
    assert Client().get(old).status_code == 404


def test_restoring_a_moved_story_keeps_its_old_address_leading_to_it(desk_editor):
    story = make_article(slug="first")
    with reversion.create_revision():
        story.save()
    revision = Version.objects.get_for_object(story).get()
    old = story.get_absolute_url()
    moved(story, slug="second")
    editor = logged_in(desk_editor)
    url = reverse("admin:articles_article_revision", args=[story.pk, revision.pk])
    assert editor.post(url, as_submitted(editor.get(url))).status_code == 302
    story.refresh_from_db()
    assert list(FormerAddress.objects.values_list("slug", "article")) == [
        ("first", story.pk)
    ]
    assert Client().get(old)["Location"] == story.get_absolute_url()


def test_a_fixture_that_moves_a_story_keeps_the_address_it_leaves(tmp_path):
    story = make_article(slug="first")
    old = story.get_absolute_url()
    dump = tmp_path / "dump.json"
    call_command("dumpdata", "articles.article", output=dump)
    records = json.loads(dump.read_text())
    records[0]["fields"]["slug"] = "second"
    dump.write_text(json.dumps(records))
    call_command("loaddata", dump, verbosity=0)
    story.refresh_from_db()
    assert story.slug == "second"
    response = Client().get(old)
    assert (response.status_code, response["Location"]) == (
        301,
        story.get_absolute_url(),
    )
