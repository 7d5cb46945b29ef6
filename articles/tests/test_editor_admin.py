import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains
from reversion.models import Version
from taggit.models import Tag

from articles.conflicts import fingerprint
from articles.models import Agency, Article, Person, PhotoCredit, Quote, Status

from .factories import make_article, make_person, make_photo
from .test_fixtures import counts, dump

pytestmark = pytest.mark.django_db

BODY = "“We are ready to talk,” the minister said.\n\nTalks begin on Monday."


def article_form(*, quotes=(), existing_quotes=(), authors=(), **overrides):
    """POST data for the article change form, with its byline and quote inlines.

    authors are the byline's stored rows (ArticleAuthor) as the page shows
    them, then people to add, each with the place typed for them ("" for
    none): [link, ..., (person, "3"), ...].
    """
    stored = [row for row in authors if not isinstance(row, tuple)]
    data = {
        **byline_form(stored, [row for row in authors if isinstance(row, tuple)]),
        "headline": "Talks to begin",
        "slug": "talks-to-begin",
        "dek": "",
        "dateline": "GENEVA",
        "body": BODY,
        "source": "Tribune News Service",
        "source_note": "",
        "tags": "Diplomacy, NATO",
        "status": Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "quotes-TOTAL_FORMS": str(len(existing_quotes) + len(quotes)),
        "quotes-INITIAL_FORMS": str(len(existing_quotes)),
        "quotes-MIN_NUM_FORMS": "0",
        "quotes-MAX_NUM_FORMS": "1000",
        # The version the editor opened: a new or freshly made story is at 1.
        "base_version": "1",
    }
    for i, (quote_id, text, speaker, version) in enumerate(
        [(q.pk, q.text, q.speaker_id, q.version) for q in existing_quotes]
        + [("", text, speaker.pk, 1) for text, speaker in quotes]
    ):
        data.update(
            {
                f"quotes-{i}-id": str(quote_id),
                f"quotes-{i}-text": text,
                f"quotes-{i}-speaker": str(speaker),
                f"quotes-{i}-context": "",
                f"quotes-{i}-order": "",
                f"quotes-{i}-base_version": str(version),
            }
        )
    data.update(overrides)
    return data


def byline_form(stored=(), added=()):
    """The byline inline's POST data: stored ArticleAuthor rows, then (person, place)."""
    data = {
        "author_links-TOTAL_FORMS": str(len(stored) + len(added)),
        "author_links-INITIAL_FORMS": str(len(stored)),
        "author_links-MIN_NUM_FORMS": "0",
        "author_links-MAX_NUM_FORMS": "1000",
    }
    rows = [(link.pk, link.person_id, link.position) for link in stored]
    rows += [("", person.pk, place) for person, place in added]
    for i, (link_id, person_id, place) in enumerate(rows):
        data.update(
            {
                f"author_links-{i}-id": str(link_id),
                f"author_links-{i}-person": str(person_id),
                f"author_links-{i}-position": str(place),
            }
        )
    return data


def snapshot():
    return (
        list(Article.objects.values_list("headline", "body", "status")),
        list(Quote.objects.values_list("text", "speaker_id")),
    )


@pytest.mark.parametrize("model", ["article", "person", "photocredit", "quote"])
def test_help_texts_read_as_text(editor_client, model):
    """The admin puts help text into the page as HTML: it must hold no markup of its own."""
    page = editor_client.get(reverse(f"admin:articles_{model}_add")).content.decode()
    helps = re.findall(
        r'<div class="help"[^>]*>\s*<div>(.*?)</div>\s*</div>', page, re.S
    )
    assert helps  # the form has help texts, and the pattern finds them
    assert [text for text in helps if "<" in text] == []
    if model == "article":
        assert any(
            "HTML tags a, em, strong, i, b, abbr, sub and sup" in t for t in helps
        )


