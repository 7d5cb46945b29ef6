import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import checks
from django.core.management import CommandError, call_command
from taggit.models import Tag

from articles.models import (
    Agency,
    Article,
    ArticleAuthor,
    Person,
    PhotoCredit,
    PhotoCreditAgency,
    Quote,
)

from .factories import make_article, make_person

pytestmark = pytest.mark.django_db

WIRE_COPY = Path(settings.BASE_DIR) / "fixtures" / "wire" / "000_75c388e515c58762.txt"
SHARED_SEED = Path(settings.BASE_DIR).parent / "shared" / "seeds" / WIRE_COPY.name


def dump():
    out = io.StringIO()
    call_command(
        "dumpdata",
        "articles",
        "taggit",
        natural_foreign=True,
        natural_primary=True,
        indent=1,
        stdout=out,
    )
    return out.getvalue()


def wipe():
    for model in [Quote, PhotoCreditAgency, Article, PhotoCredit, Agency, Person, Tag]:
        model.objects.all().delete()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in [
            Article,
            Quote,
            Person,
            PhotoCredit,
            PhotoCreditAgency,
            Agency,
            Tag,
            Article.tags.through,
            ArticleAuthor,
        ]
    }


class TestSeedFixtureContent:
    def test_repository_copy_of_the_wire_story_is_the_seed(self):
        if (
            SHARED_SEED.exists()
        ):  # shared/ sits beside the clone in CI and on dev machines
            assert WIRE_COPY.read_bytes() == SHARED_SEED.read_bytes()

    def test_story_is_the_wire_copy_word_for_word(self, seed_story):
        lines = WIRE_COPY.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith(seed_story.headline + " ")
        assert (
            seed_story.headline
            == "Putin ready to talk with NATO; says some Russian troops leaving Ukraine border"
        )
        assert seed_story.body.split("\n\n") == [
            line for line in lines[1:] if line.strip()
        ]
        assert len(seed_story.body.split("\n\n")) == 9

    def test_story_is_published_on_the_tuesday_of_the_meeting_with_no_byline(
        self, seed_story
    ):
        assert seed_story.published_at.isoformat() == "2022-02-15T12:00:00+00:00"
        assert seed_story.publication_day.isoformat() == "2022-02-15"
        assert seed_story.publication_day.strftime("%A") == "Tuesday"
        assert seed_story in Article.objects.published()
        assert seed_story.byline == ""
        assert seed_story.source == "Tribune News Service"

    def test_people_and_roles_are_as_the_story_gives_them(self, seed_story):
        people = {p.name: (p.honorific, p.role) for p in Person.objects.all()}
        assert people == {
            "Vladimir Putin": ("", "Russian President"),
            "Olaf Scholz": ("", "German Chancellor"),
            "Sergei Shoigu": ("", "Russian Defense Minister"),
            "Igor Konashenkov": (
                "Maj. Gen.",
                "spokesperson for the Russian Defense Ministry",
            ),
            "Alexei Nikolsky": ("", "photographer"),
        }

    def test_quotes_have_their_speakers_and_appear_in_the_body(self, seed_story):
        speakers = [q.speaker.name for q in seed_story.quotes.order_by("order")]
        assert speakers == ["Sergei Shoigu"] + ["Igor Konashenkov"] * 4
        for quote in seed_story.quotes.all():
            assert f"“{quote.text}”" in seed_story.body
            quote.full_clean()

    def test_photo_credit_is_structured(self, seed_story):
        photo = seed_story.lead_photo
        assert photo.caption == "Russia's President Vladimir Putin."
        assert photo.photographer.name == "Alexei Nikolsky"
        assert [link.agency.name for link in photo.agency_links.all()] == [
            "Russian Presidential Press and Information Office",
            "TASS",
            "Abaca Press",
            "TNS",
        ]

    def test_tags_include_the_obvious_ones(self, seed_story):
        assert {"Russia", "Ukraine", "NATO"} <= set(seed_story.tags.names())

    def test_seed_passes_the_database_checks(self, seed_story):
        errors = checks.run_checks(tags=[checks.Tags.database], databases=["default"])
        assert [e for e in errors if e.id.startswith("articles.")] == []


