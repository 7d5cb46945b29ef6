import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article, Person, Quote, Status

from .factories import make_article, make_person, make_photo

pytestmark = pytest.mark.django_db


class TestCreditLine:
    def test_photographer_comes_first_then_agencies_in_order(self):
        credit = make_photo(
            photographer=make_person(name="Alexei Nikolsky"),
            agencies=[
                "Russian Presidential Press and Information Office",
                "TASS",
                "Abaca Press",
                "TNS",
            ],
        )
        assert credit.credit_line == (
            "Alexei Nikolsky/Russian Presidential Press and Information Office"
            "/TASS/Abaca Press/TNS"
        )

    def test_agency_only_credit_names_the_agencies(self):
        assert make_photo(agencies=["AP"]).credit_line == "AP"
        assert make_photo(agencies=["Reuters", "TNS"]).credit_line == "Reuters/TNS"

    def test_photographer_only_credit_is_the_name(self):
        assert (
            make_photo(photographer=make_person(name="Jane Doe")).credit_line
            == "Jane Doe"
        )

    def test_order_follows_position_not_the_order_rows_were_added(self):
        credit = make_photo(agencies=["TASS", "TNS"])
        first, second = credit.agency_links.order_by("position")
        first.position, second.position = 3, 1
        first.save()
        second.save()
        assert credit.credit_line == "TNS/TASS"


class TestQuoteIntegrity:
    def make_story(self):
        return make_article(body="He said “we will  talk to NATO,” and left.\n\nMore.")

    def test_quote_matching_the_body_passes(self):
        quote = Quote(
            article=self.make_story(),
            speaker=make_person(),
            text="we will talk to NATO,",
        )
        quote.full_clean()

    def test_straight_and_curly_marks_and_spacing_count_as_the_same_words(self):
        story = make_article(body="“It’s a  new \t era,” she said.")
        Quote(article=story, speaker=make_person(), text="It's a new era,").full_clean()

    def test_a_mistyped_quote_is_refused_with_a_clear_message(self):
        quote = Quote(
            article=self.make_story(),
            speaker=make_person(),
            text="we will talk to Russia,",
        )
        with pytest.raises(ValidationError) as error:
            quote.full_clean()
        assert "do not appear verbatim" in str(error.value.message_dict["text"])

    @pytest.mark.parametrize(
        "body, text, told",
        [
            (
                "“Costs rose 5% &amp; more,” she said.",
                "Costs rose 5% &amp; more,",
                "Write the words as readers see them: “&” and not “&amp;”",
            ),
            (
                "“We will not leave.\n\nWe will stay,” she said.",
                "We will not leave. We will stay,",
                "These words run from one paragraph of the body into the next.",
            ),
        ],
    )
    def test_a_refusal_says_what_to_change(self, body, text, told):
        quote = Quote(article=make_article(body=body), speaker=make_person(), text=text)
        with pytest.raises(ValidationError) as error:
            quote.full_clean()
        assert error.value.message_dict["text"][0].startswith(told)
        quote.text = text.replace("&amp;", "&").split(" We")[0]
        quote.full_clean()  # what the message asks for is accepted

    def test_other_changes_to_the_words_are_not_normalized_away(self):
        story = self.make_story()
        for text in [
            "We will talk to NATO,",
            "we will talk to NATO.",
            "we will talk to N.A.T.O.,",
        ]:
            with pytest.raises(ValidationError):
                Quote(article=story, speaker=make_person(), text=text).full_clean()

    def test_words_must_stand_whole_and_within_one_paragraph(self):
        story = make_article(body="We will talk.\n\nTo NATO, he said.")
        for text in ["e", "ill tal", "talk. To NATO"]:
            with pytest.raises(ValidationError):
                Quote(article=story, speaker=make_person(), text=text).full_clean()
        Quote(article=story, speaker=make_person(), text="To NATO,").full_clean()

    def test_words_standing_whole_after_a_paragraph_with_them_in_a_word_pass(self):
        story = make_article(body="The stalks grew.\n\nThey said “talk” and left.")
        Quote(article=story, speaker=make_person(), text="talk").full_clean()

    def test_quotation_marks_around_the_words_are_refused(self):
        quote = Quote(
            article=self.make_story(),
            speaker=make_person(),
            text="“we will talk to NATO,”",
        )
        with pytest.raises(ValidationError, match="quotation marks"):
            quote.full_clean()

    def test_order_is_filled_in_after_the_last_quote(self):
        story = make_article(quotes=2)
        quote = Quote.objects.create(
            article=story, speaker=make_person(), text="Opening paragraph"
        )
        assert quote.order == 3


class TestPublishedQueryset:
    def test_only_published_stories_dated_now_or_earlier_are_public(self):
        public = make_article()
        make_article(status=Status.DRAFT)
        make_article(published_at=timezone.now() + timedelta(hours=1))
        make_article(status=Status.PUBLISHED, published_at=None)
        assert list(Article.objects.published()) == [public]

    def test_publish_keeps_an_existing_publication_time(self):
        when = (timezone.now() - timedelta(days=3)).replace(microsecond=0)
        story = make_article(status=Status.DRAFT, published_at=when)
        story.publish()
        story.refresh_from_db()
        assert (story.status, story.published_at) == (Status.PUBLISHED, when)

    def test_publish_dates_an_undated_draft_now(self):
        story = make_article(status=Status.DRAFT, published_at=None)
        story.publish()
        assert story in Article.objects.published()

    def test_unpublish_takes_the_story_off_the_site(self):
        story = make_article()
        story.unpublish()
        assert story not in Article.objects.published()