class TestArticleAdmin:
    def test_editor_writes_a_story_with_a_quote_and_tags(self, editor_client):
        minister = make_person(name="Ann Minister")
        response = editor_client.post(
            reverse("admin:articles_article_add"),
            article_form(
                quotes=[("We are ready to talk,", minister)], people=[minister.pk]
            ),
        )
        assert response.status_code == 302, (
            response.context["adminform"].errors if response.context else ""
        )
        story = Article.objects.get(slug="talks-to-begin")
        assert story.status == Status.DRAFT
        assert sorted(story.tags.names()) == ["Diplomacy", "NATO"]
        assert [(q.text, q.speaker, q.order) for q in story.quotes.all()] == [
            ("We are ready to talk,", minister, 1)
        ]

    def test_editor_sees_an_error_when_a_quote_is_not_in_the_body(self, editor_client):
        minister = make_person()
        response = editor_client.post(
            reverse("admin:articles_article_add"),
            article_form(quotes=[("We are ready to fight,", minister)]),
        )
        assert response.status_code == 200
        assertContains(response, "do not appear verbatim in the story")
        assert snapshot() == ([], [])

    def test_editing_the_body_away_from_a_quote_is_refused_and_changes_nothing(
        self, editor_client
    ):
        minister = make_person()
        story = make_article(body=BODY)
        quote = Quote.objects.create(
            article=story, speaker=minister, text="We are ready to talk,"
        )
        before = snapshot()
        response = editor_client.post(
            reverse("admin:articles_article_change", args=[story.pk]),
            article_form(
                existing_quotes=[quote], body="Talks were cancelled.", slug=story.slug
            ),
        )
        assert response.status_code == 200
        assertContains(response, "do not appear verbatim")
        assert snapshot() == before

    def test_editor_changes_a_story(self, editor_client, seed_story):
        url = reverse("admin:articles_article_change", args=[seed_story.pk])
        assertContains(editor_client.get(url), seed_story.headline)
        quotes = list(seed_story.quotes.all())
        response = editor_client.post(
            url,
            article_form(
                existing_quotes=quotes,
                headline="Putin says troops leave border",
                slug=seed_story.slug,
                body=seed_story.body,
                status=Status.PUBLISHED,
                published_at_0="2022-02-15",
                published_at_1="12:00:00",
            ),
        )
        assert response.status_code == 302
        seed_story.refresh_from_db()
        assert seed_story.headline == "Putin says troops leave border"
        assert seed_story.quotes.count() == 5

    def test_change_list_shows_status_people_and_quote_count(
        self, editor_client, seed_story
    ):
        response = editor_client.get(reverse("admin:articles_article_changelist"))
        row = response.context["cl"].result_list[0]
        assert row.quote_count == 5
        assertContains(
            response, "Igor Konashenkov, Olaf Scholz, Sergei Shoigu, Vladimir Putin"
        )
        assertContains(response, "Published")

    def test_sorting_by_status_follows_the_desk_not_the_alphabet(self, editor_client):
        now = timezone.now()
        published = make_article(status=Status.PUBLISHED)
        due = make_article(status=Status.SCHEDULED, published_at=now - timedelta(1))
        scheduled = make_article(
            status=Status.SCHEDULED, published_at=now + timedelta(1)
        )
        review = make_article(status=Status.IN_REVIEW, published_at=None)
        draft = make_article(status=Status.DRAFT, published_at=None)
        url = reverse("admin:articles_article_changelist")
        column = "2"  # status_label, after the selection box's column 0 and headline

        def rows(order):
            response = editor_client.get(url, {"o": order})
            return [story.pk for story in response.context["cl"].result_list]

        ascending = rows(column)
        assert ascending[:3] == [draft.pk, review.pk, scheduled.pk]
        # A scheduled story whose time has come reads "Published" and sorts so.
        assert set(ascending[3:]) == {published.pk, due.pk}
        assert rows(f"-{column}")[2:] == [scheduled.pk, review.pk, draft.pk]

    @pytest.mark.parametrize("query", ["Konashenkov", "Belarusian", "troops leaving"])
    def test_search_finds_stories_by_headline_body_and_people(
        self, editor_client, seed_story, query
    ):
        response = editor_client.get(
            reverse("admin:articles_article_changelist"), {"q": query}
        )
        assert list(response.context["cl"].result_list) == [seed_story]

    def test_editor_finds_a_story_by_the_reporter_in_its_byline(self, editor_client):
        reporter = make_person(name="Rita Okafor", role="reporter")
        story = make_article(status=Status.DRAFT, published_at=None)
        story.set_byline([reporter, make_person(name="Ada Okafor")])
        make_article(status=Status.DRAFT, published_at=None)
        response = editor_client.get(
            reverse("admin:articles_article_changelist"), {"q": "Okafor"}
        )
        assert list(response.context["cl"].result_list) == [story]

    def test_filters_by_status_and_tag(self, editor_client, seed_story):
        make_article(status=Status.DRAFT)
        url = reverse("admin:articles_article_changelist")
        assert (
            editor_client.get(url, {"status__exact": "published"})
            .context["cl"]
            .result_count
            == 1
        )
        assert (
            editor_client.get(
                url, {"tags__id__exact": seed_story.tags.get(name="NATO").pk}
            )
            .context["cl"]
            .result_count
            == 1
        )

    def test_editor_publishes_and_unpublishes_with_the_actions(
        self, editor_client, client
    ):
        draft = make_article(status=Status.DRAFT, published_at=None)
        url = reverse("admin:articles_article_changelist")
        editor_client.post(
            url, {"action": "publish_selected", "_selected_action": [draft.pk]}
        )
        draft.refresh_from_db()
        assert draft.status == Status.PUBLISHED and draft.published_at
        assert client.get(draft.get_absolute_url()).status_code == 200
        editor_client.post(
            url, {"action": "unpublish_selected", "_selected_action": [draft.pk]}
        )
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT

    def test_staff_without_publish_permission_cannot_publish_by_action(
        self, reporter_client
    ):
        draft = make_article(status=Status.DRAFT)
        url = reverse("admin:articles_article_changelist")
        assert "publish_selected" not in reporter_client.get(url).context[
            "cl"
        ].model_admin.get_actions(reporter_client.get(url).wsgi_request)
        reporter_client.post(
            url, {"action": "publish_selected", "_selected_action": [draft.pk]}
        )
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT


