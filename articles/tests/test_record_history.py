"""History of people and photo credits: who changed one, and going back safely."""

import pytest
import reversion
from django.db import connection
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains
from reversion.models import Version

from articles.models import Agency, Article, Person, PhotoCredit, PhotoCreditAgency

from .conftest import desk_member, make_staff
from .factories import make_article, make_person, make_photo
from .test_history import as_submitted
from .test_workflow import logged_in

pytestmark = pytest.mark.django_db


def url(record, view, *args):
    opts = record._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[record.pk, *args]
    )


def versions_of(record):
    return list(Version.objects.get_for_object(record).order_by("pk"))


def edit(client, record, **changes):
    """Save record's change page as it shows, with changes; the saved page's data."""
    data = as_submitted(
        client.get(url(record, "change")), f"{record._meta.model_name}_form"
    )
    data.update(changes)
    response = client.post(url(record, "change"), data)
    assert response.status_code == 302, response.content.decode()
    return data


def open_revert(client, record, version):
    page = client.get(url(record, "revision", version.pk))
    assert page.status_code == 200
    return page


def submit(client, record, version, page):
    """Save a revert page as it shows; the response after any redirect."""
    return client.post(
        url(record, "revision", version.pk),
        as_submitted(page, f"{record._meta.model_name}_form"),
        follow=True,
    )


def line(credit):
    return PhotoCredit.objects.get(pk=credit.pk).credit_line


@pytest.fixture
def renamed(desk_editor):
    """A person made by a script, then renamed by mistake in the admin."""
    client = logged_in(desk_editor)
    person = make_person(name="Ann Minister", role="foreign minister")
    edit(client, person, name="Ann Ministr")
    return client, person


def test_renaming_a_person_in_the_admin_records_who_did_it(renamed, desk_editor):
    _, person = renamed
    before, change = versions_of(person)
    # Its first revision is the person as stored before the change.
    assert before.field_dict["name"] == "Ann Minister"
    assert before.revision.get_comment() == "As stored before this change in the admin."
    assert change.field_dict["name"] == "Ann Ministr"
    assert change.revision.user == desk_editor
    assert change.revision.get_comment() == "Changed Name."
    # Its own row only: not the quotes its page lists.
    assert [v.content_type.model for v in change.revision.version_set.all()] == [
        "person"
    ]


def test_history_page_lists_each_change_with_who_and_when(renamed):
    client, person = renamed
    page = client.get(url(person, "history"))
    assertContains(page, "desk-editor")
    assertContains(page, "Changed Name.")
    assertContains(page, "As stored before this change in the admin.")
    before, change = versions_of(person)
    assertContains(page, url(person, "revision", change.pk))
    compared = client.get(
        url(person, "compare"), {"version_id1": before.pk, "version_id2": change.pk}
    )
    assertContains(compared, "<del>- Ann Minister</del>", html=False)
    assertContains(compared, "<ins>+ Ann Ministr</ins>", html=False)
    assertNotContains(compared, "<h3>version</h3>", html=False)


def test_reverting_brings_the_name_back_as_a_new_revision(renamed, desk_editor):
    client, person = renamed
    before, _ = versions_of(person)
    version_then = Person.objects.get(pk=person.pk).version
    saved = submit(client, person, before, open_revert(client, person, before))
    assert saved.redirect_chain
    person.refresh_from_db()
    assert (person.name, person.role) == ("Ann Minister", "foreign minister")
    assert person.version == version_then + 1
    assert person.changed_by == desk_editor
    reverted = versions_of(person)[-1]
    assert reverted.revision.user == desk_editor
    assert reverted.revision.get_comment().startswith("Reverted to previous version")


def test_reverting_keeps_the_address_of_the_persons_page(renamed):
    client, person = renamed
    edit(client, person, slug="ann-ministr")
    before = versions_of(person)[0]
    assert submit(client, person, before, open_revert(client, person, before))
    person.refresh_from_db()
    assert (person.name, person.slug) == ("Ann Minister", "ann-ministr")


