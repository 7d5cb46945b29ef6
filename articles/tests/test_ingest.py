import errno
import io
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command, load_command_class
from django.urls import reverse
from pytest_django.asserts import assertContains
from reversion.models import Version
from taggit.models import Tag

from articles import rendering, wire
from articles.models import Article, Person, PhotoCredit, Quote, Status
from articles.models.places import MAX_PLACE
from articles.wire import MAX_WIRE_BYTES

from .test_fixtures import counts, dump

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SEED = FIXTURES / "wire" / "000_75c388e515c58762.txt"
SEED_OPTIONS = [
    "--publish-at",
    "2022-02-15T12:00:00Z",
    "--source",
    "Tribune News Service",
]


def ingest(*args):
    out = io.StringIO()
    call_command("ingest_story", *map(str, args), stdout=out)
    return out.getvalue()


class TestSeedFixtureIsGenerated:
    def test_regenerating_the_seed_fixture_gives_the_committed_file(self, tmp_path):
        ingest(
            SEED, "--output", tmp_path, "--fixture-name", "seed_story", *SEED_OPTIONS
        )
        assert (tmp_path / "seed_story.json").read_bytes() == (
            FIXTURES / "seed_story.json"
        ).read_bytes()

    def test_fixture_for_a_draft_loads_into_the_database(self, tmp_path):
        ingest(SEED, "--output", tmp_path)
        call_command("loaddata", str(tmp_path / f"{SEED.stem}.json"), verbosity=0)
        article = Article.objects.get()
        assert article.status == Status.DRAFT and article.quotes.count() == 5

    def test_a_draft_fixture_never_overwrites_an_edited_draft(self, tmp_path):
        ingest(SEED, "--output", tmp_path)
        fixture = str(tmp_path / f"{SEED.stem}.json")
        call_command("loaddata", fixture, verbosity=0)
        call_command("loaddata", fixture, verbosity=0)  # the same again: no change
        draft = Article.objects.get()
        draft.body += "\n\nAn editor's added paragraph."
        draft.save()
        before = (counts(), dump())
        with pytest.raises(CommandError, match="would overwrite that one"):
            call_command("loaddata", fixture, verbosity=0)
        assert (counts(), dump()) == before

    def test_two_stories_with_the_same_caption_keep_their_own_photo_credits(
        self, tmp_path
    ):
        caption = "Russia's President Vladimir Putin."
        body = "\nPutin spoke in Moscow on Tuesday.\nThe talks went on late.\n"
        copies = {
            "kremlin": f"Putin meets Scholz {caption} (Alexei Nikolsky/TASS/TNS)",
            "sochi": f"Putin hosts talks in Sochi {caption} "
            "(Mikhail Klimentyev/Sputnik/AFP)",
        }
        paths = [tmp_path / f"{name}.txt" for name in copies]
        for path, first_line in zip(paths, copies.values(), strict=True):
            path.write_text(first_line + body, encoding="utf-8")
        ingest(*paths, "--output", tmp_path / "out", *SEED_OPTIONS)
        for name in copies:
            call_command("loaddata", str(tmp_path / "out" / name), verbosity=0)
        credits = {
            article.headline: article.lead_photo.credit_line
            for article in Article.objects.select_related("lead_photo")
        }
        assert credits == {
            "Putin meets Scholz": "Alexei Nikolsky/TASS/TNS",
            "Putin hosts talks in Sochi": "Mikhail Klimentyev/Sputnik/AFP",
        }
        # The same copy gives the same fixture, and loading it again changes nothing.
        ingest(*paths, "--output", tmp_path / "again", *SEED_OPTIONS)
        before = (counts(), dump())
        for name in copies:
            fixture = f"{name}.json"
            again = (tmp_path / "again" / fixture).read_bytes()
            assert again == (tmp_path / "out" / fixture).read_bytes()
            call_command("loaddata", str(tmp_path / "again" / fixture), verbosity=0)
        assert (counts(), dump()) == before

    def test_a_cyrillic_story_loads_with_the_slug_the_database_path_gives(
        self, tmp_path
    ):
        # slugify() keeps no Cyrillic letter: the slug was "", which loaddata refused.
        copy = tmp_path / "moscow.txt"
        copy.write_text(
            "Путин готов к переговорам Президент России. (Алексей Никольский/ТАСС)\n"
            "В Кремле прошли переговоры.\nОни продолжились вечером.\n",
            encoding="utf-8",
        )
        ingest(copy, "--output", tmp_path)
        call_command("loaddata", str(tmp_path / "moscow.json"), verbosity=0)
        loaded = Article.objects.values_list("headline", "slug").get()
        Article.objects.all().delete()
        ingest(copy)
        assert Article.objects.values_list("headline", "slug").get() == loaded
        assert loaded[1] == "story"

    def test_a_tag_loaded_from_a_fixture_has_the_slug_the_site_gives_it(self, tmp_path):
        # The fixture's slug was slugify()'s ASCII "zoe-ukasz", so the site's
        # own "Zoë Łukasz" tag (and its page) had another address.
        copy = tmp_path / "geneva.txt"
        copy.write_text(
            "Zoë Łukasz wins Geneva vote Zoë Łukasz speaks. (Jan Nowak/AP)\n"
            "GENEVA — Zoë Łukasz, the mayor of Geneva, won the vote on Sunday.\n",
            encoding="utf-8",
        )
        ingest(copy, "--output", tmp_path, *SEED_OPTIONS)
        call_command("loaddata", str(tmp_path / "geneva.json"), verbosity=0)
        loaded = Tag.objects.get(name="Zoë Łukasz").slug
        Article.objects.all().delete()
        Tag.objects.all().delete()
        assert Tag.objects.create(name="Zoë Łukasz").slug == loaded == "zoë-łukasz"