class TestQuoteAdmin:
    def test_editor_adds_a_quote_and_sees_its_story_linked(
        self, editor_client, seed_story
    ):
        putin = Person.objects.get(slug="vladimir-putin")
        response = editor_client.post(
            reverse("admin:articles_quote_add"),
            {
                "article": seed_story.pk,
                "speaker": putin.pk,
                "text": "trust-building security measures",
                "context": "",
                "order": "",
            },
        )
        assert response.status_code == 302
        changelist = editor_client.get(
            reverse("admin:articles_quote_changelist"), {"q": "trust-building"}
        )
        assertContains(
            changelist, reverse("admin:articles_article_change", args=[seed_story.pk])
        )

    def test_quote_form_refuses_words_not_in_the_story(self, editor_client, seed_story):
        before = snapshot()
        response = editor_client.post(
            reverse("admin:articles_quote_add"),
            {
                "article": seed_story.pk,
                "speaker": Person.objects.get(slug="vladimir-putin").pk,
                "text": "We will invade",
                "context": "",
                "order": "",
            },
        )
        assertContains(response, "do not appear verbatim")
        assert snapshot() == before

    def test_a_quote_changed_on_its_own_page_updates_its_story_and_history(
        self, editor_client, seed_story
    ):
        quote = seed_story.quotes.get(order=1)
        other = Person.objects.exclude(pk=quote.speaker_id).first()
        url = reverse("admin:articles_quote_change", args=[quote.pk])
        data = {
            "article": seed_story.pk,
            "speaker": quote.speaker_id,
            "text": quote.text,
            "context": quote.context,
            "order": quote.order,
            "base_version": quote.version,
        }
        revisions = Version.objects.get_for_object(seed_story).count
        updated = seed_story.updated_at

        # Saved as it was: the story is not "updated", the history unchanged.
        assert editor_client.post(url, data).status_code == 302
        seed_story.refresh_from_db()
        assert (seed_story.updated_at, revisions()) == (updated, 0)

        data.update(speaker=other.pk, base_version=quote.version + 1)
        assert editor_client.post(url, data).status_code == 302
        seed_story.refresh_from_db()
        assert seed_story.updated_at > updated  # readers see an update
        latest = Version.objects.get_for_object(seed_story).first()
        assert revisions() == 1
        assert latest.revision.comment.startswith("Changed the quote “")
        assert latest.revision.user.username == "editor"
        held = [
            v.field_dict["speaker_id"]
            for v in latest.revision.version_set.all()
            if v.content_type.model == "quote" and v.object_id == str(quote.pk)
        ]
        assert held == [other.pk]

        delete = reverse("admin:articles_quote_delete", args=[quote.pk])
        assert editor_client.post(delete, {"post": "yes"}).status_code == 302
        assert revisions() == 2
        assert Version.objects.get_for_object(seed_story).first().revision.comment == (
            f"Deleted the quote {quote} on its own page."
        )

    def test_search_by_speaker_and_filter(self, editor_client, seed_story):
        url = reverse("admin:articles_quote_changelist")
        assert editor_client.get(url, {"q": "Shoigu"}).context["cl"].result_count == 1
        konashenkov = Person.objects.get(slug="igor-konashenkov")
        assert (
            editor_client.get(url, {"speaker__id__exact": konashenkov.pk})
            .context["cl"]
            .result_count
            == 4
        )


class TestPersonAdmin:
    def test_editor_adds_a_person(self, editor_client):
        response = editor_client.post(
            reverse("admin:articles_person_add"),
            {
                "name": "Olaf Scholz",
                "slug": "olaf-scholz",
                "honorific": "",
                "role": "German Chancellor",
                "organization": "",
                "bio": "",
                "quotes-TOTAL_FORMS": "0",
                "quotes-INITIAL_FORMS": "0",
                "quotes-MIN_NUM_FORMS": "0",
                "quotes-MAX_NUM_FORMS": "0",
            },
        )
        assert response.status_code == 302
        assert Person.objects.get(slug="olaf-scholz").role == "German Chancellor"

    def test_person_change_form_lists_their_quotes(self, editor_client, seed_story):
        person = Person.objects.get(slug="igor-konashenkov")
        response = editor_client.get(
            reverse("admin:articles_person_change", args=[person.pk])
        )
        assertContains(response, "Almost all military districts")
        assertContains(response, seed_story.headline, count=4)

    def test_search_finds_people_by_role(self, editor_client, seed_story):
        response = editor_client.get(
            reverse("admin:articles_person_changelist"), {"q": "spokesperson"}
        )
        assert [p.name for p in response.context["cl"].result_list] == [
            "Igor Konashenkov"
        ]

    def test_autocomplete_offers_speakers(self, editor_client, seed_story):
        response = editor_client.get(
            "/admin/autocomplete/",
            {
                "term": "kona",
                "app_label": "articles",
                "model_name": "quote",
                "field_name": "speaker",
            },
        )
        assert [r["text"] for r in response.json()["results"]] == ["Igor Konashenkov"]


