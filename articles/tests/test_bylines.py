"""The byline's order is the desk's: set in the story's form, read everywhere."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from pytest_django.asserts import assertContains

from articles.models import Article, ArticleAuthor, Status

from .factories import make_article, make_person
from .test_editor_admin import BODY
from .test_feeds_and_sitemaps import NS, get_xml, rss_items
from .test_fixtures import dump
from .test_metadata_and_preview import head_of
from .test_workflow import logged_in, workflow_form

pytestmark = pytest.mark.django_db


def change_url(story):
    return reverse("admin:articles_article_change", args=[story.pk])


def story_form(story, authors, **overrides):
    """The story's change form as its page sends it, with the byline rows given."""
    when = story.published_at
    return workflow_form(
        authors=authors,
        **{
            "headline": story.headline,
            "slug": story.slug,
            "body": story.body,
            "tags": "",
            "status": story.status,
            "published_at_0": f"{when:%Y-%m-%d}" if when else "",
            "published_at_1": f"{when:%H:%M:%S}" if when else "",
            "base_version": str(story.version),
            "quotes-TOTAL_FORMS": "0",
            **overrides,
        },
    )


def byline_of(story):
    return [link.person.name for link in story.author_links.select_related("person")]


@pytest.fixture
def writers():
    # Their names sort the other way round from the byline the desk wants.
    return make_person(name="Zoe Writer"), make_person(name="Adam Reporter")


def test_the_order_set_in_the_admin_is_the_one_readers_see_everywhere(
    client, desk_editor, writers, committed
):
    zoe, adam = writers
    story = make_article(headline="Talks begin", body=BODY, status=Status.DRAFT)
    editor = logged_in(desk_editor)
    response = editor.post(
        change_url(story),
        story_form(
            story,
            [(zoe, "1"), (adam, "2")],
            status=Status.PUBLISHED,
            published_at_0="",
            published_at_1="",
        ),
    )
    assert response.status_code == 302
    story = Article.objects.get(pk=story.pk)
    assert story.is_published and story.byline == "Zoe Writer and Adam Reporter"

    page = client.get(story.get_absolute_url())
    by_zoe = f'<a href="{zoe.get_absolute_url()}" rel="author">Zoe Writer</a>'
    by_adam = f'<a href="{adam.get_absolute_url()}" rel="author">Adam Reporter</a>'
    assertContains(
        page, f'<p class="story__byline">By {by_zoe} and {by_adam}</p>', html=True
    )
    _, [news_article], _ = head_of(page)
    assert [a["name"] for a in news_article["author"]] == [
        "Zoe Writer",
        "Adam Reporter",
    ]
    item = rss_items(client, "/feeds/latest/")["Talks begin"]
    assert [c.text for c in item.findall("dc:creator", NS)] == [
        "Zoe Writer",
        "Adam Reporter",
    ]
    [entry] = get_xml(client, "/feeds/latest/atom/").findall("atom:entry", NS)
    assert [
        a.findtext("atom:name", namespaces=NS) for a in entry.findall("atom:author", NS)
    ] == ["Zoe Writer", "Adam Reporter"]
    # Lists show it too: the front, tag, person, archive and search pages.
    story.tags.add("Diplomacy")
    story.people.add(zoe)
    with committed():
        story.save()  # indexed for search as the transaction commits
    for url in [
        "/",
        "/tags/diplomacy/",
        zoe.get_absolute_url(),
        f"/{story.published_at:%Y}/",
        "/search/?q=talks",
    ]:
        assertContains(client.get(url), "By Zoe Writer and Adam Reporter ·")


@pytest.fixture
def bylined(writers):
    story = make_article(body=BODY, status=Status.DRAFT)
    story.set_byline(writers)
    return Article.objects.get(pk=story.pk)


def test_editor_swaps_two_authors_by_their_places(desk_editor, bylined):
    zoe, adam = bylined.author_links.all()
    data = story_form(bylined, [zoe, adam])
    data.update({"author_links-0-position": "2", "author_links-1-position": "1"})
    assert logged_in(desk_editor).post(change_url(bylined), data).status_code == 302
    assert byline_of(bylined) == ["Adam Reporter", "Zoe Writer"]
    # The same rows, moved: nothing else in the byline changed.
    assert sorted(bylined.author_links.values_list("pk", flat=True)) == sorted(
        [zoe.pk, adam.pk]
    )


def test_editor_swaps_two_authors_by_the_people_in_their_places(desk_editor, bylined):
    zoe, adam = bylined.author_links.all()
    data = story_form(bylined, [zoe, adam])
    data.update(
        {
            "author_links-0-person": str(adam.person_id),
            "author_links-1-person": str(zoe.person_id),
        }
    )
    assert logged_in(desk_editor).post(change_url(bylined), data).status_code == 302
    assert byline_of(bylined) == ["Adam Reporter", "Zoe Writer"]


def test_an_author_moves_into_the_place_of_one_removed_in_the_same_save(
    desk_editor, bylined
):
    zoe, adam = bylined.author_links.all()
    data = story_form(bylined, [zoe, adam])
    data.update({"author_links-0-DELETE": "on", "author_links-1-position": "1"})
    assert logged_in(desk_editor).post(change_url(bylined), data).status_code == 302
    assert list(bylined.author_links.values_list("person__name", "position")) == [
        ("Adam Reporter", 1)
    ]