class TestJsonOutput:
    def test_one_file_prints_one_object_in_the_documented_shape(self):
        parsed = json.loads(ingest(SEED, "--format", "json", "--dry-run"))
        assert list(parsed) == [
            "file",
            "headline",
            "caption",
            "photo_credit",
            "people",
            "quotes",
            "tags",
            "body",
        ]
        assert parsed["file"] == SEED.name
        assert parsed["photo_credit"] == {
            "photographer": "Alexei Nikolsky",
            "agencies": [
                "Russian Presidential Press and Information Office",
                "TASS",
                "Abaca Press",
                "TNS",
            ],
        }
        assert parsed["people"][3] == {
            "name": "Igor Konashenkov",
            "honorific": "Maj. Gen.",
            "role": "spokesperson for the Russian Defense Ministry",
        }
        assert parsed["quotes"][0] == {
            "text": "against various types of hypothetical enemy attacks.",
            "speaker": "Sergei Shoigu",
        }
        assert len(parsed["body"]) == 9
        assert Article.objects.count() == 0

    def test_several_files_print_an_array(self, tmp_path):
        other = tmp_path / "other.txt"
        other.write_text(
            "Storm hits coast Waves break. (Getty Images/TNS)\nThe storm hit.",
            encoding="utf-8",
        )
        parsed = json.loads(ingest(SEED, other, "--format", "json", "--dry-run"))
        assert [story["file"] for story in parsed] == [SEED.name, "other.txt"]
        assert parsed[1]["photo_credit"] == {
            "photographer": None,
            "agencies": ["Getty Images", "TNS"],
        }