def test_reporter_is_offered_only_the_stories_their_quote_may_go_in(desk_reporter):
    client = Client()
    client.force_login(desk_reporter)
    own = make_article(
        headline="Budget talks stall",
        status=Status.DRAFT,
        published_at=None,
        created_by=desk_reporter,
    )
    make_article(headline="Budget talks begin")  # published: an editor's now
    response = client.get(
        "/admin/autocomplete/",
        {
            "term": "budget",
            "app_label": "articles",
            "model_name": "quote",
            "field_name": "article",
        },
    )
    # Picking the published one was refused on save with Django's bare
    # "Select a valid choice. That choice is not one of the available choices."
    assert [r["text"] for r in response.json()["results"]] == [own.headline]


class TestPhotoCreditAdmin:
    def test_editor_enters_the_seed_credit_with_agencies_in_order(
        self, editor_client, db
    ):
        photographer = make_person(name="Alexei Nikolsky")
        names = [
            "Russian Presidential Press and Information Office",
            "TASS",
            "Abaca Press",
            "TNS",
        ]
        agencies = [Agency.objects.create(name=name) for name in names]
        data = {
            "caption": "Russia's President Vladimir Putin.",
            "alt_text": "",
            "photographer": photographer.pk,
            "slug": "",
            "agency_links-TOTAL_FORMS": "4",
            "agency_links-INITIAL_FORMS": "0",
            "agency_links-MIN_NUM_FORMS": "0",
            "agency_links-MAX_NUM_FORMS": "1000",
        }
        # Entered out of order on purpose: position decides.
        for i, (agency, position) in enumerate(
            zip(reversed(agencies), [4, 3, 2, 1], strict=True)
        ):
            data.update(
                {
                    f"agency_links-{i}-agency": agency.pk,
                    f"agency_links-{i}-position": position,
                }
            )
        response = editor_client.post(reverse("admin:articles_photocredit_add"), data)
        assert response.status_code == 302
        credit = PhotoCredit.objects.get()
        assert credit.credit_line == "Alexei Nikolsky/" + "/".join(names)
        assert credit.slug == "russias-president-vladimir-putin"

    def test_change_list_shows_the_credit_line(self, editor_client, seed_story):
        response = editor_client.get(reverse("admin:articles_photocredit_changelist"))
        assertContains(
            response,
            "Alexei Nikolsky/Russian Presidential Press and Information Office/TASS/Abaca Press/TNS",
        )
        assertContains(response, "(no image file)")

    def test_change_form_shows_thumbnail_of_an_uploaded_image(self, editor_client):
        import io

        from django.core.files.uploadedfile import SimpleUploadedFile
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), "navy").save(buffer, "JPEG")
        credit = make_photo(agencies=["AP"])
        credit.image = SimpleUploadedFile(
            "p.jpg", buffer.getvalue(), content_type="image/jpeg"
        )
        credit.save()
        assert (credit.image_width, credit.image_height) == (64, 48)
        response = editor_client.get(
            reverse("admin:articles_photocredit_change", args=[credit.pk])
        )
        assertContains(response, f'<img src="{credit.image.url}"')

    def test_editor_cannot_credit_one_agency_twice(self, editor_client):
        credit = make_photo(agencies=["TASS", "AP"])
        response = editor_client.post(
            reverse("admin:articles_photocredit_change", args=[credit.pk]),
            credit_form(credit, [(Agency.objects.get(name="TASS"), "")]),
        )
        assertContains(
            response,
            "The credit line “TASS/AP/TASS” names TASS twice: a credit line "
            "names each agency once.",
        )
        assertContains(response, "TASS is already in place 1 of this credit line.")
        assert PhotoCredit.objects.get().credit_line == "TASS/AP"
        assert credit.agency_links.count() == 2

    def test_editor_cannot_enter_a_new_credit_naming_an_agency_twice(
        self, editor_client
    ):
        tass, ap = Agency.objects.create(name="TASS"), Agency.objects.create(name="AP")
        data = {
            "caption": "Leaders meet.",
            "alt_text": "",
            "photographer": "",
            "slug": "",
            "agency_links-TOTAL_FORMS": "3",
            "agency_links-INITIAL_FORMS": "0",
            "agency_links-MIN_NUM_FORMS": "0",
            "agency_links-MAX_NUM_FORMS": "1000",
        }
        for i, agency in enumerate([tass, ap, tass]):
            data[f"agency_links-{i}-agency"] = agency.pk
            data[f"agency_links-{i}-position"] = ""
        response = editor_client.post(reverse("admin:articles_photocredit_add"), data)
        assertContains(response, "names TASS twice")
        assert not PhotoCredit.objects.exists()

    def test_editor_swaps_two_agencies_by_name(self, editor_client):
        credit = make_photo(agencies=["TASS", "AP"])
        data = credit_form(credit, [])
        data["agency_links-0-agency"], data["agency_links-1-agency"] = (
            data["agency_links-1-agency"],
            data["agency_links-0-agency"],
        )
        response = editor_client.post(
            reverse("admin:articles_photocredit_change", args=[credit.pk]), data
        )
        assert response.status_code == 302, response.context["errors"]
        assert PhotoCredit.objects.get().credit_line == "AP/TASS"