def test_a_revert_opened_before_someone_elses_save_is_refused(renamed, desk_editor):
    client, person = renamed
    before, _ = versions_of(person)
    page = open_revert(client, person, before)
    someone = make_staff(type(desk_editor), "someone", ["change_person"])
    edit(logged_in(someone), person, role="minister of foreign affairs")
    stored = Person.objects.filter(pk=person.pk).values().get()
    revisions = len(versions_of(person))

    refused = client.post(
        url(person, "revision", before.pk), as_submitted(page, "person_form")
    )
    assert refused.status_code == 200
    assertContains(refused, "was changed by someone")
    assertContains(refused, "Saved meanwhile by someone")
    assert Person.objects.filter(pk=person.pk).values().get() == stored
    assert len(versions_of(person)) == revisions
    # The refused page is the editor's merge: saved again, it is the revert.
    merged = submit(client, person, before, refused)
    assert merged.redirect_chain
    person.refresh_from_db()
    assert person.name == "Ann Minister"
    assert person.version == stored["version"] + 1


def test_a_double_click_on_revert_is_not_a_conflict(renamed):
    client, person = renamed
    before, _ = versions_of(person)
    page = open_revert(client, person, before)
    assert submit(client, person, before, page).redirect_chain
    assert submit(client, person, before, page).redirect_chain
    assert Person.objects.get(pk=person.pk).name == "Ann Minister"


def test_reader_sees_the_reverted_name_on_a_cached_story_at_once(
    renamed, client, committed
):
    editor, person = renamed
    story = make_article()
    story.people.set([person])
    assertContains(client.get(story.get_absolute_url()), "Ann Ministr</a>", html=False)
    assert client.get(story.get_absolute_url())["X-Page-Cache"] == "hit"
    before, _ = versions_of(person)
    page = open_revert(editor, person, before)
    with committed():
        assert submit(editor, person, before, page).redirect_chain
    page = client.get(story.get_absolute_url())
    assert page["X-Page-Cache"] == "miss"
    assertContains(page, "Ann Minister</a>, foreign minister", html=False)
    assertNotContains(page, "Ann Ministr<", html=False)


def test_reverting_a_person_writes_back_nothing_else_the_revision_holds(renamed):
    # A wire import's revision holds the story with the people it made.
    client, person = renamed
    story = make_article(headline="Talks to begin")
    person.refresh_from_db()
    with reversion.create_revision():
        story.save()
        person.save()
    held = versions_of(person)[-1]
    assert {v.content_type.model for v in held.revision.version_set.all()} == {
        "article",
        "person",
    }
    Article.objects.filter(pk=story.pk).update(headline="Talks begin on Monday")
    edit(client, person, name="Ann Minster")
    assert submit(client, person, held, open_revert(client, person, held))
    assert Person.objects.get(pk=person.pk).name == "Ann Ministr"
    assert Article.objects.get(pk=story.pk).headline == "Talks begin on Monday"


def test_a_story_revision_is_not_a_revision_of_a_person(renamed):
    client, person = renamed
    story = make_article(pk=person.pk)
    with reversion.create_revision():
        story.save()
    (story_version,) = versions_of(story)
    response = client.get(url(person, "revision", story_version.pk))
    assert response.status_code == 404
    response = client.post(url(person, "revision", story_version.pk), {})
    assert response.status_code == 404
    assert Person.objects.get(pk=person.pk).name == "Ann Ministr"


# Who may read and revert a record's history.


def test_staff_who_may_not_see_people_get_no_history(renamed, django_user_model):
    _, person = renamed
    outsider = logged_in(make_staff(django_user_model, "outsider", ["view_article"]))
    before, change = versions_of(person)
    assert outsider.get(url(person, "history")).status_code == 403
    assert outsider.get(url(person, "revision", before.pk)).status_code == 403
    compare = outsider.get(
        url(person, "compare"), {"version_id1": before.pk, "version_id2": change.pk}
    )
    assert compare.status_code == 403


def test_staff_who_may_only_view_people_read_history_but_cannot_revert(
    renamed, django_user_model
):
    client, person = renamed
    before, _ = versions_of(person)
    page = open_revert(client, person, before)
    reader = logged_in(make_staff(django_user_model, "reader", ["view_person"]))
    assertContains(reader.get(url(person, "history")), "Changed Name.")
    assert reader.get(url(person, "revision", before.pk)).status_code == 200
    refused = reader.post(
        url(person, "revision", before.pk), as_submitted(page, "person_form")
    )
    assert refused.status_code == 403
    assert Person.objects.get(pk=person.pk).name == "Ann Ministr"
    assert len(versions_of(person)) == 2