class TestIngestIntoTheDatabase:
    def test_creates_a_draft_with_people_quotes_and_credit(self, client):
        report = ingest(SEED, "--source", "Tribune News Service")
        article = Article.objects.get()
        assert article.status == Status.DRAFT and article.published_at is None
        assert article.source == "Tribune News Service"
        assert [(q.speaker.name, q.order) for q in article.quotes.all()] == [
            ("Sergei Shoigu", 1),
            ("Igor Konashenkov", 2),
            ("Igor Konashenkov", 3),
            ("Igor Konashenkov", 4),
            ("Igor Konashenkov", 5),
        ]
        assert (
            article.lead_photo.credit_line
            == "Alexei Nikolsky/Russian Presidential Press and Information Office/TASS/Abaca Press/TNS"
        )
        assert sorted(p.name for p in article.people.all()) == [
            "Igor Konashenkov",
            "Olaf Scholz",
            "Sergei Shoigu",
            "Vladimir Putin",
        ]
        assert "Created" in report and "draft story" in report
        assert (
            client.get(article.get_absolute_url()).status_code == 404
        )  # a draft stays off the site

    def test_running_twice_changes_nothing(self):
        ingest(SEED)
        before = (counts(), dump())
        report = ingest(SEED)
        assert (counts(), dump()) == before
        assert "already ingested" in report

    def test_the_copy_as_it_arrived_is_the_first_revision_and_can_be_restored(self):
        ingest(SEED)
        article = Article.objects.get()
        wire = (
            article.headline,
            article.body,
            list(article.quotes.values_list("text")),
        )
        [first] = Version.objects.get_for_object(article)
        assert first.revision.comment.startswith("Imported from the wire copy")
        kinds = [v.content_type.model for v in first.revision.version_set.all()]
        assert kinds.count("article") == 1 and kinds.count("quote") == 5
        # An editor rewrites it, then goes back to the wire's version.
        article.headline, article.body = "Rewritten", article.body + "\n\nA new line."
        article.save()
        article.quotes.first().delete()
        first.revision.revert(delete=True)
        article.refresh_from_db()
        assert (
            article.headline,
            article.body,
            list(article.quotes.values_list("text")),
        ) == wire
        ingest(SEED)  # already ingested: no second revision
        assert Version.objects.get_for_object(article).count() == 1

    def test_existing_people_are_reused_not_duplicated(self):
        putin = Person.objects.create(
            name="Vladimir Putin", slug="vladimir-putin", role="President of Russia"
        )
        report = ingest(SEED)
        assert Person.objects.filter(name="Vladimir Putin").count() == 1
        assert Article.objects.get().people.filter(pk=putin.pk).exists()
        assert "person Vladimir Putin" in report.split("Reused")[1]

    def test_possible_duplicates_are_flagged_for_review(self):
        Person.objects.create(name="Oleg Konashenkov", slug="oleg-konashenkov")
        report = ingest(SEED)
        assert "Igor Konashenkov may be the same as Oleg Konashenkov" in report

    def test_dry_run_writes_nothing(self):
        before = counts()
        report = ingest(SEED, "--dry-run")
        assert counts() == before
        assert report.startswith("Dry run")

    def test_two_files_of_one_name_are_refused_before_writing(self, tmp_path):
        copies = []
        for folder in ("monday", "tuesday"):
            (tmp_path / folder).mkdir()
            copy = tmp_path / folder / "story.txt"
            copy.write_bytes(SEED.read_bytes())
            copies.append(copy)
        out = tmp_path / "out"
        before = counts()
        with pytest.raises(CommandError, match="would both be written to"):
            ingest(*copies, "--output", out)
        assert counts() == before
        assert not out.exists() or not any(out.iterdir())

    @pytest.mark.parametrize("format", ["text", "json"])
    def test_dry_run_with_output_writes_no_fixture(self, tmp_path, format):
        before = counts()
        out = tmp_path / "out"
        report = ingest(SEED, "--dry-run", "--output", out, "--format", format)
        assert counts() == before
        assert not out.exists()
        if format == "text":
            assert report.startswith("Dry run")

    def test_a_malformed_file_among_good_ones_writes_nothing(self, tmp_path):
        bad = tmp_path / "bad.txt"
        bad.write_text("Headline\nHe said “never closed.\nNext.", encoding="utf-8")
        before = counts()
        with pytest.raises(
            CommandError,
            match=r"bad.txt, line 2: the quotation opened at column 9 is never closed",
        ):
            ingest(SEED, bad)
        assert counts() == before

    def test_copy_without_a_headline_is_refused_by_name_and_nothing_saved(
        self, tmp_path
    ):
        # Line 1 left blank: blank lines are skipped, so the lede became the headline.
        headless = tmp_path / "headless.txt"
        lede = "Russian President Vladimir Putin said on Tuesday that talks go on. "
        headless.write_text(
            f"\n{lede * 5}\nA second paragraph.\nA third.\n", encoding="utf-8"
        )
        before = counts()
        with pytest.raises(CommandError) as error:
            ingest(SEED, headless)
        assert str(error.value) == (
            # Line 2: blank lines before the headline are skipped.
            "headless.txt, line 2: the headline has 334 characters, more than "
            "300: is this line a body paragraph?"
        )
        assert counts() == before

    def test_the_parser_refuses_the_headlines_a_story_refuses(self):
        assert wire.MAX_HEADLINE == Article._meta.get_field("headline").max_length

    def test_a_second_version_published_the_same_day_is_refused_and_nothing_saved(
        self, tmp_path
    ):
        ingest(SEED, *SEED_OPTIONS)
        revised = tmp_path / "revised.txt"
        revised.write_text(
            SEED.read_text(encoding="utf-8") + "\nA paragraph the wire added later.",
            encoding="utf-8",
        )
        before = (counts(), dump())
        with pytest.raises(CommandError) as error:
            ingest(revised, "--publish-at", "2022-02-15T18:00:00Z")
        assert str(error.value) == (
            "revised.txt: another story with this headline is published on the "
            "same day: publish this version on another day, or merge the two by hand"
        )
        assert (counts(), dump()) == before

    @pytest.mark.parametrize("output", [False, True], ids=["database", "fixture"])
    def test_a_credit_naming_an_agency_twice_is_refused_and_nothing_saved(
        self, tmp_path, output
    ):
        path = tmp_path / "twice.txt"
        path.write_text(
            SEED.read_text(encoding="utf-8").replace("/TNS)", "/TASS)", 1),
            encoding="utf-8",
        )
        target = tmp_path / "out"
        before = (counts(), dump())
        with pytest.raises(CommandError) as error:
            ingest(path, *(["--output", target] if output else []))
        assert str(error.value).startswith(
            "twice.txt: The credit line “Russian Presidential Press and "
            "Information Office/TASS/Abaca Press/TASS” names TASS twice: a "
            "credit line names each agency once."
        )
        assert (counts(), dump()) == before
        assert not target.exists() or not any(target.iterdir())

    @pytest.mark.parametrize("output", [False, True], ids=["database", "fixture"])
    @pytest.mark.parametrize(
        "replace, refusal",
        [
            (
                ("/TNS)", "/" + "X" * 250 + ")"),
                "the agency “" + "X" * 80 + "…”: name: Ensure this value has "
                "at most 200 characters (it has 250).",
            ),
            (
                ("Maj. Gen. Igor", "Maj. Gen. " + "Igor " * 50),
                "the person “Igor Igor Igor Igor Igor Igor Igor Igor…”: name: "
                "Ensure this value has at most 200 characters (it has 261).",
            ),
        ],
        ids=["agency", "person"],
    )
    def test_a_name_too_long_to_store_is_refused_and_nothing_saved(
        self, tmp_path, output, replace, refusal
    ):
        # SQLite kept the 250-character agency that PostgreSQL refuses with a
        # server error; loaddata refused the fixture written for it.
        path = tmp_path / "long.txt"
        path.write_text(
            SEED.read_text(encoding="utf-8").replace(*replace, 1), encoding="utf-8"
        )
        target = tmp_path / "out"
        before = (counts(), dump())
        with pytest.raises(CommandError) as error:
            ingest(path, *(["--output", target] if output else []))
        assert str(error.value).startswith(f"long.txt: {refusal}")
        assert (counts(), dump()) == before
        assert not target.exists() or not any(target.iterdir())

    @pytest.mark.parametrize(
        "content",
        [
            b"",
            b"\x00\x01binary",
            b"Just a headline (X/TNS)",
            b"\xff\xfeH\x00\x00\xd8",  # a UTF-16 BOM, then a broken surrogate
        ],
    )
    def test_empty_binary_or_bodiless_files_fail_cleanly(self, tmp_path, content):
        path = tmp_path / "broken.txt"
        path.write_bytes(content)
        with pytest.raises(CommandError, match=r"^broken.txt, line \d+: "):
            ingest(path)
        assert Article.objects.count() == 0

    @pytest.mark.parametrize(
        "char", ["\x0b", "\x0c", "\x85", "\u2028"], ids=["VT", "FF", "NEL", "LS"]
    )
    def test_a_control_character_in_the_headline_is_named_and_nothing_saved(
        self, tmp_path, char
    ):
        path = tmp_path / "pasted.txt"
        path.write_text(
            SEED.read_text(encoding="utf-8").replace("Putin", f"Pu{char}tin", 1),
            encoding="utf-8",
        )
        before = counts()
        with pytest.raises(
            CommandError,
            match=rf"^pasted.txt, line 1: control character U\+{ord(char):04X} "
            "at column 3: ",
        ):
            ingest(path)
        assert counts() == before

    @pytest.mark.parametrize("output", [False, True], ids=["database", "fixture"])
    @pytest.mark.parametrize(
        "replace, line, column",
        [
            (("Putin", "Pu\ufffdin"), 1, 3),
            (("Alexei Nikolsky", "Alexei Nikol\ufffdky"), 1, 128),
            (("/TASS/", "/TA\ufffdS/"), 1, 184),
            (("Shoigu said", "Sho\ufffdgu said"), 5, 311),
        ],
        ids=["headline", "photographer", "agency", "body"],
    )
    def test_copy_damaged_on_the_way_is_refused_where_and_nothing_saved(
        self, tmp_path, output, replace, line, column
    ):
        # A U+FFFD in a name made a person, an agency or a tag of it.
        path = tmp_path / "damaged.txt"
        path.write_text(
            SEED.read_text(encoding="utf-8").replace(*replace, 1), encoding="utf-8"
        )
        target = tmp_path / "out"
        before = (counts(), dump())
        with pytest.raises(CommandError) as error:
            ingest(path, *(["--output", target] if output else []))
        assert str(error.value) == (
            f"damaged.txt, line {line}: U+FFFD REPLACEMENT CHARACTER at column "
            f"{column}: a character was lost before the copy reached us; ask "
            "for it again"
        )
        assert (counts(), dump()) == before
        assert not target.exists()

    @pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
    def test_copy_saved_as_utf_16_or_with_a_bom_reads_as_utf_8_does(
        self, tmp_path, encoding
    ):
        text = SEED.read_text(encoding="utf-8")
        path = tmp_path / "saved-by-windows.txt"
        bom = "\ufeff" if encoding == "utf-16-be" else ""  # utf-16 writes its own
        path.write_bytes((bom + text).encode(encoding))
        ingest(path)
        assert Article.objects.get().body == "\n\n".join(
            wire.parse(text, name="seed").body
        )

    @pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
    def test_broken_utf_16_is_refused_at_its_line(self, tmp_path, encoding):
        bom = "\ufeff".encode(encoding)
        broken = "\ud800".encode(encoding, "surrogatepass")  # an unpaired surrogate
        path = tmp_path / "broken.txt"
        path.write_bytes(bom + "Headline\nA line.\n".encode(encoding) + broken)
        with pytest.raises(CommandError, match=r"^broken.txt, line 3: .*UTF-16"):
            ingest(path)

    def test_a_file_over_1_mb_is_refused_as_the_import_page_does(self, tmp_path):
        huge = tmp_path / "huge.txt"
        lines = ["Headline"] + ["A paragraph of wire copy."] * 40_000
        huge.write_text("\n".join(lines), encoding="utf-8")
        assert huge.stat().st_size > MAX_WIRE_BYTES
        before = counts()
        for args in [(SEED, huge), (huge, "--output", tmp_path / "out")]:
            with pytest.raises(
                CommandError,
                match=r"^huge.txt: the file is larger than 1 MB; wire copy is plain text",
            ):
                ingest(*args)
        assert counts() == before and not (tmp_path / "out").exists()

    def test_a_missing_file_is_a_clean_error(self, tmp_path):
        with pytest.raises(CommandError, match="cannot read"):
            ingest(tmp_path / "nope.txt")