class TestArticle:
    def test_byline_is_empty_without_authors(self):
        assert make_article().byline == ""

    def test_byline_joins_authors(self):
        story = make_article()
        story.set_byline(
            [
                make_person(name="Ann Lee"),
                make_person(name="Bo Chan"),
                make_person(name="Cy Day"),
            ]
        )
        assert story.byline in {"Ann Lee, Bo Chan and Cy Day"}

    def test_slug_is_unique_per_publication_date(self):
        first = make_article(slug="same")
        clash = Article(
            headline="Other", slug="same", body="Text.", published_at=first.published_at
        )
        with pytest.raises(ValidationError) as error:
            clash.full_clean()
        assert "slug" in error.value.message_dict
        Article(
            headline="Other",
            slug="same",
            body="Text.",
            published_at=first.published_at - timedelta(days=1),
        ).full_clean()

    def test_url_carries_the_publication_date(self):
        story = make_article(
            slug="talks", published_at=datetime(2022, 2, 15, 12, tzinfo=UTC)
        )
        assert story.get_absolute_url() == "/2022/02/15/talks/"

    def test_url_date_is_the_site_time_zone_date_and_resolves(self, settings, client):
        settings.TIME_ZONE = "America/New_York"
        story = make_article(
            slug="late", published_at=datetime(2022, 2, 15, 3, tzinfo=UTC)
        )
        assert story.get_absolute_url() == "/2022/02/14/late/"
        assert client.get(story.get_absolute_url()).status_code == 200


def test_featuring_finds_each_way_a_person_appears_once_per_story():
    person = make_person()
    named, quoted, written, photographed, unrelated = (make_article() for _ in range(5))
    named.people.add(person)
    Quote.objects.create(article=quoted, speaker=person, text="Opening paragraph")
    written.set_byline([person])
    photographed.lead_photo = make_photo(photographer=person)
    photographed.save()
    everything = make_article()
    everything.people.add(person)
    everything.set_byline([person])
    Quote.objects.create(article=everything, speaker=person, text="Opening paragraph")
    featuring = Article.objects.published().featuring(person)
    assert sorted(story.pk for story in featuring) == sorted(
        story.pk for story in (named, quoted, written, photographed, everything)
    )
    assert featuring.count() == 5 and unrelated not in featuring


def test_listed_stories_carry_their_own_tags_in_the_order_given(
    django_assert_num_queries,
):
    first, second, untagged = make_article(), make_article(), make_article()
    for name in ("zeta", "alpha"):
        first.tags.add(name)  # one at a time: tagged in this order
    second.tags.add("beta")
    listed = Article.objects.filter(pk__in=[first.pk, second.pk, untagged.pk])
    with django_assert_num_queries(2):  # the stories, then all their tags
        stories = list(listed.order_by("pk").with_tags())
    with django_assert_num_queries(0):
        tags = [[tag.name for tag in story.tags.all()] for story in stories]
    assert tags == [["zeta", "alpha"], ["beta"], []]


def test_listed_stories_carry_their_photo_credits(django_assert_num_queries):
    photographer = make_person(name="Jo Lens")
    shared = make_photo(photographer=photographer, agencies=["EPA", "EFE"])
    own = make_photo(agencies=["AP"])
    stories = [make_article(lead_photo=shared), make_article(lead_photo=shared)]
    stories += [make_article(lead_photo=own), make_article()]
    listed = Article.objects.filter(pk__in=[story.pk for story in stories])
    # The stories with their photos and photographers; their bylines, tags and
    # photos' agencies.
    with django_assert_num_queries(2):
        found = list(listed.order_by("pk").with_lead_photo())
    with django_assert_num_queries(0):
        credits = [story.lead_photo and story.lead_photo.credit_line for story in found]
    assert credits == [
        "Jo Lens/EPA/EFE",
        "Jo Lens/EPA/EFE",
        "AP",
        None,
    ]


def test_feed_stories_carry_their_bylines_in_byline_order(django_assert_num_queries):
    bylined, unsigned = make_article(), make_article()
    bylined.set_byline([make_person(name="Zoe Berg"), make_person(name="Adam Rey")])
    listed = Article.objects.filter(pk__in=[bylined.pk, unsigned.pk])
    # The stories; their bylines and tags.
    with django_assert_num_queries(2):
        found = list(listed.order_by("pk").for_feed())
    with django_assert_num_queries(0):
        bylines = [[person.name for person in story.authors.all()] for story in found]
    assert bylines == [["Zoe Berg", "Adam Rey"], []]


class TestControlCharactersAreNotStored:
    """Word's line break inside a paragraph is a vertical tab: no page may carry one."""

    PASTED = "Minister\x0bresigns\x0c today\x00"

    def test_saved_text_has_spaces_for_them(self, db):
        story = make_article(headline=self.PASTED, dek=f"Dek\x1f{self.PASTED}")
        story.tags.add("Tag\x0bname")
        person = make_person(name=self.PASTED, role="Role\x07")
        story.refresh_from_db()
        person.refresh_from_db()
        assert story.headline == "Minister resigns  today "
        assert story.dek == "Dek Minister resigns  today "
        assert list(story.tags.names()) == ["Tag name"]
        assert (person.name, person.role) == ("Minister resigns  today ", "Role ")

    def test_tabs_and_line_breaks_stay(self, db):
        body = "First\tparagraph.\r\n\nSecond paragraph."
        story = make_article(body=body)
        story.refresh_from_db()
        assert story.body == body

    def test_loaddata_cleans_them_too(self, db, tmp_path):
        path = tmp_path / "person.json"
        path.write_text(
            json.dumps(
                [
                    {
                        "model": "articles.person",
                        "fields": {"name": "Ana\x0bDuarte", "slug": "ana-duarte"},
                    }
                ]
            ),
            encoding="utf-8",
        )
        call_command("loaddata", str(path), verbosity=0)
        assert Person.objects.get(slug="ana-duarte").name == "Ana Duarte"