class TestOrderingAndClashes:
    def test_editor_swaps_two_quotes_in_the_inline(self, editor_client, seed_story):
        quotes = list(seed_story.quotes.order_by("order"))
        data = article_form(
            existing_quotes=quotes,
            headline=seed_story.headline,
            slug=seed_story.slug,
            body=seed_story.body,
            status=Status.PUBLISHED,
            published_at_0="2022-02-15",
            published_at_1="12:00:00",
        )
        for i, quote in enumerate(quotes):
            data[f"quotes-{i}-order"] = str(quote.order)
        data["quotes-0-order"], data["quotes-1-order"] = "2", "1"
        response = editor_client.post(
            reverse("admin:articles_article_change", args=[seed_story.pk]), data
        )
        assert response.status_code == 302
        assert [q.speaker.name for q in seed_story.quotes.order_by("order")][:2] == [
            "Igor Konashenkov",
            "Sergei Shoigu",
        ]

    def test_agencies_are_numbered_in_entry_order_and_can_be_swapped(
        self, editor_client
    ):
        tass, tns = (
            Agency.objects.create(name="TASS"),
            Agency.objects.create(name="TNS"),
        )
        management = {
            "agency_links-INITIAL_FORMS": "0",
            "agency_links-MIN_NUM_FORMS": "0",
            "agency_links-MAX_NUM_FORMS": "1000",
        }
        response = editor_client.post(
            reverse("admin:articles_photocredit_add"),
            {
                "caption": "A caption.",
                "alt_text": "",
                "slug": "",
                "agency_links-TOTAL_FORMS": "2",
                **management,
                "agency_links-0-agency": tass.pk,
                "agency_links-0-position": "",
                "agency_links-1-agency": tns.pk,
                "agency_links-1-position": "",
            },
        )
        assert response.status_code == 302
        credit = PhotoCredit.objects.get()
        assert credit.credit_line == "TASS/TNS"
        links = list(credit.agency_links.order_by("position"))
        swap = {
            "caption": "A caption.",
            "alt_text": "",
            "slug": credit.slug,
            "agency_links-TOTAL_FORMS": "2",
            **management,
            "agency_links-INITIAL_FORMS": "2",
        }
        for i, (link, position) in enumerate(zip(links, ["2", "1"], strict=True)):
            swap.update(
                {
                    f"agency_links-{i}-id": link.pk,
                    f"agency_links-{i}-credit": credit.pk,
                    f"agency_links-{i}-agency": link.agency_id,
                    f"agency_links-{i}-position": position,
                }
            )
        response = editor_client.post(
            reverse("admin:articles_photocredit_change", args=[credit.pk]), swap
        )
        assert response.status_code == 302
        assert PhotoCredit.objects.get().credit_line == "TNS/TASS"

    def test_publishing_a_draft_onto_a_taken_address_is_refused(
        self, editor_client, client
    ):
        # Published a moment ago, so that publishing the draft now lands on the same day.
        published = make_article(slug="talks", published_at=timezone.now())
        draft = make_article(slug="talks", status=Status.DRAFT, published_at=None)
        response = editor_client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish_selected", "_selected_action": [draft.pk]},
            follow=True,
        )
        assertContains(response, "was not published")
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT
        if draft.published_at:  # the refused publish must not leave the clash behind
            assert draft.publication_day != published.publication_day
        assert client.get(published.get_absolute_url()).status_code == 200

    def test_a_quote_moves_into_the_place_of_one_deleted_in_the_same_save(
        self, editor_client
    ):
        story = make_article(quotes=3)
        first, second, third = [text for text, _ in places(story)]
        data = quotes_form(story, [])
        data["quotes-2-DELETE"] = "on"
        data["quotes-0-order"] = "3"
        response = editor_client.post(
            reverse("admin:articles_article_change", args=[story.pk]), data
        )
        # Saved before the deleted row was gone, this hit the unique index.
        assert response.status_code == 302, response.context["errors"]
        assert places(story) == [(second, 2), (first, 3)]

    def test_an_agency_moves_into_the_place_of_one_deleted_in_the_same_save(
        self, editor_client
    ):
        credit = make_photo(agencies=["TASS", "Abaca Press", "TNS"])
        data = credit_form(credit, [])
        data["agency_links-2-DELETE"] = "on"
        data["agency_links-0-position"] = "3"
        response = editor_client.post(
            reverse("admin:articles_photocredit_change", args=[credit.pk]), data
        )
        assert response.status_code == 302, response.context["errors"]
        assert PhotoCredit.objects.get(pk=credit.pk).credit_line == "Abaca Press/TASS"


