"""The wire parser on its own: no database, no Django."""

import subprocess
import sys
from pathlib import Path

import pytest

from articles import wire
from articles.wire.quotes import find_quote_spans, outside_quotes

SEED = (
    Path(__file__).resolve().parents[2]
    / "fixtures"
    / "wire"
    / "000_75c388e515c58762.txt"
)
CAPTION = "Storm clouds over the harbor. (Jane Roe/Agence Example/TNS)"


def story(*paragraphs, first="Budget talks stall " + CAPTION):
    return wire.parse("\n".join([first, *paragraphs]), name="test.txt")


def quotes(parsed):
    return [(q.text, q.speaker) for q in parsed.quotes]


@pytest.fixture(scope="module")
def seed():
    return wire.parse(SEED.read_text(encoding="utf-8"), name=SEED.name)


class TestSeedStory:
    def test_headline_caption_and_credit(self, seed):
        assert (
            seed.headline
            == "Putin ready to talk with NATO; says some Russian troops leaving Ukraine border"
        )
        assert seed.caption == "Russia's President Vladimir Putin."
        assert seed.credit == wire.Credit(
            "Alexei Nikolsky",
            (
                "Russian Presidential Press and Information Office",
                "TASS",
                "Abaca Press",
                "TNS",
            ),
        )

    def test_five_people_with_roles_as_the_story_gives_them(self, seed):
        assert [(p.name, p.honorific, p.role) for p in seed.people] == [
            ("Vladimir Putin", "", "Russian President"),
            ("Olaf Scholz", "", "German Chancellor"),
            ("Sergei Shoigu", "", "Russian Defense Minister"),
            (
                "Igor Konashenkov",
                "Maj. Gen.",
                "spokesperson for the Russian Defense Ministry",
            ),
            ("Alexei Nikolsky", "", "photographer"),
        ]

    def test_five_quotes_with_speakers(self, seed):
        speakers = [q.speaker for q in seed.quotes]
        assert speakers == ["Sergei Shoigu"] + ["Igor Konashenkov"] * 4
        assert (
            seed.quotes[0].text
            == "against various types of hypothetical enemy attacks."
        )
        assert seed.quotes[0].context == "Kremlin transcript of a Monday meeting"
        for quote in seed.quotes:
            assert f"“{quote.text}”" in "\n".join(seed.body)

    def test_nine_paragraphs_and_sensible_tags(self, seed):
        assert len(seed.body) == 9
        assert {"Russia", "Ukraine", "NATO"} <= set(seed.tags) and len(seed.tags) <= 6
        assert seed.source_note == "Includes material from the Associated Press."


class TestFirstLine:
    @pytest.mark.parametrize(
        "line, headline, caption",
        [
            (
                "Putin ready to talk with NATO; says some Russian troops leaving Ukraine border Russia's President Vladimir Putin. (A B/TNS)",
                "Putin ready to talk with NATO; says some Russian troops leaving Ukraine border",
                "Russia's President Vladimir Putin.",
            ),
            (
                "Floods close schools across the region Residents wade through a flooded street in Porto Alegre. (Getty Images/TNS)",
                "Floods close schools across the region",
                "Residents wade through a flooded street in Porto Alegre.",
            ),
            (
                "Mayor defends transit budget Mayor Lena Ortiz speaks at City Hall on Monday. (Sam Poe/TNS)",
                "Mayor defends transit budget",
                "Mayor Lena Ortiz speaks at City Hall on Monday.",
            ),
            ("Headline without a photo", "Headline without a photo", ""),
        ],
    )
    def test_headline_and_caption_split(self, line, headline, caption):
        assert wire.split_headline_and_caption(line)[:2] == (headline, caption)

    def test_credit_with_photographer_and_agencies_in_order(self):
        assert wire.split_credit("Jane Roe/Agence Example/Pool/TNS") == wire.Credit(
            "Jane Roe", ("Agence Example", "Pool", "TNS")
        )

    @pytest.mark.parametrize(
        "credit",
        [
            "Getty Images/TNS",
            "Pool/AFP/TNS",
            "AP",
            "Russian Presidential Press and Information Office/TASS",
        ],
    )
    def test_agency_only_credits(self, credit):
        assert wire.split_credit(credit).photographer is None
        assert "/".join(wire.split_credit(credit).agencies) == credit

    def test_caption_on_its_own_line_is_accepted(self):
        parsed = wire.parse(
            "Budget talks stall\nMinister Ana Duarte. (Jane Roe/TNS)\nThe talks stalled.",
            name="x.txt",
        )
        assert (parsed.headline, parsed.caption, parsed.body) == (
            "Budget talks stall",
            "Minister Ana Duarte.",
            ("The talks stalled.",),
        )

    @pytest.mark.parametrize(
        "line",
        [
            "Storm clouds over the harbor (Jane Roe/TNS)",
            "Budget vote fails Storm clouds over the harbor. (Jane Roe/TNS)",
        ],
    )
    def test_a_caption_on_its_own_line_keeps_all_its_words(self, line):
        # Split as line 1 is, the first caption lost all its words and the
        # second its first three.
        parsed = wire.parse(
            f"Budget talks stall\n{line}\nThe talks stalled.", name="x.txt"
        )
        assert parsed.caption == line.removesuffix(" (Jane Roe/TNS)")
        assert parsed.credit == wire.Credit("Jane Roe", ("TNS",))