class TestPublishAt:
    @pytest.mark.parametrize(
        "value, why",
        [
            ("yesterday", "is not an ISO 8601 date and time"),
            ("2022-02-30T12:00", "is not an ISO 8601 date and time"),
            ("", "is not an ISO 8601 date and time"),
            ("0001-01-01T00:00+01:00", "is out of range"),
        ],
    )
    def test_a_bad_publication_time_is_a_usage_error_and_nothing_saved(
        self, capsys, value, why
    ):
        before = counts()
        command = load_command_class("articles", "ingest_story")
        argv = ["manage.py", "ingest_story", str(SEED), "--publish-at", value]
        with pytest.raises(SystemExit) as exit:
            command.run_from_argv(argv)
        assert exit.value.code == 2
        errors = capsys.readouterr().err
        assert errors.startswith("usage: manage.py ingest_story ")
        assert f"error: argument --publish-at: {value!r} {why}" in errors
        assert "Traceback" not in errors
        assert counts() == before

    @pytest.mark.parametrize(
        "when, called",
        [
            ("2022-02-15T12:00:00Z", "published story"),
            ("2099-01-01T09:00:00Z", "scheduled story"),
        ],
    )
    def test_the_report_says_a_story_given_a_time_is_not_a_draft(self, when, called):
        # It said "draft story" of a story readers could already see.
        report = ingest(SEED, "--publish-at", when)
        assert f"  - {called} “Putin ready to talk" in report
        assert "draft story" not in report

    def test_a_publication_time_without_a_zone_is_site_time(self, settings):
        settings.TIME_ZONE = "Europe/Moscow"  # UTC+3 all year
        ingest(SEED, "--publish-at", "2022-02-15T15:00")
        assert Article.objects.get().published_at == datetime(
            2022, 2, 15, 12, tzinfo=UTC
        )