class TestTagAdmin:
    def test_tags_list_their_story_counts_and_offer_no_broken_merge(
        self, editor_client, seed_story
    ):
        response = editor_client.get(reverse("admin:taggit_tag_changelist"))
        assert (
            "merge_tags"
            not in response.context["action_form"].fields["action"].choices.__repr__()
        )
        nato = next(
            tag for tag in response.context["cl"].result_list if tag.name == "NATO"
        )
        assert nato.story_count == 1

    @pytest.mark.parametrize(
        "existing, typed",
        [("NATO", "nato"), ("Ünïcode", "ünïcode"), ("Straße", "STRASSE")],
    )
    def test_editor_cannot_add_a_tag_that_differs_from_one_only_in_case(
        self, editor_client, existing, typed
    ):
        Tag.objects.create(name=existing, slug="existing")
        before = list(Tag.objects.values_list("name", "slug"))
        response = editor_client.post(
            reverse("admin:taggit_tag_add"), {"name": typed, "slug": "typed"}
        )
        assert response.context["adminform"].form.errors["name"] == [
            f"There is already a tag “{existing}”, and tags match whatever their "
            "case: use that one (stories tagged "
            f"“{typed}” get it)."
        ]
        assert list(Tag.objects.values_list("name", "slug")) == before

    @pytest.mark.parametrize(
        "existing, typed",
        [("NATO", "nato"), ("Ünïcode", "ünïcode"), ("Straße", "STRASSE")],
    )
    def test_editor_typing_a_tag_in_another_case_gets_the_existing_tag(
        self, editor_client, existing, typed
    ):
        Tag.objects.create(name=existing, slug="existing")
        before = list(Tag.objects.values_list("pk", "name", "slug"))
        response = editor_client.post(
            reverse("admin:articles_article_add"),
            article_form(tags=f"Diplomacy, {typed}"),
        )
        assert response.status_code == 302, response.context["adminform"].errors
        story = Article.objects.get(slug="talks-to-begin")
        assert sorted(story.tags.names()) == sorted(["Diplomacy", existing])
        # Only "Diplomacy" is new: no second tag beside the existing one.
        assert (
            list(
                Tag.objects.exclude(name="Diplomacy").values_list("pk", "name", "slug")
            )
            == before
        )

    def test_two_new_spellings_typed_together_make_one_tag(self, editor_client):
        response = editor_client.post(
            reverse("admin:articles_article_add"),
            article_form(tags="Straße, Diplomacy, STRASSE, diplomacy"),
        )
        assert response.status_code == 302, response.context["adminform"].errors
        story = Article.objects.get(slug="talks-to-begin")
        (street,) = Tag.objects.exclude(name="Diplomacy")
        assert street.name in ("Straße", "STRASSE")
        assert sorted(story.tags.names()) == sorted(["Diplomacy", street.name])
        assert Tag.objects.count() == 2

    def test_editor_changes_the_case_of_a_tags_own_name(self, editor_client):
        tag = Tag.objects.create(name="Nato", slug="nato")
        Tag.objects.create(name="Ünïcode", slug="unicode")
        response = editor_client.post(
            reverse("admin:taggit_tag_change", args=[tag.pk]),
            {"name": "NATO", "slug": "nato", "base_version": fingerprint(tag)},
        )
        assert response.status_code == 302
        assert Tag.objects.get(pk=tag.pk).name == "NATO"


def test_a_tag_without_letters_or_digits_is_refused_and_nothing_is_saved(editor_client):
    response = editor_client.post(
        reverse("admin:articles_article_add"), article_form(tags="Budget, !!!")
    )
    assert response.status_code == 200
    assert "cannot have a page: !!!" in response.content.decode()
    assert Article.objects.count() == 0