class TestPeople:
    def names(self, *paragraphs):
        return [
            (p.name, p.honorific, p.role)
            for p in story(*paragraphs).people
            if p.name != "Jane Roe"
        ]

    def test_title_before_the_name(self):
        assert self.names("Talks began after Finance Minister Ana Duarte arrived.") == [
            ("Ana Duarte", "", "Finance Minister")
        ]

    def test_appositive_after_the_name(self):
        assert self.names(
            "Maria Lopez, a spokeswoman for the water department, said the pipes burst."
        ) == [("Maria Lopez", "", "spokeswoman for the water department")]

    def test_honorific_kept_apart_from_the_name(self):
        assert self.names(
            "Dr. Helen Park, the director of the clinic, said tests continue."
        ) == [("Helen Park", "Dr.", "director of the clinic")]

    @pytest.mark.parametrize(
        "name",
        [
            "Ursula van der Berg",
            "Jean-Paul Okafor",
            "Sean O'Neill",
            "Ahmed al-Rashid",
            "Mary McAllister",
        ],
    )
    def test_names_with_particles_hyphens_and_apostrophes(self, name):
        assert self.names(f"Deputy Mayor {name} said the plan would pass.")[0][:1] == (
            name,
        )

    def test_places_and_institutions_are_not_people(self):
        assert (
            self.names(
                "The Black Sea Fleet and the Russian Defense Ministry said drills ended in Belarus."
            )
            == []
        )