def test_an_author_added_without_a_place_goes_last(desk_editor, bylined):
    data = story_form(
        bylined, [*bylined.author_links.all(), (make_person(name="Bea Lopes"), "")]
    )
    assert logged_in(desk_editor).post(change_url(bylined), data).status_code == 302
    assert byline_of(bylined) == ["Zoe Writer", "Adam Reporter", "Bea Lopes"]


def test_naming_an_author_twice_is_refused_and_changes_nothing(desk_editor, bylined):
    zoe, adam = bylined.author_links.all()
    before = list(bylined.author_links.values_list("pk", "person", "position"))
    data = story_form(bylined, [zoe, adam, (zoe.person, "3")])
    response = logged_in(desk_editor).post(change_url(bylined), data)
    assert response.status_code == 200
    assertContains(response, "Please correct the duplicate data")
    assert list(bylined.author_links.values_list("pk", "person", "position")) == before


def test_a_reporter_sets_the_byline_of_their_own_draft(desk_reporter, writers):
    reporter = logged_in(desk_reporter)
    zoe, adam = writers
    data = workflow_form(authors=[(adam, "1"), (zoe, "2")])
    assert reporter.post(reverse("admin:articles_article_add"), data).status_code == 302
    story = Article.objects.get(slug="talks-to-begin")
    assert story.byline == "Adam Reporter and Zoe Writer"
    page = reporter.get(change_url(story))
    byline = next(
        inline
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is ArticleAuthor
    )
    assert byline.has_add_permission and byline.has_delete_permission


def test_a_reporter_cannot_change_the_byline_of_a_published_story(
    desk_reporter, bylined
):
    bylined.created_by = desk_reporter
    bylined.publish()
    zoe, adam = bylined.author_links.all()
    data = story_form(bylined, [zoe, adam])
    data.update({"author_links-0-position": "2", "author_links-1-position": "1"})
    response = logged_in(desk_reporter).post(change_url(bylined), data)
    assert response.status_code in (200, 403)
    assert byline_of(bylined) == ["Zoe Writer", "Adam Reporter"]


def test_changing_the_order_refreshes_cached_pages(
    client, django_capture_on_commit_callbacks, writers
):
    story = make_article(headline="Talks begin")
    story.set_byline(writers)
    pages = [story.get_absolute_url(), "/feeds/latest/", "/feeds/latest/atom/"]
    for url in pages:
        assert "Zoe Writer" in client.get(url).content.decode()
        assert client.get(url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        story.set_byline(reversed(writers))
    for url in pages:
        page = client.get(url).content.decode()
        assert page.index("Adam Reporter") < page.index("Zoe Writer"), url


@pytest.mark.django_db(transaction=True)
def test_the_migration_numbers_each_byline_in_the_order_readers_saw():
    """0013 gives each story's authors places in name order, then id: the
    order pages showed before bylines had places."""
    before = [("articles", "0012_correction_struck_by")]
    after = [("articles", "0013_byline_places")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Person = old.get_model("articles", "Person")
    OldArticle = old.get_model("articles", "Article")
    people = {
        name: Person.objects.create(name=name, slug=slug)
        for name, slug in [
            ("Zoe Writer", "zoe"),
            ("Adam Reporter", "adam-2"),
            ("Adam Reporter", "adam-1"),
            ("Bea Lopes", "bea"),
        ]
    }
    # Two people called Adam Reporter: the one made first comes first.
    first_adam = Person.objects.get(slug="adam-2")
    one = OldArticle.objects.create(headline="One", slug="one", body="Text.")
    two = OldArticle.objects.create(headline="Two", slug="two", body="Text.")
    one.authors.add(people["Zoe Writer"], first_adam, people["Adam Reporter"])
    two.authors.add(people["Bea Lopes"])

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    links = ArticleAuthor.objects.order_by("article_id", "position")
    assert list(links.values_list("article_id", "person__slug", "position")) == [
        (one.pk, "adam-2", 1),
        (one.pk, "adam-1", 2),
        (one.pk, "zoe", 3),
        (two.pk, "bea", 1),
    ]


def test_a_dump_made_before_bylines_had_places_loads_in_the_order_readers_saw(
    tmp_path, writers
):
    """Such dumps list a story's authors in the article's own row, by name."""
    zoe, adam = writers
    story = make_article(headline="Old dump")
    rows = json.loads(dump())
    (article,) = [row for row in rows if row["model"] == "articles.article"]
    article["fields"]["authors"] = [[zoe.slug], [adam.slug]]
    fixture = tmp_path / "old.json"
    fixture.write_text(json.dumps(rows), encoding="utf-8")

    call_command("loaddata", fixture, verbosity=0)
    assert byline_of(story) == ["Adam Reporter", "Zoe Writer"]
    assert Article.objects.get(pk=story.pk).byline == "Adam Reporter and Zoe Writer"
    call_command("loaddata", fixture, verbosity=0)  # loaded again: as it was
    assert list(story.author_links.values_list("position", flat=True)) == [1, 2]


def test_an_author_added_by_code_goes_last_from_either_side(writers):
    zoe, adam = writers
    story = make_article()
    story.set_byline([zoe])
    story.authors.add(adam)
    third = make_person(name="Bea Lopes")
    third.authored_articles.add(story)
    assert byline_of(story) == ["Zoe Writer", "Adam Reporter", "Bea Lopes"]
    assert list(story.author_links.values_list("position", flat=True)) == [1, 2, 3]
