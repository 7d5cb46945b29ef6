"""Revision history: who changed what and when, a diff, and one-click restore."""

import json
import re
from datetime import timedelta

import html5lib
import pytest
import reversion
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains
from reversion.models import Version
from taggit.models import Tag

from articles.models import (
    Agency,
    Article,
    Person,
    PhotoCredit,
    PhotoCreditAgency,
    Quote,
    Status,
    TaggedArticle,
    history,
)

from .factories import make_article, make_person, make_photo
from .test_workflow import logged_in, run_action, workflow_form

pytestmark = pytest.mark.django_db

FIRST_BODY = "“We are ready to talk,” the minister said.\n\nTalks begin on Monday."
SECOND_BODY = "“We are ready to talk,” the minister said.\n\nTalks begin on Tuesday."


def versions_of(article):
    return list(Version.objects.get_for_object(article).order_by("pk"))


@pytest.fixture
def edited_twice(desk_editor):
    """A draft written in the admin, then edited: two revisions."""
    client = logged_in(desk_editor)
    minister = make_person(name="Ann Minister")
    client.post(
        reverse("admin:articles_article_add"),
        workflow_form(
            body=FIRST_BODY,
            tags="Diplomacy",
            **{
                "quotes-TOTAL_FORMS": "1",
                "quotes-0-text": "We are ready to talk,",
                "quotes-0-speaker": str(minister.pk),
            },
        ),
    )
    story = Article.objects.get(slug="talks-to-begin")
    client.post(
        reverse("admin:articles_article_change", args=[story.pk]),
        workflow_form(
            headline="Talks to begin on Tuesday",
            body=SECOND_BODY,
            tags="Diplomacy, Europe",
            **{"quotes-TOTAL_FORMS": "0"},
        ),
    )
    story.refresh_from_db()
    return client, story