class TestQuotes:
    def test_attribution_after_and_split_quote(self):
        parsed = story(
            "Finance Minister Ana Duarte spoke on Monday.",
            "“We will not raise taxes,” Duarte said, “and we will not cut pensions.”",
        )
        assert quotes(parsed) == [
            ("We will not raise taxes,", "Ana Duarte"),
            ("and we will not cut pensions.", "Ana Duarte"),
        ]

    def test_attribution_before_with_a_colon_and_inverted(self):
        parsed = story(
            "Finance Minister Ana Duarte and Sen. Tom Reyes met.",
            "Reyes said: “The budget is dead.”",
            "“It is not,” said Duarte.",
        )
        assert quotes(parsed) == [
            ("The budget is dead.", "Tom Reyes"),
            ("It is not,", "Ana Duarte"),
        ]

    def test_pronoun_and_title_references(self):
        parsed = story(
            "Sen. Tom Reyes left early. Finance Minister Ana Duarte stayed.",
            "“We have a deal,” she said.",
            "“Not yet,” the senator said.",
        )
        assert quotes(parsed) == [
            ("We have a deal,", "Ana Duarte"),
            ("Not yet,", "Tom Reyes"),
        ]

    def test_follow_on_paragraph_continues_the_previous_speaker(self):
        parsed = story(
            "Finance Minister Ana Duarte spoke.",
            "“The first part of the plan is done,” Duarte said.",
            "“The second part will follow next year.”",
        )
        assert [q.speaker for q in parsed.quotes] == ["Ana Duarte", "Ana Duarte"]

    def test_quotation_running_over_two_paragraphs(self):
        parsed = story(
            "Finance Minister Ana Duarte said: “The plan has three parts.",
            "“The third part starts in June.”",
        )
        assert quotes(parsed) == [
            ("The plan has three parts.", "Ana Duarte"),
            ("The third part starts in June.", "Ana Duarte"),
        ]

    def test_partial_quote_inside_a_sentence(self):
        parsed = story(
            "Sen. Tom Reyes called the plan “a reckless gamble with public money.” The vote is Friday."
        )
        assert quotes(parsed) == [("a reckless gamble with public money.", "Tom Reyes")]

    def test_scare_quotes_and_titles_are_not_quotes(self):
        parsed = story(
            "Sen. Tom Reyes backed the so-called “green corridor” and praised the film “Northern Light Over The Harbor” on Monday."
        )
        assert parsed.quotes == ()

    def test_straight_quotes_work_the_same(self):
        parsed = story(
            "Finance Minister Ana Duarte spoke.",
            '"We will not raise taxes," Duarte said.',
        )
        assert quotes(parsed) == [("We will not raise taxes,", "Ana Duarte")]

    def test_organization_as_speaker(self):
        parsed = story(
            "The Finance Ministry issued figures.",
            "“Revenue rose by 4%,” the ministry said in a statement.",
        )
        assert quotes(parsed) == [("Revenue rose by 4%,", "Finance Ministry")]
        assert parsed.quotes[0].context == "statement"


class TestMalformedFiles:
    @pytest.mark.parametrize(
        "data, line, message",
        [
            (b"", 1, "empty"),
            (b"   \n\n  ", 1, "empty"),
            (b"Headline only (X/TNS)\n", 2, "no body"),
            (b"\x89PNG\r\n\x1a\n\x00\x00", 3, "binary"),
            (b"Headline\n\xff\xfe bad bytes", 2, "UTF-8"),
            (
                "Headline\nFine.\nHe said “never closed.\nNext line.".encode(),
                3,
                "never closed",
            ),
            ("Headline\nShe said ”backwards“.".encode(), 2, "no opening mark"),
            # The credit's closing parenthesis lost: its caption and credit
            # became the end of the headline, and the story had no photo credit.
            (b"Talks stall Storm clouds. (Jane Roe/TNS\nFine.", 1, "column 27"),
            (b"Talks stall Storm clouds. Jane Roe/TNS)\nFine.", 1, "column 39"),
        ],
    )
    def test_error_names_the_file_and_line(self, data, line, message):
        with pytest.raises(wire.WireFormatError) as error:
            wire.parse_bytes(data, name="bad.txt")
        assert error.value.line == line
        assert message in str(error.value) and str(error.value).startswith(
            f"bad.txt, line {line}:"
        )

    @pytest.mark.parametrize(
        "char", ["\x0b", "\x0c", "\x85", "\u2028"], ids=["VT", "FF", "NEL", "LS"]
    )
    def test_a_control_character_in_the_headline_is_refused_not_a_line_break(
        self, char
    ):
        # str.splitlines() broke the line there: the headline became "Pu".
        with pytest.raises(wire.WireFormatError) as error:
            story("A paragraph.", first=f"Pu{char}tin ready to talk " + CAPTION)
        assert str(error.value) == (
            f"test.txt, line 1: control character U+{ord(char):04X} at column 3: "
            "this is not wire copy text"
        )

    @pytest.mark.parametrize(
        "first", [". (TASS)", "“” (TASS)", "— (Jane Roe/TNS)", "\u200b (TASS)", "..."]
    )
    def test_a_headline_without_letters_or_digits_is_refused(self, first):
        with pytest.raises(wire.WireFormatError) as error:
            story("A paragraph.", first=first)
        assert error.value.line == 1
        assert "has no letters or digits" in str(error.value)

    @pytest.mark.parametrize(
        "first, body, line, column",
        [
            ("Pu\ufffdin ready to talk " + CAPTION, "Talks.", 1, 3),
            ("Talks stall. Storm clouds. (Jane R\ufffde/TNS)", "Talks.", 1, 35),
            (
                "Talks stall. Storm clouds. (Jane Roe/Agence \ufffd/TNS)",
                "Talks.",
                1,
                45,
            ),
            ("Talks stall " + CAPTION, "It went on.\nPu\ufffdin said so.", 3, 3),
        ],
        ids=["headline", "person", "agency", "body"],
    )
    def test_a_replacement_character_is_refused_at_its_line_and_column(
        self, first, body, line, column
    ):
        # U+FFFD is what a decoder leaves for bytes it could not read.
        with pytest.raises(wire.WireFormatError) as error:
            wire.parse(f"{first}\n{body}", name="test.txt")
        assert str(error.value) == (
            f"test.txt, line {line}: U+FFFD REPLACEMENT CHARACTER at column "
            f"{column}: a character was lost before the copy reached us; ask "
            "for it again"
        )

    def test_only_lf_crlf_and_cr_end_a_line(self):
        parsed = wire.parse("Budget talks stall\r\nOne.\rTwo.\nThree.", name="test.txt")
        assert (parsed.headline, parsed.body) == (
            "Budget talks stall",
            ("One.", "Two.", "Three."),
        )


