"""for_story_page() loads relations with one hand-written query (story_page.py).

The page it feeds must be exactly the page the readable ORM version fed.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from articles.metadata import story_metadata
from articles.models import Article, Person, Quote, Status
from articles.models.rows import from_row

from .factories import make_article, make_person, make_photo

pytestmark = pytest.mark.django_db


def with_orm_prefetches(stories):
    """What for_story_page() was: five prefetch_related lookups (authors in
    byline order)."""
    return stories.with_lead_photo().prefetch_related(
        Prefetch("authors", queryset=Person.objects.order_by("byline_links__position")),
        "people",
        "tags",
        Prefetch("quotes", queryset=Quote.objects.select_related("speaker")),
    )


def story_page(article, rf):
    request = rf.get(article.get_absolute_url())
    request.user = AnonymousUser()
    context = {
        "article": article,
        "object": article,
        "metadata": story_metadata(article, request),
        "preview": not article.is_published,
    }
    return render_to_string("articles/article_detail.html", context, request)


@pytest.fixture
def full_story():
    story = make_article(quotes=3, people=3)
    story.set_byline(
        [make_person(name="Zoe Writer"), make_person(name="Adam Reporter")]
    )
    story.tags.add("zebra crossings")
    story.tags.add("abacus")
    story.people.add(make_person(name="Al Mention", honorific="Dr."))
    story.lead_photo = make_photo(
        photographer=make_person(name="Jane Roe"), agencies=["TASS", "AP", "Getty"]
    )
    story.save()
    now = timezone.now()
    story.add_correction(
        "An earlier version misquoted the speaker.",
        quote=story.quotes.first(),
        when=now - timedelta(minutes=2),
    )
    story.add_correction(
        "A second correction.", when=now - timedelta(minutes=1)
    ).strike("It was wrong.")
    return story


@pytest.mark.parametrize("fixture", ["full_story", "seed_story"])
def test_the_story_page_renders_exactly_as_with_orm_prefetches(request, rf, fixture):
    story = request.getfixturevalue(fixture)
    expected = story_page(with_orm_prefetches(Article.objects).get(pk=story.pk), rf)
    assert story_page(Article.objects.for_story_page().get(pk=story.pk), rf) == expected


def test_a_story_and_all_it_links_to_cost_three_queries(
    full_story, rf, django_assert_num_queries
):
    # The story and photo, the UNION of its relations, its corrections.
    with django_assert_num_queries(3):
        story = Article.objects.for_story_page().get(pk=full_story.pk)
        page = story_page(story, rf)
    assert story.byline == "Zoe Writer and Adam Reporter"
    assert [tag.name for tag in story.tags.all()] == ["zebra crossings", "abacus"]
    assert story.lead_photo.credit_line == "Jane Roe/TASS/AP/Getty"
    assert [quote.order for quote in story.quotes.all()] == [1, 2, 3]
    assert "Dr. Al Mention" in page
    first, struck = story.corrections.all()
    assert first.quote == story.quotes.all()[0] and not first.is_struck
    assert struck.quote is None and struck.is_struck


def test_several_stories_each_get_only_their_own_relations(full_story):
    bare = make_article()
    other = make_article(quotes=1, tags=1, people=1)
    loaded = {story.pk: story for story in Article.objects.for_story_page()}
    assert set(loaded) == {full_story.pk, bare.pk, other.pk}
    for story in (full_story, bare, other):
        mine = loaded[story.pk]
        assert list(mine.quotes.all()) == list(story.quotes.all())
        assert list(mine.people.all()) == list(story.people.all())
        assert list(mine.tags.all()) == list(story.tags.all())
        assert list(mine.authors.all()) == story.byline_authors
        assert all(quote.article is mine for quote in mine.quotes.all())
        assert list(mine.corrections.all()) == list(story.corrections.all())
    assert loaded[bare.pk].lead_photo is None and loaded[bare.pk].byline == ""


# Article.objects.story_page(): the story at its dated address, for readers'
# pages, found with the hand-written STORY query.


def find(story, **kwargs):
    return Article.objects.story_page(story.publication_day, story.slug, **kwargs)


@pytest.mark.parametrize(
    "fixture, queries",
    [
        # The story, its photo and relations; then its corrections, as it has some.
        ("full_story", 2),
        ("seed_story", 1),
    ],
)
def test_story_page_finds_the_story_the_orm_finds_and_renders_it_the_same(
    request, rf, fixture, queries, django_assert_num_queries
):
    story = request.getfixturevalue(fixture)
    assert story.corrections.exists() == (queries == 2)
    expected = story_page(with_orm_prefetches(Article.objects).get(pk=story.pk), rf)
    with django_assert_num_queries(queries):
        found = find(story)
        page = story_page(found, rf)
    assert page == expected
    for field in Article._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(story, field.attname), field


def test_without_json_functions_the_story_page_is_the_same_in_three_queries(
    full_story, rf, monkeypatch, django_assert_num_queries
):
    # An SQLite built without JSON1: the story, then its relations, then corrections.
    expected = story_page(find(full_story), rf)
    monkeypatch.setattr(connection.features, "supports_json_field", False)
    with django_assert_num_queries(3):
        found = find(full_story)
        page = story_page(found, rf)
    assert page == expected


def test_story_page_leaves_out_what_readers_may_not_see(full_story):
    draft = make_article(status=Status.DRAFT)
    in_review = make_article(status=Status.IN_REVIEW)
    due_later = make_article(
        status=Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=1)
    )
    due_now = make_article(
        status=Status.SCHEDULED, published_at=timezone.now() - timedelta(minutes=1)
    )
    for hidden in (draft, in_review, due_later):
        with pytest.raises(Article.DoesNotExist):
            find(hidden)
        assert find(hidden, drafts=True) == hidden  # staff previews see it
    assert find(due_now) == due_now
    assert find(full_story) == full_story


def test_story_page_matches_the_day_in_the_sites_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    # 02:30 UTC on 16 March is still 15 March in New York.
    late = make_article(published_at=datetime(2024, 3, 16, 2, 30, tzinfo=UTC))
    assert late.publication_day == date(2024, 3, 15)
    assert find(late) == late
    for day in (date(2024, 3, 14), date(2024, 3, 16)):
        with pytest.raises(Article.DoesNotExist):
            Article.objects.story_page(day, late.slug)


def test_story_page_has_no_photo_or_photographer_where_there_are_none():
    bare = make_article()
    uncredited = make_article(lead_photo=make_photo())
    assert find(bare).lead_photo is None
    found = find(uncredited)
    assert found.lead_photo == uncredited.lead_photo
    assert found.lead_photo.photographer is None


def test_story_page_refuses_to_choose_between_two_stories_at_one_address():
    # Drafts may share an address until one is published (unique_for_date
    # is checked by forms, not the database): staff get an error, not a guess.
    when = timezone.now() - timedelta(hours=1)
    make_article(slug="twin", status=Status.DRAFT, published_at=when)
    make_article(slug="twin", status=Status.DRAFT, published_at=when)
    with pytest.raises(Article.MultipleObjectsReturned):
        Article.objects.story_page(timezone.localdate(when), "twin", drafts=True)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)
def test_postgresql_plans_the_story_queries_once_per_connection(full_story):
    def prepared():
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    for _ in range(6):  # psycopg prepares a query on its fifth run
        find(full_story)
    statements = prepared()
    # The story's one statement, its relations folded in as JSON.
    assert any(
        "FROM articles_article article" in s and "json_agg" in s for s in statements
    )


@pytest.mark.parametrize("names", [None, ["id", "name", "slug"]])
def test_instances_made_from_rows_are_those_from_db_makes(names):
    person = make_person(name="Jane Roe", role="Minister")
    fields = [field.attname for field in Person._meta.concrete_fields]
    names = names or fields
    values = [getattr(person, name) for name in names]
    made = from_row(Person, "default", names, values)
    expected = Person.from_db("default", names, values)
    assert {**vars(made), "_state": None} == {**vars(expected), "_state": None}
    assert (made._state.adding, made._state.db) == (False, "default")
    assert made.get_deferred_fields() == expected.get_deferred_fields()
    if names != fields:
        assert made.role == "Minister"  # loaded when asked, as from_db's would be


def test_the_loaders_relations_are_what_the_related_managers_list(full_story):
    loaded = Article.objects.for_story_page().get(pk=full_story.pk).relations
    expected = Article.objects.get(pk=full_story.pk).relations  # through the ORM
    assert loaded._fields == expected._fields
    assert [[item.pk for item in listed] for listed in loaded] == [
        [item.pk for item in listed] for listed in expected
    ]
    assert all(isinstance(listed, list) for listed in loaded)
    assert [len(listed) for listed in loaded] == [2, 4, 3, 2, 2]