def test_reporters_may_revert_a_person(renamed, desk_reporter):
    _, person = renamed
    reporter = logged_in(desk_reporter)
    before, _ = versions_of(person)
    assert submit(reporter, person, before, open_revert(reporter, person, before))
    assert Person.objects.get(pk=person.pk).name == "Ann Minister"


def test_deleted_people_and_credits_are_not_offered_for_recovery(editor_client):
    for model in (Person, PhotoCredit):
        opts = model._meta
        changelist = editor_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        )
        assertNotContains(changelist, "Recover deleted")
        # The address is taken for the id of a record, which doesn't exist.
        recover = editor_client.get(
            f"/admin/articles/{opts.model_name}/recover/", follow=True
        )
        assertContains(recover, "doesn’t exist")
        assertNotContains(recover, "Recover deleted")


# Photo credits: the credit line is the photographer, then agencies in order.


@pytest.fixture
def recredited(desk_editor):
    """A credit from a script, its agencies swapped and one added in the admin."""
    client = logged_in(desk_editor)
    credit = make_photo(
        caption="Delegates arrive in Geneva.",
        photographer=make_person(name="Ann Lens"),
        agencies=["AP", "TASS"],
    )
    reuters = Agency.objects.create(name="Reuters")
    data = as_submitted(client.get(url(credit, "change")), "photocredit_form")
    data.update(
        {
            "caption": "Delegates arrive.",
            "agency_links-0-position": "2",
            "agency_links-1-position": "1",
            "agency_links-2-agency": str(reuters.pk),
            "agency_links-2-position": "3",
        }
    )
    response = client.post(url(credit, "change"), data)
    assert response.status_code == 302, response.content.decode()
    assert line(credit) == "Ann Lens/TASS/AP/Reuters"
    return client, credit


def test_changing_a_credit_line_records_its_places(recredited, desk_editor):
    _, credit = recredited
    before, change = versions_of(credit)
    assert change.revision.user == desk_editor
    held = sorted(
        (v.field_dict["position"], v.object_repr)
        for v in change.revision.version_set.all()
        if v.content_type.model == "photocreditagency"
    )
    assert held == [(1, "1. TASS"), (2, "2. AP"), (3, "3. Reuters")]


def test_reverting_a_credit_brings_back_its_line_in_order(recredited):
    client, credit = recredited
    before, change = versions_of(credit)
    history = client.get(url(credit, "history"))
    assertContains(history, "desk-editor")
    compared = client.get(
        url(credit, "compare"), {"version_id1": before.pk, "version_id2": change.pk}
    )
    assertContains(compared, "<del>1. AP</del> &rarr; <ins>2. AP</ins>", html=False)
    assertContains(compared, "<ins>+ 3. Reuters</ins>", html=False)
    version_then = PhotoCredit.objects.get(pk=credit.pk).version
    assert submit(client, credit, before, open_revert(client, credit, before))
    credit = PhotoCredit.objects.get(pk=credit.pk)
    assert (credit.caption, credit.credit_line) == (
        "Delegates arrive in Geneva.",
        "Ann Lens/AP/TASS",
    )
    assert credit.version == version_then + 1
    assert Agency.objects.filter(name="Reuters").exists()


def test_a_credit_revert_opened_before_a_reorder_is_refused(recredited, desk_editor):
    client, credit = recredited
    # Back to the latest revision: its caption is the one stored, so only the
    # places can tell that the page is stale.
    _, latest = versions_of(credit)
    page = open_revert(client, credit, latest)
    # Someone else puts AP back first, changing nothing but the places.
    someone = logged_in(desk_member(type(desk_editor), "someone", "Editor"))
    data = as_submitted(someone.get(url(credit, "change")), "photocredit_form")
    data.update({"agency_links-0-position": "2", "agency_links-1-position": "1"})
    assert someone.post(url(credit, "change"), data).status_code == 302
    assert line(credit) == "Ann Lens/AP/TASS/Reuters"
    stored = photo_state(credit)

    refused = client.post(
        url(credit, "revision", latest.pk), as_submitted(page, "photocredit_form")
    )
    assert refused.status_code == 200
    assertContains(refused, "This photo credit was saved by someone")
    assert photo_state(credit) == stored