def test_a_tag_over_100_characters_is_a_form_error_and_nothing_is_saved(
    editor_client,
):
    story = make_article(status=Status.DRAFT, published_at=None, tags=1)
    long_tag = " ".join(["Negotiations"] * 8)  # 103 characters
    before = (
        snapshot(),
        list(Tag.objects.values_list("name", flat=True)),
        sorted(story.tags.names()),
    )
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[story.pk]),
        article_form(
            tags=f"Budget, {long_tag}",
            **{
                "corrections-TOTAL_FORMS": "0",
                "corrections-INITIAL_FORMS": "0",
                "corrections-MIN_NUM_FORMS": "0",
                "corrections-MAX_NUM_FORMS": "1000",
                "base_version": str(story.version),
            },
        ),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["tags"] == [
        "A tag can be at most 100 characters long; shorten these: "
        f"“{long_tag[:40]}…” (103 characters)"
    ]
    assert (
        snapshot(),
        list(Tag.objects.values_list("name", flat=True)),
        sorted(story.tags.names()),
    ) == before


class TestDeletingWhatAStoryUses:
    """A byline, a person named, a quote's speaker or a lead photo is not deleted
    from under a story."""

    @pytest.fixture
    def story(self):
        story = make_article(quotes=1, headline="Talks to begin")
        story.set_byline([make_person(name="Ann Reporter")])
        story.people.set([make_person(name="Lena Ortiz")])
        story.lead_photo = make_photo(caption="Delegates arrive in Geneva.")
        story.save()
        return story

    @pytest.mark.parametrize(
        "model, used_as",
        [
            ("person", "written by Ann Reporter"),
            ("person", "names Lena Ortiz"),
            ("person", "quote"),
            ("photocredit", "its lead photo"),
        ],
    )
    def test_delete_page_lists_the_story_and_deletes_nothing(
        self, editor_client, story, model, used_as
    ):
        if model == "photocredit":
            row = story.lead_photo
        elif used_as == "quote":
            row = story.quotes.get().speaker
        elif used_as.startswith("names"):
            row = story.people.get()
        else:
            row = story.authors.get()
        url = reverse(f"admin:articles_{model}_delete", args=[row.pk])
        before = (counts(), dump())
        page = editor_client.get(url)
        assertContains(page, "would require deleting the following protected related")
        if used_as == "quote":  # Quote.speaker is PROTECT: Django's own entry
            quote = story.quotes.get()
            listed = reverse("admin:articles_quote_change", args=[quote.pk])
            entry = f'Quote: <a href="{listed}">{quote}</a>'
        else:
            listed = reverse("admin:articles_article_change", args=[story.pk])
            entry = f'Story: <a href="{listed}">Talks to begin</a> ({used_as})'
        assertContains(page, f"<li>{entry}</li>", html=True)
        response = editor_client.post(url, {"post": "yes"})
        assert response.status_code == 200
        assert (counts(), dump()) == before

    def test_the_list_action_deletes_no_byline_or_lead_photo(
        self, editor_client, story
    ):
        before = (counts(), dump())
        for model, row in [
            ("person", story.authors.get()),
            ("photocredit", story.lead_photo),
        ]:
            response = editor_client.post(
                reverse(f"admin:articles_{model}_changelist"),
                {
                    "action": "delete_selected",
                    "_selected_action": [row.pk],
                    "post": "yes",
                },
            )
            assertContains(response, "protected related objects")
            assertContains(response, "Talks to begin</a> (")
        assert (counts(), dump()) == before

    def test_a_person_and_a_photo_no_story_uses_can_still_be_deleted(
        self, editor_client
    ):
        person, photo = make_person(), make_photo()
        for model, row in [("person", person), ("photocredit", photo)]:
            url = reverse(f"admin:articles_{model}_delete", args=[row.pk])
            assert editor_client.post(url, {"post": "yes"}).status_code == 302
        assert not Person.objects.filter(pk=person.pk).exists()
        assert not PhotoCredit.objects.filter(pk=photo.pk).exists()


def story_with_spare_quotes(numbered=3, spare=2):
    """A story quoted `numbered` times, and words from its body not yet quoted."""
    story = make_article(quotes=numbered + spare)
    unquoted = list(story.quotes.filter(order__gt=numbered))
    for quote in unquoted:
        quote.delete()
    return story, [(quote.text, quote.speaker) for quote in unquoted]


def quote_form(quote, **changes):
    """POST data for a quote's own change page, as it stands, with changes."""
    return {
        "article": str(quote.article_id),
        "speaker": str(quote.speaker_id),
        "text": quote.text,
        "context": quote.context,
        "order": str(quote.order),
        "base_version": str(quote.version),
        **changes,
    }


def quotes_form(story, new, **overrides):
    """The story's change form as saved with its quotes kept, adding new ones.

    new holds (text, speaker, order) rows; an order of "" is left blank.
    """
    existing = list(story.quotes.order_by("order"))
    data = article_form(
        existing_quotes=existing,
        quotes=[(text, speaker) for text, speaker, _ in new],
        headline=story.headline,
        slug=story.slug,
        body=story.body,
        status=story.status,
        **overrides,
    )
    for i, quote in enumerate(existing):
        data[f"quotes-{i}-order"] = str(quote.order)
    for i, (_, _, order) in enumerate(new, len(existing)):
        data[f"quotes-{i}-order"] = str(order)
    return data