class TestOutputFolder:
    def files(self, folder):
        return {
            path.relative_to(folder): path.read_bytes() if path.is_file() else None
            for path in folder.rglob("*")
        }

    def test_output_that_is_a_file_is_refused_and_the_file_kept(self, tmp_path):
        taken = tmp_path / "notes.txt"
        taken.write_text("An editor's notes.\n", encoding="utf-8")
        before = (counts(), self.files(tmp_path))
        for output in [taken, taken / "fixtures"]:
            with pytest.raises(
                CommandError, match=f"^--output {re.escape(str(output))}: "
            ):
                ingest(SEED, "--output", output)
        assert (counts(), self.files(tmp_path)) == before

    def test_a_folder_where_a_fixture_goes_is_refused_and_nothing_written(
        self, tmp_path
    ):
        second = tmp_path / "second.txt"
        second.write_bytes(SEED.read_bytes())
        out = tmp_path / "out"
        (out / "second.json").mkdir(parents=True)
        before = (counts(), self.files(tmp_path))
        with pytest.raises(
            CommandError,
            match=r"second.json: a folder has this name, so the fixture cannot be "
            "written; nothing was written",
        ):
            ingest(SEED, second, "--output", out)
        # The first story's fixture is not written either.
        assert (counts(), self.files(tmp_path)) == before

    def test_a_full_disk_partway_leaves_every_fixture_as_it_was(
        self, tmp_path, monkeypatch
    ):
        second = tmp_path / "second.txt"
        second.write_bytes(SEED.read_bytes())
        out = tmp_path / "out"
        out.mkdir()
        (out / "second.json").write_text("[]\n", encoding="utf-8")  # an older run's
        before = (counts(), self.files(tmp_path))
        write_text = Path.write_text

        def disk_fills_at_the_second(path, data, **kwargs):
            if "second.json" in path.name:
                write_text(path, data[:10], **kwargs)  # what fitted
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return write_text(path, data, **kwargs)

        monkeypatch.setattr(Path, "write_text", disk_fills_at_the_second)
        with pytest.raises(
            CommandError,
            match=r"second.json: cannot write the fixture \(No space left on device\)"
            r"\. No fixture of this run was written\.",
        ):
            ingest(SEED, second, "--output", out)
        assert (counts(), self.files(tmp_path)) == before