def photo_state(credit):
    return (
        PhotoCredit.objects.filter(pk=credit.pk).values().get(),
        list(PhotoCreditAgency.objects.filter(credit=credit).values()),
        len(versions_of(credit)),
    )


@pytest.mark.parametrize("lost", ["agency", "photographer"])
def test_reverting_a_credit_whose_agency_or_photographer_was_deleted_since(
    desk_editor, lost
):
    client = logged_in(desk_editor)
    ann = make_person(name="Ann Lens")
    credit = make_photo(photographer=ann, agencies=["AP", "TASS"])
    tass = Agency.objects.get(name="TASS")
    bob = make_person(name="Bob Focus")
    data = as_submitted(client.get(url(credit, "change")), "photocredit_form")
    if lost == "agency":
        data["agency_links-1-DELETE"] = "on"
    else:
        data["photographer"] = str(bob.pk)
    assert client.post(url(credit, "change"), data).status_code == 302
    deleted = tass if lost == "agency" else ann
    opts = deleted._meta
    delete = reverse(
        f"admin:{opts.app_label}_{opts.model_name}_delete", args=[deleted.pk]
    )
    assert client.post(delete, {"post": "yes"}).status_code == 302

    before = versions_of(credit)[0]
    page = open_revert(client, credit, before)
    warning = {
        "agency": "An agency this revision had, “TASS”, has since been deleted "
        "and cannot be restored: the credit line leaves it out.",
        "photographer": "The photographer this revision had, “Ann Lens”, has "
        "since been deleted and cannot be restored.",
    }[lost]
    assertContains(page, warning)
    saved = submit(client, credit, before, page)
    assert saved.redirect_chain, saved.content.decode()
    assertContains(saved, warning)
    assert line(credit) == {"agency": "Ann Lens/AP", "photographer": "AP/TASS"}[lost]
    connection.check_constraints()  # what a commit checks: no link to a deleted row


def test_what_a_script_stored_after_a_wire_import_is_kept_before_an_admin_change(
    desk_editor,
):
    # A person the wire import made (its revision holds them as imported) ...
    with reversion.create_revision():
        person = Person.objects.create(name="Ann Minister", slug="ann-minister")
    # ... whom a script then gave a role, as fixtures and scripts do.
    Person.objects.filter(pk=person.pk).update(role="foreign minister")
    edit(logged_in(desk_editor), person, role="defence minister")
    held = [version.field_dict["role"] for version in versions_of(person)]
    assert held == ["", "foreign minister", "defence minister"]
    # Stored as the newest revision holds it: nothing more is recorded.
    edit(logged_in(desk_editor), person, role="prime minister")
    assert len(versions_of(person)) == 4


def test_a_revision_whose_data_no_longer_loads_is_a_message_not_a_server_error(
    renamed,
):
    client, person = renamed
    before, _ = versions_of(person)
    Version.objects.filter(pk=before.pk).update(serialized_data="[{")
    stored = Person.objects.values().get(pk=person.pk)
    response = client.get(url(person, "revision", before.pk))
    assert response.status_code == 302
    assert "Could not load" in client.get(response.url).content.decode()
    assert Person.objects.values().get(pk=person.pk) == stored


def test_a_reporter_is_told_why_a_revert_page_is_read_only(renamed, desk_reporter):
    _, person = renamed
    story = make_article(people=0)
    story.people.add(person)  # a published story shows them now
    reporter = logged_in(desk_reporter)
    before, _ = versions_of(person)
    page = open_revert(reporter, person, before)
    assert not page.context["has_change_permission"]
    assert (
        '<li class="warning">A published or scheduled story shows this person, '
        "so only an editor can change it.</li>" in page.content.decode()
    )
    refused = reporter.post(
        url(person, "revision", before.pk), as_submitted(page, "person_form")
    )
    assert refused.status_code == 403
    assert Person.objects.get(pk=person.pk).name == "Ann Ministr"