def test_history_lists_each_revision_with_user_and_time(edited_twice, desk_editor):
    client, story = edited_twice
    first, second = versions_of(story)
    assert first.revision.user == second.revision.user == desk_editor
    # The revision holds the story's quotes and tags, not just the story.
    held = {v.content_type.model for v in first.revision.version_set.all()}
    assert {"article", "quote", "taggedarticle"} <= held
    page = client.get(reverse("admin:articles_article_history", args=[story.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("desk-editor") >= 2
    created = timezone.localtime(second.revision.date_created)
    assert f"{created:%Y}" in html and "Changed Headline" in html


def test_diff_between_two_revisions(edited_twice):
    client, story = edited_twice
    first, second = versions_of(story)
    response = client.get(
        reverse("admin:articles_article_compare", args=[story.pk]),
        {"version_id1": first.pk, "version_id2": second.pk},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Talks begin on <del>Mon</del><ins>Tues</ins>day." in html
    assert "Talks to begin<ins> on Tuesday</ins>" in html
    assert "<ins>+ Talks to begin on Tuesday tagged with Europe</ins>" in html
    # What changed in the story, not the desk's bookkeeping of every save.
    compared = re.findall(r"<h3>(.*?)</h3>", html)
    assert "headline" in compared and "body" in compared
    assert not {"version", "changed at"} & set(compared)
    assert not any(name.startswith("changed by") for name in compared)
    assert "lead photo" not in compared  # none before, none after


def test_diff_names_a_lead_photo_only_when_it_changed(edited_twice):
    client, story = edited_twice
    photo = make_photo(caption="Delegates arrive in Geneva.")
    for change in [{"lead_photo": photo}, {"headline": "Talks to begin soon"}]:
        Article.objects.filter(pk=story.pk).update(**change)
        story.refresh_from_db()
        with reversion.create_revision():
            story.save()
    *_, before, with_photo, retitled = versions_of(story)

    def compared(first, second):
        html = client.get(
            reverse("admin:articles_article_compare", args=[story.pk]),
            {"version_id1": first.pk, "version_id2": second.pk},
        ).content.decode()
        # A field marked <sup>*</sup> is kept in the history only as an id.
        names = [
            re.sub("<sup.*?</sup>", "", name)
            for name in re.findall(r"<h3>(.*?)</h3>", html)
        ]
        return names, html

    names, html = compared(before, with_photo)
    assert "lead photo" in names and "Delegates arrive in Geneva." in html
    # The story chose the credit; the credit's own words are not its history.
    assert "are not under reversion control" in html
    names, _ = compared(with_photo, retitled)
    assert "lead photo" not in names and "headline" in names


def test_restore_brings_content_back_and_is_itself_a_revision(edited_twice):
    client, story = edited_twice
    first, second = versions_of(story)
    url = reverse("admin:articles_article_revision", args=[story.pk, first.pk])
    form = client.get(url)
    assert form.status_code == 200
    # Looking changes nothing.
    assert Article.objects.get(pk=story.pk).body == SECOND_BODY
    version_before = Article.objects.get(pk=story.pk).version
    response = client.post(
        url,
        workflow_form(
            body=FIRST_BODY,
            tags="Diplomacy",
            base_version=form.context["adminform"].form["base_version"].value(),
            **{
                "quotes-TOTAL_FORMS": "0",
            },
        ),
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.headline, story.body) == ("Talks to begin", FIRST_BODY)
    assert sorted(story.tags.names()) == ["Diplomacy"]
    assert [q.text for q in story.quotes.all()] == ["We are ready to talk,"]
    restored = versions_of(story)
    assert len(restored) == 3
    assert "Reverted" in restored[-1].revision.get_comment()
    # The old revision's version number is not written back: a form opened
    # before the restore is stale now.
    assert story.version > version_before
    stale = client.post(
        reverse("admin:articles_article_change", args=[story.pk]),
        workflow_form(
            body=SECOND_BODY,
            base_version=str(version_before),
            **{"quotes-TOTAL_FORMS": "0"},
        ),
    )
    assert stale.status_code == 200 and "was changed by" in stale.content.decode()
    assert Article.objects.get(pk=story.pk).body == FIRST_BODY


def test_a_restore_opened_before_another_save_does_not_undo_it(
    edited_twice, django_user_model
):
    client, story = edited_twice
    first, _ = versions_of(story)
    url = reverse("admin:articles_article_revision", args=[story.pk, first.pk])
    opened = client.get(url).context["adminform"].form["base_version"].value()

    # Another editor saves while the restore page is open.
    other = django_user_model.objects.create_user("olga", first_name="Olga")
    story.refresh_from_db()
    story.dek, story.changed_by = "Both sides confirm the date.", other
    story.save()
    saved = Article.objects.values().get(pk=story.pk)

    response = client.post(
        url,
        workflow_form(
            body=FIRST_BODY,
            tags="Diplomacy",
            base_version=opened,
            **{"quotes-TOTAL_FORMS": "0"},
        ),
    )
    assert response.status_code == 200
    assert "was changed by Olga" in response.content.decode()
    assert Article.objects.values().get(pk=story.pk) == saved
    assert len(versions_of(story)) == 2  # no revision for a restore


def test_a_double_click_on_restore_is_not_a_conflict(edited_twice):
    client, story = edited_twice
    first, _ = versions_of(story)
    url = reverse("admin:articles_article_revision", args=[story.pk, first.pk])
    opened = client.get(url).context["adminform"].form["base_version"].value()
    form = workflow_form(
        body=FIRST_BODY,
        tags="Diplomacy",
        base_version=opened,
        **{"quotes-TOTAL_FORMS": "0"},
    )
    assert client.post(url, form).status_code == 302
    restored = Article.objects.values().get(pk=story.pk)
    assert client.post(url, form).status_code == 302
    again = Article.objects.values().get(pk=story.pk)
    assert (again["headline"], again["body"]) == ("Talks to begin", FIRST_BODY)
    assert again["dek"] == restored["dek"]


def test_restore_keeps_where_the_story_stands(edited_twice):
    client, story = edited_twice
    first, _ = versions_of(story)
    story.publish(when=timezone.now() - timedelta(hours=1))
    published_at = Article.objects.get(pk=story.pk).published_at
    url = reverse("admin:articles_article_revision", args=[story.pk, first.pk])
    when = timezone.localtime(published_at)
    opened = client.get(url).context["adminform"].form["base_version"].value()
    client.post(
        url,
        workflow_form(
            body=FIRST_BODY,
            base_version=opened,
            status=Status.PUBLISHED,
            published_at_0=f"{when:%Y-%m-%d}",
            published_at_1=f"{when:%H:%M:%S}",
            **{"quotes-TOTAL_FORMS": "0"},
        ),
    )
    story.refresh_from_db()
    assert story.body == FIRST_BODY
    assert (story.status, story.published_at) == (Status.PUBLISHED, published_at)
    assert story.was_updated  # restoring a published story is an update


def test_editor_restores_a_scheduled_story_whose_time_has_come(edited_twice):
    client, story = edited_twice
    first, _ = versions_of(story)
    # Scheduled, then its time came: live, still marked scheduled.
    went_out = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)
    Article.objects.filter(pk=story.pk).update(
        status=Status.SCHEDULED, published_at=went_out
    )
    url = reverse("admin:articles_article_revision", args=[story.pk, first.pk])
    opened = client.get(url).context["adminform"].form["base_version"].value()
    response = client.post(
        url,
        workflow_form(
            body=FIRST_BODY,
            base_version=opened,
            status=Status.SCHEDULED,
            **{"quotes-TOTAL_FORMS": "0"},
        ),
    )
    # The row held the revision's draft status by then: the check that a
    # scheduled time is in the future took the restore for a change of time,
    # and put its error on a field the form shows read-only (a server error).
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.body == FIRST_BODY
    assert (story.status, story.published_at) == (Status.SCHEDULED, went_out)


def test_reporter_cannot_restore_a_published_story(edited_twice, desk_reporter):
    _, story = edited_twice
    first, _ = versions_of(story)
    story.publish(when=timezone.now() - timedelta(hours=1))
    url = reverse("admin:articles_article_revision", args=[story.pk, first.pk])
    response = logged_in(desk_reporter).post(url, workflow_form(body=FIRST_BODY))
    assert response.status_code == 403
    story.refresh_from_db()
    assert (story.status, story.body) == (Status.PUBLISHED, SECOND_BODY)
    assert len(versions_of(story)) == 2


def test_admin_actions_record_revisions(desk_editor):
    story = make_article(status=Status.IN_REVIEW, published_at=None)
    client = logged_in(desk_editor)
    run_action(client, "publish_selected", [story])
    run_action(client, "unpublish_selected", [story])
    versions = versions_of(story)
    assert [v.field_dict["status"] for v in versions] == [
        Status.PUBLISHED,
        Status.DRAFT,
    ]
    assert versions[0].revision.user == desk_editor
    assert versions[0].revision.get_comment() == "Published from the story list."


def test_scheduled_story_published_early_keeps_no_future_time(desk_editor):
    story = make_article(
        status=Status.SCHEDULED, published_at=timezone.now() + timedelta(days=1)
    )
    run_action(logged_in(desk_editor), "publish_selected", [story])
    story.refresh_from_db()
    assert story.status == Status.PUBLISHED and story.published_at <= timezone.now()


def test_restoring_a_live_story_keeps_its_address(edited_twice, client):
    editor, story = edited_twice
    first, _ = versions_of(story)
    # Renamed after the first revision, while still a draft, then published.
    editor.post(
        reverse("admin:articles_article_change", args=[story.pk]),
        workflow_form(
            headline="Talks to begin on Tuesday",
            slug="talks-begin-tuesday",
            body=SECOND_BODY,
            tags="Diplomacy, Europe",
            base_version=str(story.version),
            **{"quotes-TOTAL_FORMS": "0"},
        ),
    )
    story.refresh_from_db()
    assert story.slug == "talks-begin-tuesday"
    story.publish(when=timezone.now() - timedelta(hours=1))
    address = Article.objects.get(pk=story.pk).get_absolute_url()
    url = reverse("admin:articles_article_revision", args=[story.pk, first.pk])
    opened = editor.get(url).context["adminform"].form["base_version"].value()
    response = editor.post(
        url,
        workflow_form(
            body=FIRST_BODY,
            base_version=opened,
            status=Status.PUBLISHED,
            **{"quotes-TOTAL_FORMS": "0"},
        ),
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.body == FIRST_BODY
    assert story.slug == "talks-begin-tuesday"
    assert client.get(address).status_code == 200


def test_restored_quotes_move_past_every_version_a_form_could_hold(desk_editor):
    client = logged_in(desk_editor)
    story = make_article(body=FIRST_BODY, status=Status.DRAFT, published_at=None)
    quote = Quote.objects.create(
        article=story, speaker=make_person(), text="We are ready to talk,"
    )
    with reversion.create_revision():
        story.save()
    first = versions_of(story)[-1]
    url = reverse("admin:articles_quote_change", args=[quote.pk])

    def edit_quote(context):
        current = Quote.objects.get(pk=quote.pk)
        response = client.post(
            url,
            {
                "article": story.pk,
                "speaker": current.speaker_id,
                "text": current.text,
                "context": context,
                "order": current.order,
                "base_version": current.version,
            },
        )
        assert response.status_code == 302
        return Quote.objects.get(pk=quote.pk).version

    edit_quote("c2")
    held_by_an_open_form = edit_quote("c3")
    revert = reverse("admin:articles_article_revision", args=[story.pk, first.pk])
    opened = client.get(revert).context["adminform"].form["base_version"].value()
    response = client.post(
        revert,
        workflow_form(
            headline=story.headline,
            slug=story.slug,
            body=FIRST_BODY,
            tags="",
            base_version=opened,
            **{"quotes-TOTAL_FORMS": "0"},
        ),
    )
    assert response.status_code == 302
    restored = Quote.objects.get(pk=quote.pk)
    assert restored.context == ""
    assert restored.version > held_by_an_open_form
    # Two more edits cannot bring the number back to the open form's.
    assert edit_quote("c4") != held_by_an_open_form


# A story only chooses which photo credit leads it. The credit is a record of
# its own, which other stories may lead with too: restoring a story's revision
# neither deletes nor rewrites one.


def photo_credit_state(*credits):
    """Every field of the credits, and their agencies in order."""
    return [
        (row, list(PhotoCreditAgency.objects.filter(credit=row["id"]).values()))
        for row in PhotoCredit.objects.filter(pk__in=[c.pk for c in credits])
        .order_by("pk")
        .values()
    ]


def restore(client, story, version):
    """Open the revision's restore page and save it as the page shows it."""
    url = reverse("admin:articles_article_revision", args=[story.pk, version.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    response = client.post(
        url,
        workflow_form(
            body=FIRST_BODY,
            tags="Diplomacy",
            lead_photo=form["lead_photo"].value() or "",
            base_version=form["base_version"].value(),
            **{"quotes-TOTAL_FORMS": "0"},
        ),
        follow=True,
    )
    assert response.redirect_chain, response.content.decode()
    return page, response


@pytest.fixture
def photographed(desk_editor):
    """A story saved in the admin with one lead photo, then with another."""
    client = logged_in(desk_editor)
    first = make_photo(caption="Delegates arrive in Geneva.", agencies=["AP"])
    second = make_photo(caption="The minister speaks.", agencies=["TASS"])
    client.post(
        reverse("admin:articles_article_add"),
        workflow_form(body=FIRST_BODY, tags="Diplomacy", lead_photo=str(first.pk)),
    )
    story = Article.objects.get(slug="talks-to-begin")
    client.post(
        reverse("admin:articles_article_change", args=[story.pk]),
        workflow_form(
            body=SECOND_BODY,
            tags="Diplomacy",
            lead_photo=str(second.pk),
            **{"quotes-TOTAL_FORMS": "0"},
        ),
    )
    story.refresh_from_db()
    assert story.lead_photo == second
    return client, story, first, second


def test_restoring_an_older_photo_keeps_the_credit_another_story_leads_with(
    photographed,
):
    client, story, first, second = photographed
    other = make_article(headline="Summit ends", lead_photo=second)
    before = photo_credit_state(first, second)
    old = versions_of(story)[0]
    held = {v.content_type.model for v in old.revision.version_set.all()}
    assert "photocredit" not in held and "photocreditagency" not in held
    page, _ = restore(client, story, old)
    assert page.context["adminform"].form["lead_photo"].value() == first.pk
    story.refresh_from_db()
    other.refresh_from_db()
    assert (story.body, story.lead_photo) == (FIRST_BODY, first)
    assert other.lead_photo == second
    assert photo_credit_state(first, second) == before


def test_restoring_a_story_leaves_its_photo_credit_as_the_desk_changed_it(
    photographed,
):
    client, story, first, second = photographed
    other = make_article(headline="Summit ends", lead_photo=first)
    # The photo desk rewrites the credit after the story's first revision.
    first.caption = "Delegates arrive in Geneva on Sunday."
    first.save()
    first.agency_links.update(agency=Agency.objects.get_or_create(name="Reuters")[0])
    before = photo_credit_state(first, second)
    restore(client, story, versions_of(story)[0])
    story.refresh_from_db()
    assert (story.body, story.lead_photo) == (FIRST_BODY, first)
    assert photo_credit_state(first, second) == before
    assert other.lead_photo.caption == "Delegates arrive in Geneva on Sunday."


def test_restoring_a_revision_that_holds_its_photo_credit_writes_no_credit(
    photographed,
):
    # Revisions saved before the story stopped following its lead photo hold
    # the credit and its agencies as they were then.
    client, story, first, second = photographed
    Article.objects.filter(pk=story.pk).update(lead_photo=first)
    story.refresh_from_db()
    with reversion.create_revision():
        story.save()
        reversion.add_to_revision(first)  # follows its agency links
    old = versions_of(story)[-1]
    held = {v.content_type.model for v in old.revision.version_set.all()}
    assert {"photocredit", "photocreditagency"} <= held
    Article.objects.filter(pk=story.pk).update(lead_photo=second)
    other = make_article(headline="Summit ends", lead_photo=second)
    first.caption = "Delegates arrive in Geneva on Sunday."
    first.save()
    make_photo_agency(first, "Reuters")
    before = photo_credit_state(first, second)
    restore(client, story, old)
    story.refresh_from_db()
    other.refresh_from_db()
    assert story.lead_photo == first and other.lead_photo == second
    assert photo_credit_state(first, second) == before


def make_photo_agency(credit, name):
    agency, _ = Agency.objects.get_or_create(name=name)
    return PhotoCreditAgency.objects.create(credit=credit, agency=agency)


@pytest.mark.parametrize("held", [False, True], ids=["revision", "older revision"])
def test_restoring_a_revision_whose_photo_was_deleted_since_tells_the_editor(
    photographed, held
):
    client, story, first, second = photographed
    old = versions_of(story)[0]
    if held:  # as saved before: the credit's own version is in the revision
        with reversion.create_revision():
            Article.objects.filter(pk=story.pk).update(lead_photo=first)
            story.refresh_from_db()
            story.save()
            reversion.add_to_revision(first)
        old = versions_of(story)[-1]
        Article.objects.filter(pk=story.pk).update(lead_photo=second)
    # No story leads with it any more, so its own delete page deletes it.
    deleted = client.post(
        reverse("admin:articles_photocredit_delete", args=[first.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 302
    credits = list(PhotoCredit.objects.values_list("pk", "caption"))
    page, saved = restore(client, story, old)
    warning = (
        "The lead photo this revision had, “Delegates arrive in Geneva.”, has "
        "since been deleted and cannot be restored."
    )
    assertContains(page, warning)
    assert page.context["adminform"].form["lead_photo"].value() is None
    assertContains(saved, warning)
    story.refresh_from_db()
    assert (story.body, story.lead_photo) == (FIRST_BODY, None)
    assert list(PhotoCredit.objects.values_list("pk", "caption")) == credits


def test_restoring_a_revision_from_before_a_corrected_quote_keeps_the_quote(
    desk_editor, client
):
    story = make_article(
        body="“We are ready,” she said.\n\n“Talks begin on Monday,” he said.",
        published_at=timezone.now() - timedelta(days=1),
    )
    with reversion.create_revision():
        story.save()
    story.refresh_from_db()
    quote = Quote.objects.create(
        article=story, speaker=make_person(), text="Talks begin on Monday,", order=1
    )
    with reversion.create_revision():
        story.save()
    story.refresh_from_db()
    correction = story.add_correction("He said Monday, not Tuesday.", quote=quote)
    editor = logged_in(desk_editor)
    url = reverse(
        "admin:articles_article_revision", args=[story.pk, versions_of(story)[0].pk]
    )
    saved = editor.post(url, as_submitted(editor.get(url)), follow=True)
    assert saved.redirect_chain
    # The correction still names the words it corrects, and readers follow it there.
    correction.refresh_from_db()
    assert correction.quote == quote
    assertContains(client.get(story.get_absolute_url()), "the quote corrected")


def test_the_diff_after_a_restore_lists_no_quote_whose_words_stayed(edited_twice):
    client, story = edited_twice
    first, second = versions_of(story)
    url = reverse("admin:articles_article_revision", args=[story.pk, first.pk])
    assert client.post(url, as_submitted(client.get(url)), follow=True).redirect_chain
    *_, restored = versions_of(story)
    response = client.get(
        reverse("admin:articles_article_compare", args=[story.pk]),
        {"version_id1": second.pk, "version_id2": restored.pk},
    )
    # The restore moved the quote's version on, and nothing else about it:
    # it read "“We are ready to talk,” → “We are ready to talk,”".
    compared = re.findall(r"<h3>(.*?)</h3>", response.content.decode())
    assert "body" in compared and "quotes" not in compared


def test_restore_deletes_quotes_added_since(edited_twice):
    client, story = edited_twice
    first, _ = versions_of(story)
    Quote.objects.create(
        article=story, speaker=make_person(), text="Talks begin on Tuesday."
    )
    restore(client, story, first)
    assert [q.text for q in story.quotes.all()] == ["We are ready to talk,"]


# A revision names people and tags that are records of their own: the desk may
# delete one after the story stops using it. Restoring the revision then brings
# back everything else and tells the editor what it could not.

CAST_BODY = (
    "“We are ready to talk,” the minister said.\n\n"
    "“We will listen,” the envoy said.\n\nTalks begin on Monday."
)


def as_submitted(page, form_id="article_form"):
    """The POST data a browser sends for the change form as the page shows it."""
    document = html5lib.parse(page.content.decode(), namespaceHTMLElements=False)
    (form,) = [f for f in document.iter("form") if f.get("id") == form_id]
    data = {}
    for field in form.iter():
        name = field.get("name")
        kind = field.get("type", "text")
        if field.tag not in {"input", "textarea", "select"} or not name:
            continue
        if kind in {"submit", "button", "file"}:
            continue
        if field.tag == "select":
            values = [
                o.get("value")
                for o in field.iter("option")
                if o.get("selected") is not None
            ]
        elif field.tag == "textarea":
            values = [(field.text or "").removeprefix("\n")]
        elif kind in {"checkbox", "radio"}:
            values = (
                [field.get("value", "on")] if field.get("checked") is not None else []
            )
        else:
            values = [field.get("value", "")]
        data.setdefault(name, []).extend(values)
    return data


@pytest.fixture
def cast(desk_editor):
    """A story written in the admin with a byline, people, tags and quotes;
    then edited to leave out one of each, so the desk may delete them."""
    client = logged_in(desk_editor)
    people = {
        name: make_person(name=name)
        for name in ["Ann Minister", "Eve Envoy", "Bob Writer", "Dee Staff", "Cy Named"]
    }
    ids = {name: str(person.pk) for name, person in people.items()}
    client.post(
        reverse("admin:articles_article_add"),
        workflow_form(
            body=CAST_BODY,
            tags="Diplomacy, Europe",
            # Not in the order of their names: the lead writer first.
            authors=[(people["Dee Staff"], "1"), (people["Bob Writer"], "2")],
            people=[ids["Cy Named"], ids["Eve Envoy"]],
            **{
                "quotes-TOTAL_FORMS": "2",
                "quotes-0-text": "We are ready to talk,",
                "quotes-0-speaker": ids["Ann Minister"],
                "quotes-1-text": "We will listen,",
                "quotes-1-speaker": ids["Eve Envoy"],
            },
        ),
    )
    story = Article.objects.get(slug="talks-to-begin")
    ready, listen = story.quotes.all()
    dee, bob = story.author_links.all()
    response = client.post(
        reverse("admin:articles_article_change", args=[story.pk]),
        workflow_form(
            body=CAST_BODY.replace("Monday", "Tuesday"),
            tags="Diplomacy",
            authors=[dee, bob],
            people=[ids["Eve Envoy"]],
            base_version=str(story.version),
            **{
                "quotes-TOTAL_FORMS": "2",
                "quotes-INITIAL_FORMS": "2",
                **{
                    f"quotes-{i}-{field}": str(value)
                    for i, quote in enumerate([ready, listen])
                    for field, value in [
                        ("id", quote.pk),
                        ("text", quote.text),
                        ("speaker", quote.speaker_id),
                        ("order", quote.order),
                        ("base_version", quote.version),
                    ]
                },
                "quotes-0-DELETE": "on",
                "author_links-1-DELETE": "on",
            },
        ),
    )
    assert response.status_code == 302
    assert story.byline == "Dee Staff"
    return client, story, people


def delete_in_admin(client, record):
    url = reverse(
        f"admin:{record._meta.app_label}_{record._meta.model_name}_delete",
        args=[record.pk],
    )
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not type(record).objects.filter(pk=record.pk).exists()


def story_state(story):
    """What the story is, with its links and quotes; names where they still exist."""
    story = Article.objects.get(pk=story.pk)
    return {
        "body": story.body,
        "authors": [p.name for p in story.byline_authors],  # in byline order
        "people": sorted(p.name for p in story.people.all()),
        "tags": sorted(story.tags.names()),
        "quotes": [(q.text, q.speaker.name) for q in story.quotes.all()],
        # Links to records deleted since, which the lists above cannot show.
        "links": (
            Article.authors.through.objects.filter(article=story).count(),
            Article.people.through.objects.filter(article=story).count(),
            TaggedArticle.objects.filter(content_object=story).count(),
        ),
    }


RESTORED = {
    "body": CAST_BODY,
    "authors": ["Dee Staff", "Bob Writer"],
    "people": ["Cy Named", "Eve Envoy"],
    "tags": ["Diplomacy", "Europe"],
    "quotes": [
        ("We are ready to talk,", "Ann Minister"),
        ("We will listen,", "Eve Envoy"),
    ],
    "links": (2, 2, 2),
}

LOSSES = {
    "author": (
        "An author this revision had, “Bob Writer”, has since been deleted and "
        "cannot be restored.",
        {"authors": ["Dee Staff"], "links": (1, 2, 2)},
    ),
    "named": (
        "A person this revision named, “Cy Named”, has since been deleted and "
        "cannot be restored.",
        {"people": ["Eve Envoy"], "links": (2, 1, 2)},
    ),
    "tag": (
        "A tag this revision had, “Europe”, has since been deleted and cannot be "
        "restored.",
        {"tags": ["Diplomacy"], "links": (2, 2, 1)},
    ),
    "speaker": (
        "A quote this revision had, “We are ready to talk,”, cannot be restored: "
        "its speaker, “Ann Minister”, has since been deleted.",
        {"quotes": [("We will listen,", "Eve Envoy")]},
    ),
}


def delete_what_is_lost(client, people, lost):
    deleted = {
        "tag": Tag.objects.filter(name="Europe").first(),
        "speaker": people["Ann Minister"],
        "author": people["Bob Writer"],
        "named": people["Cy Named"],
    }
    for case in lost:
        delete_in_admin(client, deleted[case])


@pytest.mark.parametrize(
    "lost", [[case] for case in LOSSES] + [list(LOSSES)], ids=[*LOSSES, "all"]
)
def test_restoring_a_revision_whose_people_or_tags_were_deleted_tells_the_editor(
    cast, lost
):
    client, story, people = cast
    delete_what_is_lost(client, people, lost)
    url = reverse(
        "admin:articles_article_revision", args=[story.pk, versions_of(story)[0].pk]
    )
    page = client.get(url)
    assert page.status_code == 200
    warnings = [LOSSES[case][0] for case in lost]
    for warning in warnings:
        assertContains(page, warning)
    saved = client.post(url, as_submitted(page), follow=True)
    assert saved.redirect_chain, saved.content.decode()
    assert [str(m) for m in saved.context["messages"]][: len(warnings)] == warnings
    expected = dict(RESTORED)
    for case in lost:
        for key, value in LOSSES[case][1].items():
            if key == "links":
                value = tuple(map(min, expected[key], value))
            expected[key] = value
    assert story_state(story) == expected
    connection.check_constraints()  # what a commit checks: no link to a deleted row


def test_a_refused_restore_of_a_revision_with_deleted_people_changes_nothing(cast):
    client, story, people = cast
    delete_what_is_lost(client, people, LOSSES)
    before = story_state(story), len(versions_of(story))
    url = reverse(
        "admin:articles_article_revision", args=[story.pk, versions_of(story)[0].pk]
    )
    refused = client.post(url, {**as_submitted(client.get(url)), "headline": ""})
    assert refused.status_code == 200
    assertContains(refused, "This field is required.")
    for warning, _ in LOSSES.values():
        assertContains(refused, warning)
    assert (story_state(story), len(versions_of(story))) == before


def test_a_tag_deleted_outside_the_admin_is_named_from_the_revision(cast):
    client, story, _ = cast
    # From a shell, say: no log entry keeps its name.
    Tag.objects.filter(name="Europe").delete()
    url = reverse(
        "admin:articles_article_revision", args=[story.pk, versions_of(story)[0].pk]
    )
    assertContains(client.get(url), LOSSES["tag"][0])


def test_an_author_deleted_outside_the_admin_is_named_from_the_revision(cast):
    client, story, people = cast
    # As for a tag: the byline place's version kept the name ("2. Bob Writer").
    people["Bob Writer"].delete()
    url = reverse(
        "admin:articles_article_revision", args=[story.pk, versions_of(story)[0].pk]
    )
    assertContains(client.get(url), LOSSES["author"][0])


@pytest.fixture
def byline_swapped(desk_editor):
    """A story written in the admin by Dee then Bob; then Bob led, with Cy added."""
    client = logged_in(desk_editor)
    dee, bob, cy = (
        make_person(name=name) for name in ["Dee Staff", "Bob Writer", "Cy Named"]
    )
    client.post(
        reverse("admin:articles_article_add"),
        workflow_form(body=FIRST_BODY, authors=[(dee, "1"), (bob, "2")]),
    )
    story = Article.objects.get(slug="talks-to-begin")
    links = list(story.author_links.all())
    data = workflow_form(
        body=FIRST_BODY,
        base_version=str(story.version),
        authors=[*links, (cy, "")],
    )
    data.update({"author_links-0-position": "2", "author_links-1-position": "1"})
    assert (
        client.post(
            reverse("admin:articles_article_change", args=[story.pk]), data
        ).status_code
        == 302
    )
    assert story.byline == "Bob Writer, Dee Staff and Cy Named"
    return client, story


def test_restoring_a_revision_brings_back_its_byline_in_its_order(byline_swapped):
    client, story = byline_swapped
    first, _ = versions_of(story)
    assert "articleauthor" in {
        v.content_type.model for v in first.revision.version_set.all()
    }
    url = reverse("admin:articles_article_revision", args=[story.pk, first.pk])
    page = client.get(url)
    saved = client.post(url, as_submitted(page), follow=True)
    assert saved.redirect_chain, saved.content.decode()
    assert story.byline == "Dee Staff and Bob Writer"
    assert list(story.author_links.values_list("position", flat=True)) == [1, 2]


def test_the_diff_shows_a_byline_reordered(byline_swapped):
    client, story = byline_swapped
    first, second = versions_of(story)
    response = client.get(
        reverse("admin:articles_article_compare", args=[story.pk]),
        {"version_id1": first.pk, "version_id2": second.pk},
    )
    assert response.status_code == 200
    assertContains(response, "Cy Named")


def test_the_diff_of_two_revisions_ignores_rows_deleted_since(byline_swapped):
    client, story = byline_swapped
    first, second = versions_of(story)
    # Later still, the byline is emptied: its rows leave the database.
    story.refresh_from_db()
    data = workflow_form(
        body=FIRST_BODY,
        base_version=str(story.version),
        authors=list(story.author_links.all()),
    )
    data.update({f"author_links-{i}-DELETE": "on" for i in range(3)})
    url = reverse("admin:articles_article_change", args=[story.pk])
    assert client.post(url, data).status_code == 302
    assert story.byline == ""
    response = client.get(
        reverse("admin:articles_article_compare", args=[story.pk]),
        {"version_id1": first.pk, "version_id2": second.pk},
    )
    html = response.content.decode()
    # The two revisions differ as they did: Bob moved up and Cy was added;
    # neither of them deleted anyone.
    assert "Deleted" not in html
    assertContains(response, "<ins>+ 3. Cy Named</ins>", html=True)
    assert "<del>2. Bob Writer</del> &rarr; <ins>1. Bob Writer</ins>" in html


def test_a_revision_from_before_bylines_had_places_restores_in_name_order(
    edited_twice,
):
    """Such a revision held the authors in the story's own version, as a list."""
    client, story = edited_twice
    first, _ = versions_of(story)
    zoe, adam = make_person(name="Zoe Writer"), make_person(name="Adam Reporter")
    gone = make_person(name="Gone Person")
    held = json.loads(first.serialized_data)
    held[0]["fields"]["authors"] = [zoe.pk, adam.pk, gone.pk]
    first.serialized_data = json.dumps(held)
    first.save()
    first.revision.version_set.filter(content_type__model="articleauthor").delete()
    gone_pk = gone.pk
    gone.delete()
    story.set_byline([make_person(name="Bea Lopes")])
    page, _ = restore(client, story, first)
    assert story.byline == "Adam Reporter and Zoe Writer"
    assertContains(page, f"An author this revision had, person {gone_pk}, has since")


def test_restoring_a_revision_before_two_quotes_swapped_places(desk_editor):
    story = make_article(quotes=2)
    first, second = story.quotes.order_by("order")
    with reversion.create_revision():
        story.save()
    revision = versions_of(story)[-1].revision
    # Swapped since: each now holds the place the other had in the revision.
    Quote.objects.filter(pk=first.pk).update(order=99)
    Quote.objects.filter(pk=second.pk).update(order=1)
    Quote.objects.filter(pk=first.pk).update(order=2)

    history.restore_story(revision)
    assert list(story.quotes.order_by("order").values_list("pk", flat=True)) == [
        first.pk,
        second.pk,
    ]


@pytest.fixture
def other_story_and_its_person(desk_reporter):
    """A reporter's draft, and another story whose wire import made a person
    with the draft's id: the import's revision holds both story and person."""
    draft = make_article(status=Status.DRAFT, published_at=None, headline="Mine")
    Article.objects.filter(pk=draft.pk).update(created_by=desk_reporter)
    with reversion.create_revision():
        other = make_article(
            status=Status.DRAFT, published_at=None, headline="Wire copy"
        )
        speaker = Person.objects.create(pk=draft.pk, name="Ann Other", slug="ann-o")
    # The desk rewrites the other story and publishes it.
    Article.objects.filter(pk=other.pk).update(
        headline="Edited by the desk",
        status=Status.PUBLISHED,
        published_at=timezone.now(),
    )
    return draft, other, Version.objects.get_for_object(speaker).get()


def test_a_persons_revision_is_not_restored_as_a_storys(
    desk_reporter, other_story_and_its_person
):
    draft, other, person_version = other_story_and_its_person
    client = logged_in(desk_reporter)
    url = reverse("admin:articles_article_revision", args=[draft.pk, person_version.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, workflow_form()).status_code == 404
    other.refresh_from_db()
    assert (other.headline, other.status) == ("Edited by the desk", Status.PUBLISHED)


def test_recover_takes_only_the_revision_of_a_deleted_story(
    desk_reporter, desk_editor, other_story_and_its_person
):
    draft, other, person_version = other_story_and_its_person
    recover = "admin:articles_article_recover"
    reporter = logged_in(desk_reporter)
    for version in [person_version, Version.objects.get_for_object(other).get()]:
        url = reverse(recover, args=[version.pk])
        assert reporter.get(url).status_code == 404
        assert reporter.post(url, workflow_form()).status_code == 404
    other.refresh_from_db()
    assert (other.headline, other.status) == ("Edited by the desk", Status.PUBLISHED)

    # A deleted story's page opens, and recovering it brings it back.
    with reversion.create_revision():
        gone = make_article(status=Status.DRAFT, published_at=None, headline="Gone")
    version = Version.objects.get_for_object(gone).get()
    Article.objects.filter(pk=gone.pk).delete()
    editor = logged_in(desk_editor)
    url = reverse(recover, args=[version.pk])
    page = editor.get(url)
    assert page.status_code == 200
    assert editor.post(url, as_submitted(page)).status_code == 302
    assert Article.objects.get(pk=gone.pk).headline == "Gone"


def test_a_restore_opened_before_a_quote_was_edited_does_not_undo_the_edit(
    edited_twice, django_user_model
):
    client, story = edited_twice
    first, _ = versions_of(story)
    url = reverse("admin:articles_article_revision", args=[story.pk, first.pk])
    page = client.get(url)
    # Another editor rewrites the quote on its own page while the restore is open.
    other = django_user_model.objects.create_user("olga", first_name="Olga")
    quote = Quote.objects.get(article=story)
    quote.text, quote.changed_by = "ready to talk", other
    quote.save()
    saved = (Article.objects.values().get(pk=story.pk), quote.version)

    response = client.post(url, as_submitted(page))
    assert response.status_code == 200
    assert "Saved meanwhile by Olga" in response.content.decode()
    quote.refresh_from_db()
    assert (Article.objects.values().get(pk=story.pk), quote.version) == saved
    assert quote.text == "ready to talk"


def test_a_revision_whose_data_no_longer_loads_is_a_message_not_a_server_error(
    edited_twice,
):
    client, story = edited_twice
    first, _ = versions_of(story)
    Version.objects.filter(pk=first.pk).update(serialized_data="[{")
    before = Article.objects.values().get(pk=story.pk)
    url = reverse("admin:articles_article_revision", args=[story.pk, first.pk])
    for response in [client.get(url), client.post(url, workflow_form())]:
        assert response.status_code == 302
        assert response.url == reverse("admin:articles_article_changelist")
    page = client.get(reverse("admin:articles_article_changelist"))
    assertContains(page, "Could not load")
    assert Article.objects.values().get(pk=story.pk) == before