def test_blank_line_variant_with_wrapped_paragraphs_parses_the_same():
    lines = SEED.read_text(encoding="utf-8").splitlines()
    wrapped = [lines[0], ""]
    for paragraph in lines[1:]:
        words = paragraph.split()
        wrapped += [" ".join(words[:8]), " ".join(words[8:]), ""]
    one = wire.parse("\n".join(lines), name="a.txt")
    other = wire.parse("\n".join(wrapped), name="a.txt")
    assert (other.body, other.people, other.quotes, other.credit) == (
        one.body,
        one.people,
        one.quotes,
        one.credit,
    )


def test_blank_lines_before_the_headline_are_skipped():
    text = SEED.read_text(encoding="utf-8")
    seed = wire.parse(text, name="a.txt")
    padded = wire.parse("\n  \r\n" + text, name="a.txt")
    assert (padded.headline, padded.caption, padded.body, padded.digest) == (
        seed.headline,
        seed.caption,
        seed.body,
        seed.digest,
    )


def test_straight_quote_version_of_the_seed_finds_the_same_quotes():
    text = SEED.read_text(encoding="utf-8").replace("“", '"').replace("”", '"')
    seed = wire.parse(SEED.read_text(encoding="utf-8"), name="a.txt")
    assert quotes(wire.parse(text, name="a.txt")) == quotes(seed)


@pytest.mark.parametrize(
    "paragraph",
    [
        "Ana Duarte, " * 5000 + "said “we will win.”",
        "“x” " * 20000,
        "A. " * 50000,
    ],
    ids=["many-names", "many-quotes", "many-initials"],
)
def test_a_long_paragraph_is_read_in_one_pass_not_once_per_name(paragraph):
    # Each name or quote searched everything before it in the paragraph:
    # before the fix these took from half a minute to several minutes.
    parsed = story(paragraph)
    assert parsed.body == (paragraph.strip(),)


def name(number):
    """A made-up capitalised name for each number: Bana, Bebe, …"""
    letters = ""
    while True:
        number, rest = divmod(number, 20)
        letters += "bdfgklmnprstvz"[rest % 14] + "aeiou"[rest % 5]
        if not number:
            return letters.capitalize()


def test_a_paragraph_of_thousands_of_quotes_is_read_in_one_pass_then_refused():
    # Every quote is attributed before they are counted: before the one-pass
    # fix this paragraph took minutes.
    with pytest.raises(wire.WireFormatError) as error:
        story("“We will win,” he said. " * 8000)
    assert str(error.value) == (
        "test.txt, line 2: a story may have at most 999 quotes, and this line "
        "brings one more: is the file several stories in one?"
    )