class TestLoadAndDump:
    def test_loading_twice_changes_nothing(self, seed_story):
        before = (counts(), dump())
        call_command("loaddata", "seed_story", verbosity=0)
        assert (counts(), dump()) == before

    def test_natural_key_dump_loads_back_identically(self, seed_story):
        extra = make_article(slug="second")
        extra.tags.set(["NATO", "Europe"])
        make_article(slug="third").tags.set(["Russia", "Europe"])
        before_dump, before_counts = dump(), counts()
        tags_before = {
            a.natural_key(): sorted(a.tags.names()) for a in Article.objects.all()
        }
        wipe()
        assert Article.objects.count() == 0
        path = Path(settings.MEDIA_ROOT).parent / "dump.json"
        path.write_text(before_dump, encoding="utf-8")
        call_command("loaddata", str(path), verbosity=0)
        assert counts() == before_counts
        assert dump() == before_dump
        assert {
            a.natural_key(): sorted(a.tags.names()) for a in Article.objects.all()
        } == tags_before

    def test_save_times_finer_than_a_millisecond_dump_and_load_back_identically(
        self, db
    ):
        # dumpdata writes milliseconds: 12:00:00.000123 would come back as
        # 12:00:00 and dump differently the second time.
        odd = datetime(2025, 3, 1, 12, 0, 0, 123, tzinfo=UTC)
        with mock.patch("django.utils.timezone.now", return_value=odd):
            story = make_article(quotes=1, published_at=odd - timedelta(days=1))
            story.mark_updated()
        before = dump()
        wipe()
        path = Path(settings.MEDIA_ROOT).parent / "dump.json"
        path.write_text(before, encoding="utf-8")
        call_command("loaddata", str(path), verbosity=0)
        assert dump() == before

    def test_fixture_loads_in_any_site_time_zone(self, settings, db):
        settings.TIME_ZONE = "Pacific/Auckland"
        call_command("loaddata", "seed_story", verbosity=0)
        story = Article.objects.get()
        assert story.quotes.count() == 5
        assert story.get_absolute_url().startswith(
            "/2022/02/16/"
        )  # 01:00 the next day there

    def test_a_dump_of_editors_work_loads_where_the_editors_have_no_account(
        self, seed_story, editor
    ):
        """Who saved a row is desk bookkeeping: a dump names no user account."""
        story = Article.objects.get()
        person = story.people.first()
        for row in [story, person, story.quotes.first(), story.lead_photo]:
            row.changed_by = editor
            row.save()
        before = dump()
        assert '"editor"' not in before and "changed_by" not in before
        wipe()
        get_user_model().objects.all().delete()  # another database: nobody there
        path = Path(settings.MEDIA_ROOT).parent / "dump.json"
        path.write_text(before, encoding="utf-8")
        call_command("loaddata", str(path), verbosity=0)
        assert dump() == before

    def test_a_byline_dumps_and_loads_back_in_its_order(self, seed_story):
        story = make_article(slug="bylined")
        story.set_byline([make_person(name="Zoe Writer"), make_person(name="Adam Lee")])
        before = dump()
        wipe()
        path = Path(settings.MEDIA_ROOT).parent / "dump.json"
        path.write_text(before, encoding="utf-8")
        call_command("loaddata", str(path), verbosity=0)
        assert Article.objects.get(slug="bylined").byline == "Zoe Writer and Adam Lee"
        assert dump() == before

    @pytest.mark.parametrize("since", ["swapped", "one left", "one added"])
    def test_an_older_dump_loads_over_a_byline_changed_since(self, seed_story, since):
        """loaddata writes the dump's rows one by one: each must find its way
        past the places and people of the byline as it is now."""
        zoe, adam, bea = (make_person(name=n) for n in ["Zoe", "Adam", "Bea"])
        story = make_article(slug="bylined")
        story.set_byline([zoe, adam])
        path = Path(settings.MEDIA_ROOT).parent / "dump.json"
        path.write_text(dump(), encoding="utf-8")
        story.set_byline(
            {"swapped": [adam, zoe], "one left": [adam], "one added": [bea, adam, zoe]}[
                since
            ]
        )
        call_command("loaddata", str(path), verbosity=0)
        names = [person.name for person in story.byline_authors]
        # The dump's places are taken as it gives them; a place it does not
        # name keeps whoever holds it, as loaddata leaves rows it does not hold.
        assert names[:2] == ["Zoe", "Adam"]
        assert len(names) == len(set(names))

    def test_dump_holds_no_primary_keys(self, seed_story):
        assert all("pk" not in row for row in json.loads(dump()))