class TestFixtureOfBadCopy:
    """--output refuses what the database path refuses, and writes what loads."""

    @pytest.mark.parametrize(
        "copy, refusal",
        [
            (
                # Line 1 dropped: the first body paragraph became the headline.
                "\n".join(SEED.read_text(encoding="utf-8").splitlines()[1:]),
                "bad.txt, line 1: the headline has 323 characters, more than 300",
            ),
            (
                SEED.read_text(encoding="utf-8")
                + "\n“We will win &amp; go home,” Konashenkov said.",
                "bad.txt: quote 6 “We will win &amp; go home,”: text: Write the "
                "words as readers see them",
            ),
        ],
        ids=["headline", "quote"],
    )
    def test_copy_the_database_path_refuses_writes_no_fixture(
        self, tmp_path, copy, refusal
    ):
        path = tmp_path / "bad.txt"
        path.write_text(copy, encoding="utf-8")
        with pytest.raises(CommandError) as error:
            ingest(path, "--output", tmp_path / "out")
        assert str(error.value).startswith(refusal)
        assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())

    def test_one_person_or_tag_spelt_two_ways_loads_as_one(self, tmp_path):
        # Both spellings have the slug vladimir-putin: loaddata refused the
        # fixture for having two people, then two tags, of that slug.
        path = tmp_path / "two-ways.txt"
        path.write_text(
            SEED.read_text(encoding="utf-8")
            + "\nVla’dimir Putin said it again."
            + "\nPresident Vla'dimir Putin said “nothing at all will change now.”",
            encoding="utf-8",
        )
        ingest(path, "--output", tmp_path)
        call_command("loaddata", str(tmp_path / "two-ways.json"), verbosity=0)
        article = Article.objects.get()
        assert Person.objects.filter(slug="vladimir-putin").count() == 1
        assert article.tags.filter(slug="vladimir-putin").count() == 1