class TestLimits:
    def test_a_story_of_the_most_paragraphs_quotes_and_people_is_read(self):
        paragraphs = [f"“We will win round {n},” he said." for n in range(999)]
        people = [f"Dr. {name(n)} Roe said so." for n in range(wire.MAX_PEOPLE)]
        parsed = story(*paragraphs[:-1], " ".join([paragraphs[-1], *people]))
        assert len(parsed.body) == wire.MAX_PARAGRAPHS - 1
        assert len(parsed.quotes) == wire.MAX_QUOTES
        assert len(parsed.people) == wire.MAX_PEOPLE + 1  # and the photographer

    @pytest.mark.parametrize(
        "paragraphs, line, limit",
        [
            (["Talks went on."] * 1001, 1002, "1,000 body paragraphs"),
            (
                ["Talks went on."] * 5
                + ["“We will win,” he said. “We will not,” she said."] * 500,
                506,
                "999 quotes",
            ),
            (
                [f"Dr. {name(n)} Roe said so." for n in range(201)],
                202,
                "200 people",
            ),
            (
                [f"The {name(n)} Ministry said so." for n in range(201)],
                202,
                "200 organizations",
            ),
        ],
        ids=["paragraphs", "quotes", "people", "organizations"],
    )
    def test_a_story_over_a_limit_is_refused_at_the_line_that_passes_it(
        self, paragraphs, line, limit
    ):
        with pytest.raises(wire.WireFormatError) as error:
            story(*paragraphs)
        assert str(error.value) == (
            f"test.txt, line {line}: a story may have at most {limit}, and this "
            "line brings one more: is the file several stories in one?"
        )


def test_a_long_first_line_is_split_in_one_pass():
    # Each word of line 1 split all the words after it: 100 KB took 7 s.
    parsed = story("The talks stalled.", first="Word " * 20000 + CAPTION)
    assert parsed.credit == wire.Credit("Jane Roe", ("Agence Example", "TNS"))


def test_the_parser_never_imports_django():
    code = "import sys; import articles.wire; print(any(m.startswith('django') for m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=SEED.parents[2],
    )
    assert result.stdout.strip() == "False"


class TestSmallRules:
    @pytest.mark.parametrize(
        "before, title",
        [
            (
                "Farm groups said. Socialist parliamentary leader ",
                "Socialist parliamentary leader",
            ),
            ("The jury, led by the Polish actress ", "Polish actress"),
            ("Defense attorney ", "Defense attorney"),
            ("They met the ", ""),
            ("It was a long afternoon ", ""),
        ],
    )
    def test_lowercase_title_before_a_name(self, before, title):
        assert wire.lowercase_title(before) == title

    def test_title_before_a_rank(self):
        assert (
            wire.title_before_honorific("Chief of Defense Lt. Gen. ")
            == "Chief of Defense"
        )
        assert wire.title_before_honorific("On Tuesday, Maj. Gen. ") == ""

    @pytest.mark.parametrize(
        "text, after, expected",
        [
            ("We were guessing,", " he said.", True),
            ("Nonsense.", " The vote followed.", True),
            ("Northern Light,", " a slow-burning drama", False),
            ("little moon,", " set down on a plain", False),
            ("green corridor", " for exports", False),
            ("a gift to foreign contractors.", "", True),
        ],
    )
    def test_short_or_title_case_quotes_need_an_attribution(
        self, text, after, expected
    ):
        assert wire.is_quotation(text, after) is expected

    def test_caption_starts_at_a_common_word_after_a_place(self):
        line = "Typhoon kills 23 in northern Philippines Residents wade through floodwaters. (Getty Images/TNS)"
        body = "Rescuers reached residents on Sunday."
        assert wire.split_headline_and_caption(line, body)[:2] == (
            "Typhoon kills 23 in northern Philippines",
            "Residents wade through floodwaters.",
        )

    def test_later_short_mention_joins_the_full_name(self):
        parsed = story(
            "Dr. Annelies De Wachter, an epidemiologist, spoke.",
            "De Wachter said cases rose.",
        )
        assert [p.name for p in parsed.people] == ["Annelies De Wachter", "Jane Roe"]

    def test_quoted_words_are_blanked_in_their_own_paragraph_and_offsets_kept(self):
        body = ["He said “we stay” today.", "No quotes here.", "“Runs on", "“to here.”"]
        spans = find_quote_spans(list(enumerate(body, 2)), name="test.txt")
        assert outside_quotes(body, spans) == [
            "He said           today.",
            "No quotes here.",
            "        ",
            "          ",
        ]