class TestBrokenFixtures:
    BROKEN = {
        "bad_reference.json": json.dumps(
            [
                {
                    "model": "articles.person",
                    "fields": {"name": "New Person", "slug": "new-person"},
                },
                {
                    "model": "articles.quote",
                    "fields": {
                        "article": [
                            "putin-ready-to-talk-with-nato-says-some-russian-troops-leaving-ukraine-border",
                            "2022-02-15",
                        ],
                        "speaker": ["nobody-by-this-slug"],
                        "text": "Russia",
                        "order": 9,
                    },
                },
            ]
        ),
        "bad_field.json": json.dumps(
            [
                {
                    "model": "articles.person",
                    "fields": {"name": "New Person", "slug": "new-person"},
                },
                {
                    "model": "articles.article",
                    "fields": {"heading": "Wrong field", "slug": "x"},
                },
            ]
        ),
        "malformed.json": '[{"model": "articles.person", "fields": {"name": "New Person", "slug": "new-person"}},',
        "bad_value.json": json.dumps(
            [
                {
                    "model": "articles.person",
                    "fields": {"name": "Renamed Putin", "slug": "vladimir-putin"},
                },
                {
                    "model": "articles.article",
                    "fields": {
                        "headline": "Bad date",
                        "slug": "bad-date",
                        "body": "x",
                        "published_at": "not a date",
                    },
                },
            ]
        ),
    }

    @pytest.mark.parametrize("name", sorted(BROKEN))
    def test_a_broken_fixture_fails_clearly_and_changes_nothing(
        self, seed_story, tmp_path, name
    ):
        path = tmp_path / name
        path.write_text(self.BROKEN[name], encoding="utf-8")
        before = (counts(), dump())
        with pytest.raises(Exception) as error:
            call_command("loaddata", str(path), verbosity=0)
        assert name in str(error.value) or "Problem installing fixture" in str(
            error.value
        )
        assert (counts(), dump()) == before

    LATIN_1 = {
        "renamed.json": json.dumps(
            [
                {
                    "model": "articles.person",
                    "fields": {"name": "Vladimir Poutine", "slug": "vladimir-putin"},
                },
                {"model": "articles.agency", "fields": {"name": "Agence Presse É"}},
            ],
            ensure_ascii=False,
        ),
        "renamed.xml": '<?xml version="1.0"?>\n<django-objects version="1.0">'
        '<object model="articles.agency"><field name="name" type="CharField">'
        "Agence Presse É</field></object></django-objects>",
    }

    @pytest.mark.parametrize("name", sorted(LATIN_1))
    def test_a_fixture_that_is_not_utf_8_is_named_and_nothing_loads(
        self, seed_story, tmp_path, name
    ):
        # Loaded first in the same command, and rolled back with the rest.
        good = tmp_path / "good.json"
        good.write_text(
            json.dumps([{"model": "articles.agency", "fields": {"name": "Reuters"}}]),
            encoding="utf-8",
        )
        path = tmp_path / name
        path.write_bytes(self.LATIN_1[name].encode("latin-1"))
        before = (counts(), dump())
        with pytest.raises(CommandError) as error:
            call_command("loaddata", str(good), str(path), verbosity=0)
        message = str(error.value)
        assert f"Problem installing fixture '{path}': " in message
        assert message.endswith("Nothing was loaded.")
        if name.endswith(".json"):
            assert "read as UTF-8 text" in message
        assert (counts(), dump()) == before

    def test_text_longer_than_its_field_is_named_and_nothing_loads(
        self, seed_story, tmp_path
    ):
        """PostgreSQL refused it without naming the row; SQLite stored it whole."""
        rows = [
            {
                "model": "articles.person",
                "fields": {"name": "Ana Duarte", "slug": "ana-duarte"},
            },
            {
                "model": "articles.person",
                "fields": {"name": "N" * 201, "slug": "too-long"},
            },
        ]
        path = tmp_path / "long.json"
        path.write_text(json.dumps(rows), encoding="utf-8")
        before = (counts(), dump())
        named = (
            "articles.Person ('too-long',): its name is 201 characters long; "
            "it takes at most 200."
        )
        with pytest.raises(CommandError, match=re.escape(named)):
            call_command("loaddata", str(path), verbosity=0)
        assert (counts(), dump()) == before

    def test_a_quote_by_a_missing_person_names_them(self, seed_story, tmp_path):
        row = {
            "model": "articles.quote",
            "fields": {
                "article": list(seed_story.natural_key()),
                "speaker": ["nobody-here"],
                "text": "against various types",
                "order": 9,
            },
        }
        path = tmp_path / "missing.json"
        path.write_text(json.dumps([row]), encoding="utf-8")
        before = (counts(), dump())
        named = "articles.Quote: its speaker ['nobody-here'] names no person"
        with pytest.raises(Exception, match=re.escape(named)):
            call_command("loaddata", str(path), verbosity=0)
        assert (counts(), dump()) == before

    MISSING_STORY = ["no-such-story", "2022-02-15T12:00:00+00:00"]
    ORPHANS = {
        "tag": (
            "articles.taggedarticle",
            {"content_object": "SEED", "tag": ["No such tag"]},
            "articles.TaggedArticle: its tag ['No such tag'] names no tag",
        ),
        "story of a tag": (
            "articles.taggedarticle",
            {"content_object": MISSING_STORY, "tag": ["NATO"]},
            f"articles.TaggedArticle: its content_object {MISSING_STORY!r} names "
            "no article",
        ),
        "story of a quote": (
            "articles.quote",
            {
                "article": MISSING_STORY,
                "speaker": ["vladimir-putin"],
                "text": "Russia",
                "order": 9,
            },
            f"articles.Quote: its article {MISSING_STORY!r} names no article",
        ),
        "story of a correction": (
            "articles.correction",
            {
                "article": MISSING_STORY,
                "text": "An earlier version misspelled a name.",
                "published_at": "2022-02-16T09:00:00+00:00",
            },
            f"articles.Correction: its article {MISSING_STORY!r} names no article",
        ),
        # References that may be empty: Django waits for them until the end.
        "lead photo of a story": (
            "articles.article",
            {
                "headline": "Talks resume",
                "slug": "talks-resume",
                "body": "Talks resumed on Monday.",
                "lead_photo": ["no-such-photo"],
            },
            "articles.Article: its lead_photo ['no-such-photo'] names no photo "
            "credit in the database or the fixtures.$",
        ),
        "photographer of a credit": (
            "articles.photocredit",
            {"slug": "new-photo", "caption": "A harbour.", "photographer": ["nobody"]},
            "articles.PhotoCredit: its photographer ['nobody'] names no person "
            "in the database or the fixtures.$",
        ),
        "photo of an agency credit": (
            "articles.photocreditagency",
            {"credit": ["no-such-photo"], "agency": ["TNS"], "position": 9},
            "articles.PhotoCreditAgency: its credit ['no-such-photo'] names no "
            "photo credit",
        ),
    }

    @pytest.mark.parametrize("missing", sorted(ORPHANS))
    def test_a_row_whose_parent_is_nowhere_is_named_and_nothing_loads(
        self, seed_story, tmp_path, missing
    ):
        model, fields, named = self.ORPHANS[missing]
        if fields.get("content_object") == "SEED":
            fields = {**fields, "content_object": list(seed_story.natural_key())}
        rows = [
            {"model": "articles.person", "fields": {"name": "New", "slug": "new"}},
            {"model": model, "fields": fields},
        ]
        path = tmp_path / "orphan.json"
        path.write_text(json.dumps(rows), encoding="utf-8")
        before = (counts(), dump())
        # Up to the end of the message where the name ends in "$".
        pattern = re.escape(named.removesuffix("$")) + "$" * named.endswith("$")
        with pytest.raises(CommandError, match=pattern):
            call_command("loaddata", str(path), verbosity=0)
        assert (counts(), dump()) == before

    def test_a_reference_to_a_later_row_is_not_called_missing(
        self, seed_story, tmp_path
    ):
        rows = [
            {
                "model": "articles.article",
                "fields": {
                    "headline": "Talks resume",
                    "slug": "talks-resume",
                    "body": "Talks resumed on Monday.",
                    "lead_photo": ["later-photo"],
                },
            },
            {
                "model": "articles.photocredit",
                "fields": {"slug": "later-photo", "image_width": "wide"},
            },
        ]
        path = tmp_path / "later.json"
        path.write_text(json.dumps(rows), encoding="utf-8")
        before = (counts(), dump())
        with pytest.raises(CommandError, match="“wide” value must be an integer"):
            call_command("loaddata", str(path), verbosity=0)
        assert (counts(), dump()) == before

    STORY = {
        "headline": "Talks resume",
        "slug": "talks-resume",
        "body": "Talks resumed on Monday.",
        "status": "published",
        "published_at": "2022-02-16T09:00:00+00:00",
    }
    UNSHOWABLE = {
        "a slug that is not one": (
            {"slug": "has space/and slash"},
            "Story 'has space/and slash': slug: Enter a valid “slug”",
        ),
        "a status that is not one": (
            {"status": "whatever"},
            "status: Value 'whatever' is not a valid choice.",
        ),
        "a published story without a time": (
            {"published_at": None},
            "published_at: a published story needs one.",
        ),
        "a headline too long": (
            {"headline": "Talks " * 60},
            # The same words on SQLite, which keeps any length, and PostgreSQL.
            "its headline is 360 characters long; it takes at most 300.",
        ),
        "another story's address": (
            {
                "slug": "putin-ready-to-talk-with-nato-says-some-russian-troops-leaving-ukraine-border",
                "published_at": "2022-02-15T18:00:00+00:00",
            },
            "2 stories share the slug 'putin-ready-to-talk-with-nato-says-some-"
            "russian-troops-leaving-ukraine-border' on 2022-02-15",
        ),
    }

    @pytest.mark.parametrize("broken", sorted(UNSHOWABLE))
    def test_a_story_the_site_could_not_show_loads_nothing(
        self, seed_story, tmp_path, client, broken
    ):
        change, named = self.UNSHOWABLE[broken]
        rows = [{"model": "articles.article", "fields": {**self.STORY, **change}}]
        path = tmp_path / "story.json"
        path.write_text(json.dumps(rows), encoding="utf-8")
        before = (counts(), dump())
        out = io.StringIO()
        with pytest.raises(CommandError) as error:
            call_command("loaddata", str(path), stdout=out)
        assert re.search(
            named if isinstance(named, re.Pattern) else re.escape(named),
            str(error.value),
        )
        assert "Installed" not in out.getvalue()  # no word of a load undone
        assert (counts(), dump()) == before
        assert client.get("/").status_code == 200
        assert client.get(seed_story.get_absolute_url()).status_code == 200

    def test_a_good_story_loads_and_says_so(self, seed_story, tmp_path):
        path = tmp_path / "story.json"
        rows = [{"model": "articles.article", "fields": self.STORY}]
        path.write_text(json.dumps(rows), encoding="utf-8")
        out = io.StringIO()
        call_command("loaddata", str(path), stdout=out)
        assert out.getvalue() == "Installed 1 object(s) from 1 fixture(s)\n"
        assert Article.objects.filter(slug="talks-resume").exists()

    def test_two_rows_that_are_the_same_quote_load_nothing(self, seed_story, tmp_path):
        quote = {
            "article": list(seed_story.natural_key()),
            "speaker": ["vladimir-putin"],
            "order": 9,
        }
        rows = [
            {"model": "articles.quote", "fields": {**quote, "text": "Russia"}},
            {"model": "articles.quote", "fields": {**quote, "text": "NATO"}},
        ]
        path = tmp_path / "twice.json"
        path.write_text(json.dumps(rows), encoding="utf-8")
        before = (counts(), dump())
        with pytest.raises(CommandError, match="two rows of the fixtures are the same"):
            call_command("loaddata", str(path), verbosity=0)
        assert (counts(), dump()) == before

    def test_a_photo_credit_naming_an_agency_twice_loads_nothing(
        self, seed_story, tmp_path
    ):
        credit = seed_story.lead_photo
        rows = [
            {
                "model": "articles.photocreditagency",
                "fields": {"credit": [credit.slug], "agency": ["TASS"], "position": 9},
            }
        ]
        path = tmp_path / "twice.json"
        path.write_text(json.dumps(rows), encoding="utf-8")
        before = (counts(), dump())
        with pytest.raises(CommandError) as error:
            call_command("loaddata", str(path), verbosity=0)
        assert str(error.value) == (
            "Nothing was loaded: the fixtures hold stories, quotes, photo "
            "credits, tags or corrections the site cannot show.\nPhoto "
            f"credit {credit.slug!r}: The "
            "credit line “Russian Presidential Press and Information Office/TASS/"
            "Abaca Press/TNS/TASS” names TASS twice: a credit line names each "
            "agency once."
        )
        assert (counts(), dump()) == before

    def test_a_tag_named_as_another_in_another_case_loads_nothing(
        self, seed_story, tmp_path
    ):
        # The tags admin refuses "nato" beside "NATO"; loaded, the story
        # listed the one topic twice.
        rows = [
            {"model": "taggit.tag", "fields": {"name": "nato", "slug": "nato-2"}},
            {
                "model": "articles.taggedarticle",
                "fields": {
                    "content_object": list(seed_story.natural_key()),
                    "tag": ["nato"],
                },
            },
        ]
        path = tmp_path / "case.json"
        path.write_text(json.dumps(rows), encoding="utf-8")
        before = (counts(), dump())
        with pytest.raises(CommandError) as error:
            call_command("loaddata", str(path), verbosity=0)
        assert str(error.value).endswith(
            "\nTag 'nato': there is already a tag 'NATO', and tags match whatever "
            "their case; name that one instead."
        )
        assert (counts(), dump()) == before

    @pytest.mark.parametrize(
        "change, named",
        [
            ({"text": " "}, "it has no text."),
            ({"quote": "OTHER"}, "its quote “Talks resume,” is another story's."),
        ],
        ids=["no text", "another story's quote"],
    )
    def test_a_correction_the_admin_refuses_loads_nothing(
        self, seed_story, tmp_path, change, named
    ):
        other = make_article(body="“Talks resume,” she said.")
        quote = other.quotes.create(
            speaker=make_person(), text="Talks resume,", order=1
        )
        correction = {
            "article": list(seed_story.natural_key()),
            "text": "An earlier version misquoted the minister.",
            "published_at": "2022-02-16T09:00:00+00:00",
        }
        if change.get("quote") == "OTHER":
            change = {"quote": list(quote.natural_key())}
        rows = [{"model": "articles.correction", "fields": {**correction, **change}}]
        path = tmp_path / "correction.json"
        path.write_text(json.dumps(rows), encoding="utf-8")
        before = (counts(), dump())
        with pytest.raises(CommandError) as error:
            call_command("loaddata", str(path), verbosity=0)
        assert str(error.value).endswith(named)
        assert (counts(), dump()) == before

    def test_a_file_that_is_not_json_says_where_it_stops(self, seed_story, tmp_path):
        path = tmp_path / "cut.json"
        path.write_text('[{"model": "articles.person",\n', encoding="utf-8")
        before = (counts(), dump())
        with pytest.raises(CommandError, match=r"cut\.json': Expecting .* line 2"):
            call_command("loaddata", str(path), verbosity=0)
        assert (counts(), dump()) == before

    @pytest.mark.parametrize("change", ["a new quote", "a story's body"])
    def test_a_fixture_that_misquotes_a_story_loads_nothing(
        self, seed_story, tmp_path, change
    ):
        if change == "a new quote":
            rows = [
                {
                    "model": "articles.quote",
                    "fields": {
                        "article": list(seed_story.natural_key()),
                        "speaker": ["vladimir-putin"],
                        "text": "We will invade",
                        "order": 6,
                    },
                }
            ]
            named = "We will invade"
        else:  # the story's words change under its five quotes
            rows = json.loads(dump())
            story = next(r for r in rows if r["model"] == "articles.article")
            story["fields"]["body"] = "Putin spoke on Tuesday."
            rows = [story]
            named = "against various types of hypothetical enemy attacks."
        path = tmp_path / "tampered.json"
        path.write_text(json.dumps(rows), encoding="utf-8")
        before = (counts(), dump())
        with pytest.raises(CommandError, match="Nothing was loaded") as error:
            call_command("loaddata", str(path), verbosity=0)
        assert named in str(error.value)
        assert (counts(), dump()) == before

    def test_check_command_reports_a_quote_changed_without_its_story(self, seed_story):
        # update() skips save() and clean(), as a hand-made SQL change would.
        Quote.objects.filter(order=1).update(text="We will invade")
        errors = checks.run_checks(tags=[checks.Tags.database], databases=["default"])
        assert [e.id for e in errors if e.id.startswith("articles.")] == [
            "articles.E001"
        ]
        assert "We will invade" in errors[0].msg


class TestPrepareSite:
    def test_fresh_site_gets_the_seed_and_a_random_admin_password_once(self):
        out = io.StringIO()
        call_command("prepare_site", stdout=out)
        assert Article.objects.count() == 1
        message = out.getvalue()
        password = message.split("password ")[1].split()[0]
        admin = get_user_model().objects.get(username="admin")
        assert admin.is_superuser and admin.check_password(password)
        again = io.StringIO()
        call_command("prepare_site", stdout=again)
        assert "password" not in again.getvalue().replace("An admin account", "")
        assert Article.objects.count() == 1

    def test_passwords_differ_between_sites(self):
        passwords = []
        for _ in range(2):
            out = io.StringIO()
            get_user_model().objects.all().delete()
            call_command("prepare_site", stdout=out)
            passwords.append(out.getvalue().split("password ")[1].split()[0])
        assert passwords[0] != passwords[1]

    def test_editors_changes_survive_a_second_run(self, seed_story):
        Article.objects.update(headline="Edited by the desk")
        call_command("prepare_site", stdout=io.StringIO())
        assert Article.objects.get().headline == "Edited by the desk"