class TestImportPage:
    url = "/admin/articles/article/import-wire/"

    def test_editor_previews_then_creates_the_draft(self, editor_client):
        text = SEED.read_text(encoding="utf-8")
        assertContains(
            editor_client.get(reverse("admin:articles_article_changelist")), self.url
        )
        preview = editor_client.post(
            self.url, {"text": text, "source": "Tribune News Service", "preview": "1"}
        )
        assertContains(preview, "Preview: Putin ready to talk with NATO")
        assertContains(
            preview,
            'data-speaker="Sergei Shoigu">against various types of hypothetical enemy attacks.</q>',
        )
        assertContains(preview, "spokesperson for the Russian Defense Ministry")
        assert Article.objects.count() == 0
        created = editor_client.post(
            self.url, {"text": text, "source": "Tribune News Service", "confirm": "1"}
        )
        article = Article.objects.get()
        assert created.status_code == 302 and created["Location"] == reverse(
            "admin:articles_article_change", args=[article.pk]
        )
        assert article.quotes.count() == 5 and article.source == "Tribune News Service"
        [first] = Version.objects.get_for_object(article)
        assert first.revision.user.username == "editor"

    def test_upload_of_a_text_file_is_previewed(self, editor_client):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile(
            "wire.txt", SEED.read_bytes(), content_type="text/plain"
        )
        response = editor_client.post(
            self.url, {"upload": upload, "text": "", "preview": "1"}
        )
        assertContains(
            response,
            "Alexei Nikolsky/Russian Presidential Press and Information Office/TASS/Abaca Press/TNS",
        )
        # The preview carries the file's text, so confirming creates the draft.
        carried = response.context["form"]["text"].value()
        assert carried == SEED.read_text(encoding="utf-8")
        created = editor_client.post(
            self.url, {"text": carried, "source": "", "confirm": "1"}
        )
        assert created.status_code == 302 and Article.objects.count() == 1

    def test_a_utf_16_upload_is_previewed_as_text(self, editor_client):
        from django.core.files.uploadedfile import SimpleUploadedFile

        text = SEED.read_text(encoding="utf-8")
        upload = SimpleUploadedFile("wire.txt", text.encode("utf-16"))
        response = editor_client.post(
            self.url, {"upload": upload, "text": "", "preview": "1"}
        )
        assertContains(response, "Preview: Putin ready to talk with NATO")
        assert response.context["form"]["text"].value() == text

    @pytest.mark.parametrize(
        "text, message",
        [
            ("", "Paste the wire copy"),
            ("Headline\nShe said “never closed.", "line 2: the quotation opened"),
            ("Headline\nA line with a \x00 in it.", "Null characters are not allowed"),
            ("Headline\n" + "A long line. " * 80_000, "larger than 1 MB"),
            (
                "\n" + "A long line. " * 30 + "\nA second.\nA third.",
                # The form strips the blank line before it.
                "pasted text, line 1: the headline has 389 characters, more than 300",
            ),
        ],
        ids=["empty", "unbalanced quote", "NUL", "over 1 MB", "no headline"],
    )
    def test_bad_copy_gets_a_clear_error_and_writes_nothing(
        self, editor_client, text, message
    ):
        response = editor_client.post(self.url, {"text": text, "confirm": "1"})
        assertContains(response, message)
        # One reason, the right one: not also "paste something" for text that was pasted.
        errors = response.context["form"].errors
        assert sum(len(messages) for messages in errors.values()) == 1, errors
        assert (
            Article.objects.count(),
            Person.objects.count(),
            Quote.objects.count(),
            PhotoCredit.objects.count(),
        ) == (0, 0, 0, 0)

    @pytest.mark.parametrize(
        "existing, named",
        [("zoë łukasz", "Zoë Łukasz"), ("JÜRGEN STRAUSS", "Jürgen Strauß")],
    )
    def test_an_imported_story_gets_the_tag_the_desk_has_in_another_case(
        self, editor_client, existing, named
    ):
        Tag.objects.create(name=existing, slug="existing")
        before = list(Tag.objects.values_list("pk", "name", "slug"))
        text = (
            f"{named} wins Geneva vote {named} speaks. (Jan Nowak/AP)\n"
            f"GENEVA — {named}, the mayor of Geneva, won the vote on Sunday.\n"
        )
        assert wire.parse(text, name="copy").tags == (named,)
        editor_client.post(self.url, {"text": text, "confirm": "1"})
        assert list(Article.objects.get().tags.names()) == [existing]
        assert list(Tag.objects.values_list("pk", "name", "slug")) == before

    def test_staff_without_add_permission_cannot_import(
        self, client, django_user_model
    ):
        from .conftest import make_staff

        client.force_login(make_staff(django_user_model, "viewer", ["view_article"]))
        assert client.get(self.url).status_code == 403


class TestAccuracy:
    def test_ingest_eval_reports_the_figures_and_meets_the_targets(self):
        out = io.StringIO()
        call_command(
            "ingest_eval", str(Path(__file__).parent / "data" / "wire_eval"), stdout=out
        )
        figures = {
            name.strip(): float(value)
            for name, value in (
                line.split(":") for line in out.getvalue().splitlines()[1:9]
            )
        }
        assert figures["quote recall"] >= 0.98
        assert figures["speaker accuracy"] >= 0.97
        assert figures["credit accuracy"] >= 0.9
        assert min(figures["people recall"], figures["people precision"]) >= 0.9

    def test_ingest_eval_refuses_a_folder_without_stories(self, tmp_path):
        with pytest.raises(CommandError, match="holds no NAME.txt"):
            call_command("ingest_eval", str(tmp_path))


