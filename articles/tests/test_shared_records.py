"""People, photo credits, agencies and tags belong to every story that shows them:
a reporter may change one only until such a story goes out (models/shared.py)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.conflicts import fingerprint
from articles.models import Agency, Person, Status

from .conftest import desk_member
from .factories import make_article, make_person, make_photo
from .test_editor_admin import credit_form

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reporter(django_user_model):
    return signed_in(desk_member(django_user_model, "rita", "Reporter"))


@pytest.fixture
def editor_user(django_user_model):
    return desk_member(django_user_model, "ed", "Editor")


@pytest.fixture
def editor(editor_user):
    return signed_in(editor_user)


def person_form(person, **changes):
    return {
        "name": person.name,
        "slug": person.slug,
        "honorific": person.honorific,
        "role": person.role,
        "organization": person.organization,
        "bio": person.bio,
        "base_version": str(person.version),
        "quotes-TOTAL_FORMS": "0",
        "quotes-INITIAL_FORMS": "0",
        "quotes-MIN_NUM_FORMS": "0",
        "quotes-MAX_NUM_FORMS": "0",
        **changes,
    }


def change_url(record):
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])


def stored(record):
    """What is stored of record: every field but the file, as a tuple."""
    row = type(record).objects.get(pk=record.pk)
    return tuple(
        getattr(row, f.attname) for f in row._meta.concrete_fields if f.name != "image"
    )


def story_showing(person, how, **story):
    """A story that shows person in the way named by how."""
    article = make_article(quotes=1 if how == "quote" else 0, **story)
    if how == "author":
        article.set_byline([person])
    elif how == "people":
        article.people.add(person)
    elif how == "quote":
        article.quotes.update(speaker=person)
    else:
        article.lead_photo = make_photo(photographer=person)
        article.save()
    return article


def test_a_reporter_changes_someone_only_drafts_show(reporter):
    person = make_person(name="Olaf Scholz")
    story_showing(person, "people", status=Status.DRAFT, published_at=None)
    response = reporter.post(
        change_url(person), person_form(person, role="German Chancellor")
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).role == "German Chancellor"


@pytest.mark.parametrize("how", ["author", "people", "quote", "photographer"])
@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.SCHEDULED])
def test_a_reporter_cannot_change_someone_a_story_gone_out_shows(reporter, how, status):
    person = make_person(name="Vladimir Putin")
    day = timedelta(days=1)
    when = timezone.now() + (day if status == Status.SCHEDULED else -day)
    story_showing(person, how, status=status, published_at=when)
    before = stored(person)

    page = reporter.get(change_url(person))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]  # Django's view-only page
    assert (
        '<li class="warning">A published or scheduled story shows this person, so only an editor can change it.</li>'
        in page.content.decode()
    )

    response = reporter.post(change_url(person), person_form(person, name="V. Putin"))
    # Nothing is written; what the reporter sent comes back to copy.
    assert stored(person) == before
    assert response.status_code == 200
    assert "V. Putin" in response.content.decode()
    assert "nothing was written" in response.content.decode()


def test_an_editor_changes_someone_a_published_story_shows(editor):
    person = make_person(name="Vladimir Putin")
    story_showing(person, "people")
    response = editor.post(change_url(person), person_form(person, role="President"))
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).role == "President"


def test_a_story_published_while_the_reporter_had_the_form_open(reporter, editor_user):
    person = make_person(name="Sergei Shoigu")
    story = story_showing(person, "quote", status=Status.DRAFT, published_at=None)
    form = reporter.get(change_url(person))
    assert form.context["has_change_permission"]

    story.status, story.published_at = Status.PUBLISHED, timezone.now()
    story.changed_by = editor_user
    story.save()
    before = stored(person)
    response = reporter.post(
        change_url(person), person_form(person, role="Defence Minister of Russia")
    )
    assert stored(person) == before
    text = response.content.decode()
    assert "A story that shows this person went out after you opened it" in text
    assert story.headline in text
    assert "Defence Minister of Russia" in text


def test_a_reporter_cannot_change_the_credit_of_a_published_lead_photo(reporter):
    credit = make_photo(caption="Putin at the Kremlin.", agencies=["TASS", "AP"])
    make_article(lead_photo=credit)
    before = stored(credit)
    links = list(credit.agency_links.values_list("agency__name", "position"))

    page = reporter.get(change_url(credit))
    assert not page.context["has_change_permission"]
    # The agencies' inline is read-only with it: no rows to add or delete.
    inline = page.context["inline_admin_formsets"][0]
    assert not (inline.has_add_permission or inline.has_delete_permission)

    reuters = Agency.objects.create(name="Reuters")
    reporter.post(
        change_url(credit),
        credit_form(
            credit,
            [(reuters, 3)],
            caption="Someone else.",
            **{"agency_links-0-agency": str(reuters.pk)},
        ),
    )
    assert stored(credit) == before
    assert list(credit.agency_links.values_list("agency__name", "position")) == links


def agency_or_tag_of(story, kind):
    """An agency of story's lead photo, or a tag of story; and a rename's POST data."""
    if kind == "agency":
        story.lead_photo = make_photo(agencies=["TASS"])
        story.save()
        return Agency.objects.get(name="TASS"), {"name": "TASS news agency"}
    story.tags.add("Diplomacy")
    data = {"name": "Diplomacy talks", "slug": "diplomacy-talks"}
    return Tag.objects.get(name="Diplomacy"), data


@pytest.mark.parametrize("kind", ["agency", "tag"])
def test_a_reporter_cannot_rename_an_agency_or_tag_a_published_story_shows(
    reporter, editor, kind
):
    story = make_article()
    record, data = agency_or_tag_of(story, kind)
    before = stored(record)
    assert editor.get(change_url(record)).context["has_change_permission"]
    assert not reporter.get(change_url(record)).context["has_change_permission"]
    response = reporter.post(change_url(record), data)
    # Refused, with what they sent given back (as for people and credits).
    assert "nothing was written" in response.content.decode()
    assert stored(record) == before


def test_a_reporter_renames_a_tag_only_drafts_carry(reporter):
    story = make_article(status=Status.DRAFT, published_at=None)
    story.tags.add("Diplomacy")
    tag = Tag.objects.get(name="Diplomacy")
    response = reporter.post(
        change_url(tag),
        # As the page sends it: with the tag as it showed it.
        {
            "name": "Diplomacy talks",
            "slug": "diplomacy-talks",
            "base_version": fingerprint(tag),
        },
    )
    assert response.status_code == 302
    assert Tag.objects.get(pk=tag.pk).name == "Diplomacy talks"


@pytest.mark.parametrize("kind", ["agency", "tag"])
def test_a_rename_refused_after_a_story_went_out_gives_back_the_text(reporter, kind):
    story = make_article(status=Status.DRAFT, published_at=None)
    record, data = agency_or_tag_of(story, kind)
    assert reporter.get(change_url(record)).context["has_change_permission"]
    story.status, story.published_at = Status.PUBLISHED, timezone.now()
    story.save()
    before = stored(record)

    response = reporter.post(change_url(record), data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "only an editor can change it" in text
    assert data["name"] in text
    assert stored(record) == before
