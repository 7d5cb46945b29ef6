"""No lost updates for agencies and tags: two editors rename one, the second
save from a stale form is refused with their text kept (conflicts.py)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from pytest_django.asserts import assertContains
from taggit.models import Tag

from articles.models import Agency, PhotoCredit

from .factories import make_photo
from .test_editor_admin import credit_form
from .test_locking import REFUSED, staff_client
from .test_shared_records import change_url

pytestmark = pytest.mark.django_db


def open_form(client, record):
    """GET record's change form as an editor does; returns the POST it would send."""
    response = client.get(change_url(record))
    assert response.status_code == 200
    form = response.context["adminform"].form
    return {
        name: "" if form[name].value() is None else str(form[name].value())
        for name in form.fields
    }


def stored(record):
    """Every stored field of record, and how many admin changes are logged."""
    return (
        type(record).objects.filter(pk=record.pk).values().get(),
        LogEntry.objects.count(),
    )


@pytest.fixture
def ann(django_user_model):
    return staff_client(django_user_model, "ann", "Ann", "Okafor")


@pytest.fixture
def ben(django_user_model):
    return staff_client(django_user_model, "ben", "Ben", "Lindqvist")


@pytest.fixture
def agency():
    return make_photo(agencies=["TASS"]).agencies.get()


@pytest.fixture
def tag():
    return Tag.objects.create(name="Diplomacy", slug="diplomacy")


@pytest.fixture(params=["agency", "tag"])
def record(request):
    return request.getfixturevalue(request.param)


def rename(data, name):
    changes = {"name": name}
    if "slug" in data:
        changes["slug"] = name.lower().replace(" ", "-")
    return {**data, **changes}


def test_a_stale_rename_is_refused_with_who_and_the_text_kept(ann, ben, record):
    ann_data, ben_data = open_form(ann, record), open_form(ben, record)
    assert ann.post(change_url(record), rename(ann_data, "Ann Name")).status_code == 302
    after_ann = stored(record)

    # Without the check, Ben's save was a 302 and "Ann Name" was gone.
    response = ben.post(change_url(record), rename(ben_data, "Ben Name"))

    assert response.status_code == 200
    kind = record._meta.verbose_name
    assertContains(response, f"This {kind} was changed by Ann Okafor at ")
    assertContains(response, REFUSED)
    form = response.context["adminform"].form
    assert form["name"].value() == "Ben Name"
    assert form.errors["name"][0].startswith("Saved meanwhile by Ann Okafor at ")
    assert form.errors["name"][0].endswith(": “Ann Name”")
    assert stored(record) == after_ann


def test_the_refused_editor_can_merge_and_save_again(ann, ben, record):
    ann_data, ben_data = open_form(ann, record), open_form(ben, record)
    assert ann.post(change_url(record), rename(ann_data, "Ann Name")).status_code == 302
    refused = ben.post(change_url(record), rename(ben_data, "Ben Name"))
    assert refused.status_code == 200

    # The refused page carries what is saved now: its next save is the merge.
    form = refused.context["adminform"].form
    merged = rename(ben_data, "Ann and Ben Name")
    merged["base_version"] = str(form["base_version"].value())
    assert ben.post(change_url(record), merged).status_code == 302
    assert type(record).objects.get(pk=record.pk).name == "Ann and Ben Name"


def test_the_same_rename_sent_twice_is_not_a_conflict(ann, record):
    data = rename(open_form(ann, record), "Sent Twice")
    assert ann.post(change_url(record), data).status_code == 302
    response = ann.post(change_url(record), data)  # a double click
    assert response.status_code == 302
    assert type(record).objects.get(pk=record.pk).name == "Sent Twice"
    logged = LogEntry.objects.filter(user__username="ann").latest("pk")
    assert logged.get_change_message() == "No fields changed."


@pytest.mark.parametrize("logged", ["never", "before"])
def test_a_tag_renamed_outside_the_admin_refuses_a_stale_form(ann, ben, tag, logged):
    if logged == "before":
        ann.post(change_url(tag), rename(open_form(ann, tag), "Diplomatic"))
        tag.refresh_from_db()
    ben_data = open_form(ben, tag)
    tag.name = "Diplomatic talks"
    tag.save()  # a script: the admin's log names no one for this rename
    before = stored(tag)

    response = ben.post(change_url(tag), rename(ben_data, "Foreign policy"))

    assertContains(response, "This tag was changed by someone else")
    assertContains(response, REFUSED)
    assert stored(tag) == before


class TestAgencies:
    def test_a_photo_credit_page_saves_while_its_agency_is_renamed(
        self, ann, ben, agency
    ):
        credit = PhotoCredit.objects.get()
        ben_data = credit_form(credit, [], alt_text="Two men shake hands.")
        ann.post(change_url(agency), rename(open_form(ann, agency), "TASS news"))

        # The credit's row names the agency, not its name: nothing is stale.
        assert ben.post(change_url(credit), ben_data).status_code == 302
        saved = PhotoCredit.objects.get()
        assert (saved.alt_text, saved.credit_line) == (
            "Two men shake hands.",
            "TASS news",
        )

    def test_an_agency_form_stays_fresh_while_credits_naming_it_change(
        self, ann, ben, agency
    ):
        ben_data = open_form(ben, agency)
        credit = PhotoCredit.objects.get()
        reuters = Agency.objects.create(name="Reuters")
        ann.post(change_url(credit), credit_form(credit, [(reuters, "")]))
        assert PhotoCredit.objects.get().credit_line == "TASS/Reuters"

        response = ben.post(change_url(agency), rename(ben_data, "TASS news"))
        assert response.status_code == 302
        assert PhotoCredit.objects.get().credit_line == "TASS news/Reuters"

    def test_loading_a_dump_of_agencies_changes_nothing_an_open_form_saw(
        self, ann, agency, tmp_path
    ):
        dump = tmp_path / "agencies.json"

        def dumped():
            call_command(
                "dumpdata",
                "articles.agency",
                natural_foreign=True,
                natural_primary=True,
                output=str(dump),
                verbosity=0,
            )
            return dump.read_text()

        before = dumped()
        ann_data = open_form(ann, agency)
        call_command("loaddata", str(dump), verbosity=0)
        assert dumped() == before
        assert Agency.objects.get(pk=agency.pk).version == 1

        response = ann.post(change_url(agency), rename(ann_data, "TASS agency"))
        assert response.status_code == 302
        assert Agency.objects.get(pk=agency.pk).name == "TASS agency"