def test_a_new_version_of_ingested_copy_becomes_a_second_draft_flagged_for_review(
    tmp_path,
):
    ingest(SEED)
    Article.objects.update(
        body=Article.objects.get().body + "\n\nAn editor's new paragraph."
    )
    revised = tmp_path / "revised.txt"
    revised.write_text(
        SEED.read_text(encoding="utf-8") + "\nA paragraph the wire added later.",
        encoding="utf-8",
    )
    report = ingest(revised)
    assert Article.objects.count() == 2
    assert "An editor's new paragraph." in Article.objects.order_by("pk").first().body
    assert "has the same headline: another version of this copy?" in report


def copy_with_quotes(count, per_paragraph=1):
    """The seed's copy with count more quotes, per_paragraph to a paragraph."""
    quotes = [
        f"“Brigade {n} is loading onto rail transport today,” Konashenkov said."
        for n in range(count)
    ]
    paragraphs = [
        " ".join(quotes[n : n + per_paragraph]) for n in range(0, count, per_paragraph)
    ]
    seed = SEED.read_text(encoding="utf-8").rstrip("\n")
    return "\n".join([seed, *paragraphs]) + "\n"


class TestStoriesOfManyQuotes:
    def test_a_story_of_many_quotes_has_its_body_read_once_not_once_per_quote(
        self, tmp_path, monkeypatch
    ):
        # Read again for each quote, checking 2,000 quotes took 7.5 s, 4,000 27 s.
        path = tmp_path / "many.txt"
        path.write_text(copy_with_quotes(300), encoding="utf-8")
        reads = []
        read = rendering.paragraphs
        monkeypatch.setattr(
            rendering, "paragraphs", lambda body: reads.append(body) or read(body)
        )
        ingest(path)
        assert Quote.objects.count() == 305
        assert len(reads) == 1

    @pytest.mark.parametrize("output", [False, True], ids=["database", "fixture"])
    def test_copy_of_more_quotes_than_a_story_holds_is_refused_before_any_is_saved(
        self, tmp_path, output
    ):
        # The 1,000th quote's save was refused ("order: Ensure this value is
        # less than or equal to 999."), after the work of the first 999.
        path = tmp_path / "many.txt"
        path.write_text(copy_with_quotes(995, per_paragraph=2), encoding="utf-8")
        target = tmp_path / "out"
        before = (counts(), dump())
        with pytest.raises(CommandError) as error:
            ingest(path, *(["--output", target] if output else []))
        assert str(error.value) == (
            "many.txt, line 508: a story may have at most 999 quotes, and this "
            "line brings one more: is the file several stories in one?"
        )
        assert (counts(), dump()) == before
        assert not target.exists()

    def test_the_parser_refuses_the_quotes_a_story_has_no_place_for(self):
        assert wire.MAX_QUOTES == MAX_PLACE


class TestTagsFromPeople:
    @pytest.mark.parametrize("output", [False, True], ids=["database", "fixture"])
    def test_a_headline_person_too_long_for_a_tag_is_refused_and_nothing_saved(
        self, tmp_path, output
    ):
        # SQLite kept the 112-character tag; PostgreSQL refused it with a
        # server error, and loaddata there refused the fixture.
        name = "Vladimir " + "Alexandrovich " * 7 + "Putin"
        path = tmp_path / "long.txt"
        path.write_text(
            SEED.read_text(encoding="utf-8").replace(
                "Russian President Vladimir Putin", f"Russian President {name}", 1
            ),
            encoding="utf-8",
        )
        target = tmp_path / "out"
        before = (counts(), dump())
        with pytest.raises(CommandError) as error:
            ingest(path, *(["--output", target] if output else []))
        assert str(error.value).startswith(
            "long.txt: the tag “Vladimir Alexandrovich Alexandrovich Alexandrovich "
            "Alexandrovich Alexandrovich A…”: name: Ensure this value has at most "
            "100 characters (it has 112)."
        )
        assert (counts(), dump()) == before
        assert not target.exists() or not any(target.iterdir())

    def test_a_story_tagged_as_one_before_reuses_the_tag(self, tmp_path):
        ingest(SEED)
        path = tmp_path / "again.txt"
        path.write_text(
            SEED.read_text(encoding="utf-8") + "\nA paragraph added later.",
            encoding="utf-8",
        )
        ingest(path)
        assert Article.objects.count() == 2
        assert Tag.objects.filter(name="NATO").count() == 1