def places(story):
    return list(story.quotes.order_by("order").values_list("text", "order"))


def credit_form(credit, new, **overrides):
    """The photo credit's change form with its agencies kept, adding new ones.

    new holds (agency, position) rows; a position of "" is left blank.
    """
    links = list(credit.agency_links.order_by("position"))
    data = {
        "caption": credit.caption,
        "alt_text": credit.alt_text,
        "slug": credit.slug,
        "base_version": str(credit.version),
        "agency_links-TOTAL_FORMS": str(len(links) + len(new)),
        "agency_links-INITIAL_FORMS": str(len(links)),
        "agency_links-MIN_NUM_FORMS": "0",
        "agency_links-MAX_NUM_FORMS": "1000",
    }
    rows = [(link.pk, link.agency_id, link.position) for link in links]
    rows += [("", agency.pk, position) for agency, position in new]
    for i, (pk, agency, position) in enumerate(rows):
        data.update(
            {
                f"agency_links-{i}-id": str(pk),
                f"agency_links-{i}-credit": str(credit.pk),
                f"agency_links-{i}-agency": str(agency),
                f"agency_links-{i}-position": str(position),
            }
        )
    data.update(overrides)
    return data


class TestBlankPlaces:
    """A row left unnumbered goes after every numbered one, in the same save too."""

    def test_editor_adds_an_unnumbered_quote_beside_a_numbered_one(self, editor_client):
        story, [(first, speaker), (second, other)] = story_with_spare_quotes()
        before = places(story)
        response = editor_client.post(
            reverse("admin:articles_article_change", args=[story.pk]),
            quotes_form(story, [(first, speaker, ""), (second, other, 4)]),
        )
        assert response.status_code == 302, response.context["errors"]
        assert places(story) == before + [(second, 4), (first, 5)]

    def test_a_quote_whose_order_is_cleared_goes_last(self, editor_client):
        story = make_article(quotes=3)
        data = quotes_form(story, [])
        data["quotes-0-order"] = ""
        response = editor_client.post(
            reverse("admin:articles_article_change", args=[story.pk]), data
        )
        assert response.status_code == 302, response.context["errors"]
        assert [order for _, order in places(story)] == [2, 3, 4]
        assert story.quotes.count() == 3

    def test_editor_adds_an_unnumbered_agency_beside_a_numbered_one(
        self, editor_client
    ):
        credit = make_photo(agencies=["TASS", "Abaca Press", "TNS"])
        ap, afp = Agency.objects.create(name="AP"), Agency.objects.create(name="AFP")
        response = editor_client.post(
            reverse("admin:articles_photocredit_change", args=[credit.pk]),
            credit_form(credit, [(ap, ""), (afp, 4)]),
        )
        assert response.status_code == 302, response.context["errors"]
        assert PhotoCredit.objects.get().credit_line == "TASS/Abaca Press/TNS/AFP/AP"
        assert list(
            credit.agency_links.order_by("position").values_list("position", flat=True)
        ) == [1, 2, 3, 4, 5]


class TestPlacesHaveAMaximum:
    """Rows renumbered in one save are parked at +10000 first: places stay below."""

    def test_a_quote_numbered_past_999_is_refused_and_nothing_moves(
        self, editor_client
    ):
        story = make_article(quotes=2)
        before = places(story)
        data = quotes_form(story, [])
        data["quotes-0-order"], data["quotes-1-order"] = "10002", "1"
        response = editor_client.post(
            reverse("admin:articles_article_change", args=[story.pk]), data
        )
        assertContains(response, "Ensure this value is less than or equal to 999.")
        assert places(story) == before

    def test_an_agency_placed_past_999_is_refused_and_nothing_moves(
        self, editor_client
    ):
        credit = make_photo(agencies=["TASS", "TNS"])
        data = credit_form(credit, [])
        data["agency_links-0-position"], data["agency_links-1-position"] = "10002", "1"
        response = editor_client.post(
            reverse("admin:articles_photocredit_change", args=[credit.pk]), data
        )
        assertContains(response, "Ensure this value is less than or equal to 999.")
        assert PhotoCredit.objects.get().credit_line == "TASS/TNS"
        assert list(credit.agency_links.values_list("position", flat=True)) == [1, 2]

    def test_a_blank_place_past_999_is_refused_and_nothing_is_added(
        self, editor_client
    ):
        story, [(words, speaker), _] = story_with_spare_quotes(numbered=1)
        story.quotes.update(order=999)
        before = places(story)
        response = editor_client.post(
            reverse("admin:articles_article_change", args=[story.pk]),
            quotes_form(story, [(words, speaker, "")]),
        )
        assertContains(response, "no place left after 999")
        assert places(story) == before
