import io
from datetime import UTC, datetime

import pytest
from django.core import checks
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.test import Client

from articles import demo
from articles.models import Article, Person, PhotoCredit, Quote, Status

pytestmark = pytest.mark.django_db


def generate(**options):
    out = io.StringIO()
    call_command("generate_demo", stdout=out, **options)
    return out.getvalue()


def demo_content():
    """Everything generate_demo writes, without database ids."""
    stories = Article.objects.order_by("slug")
    return {
        "stories": list(
            stories.values_list(
                "headline", "slug", "dek", "body", "status", "published_at", "source"
            )
        ),
        "photos": list(stories.values_list("slug", "lead_photo__slug")),
        "bylines": list(stories.values_list("slug", "authors__name")),
        "people": list(
            stories.values_list("slug", "people__name").order_by("slug", "people__name")
        ),
        "quotes": list(
            Quote.objects.order_by("article__slug", "order").values_list(
                "article__slug", "order", "speaker__name", "text"
            )
        ),
        "tags": list(
            stories.values_list("slug", "tags__name").order_by("slug", "tags__name")
        ),
    }


def test_demo_content_is_reproducible_and_marked_as_demo():
    report = generate(articles=60, seed=7, photos=2)
    assert "60/60 stories" in report and "indexing for search" in report
    assert "Created 60 demo stories (seed 7) in " in report
    first = demo_content()
    with pytest.raises(CommandError, match="exists already"):
        generate(articles=60, seed=7, photos=2)
    assert demo_content() == first
    for model in (Article, PhotoCredit, Person):
        model.objects.all().delete()
    generate(articles=60, seed=7, photos=2)
    assert demo_content() == first
    assert {source for *_, source in first["stories"]} == {"Generated demo content"}


def test_another_seed_gives_other_stories_spread_over_several_years():
    generate(articles=200, seed=3, photos=0)
    other = demo_content()
    Article.objects.all().delete()
    generate(articles=200, seed=4, photos=0)
    assert demo_content()["stories"] != other["stories"]
    years = set(Article.objects.dates("published_at", "year"))
    assert len(years) >= 4
    assert Article.objects.filter(authors__isnull=True).count() == 0


def test_progress_is_reported_for_every_batch():
    messages = []
    demo.generate(articles=50, photos=0, batch=20, progress=messages.append)
    assert messages == [
        "20/50 stories",
        "40/50 stories",
        "50/50 stories",
        "indexing for search",
    ]


def test_demo_quotes_occur_in_their_stories_and_photos_are_real_files():
    generate(articles=40, photos=2)
    assert Quote.objects.count() == 80
    errors = checks.run_checks(tags=[checks.Tags.database], databases=["default"])
    assert [e.id for e in errors if e.id.startswith("articles.")] == []
    for credit in PhotoCredit.objects.all():
        assert credit.image and (credit.image_width, credit.image_height) == (
            1600,
            1000,
        )
        assert credit.credit_line.endswith("/Demo Wire")


def test_demo_stories_with_photos_render_responsive_images_and_are_searchable():
    generate(articles=30, photos=1)
    story = Article.objects.published().filter(lead_photo__isnull=False).first()
    page = Client().get(story.get_absolute_url()).content.decode()
    assert '<source type="image/webp"' in page and "Demo Wire" in page
    response = Client().get("/search/", {"q": story.headline.split()[0]})
    assert (
        story in response.context_data["object_list"]
        or response.context_data["paginator"].count > 10
    )


def test_bad_arguments_are_refused_and_change_nothing():
    for bad in [{"articles": 0}, {"articles": 5, "photos": -1}]:
        with pytest.raises(CommandError):
            generate(**bad)
    assert (Article.objects.count(), Person.objects.count()) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_demo_in_a_transaction_of_its_own_writes_every_link_or_nothing(monkeypatch):
    # Outside a caller's transaction generate() runs as the command does: on
    # PostgreSQL the foreign keys are dropped for the load and checked when
    # added back, then VACUUM.
    keys = foreign_keys()
    demo.generate(articles=30, photos=0)
    assert foreign_keys() == keys
    assert Article.objects.count() == 30
    assert Quote.objects.count() == Article.people.through.objects.count() == 60
    assert Article.authors.through.objects.count() == 30
    assert Article.objects.filter(tags__isnull=True).count() == 0
    before = demo_content()

    plan_story = demo.plan_story

    def byline_of_nobody(rng, n, **kwargs):
        article, plan = plan_story(rng, n, **kwargs)
        if n == 25:
            plan["author"] = 10**9  # no such person
        return article, plan

    monkeypatch.setattr(demo, "plan_story", byline_of_nobody)
    messages = []
    with pytest.raises(IntegrityError):
        demo.generate(articles=30, seed=2, photos=0, batch=20, progress=messages.append)
    if connection.vendor == "postgresql":
        # Refused when the keys came back, before indexing and COMMIT.
        assert messages == ["20/30 stories", "30/30 stories"]
    else:
        assert messages == ["20/30 stories", "30/30 stories", "indexing for search"]
    assert demo_content() == before
    assert not Person.objects.filter(slug__endswith="-2").exists()
    assert foreign_keys() == keys  # the rollback restored the dropped keys


def foreign_keys():
    """Every foreign key of the tables generate_demo fills, as the database has it."""
    tables = demo.filled_tables()
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            return {
                table: connection.introspection.get_constraints(cursor, table)
                for table in tables
            }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            "  FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2"
        )
        keys = cursor.fetchall()
    assert {table for table, _, _ in keys} >= set(tables) - {"taggit_tag"}
    return keys


def test_stories_are_created_with_their_keys_and_values_as_bulk_create_leaves_them():
    photo = PhotoCredit.objects.create(slug="p", caption="c", alt_text="a")
    when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    stories = [
        Article(
            headline="One",
            slug="one",
            body="Body.",
            status=Status.PUBLISHED,
            published_at=when,
            lead_photo=photo,
        ),
        Article(headline="Two", slug="two", body="Body two."),
    ]
    demo.create_stories(stories)
    assert [story.pk for story in stories] == list(
        Article.objects.order_by("slug").values_list("pk", flat=True)
    )
    assert not stories[0]._state.adding
    one, two = Article.objects.order_by("slug")
    assert (one.status, one.published_at, one.lead_photo, one.version) == (
        Status.PUBLISHED,
        when,
        photo,
        1,
    )
    assert (two.status, two.published_at, two.lead_photo, two.dek) == (
        Status.DRAFT,
        None,
        None,
        "",
    )
    # A later story through the ORM takes the next key, not one of theirs.
    assert Article.objects.create(headline="Three", slug="three").pk > stories[1].pk


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="stories go in by COPY on PostgreSQL"
)
def test_values_are_prepared_as_their_fields_prepare_them():
    field = Article._meta.get_field
    aware = datetime(2024, 1, 1, tzinfo=UTC)
    for name, value in [
        ("published_at", aware),
        ("published_at", None),
        ("status", Status.PUBLISHED),
        ("headline", "Text"),
        ("version", 3),
        ("version", True),
        ("lead_photo", 7),
    ]:
        expected = field(name).get_db_prep_save(value, connection)
        prepared = demo.prepared(field(name), value)
        # Django wraps whole numbers for psycopg's server-side binding
        # (Int4(3)); COPY types them by their column.
        assert prepared == expected
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        made_aware = demo.prepared(field("published_at"), datetime(2024, 1, 1))
    assert made_aware.tzinfo is not None
