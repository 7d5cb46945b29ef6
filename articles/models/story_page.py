"""Everything a story page links to, loaded with one hand-written query.

ArticleQuerySet.for_story_page() used to name five prefetch_related lookups
(authors, people, tags, quotes with their speakers, the photo's agencies).
Profiled on the story page, building and running those through the ORM took
most of the request, more than the template; the page has to answer at a
quarter of the rate of a static file. So the relations come from the one UNION
query below, RELATIONS, filled in where prefetch_related would have put them,
so properties (byline, credit_line, body_html) read `.all()` as before, and as
lists in Article.relations, which the page's template and metadata read (a
related manager is made afresh at every access: they were a tenth of the page).

Each branch of RELATIONS yields the same columns:
(relation, article id, place, id, name, slug, honorific, role, organization,
quote id, quote text, quote context). "place" orders rows where the name does
not: an author's place in the byline, a quote's order, a tag's order of
tagging, an agency's position.
PostgreSQL types a UNION's columns branch by branch, hence the typed NULLs.
{chosen} completes each branch's condition on the story's id: "IN (...)" for a
list of stories, "= article.id" inside the story page's own query.

Corrections come from a query of their own (their dates need the database's
converters, which Selected applies as the ORM would); each correction's quote
is taken from the quotes already loaded, as the admin only lets a correction
name a quote of its own story.

A reader's story page finds its story with STORY, also written by hand: built
through the ORM (a day's range, the slug, published(), select_related) the
query took 0.45 ms to compose and 0.04 ms to run. Its columns come from the
models' fields, so a field added to a model is loaded without editing it. On
SQLite and PostgreSQL the same row also carries RELATIONS for that story as a
JSON list, and whether it has corrections: a page is one query, and one more
for a story with corrections. On PostgreSQL each query is a round trip to the
server, which costs its CPU on both sides: going from three to one took the
uncached page from 0.15x to 0.21x of a static file.
"""

from collections import defaultdict
from functools import cache
from typing import NamedTuple

import orjson
from django.db import connections
from django.db.models.query import ModelIterable
from django.utils import timezone
from taggit.models import Tag

from .corrections import Correction
from .people import Person
from .photos import Agency, PhotoCredit, PhotoCreditAgency
from .quotes import Quote
from .rows import Selected, from_row, named, numbered, prefetched

RELATION_BRANCHES = {
    "authors": """
SELECT 'authors' AS relation, link.article_id AS article_id, link.position AS place,
       person.id AS id, person.name AS name, person.slug AS slug,
       person.honorific AS honorific, person.role AS role,
       person.organization AS organization, CAST(NULL AS BIGINT) AS link_id,
       NULL AS text, NULL AS context
  FROM articles_article_authors link
  JOIN articles_person person ON person.id = link.person_id
 WHERE link.article_id {chosen}
""",
    "people": """
SELECT 'people', link.article_id, 0, person.id, person.name, person.slug,
       person.honorific, person.role, person.organization,
       CAST(NULL AS BIGINT), NULL, NULL
  FROM articles_article_people link
  JOIN articles_person person ON person.id = link.person_id
 WHERE link.article_id {chosen}
""",
    "quotes": """
SELECT 'quotes', quote.article_id, quote."order", person.id, person.name,
       person.slug, person.honorific, person.role, person.organization,
       quote.id, quote.text, quote.context
  FROM articles_quote quote
  JOIN articles_person person ON person.id = quote.speaker_id
 WHERE quote.article_id {chosen}
""",
    "tags": """
SELECT 'tags', link.content_object_id, link.id, tag.id, tag.name, tag.slug,
       NULL, NULL, NULL, CAST(NULL AS BIGINT), NULL, NULL
  FROM articles_taggedarticle link
  JOIN taggit_tag tag ON tag.id = link.tag_id
 WHERE link.content_object_id {chosen}
""",
    "agencies": """
SELECT 'agencies', credited.id, link.position, agency.id, agency.name, NULL,
       NULL, NULL, NULL, link.id, NULL, NULL
  FROM articles_article credited
  JOIN articles_photocreditagency link ON link.credit_id = credited.lead_photo_id
  JOIN articles_agency agency ON agency.id = link.agency_id
 WHERE credited.id {chosen}
""",
}
RELATIONS = "UNION ALL\n".join(RELATION_BRANCHES.values())
# What a list shows of its stories (ListingIterable): bylines, tags and the
# lead photos' agencies. The authors' branch comes first: it names the columns.
LISTING_RELATIONS = "UNION ALL\n".join(
    RELATION_BRANCHES[name] for name in ("authors", "tags", "agencies")
)
RELATION_COLUMNS = (
    "relation, article_id, place, id, name, slug, honorific, role, organization, "
    "link_id, text, context"
)
STORY = """
SELECT {columns}{relations}
  FROM articles_article article
  LEFT JOIN articles_photocredit photo ON photo.id = article.lead_photo_id
  LEFT JOIN articles_person photographer ON photographer.id = photo.photographer_id
 WHERE article.slug = %(slug)s
   AND article.published_at >= %(start)s AND article.published_at < %(end)s
   {public}
 ORDER BY article.id
 LIMIT 2
"""
# On the databases that can build JSON, the story's row also carries its
# relations (RELATIONS for this one story, as a JSON list of rows) and whether
# it has corrections, so a page without corrections is one query.
RELATIONS_OF_STORY = """,
       (SELECT CAST({json_list}({json_row}({columns})) AS TEXT)
          FROM ({relations}) relation) AS relations,
       EXISTS (SELECT 1 FROM articles_correction correction
                WHERE correction.article_id = article.id) AS corrected"""
JSON_FUNCTIONS = {
    "postgresql": {"json_list": "json_agg", "json_row": "json_build_array"},
    "sqlite": {"json_list": "json_group_array", "json_row": "json_array"},
}
PUBLIC = "AND article.status IN ({}) AND article.published_at <= %(now)s"
CORRECTIONS = """
SELECT {columns}
  FROM articles_correction correction
 WHERE correction.article_id IN ({ids})
 ORDER BY correction.published_at, correction.id
"""
PERSON_FIELDS = ["id", "name", "slug", "honorific", "role", "organization"]
QUOTE_FIELDS = ["id", "article_id", "speaker_id", "text", "context", "order"]
SORT_KEYS = {
    # As the models order them: people in the story by name, the rest by
    # place (the byline's own order, a quote's order, order of tagging).
    "authors": lambda row: row[2],
    "people": lambda row: (row[4], row[3]),
    "quotes": lambda row: row[2],
    "tags": lambda row: row[2],
    "agencies": lambda row: row[2],
}


class Relations(NamedTuple):
    """What a story page lists of a story, as lists (Article.relations)."""

    authors: list
    people: list
    quotes: list
    tags: list
    corrections: list


class StoryPageIterable(ModelIterable):
    """Stories as the ORM yields them, with their story-page relations attached."""

    def __iter__(self):
        articles = list(super().__iter__())
        attach_story_relations(articles, self.queryset.db)
        yield from articles


@cache
def story_columns(model):
    """The story, its lead photo and their photographer, as STORY selects them."""
    return (
        Selected(model, "article"),
        Selected(PhotoCredit, "photo"),
        Selected(Person, "photographer"),
    )


@cache
def story_query(model, statuses, vendor):
    """STORY for model, with a public condition over that many statuses (0: none).

    For a vendor in JSON_FUNCTIONS the row ends with the story's relations and
    whether it has corrections.
    """
    article, photo, photographer = story_columns(model)
    functions = JSON_FUNCTIONS.get(vendor)
    relations = ""
    if functions:
        relations = RELATIONS_OF_STORY.format(
            **functions,
            columns=RELATION_COLUMNS,
            # "= article.id", not "IN (article.id)": SQLite builds a
            # temporary index for each IN list, a third of the query's work.
            relations=RELATIONS.format(chosen="= article.id"),
        )
    return STORY.format(
        columns=", ".join(article.columns + photo.columns + photographer.columns),
        relations=relations,
        public=PUBLIC.format(named("status", statuses)) if statuses else "",
    )


@cache
def corrections_columns():
    return Selected(Correction, "correction")


def load_story(model, day_bounds, slug, *, public_statuses=(), using="default"):
    """The story at day/slug/ as its page shows it, lead photo and relations loaded.

    day_bounds are the first instants of the publication day and of the next.
    With public_statuses, only a story in one of them whose time has come, as
    Article.objects.published() finds them; without, any story dated that day
    (staff previews). Raises DoesNotExist or, as QuerySet.get() does,
    MultipleObjectsReturned. One query on SQLite and PostgreSQL, a second for
    a story with corrections.
    """
    article, photo, photographer = story_columns(model)
    connection = connections[using]
    # SQLite builds before 3.38 may lack JSON functions; Django knows.
    json_vendor = (
        connection.vendor
        if connection.vendor in JSON_FUNCTIONS
        and connection.features.supports_json_field
        else None
    )
    adapt = connection.ops.adapt_datetimefield_value
    start, end = day_bounds
    params = {"slug": slug, "start": adapt(start), "end": adapt(end)}
    if public_statuses:
        params |= numbered("status", [str(status) for status in public_statuses])
        params["now"] = adapt(timezone.now())
    query = story_query(model, len(public_statuses), json_vendor)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    if not rows:
        raise model.DoesNotExist(f"No story at {start:%Y/%m/%d}/{slug}/.")
    if len(rows) > 1:
        raise model.MultipleObjectsReturned(f"Two stories at {start:%Y/%m/%d}/{slug}/.")
    row = rows[0]
    split = (len(article.names), len(article.names) + len(photo.names))
    models_end = split[1] + len(photographer.names)
    story = article.instance(row[: split[0]], connection)
    lead_photo = photo.instance(row[split[0] : split[1]], connection)
    if lead_photo is not None:
        photographer_found = photographer.instance(
            row[split[1] : models_end], connection
        )
        photo.model.photographer.field.set_cached_value(lead_photo, photographer_found)
    model.lead_photo.field.set_cached_value(story, lead_photo)
    if json_vendor is None:
        attach_story_relations([story], using)
        return story
    relations, corrected = row[models_end:]
    # As text on both: orjson reads it in a fraction of the time psycopg's
    # json.loads() would take.
    relations = orjson.loads(relations) if relations else []
    corrections = corrections_of([story], using) if corrected else {story.pk: []}
    attach_relations([story], relations, corrections, using, prefetch=False)
    return story


def attach_story_relations(articles, using):
    """Load what the story page shows of each article: two queries in all."""
    if not articles:
        return
    rows = relation_rows(RELATIONS, articles, using)
    attach_relations(articles, rows, corrections_of(articles, using), using)


def relation_rows(relations, articles, using):
    """The rows of relations (RELATIONS or some of its branches) for articles."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            relations.format(chosen=f"IN ({named('id', len(articles))})"),
            numbered("id", [a.pk for a in articles]),
        )
        return cursor.fetchall()


def attach_listing_relations(stories, using):
    """What a list shows of each story, in one query (LISTING_RELATIONS).

    Its byline (article.byline_authors), its tags (tags.all()) and, where the
    story came with its lead photo, the photo's agencies for the credit line,
    left where prefetch_related would leave them. Three ORM queries did this,
    each costing the client more to compose and to make instances from than
    the database took to answer it.
    """
    if not stories:
        return
    loaded = relation_instances(relation_rows(LISTING_RELATIONS, stories, using), using)
    lead_photo = stories[0]._meta.get_field("lead_photo")
    for story in stories:
        prefetched(story, "authors", Person, loaded[story.pk, "authors"])
        prefetched(story, "tags", Tag, loaded[story.pk, "tags"])
        # Stories that share a photo each hold an instance of their own.
        if lead_photo.is_cached(story) and story.lead_photo is not None:
            attach_agencies(story.lead_photo, loaded[story.pk, "agencies"])


def attach_agencies(photo, links):
    """The photo's agency links in line order, as prefetch_related leaves them."""
    for link in links:
        link.credit = photo
    prefetched(photo, "agency_links", PhotoCreditAgency, links)


def corrections_of(articles, using):
    """{article id: its corrections}, in the order the page lists them."""
    corrections = {a.pk: [] for a in articles}
    selected = corrections_columns()
    query = CORRECTIONS.format(
        columns=", ".join(selected.columns), ids=named("id", len(articles))
    )
    with connections[using].cursor() as cursor:
        cursor.execute(query, numbered("id", [a.pk for a in articles]))
        for row in cursor.fetchall():
            correction = selected.instance(row, connections[using])
            corrections[correction.article_id].append(correction)
    return corrections


def relation_instances(rows, using):
    """{(article id, relation): instances} from RELATIONS rows, each list in order.

    A person named several times (author, speaker) is one instance.
    """
    rows.sort(key=lambda row: (row[0], row[1], SORT_KEYS[row[0]](row)))
    loaded = defaultdict(list)
    people = {}

    def person(row):
        if row[3] not in people:
            people[row[3]] = from_row(Person, using, PERSON_FIELDS, row[3:9])
        return people[row[3]]

    for row in rows:
        relation, article_id = row[0], row[1]
        if relation in ("authors", "people"):
            found = person(row)
        elif relation == "quotes":
            found = from_row(
                Quote,
                using,
                QUOTE_FIELDS,
                (row[9], article_id, row[3], *row[10:12], row[2]),
            )
            # speaker_id is in the row: only the instance needs remembering.
            Quote.speaker.field.set_cached_value(found, person(row))
        elif relation == "tags":
            found = from_row(Tag, using, ["id", "name", "slug"], row[3:6])
        else:
            found = from_row(
                PhotoCreditAgency,
                using,
                ["id", "agency_id", "position"],
                (row[9], row[3], row[2]),
            )
            found.agency = from_row(Agency, using, ["id", "name"], row[3:5])
        loaded[article_id, relation].append(found)
    return loaded


def attach_relations(articles, rows, corrections, using, *, prefetch=True):
    """Fill in each article's relations from RELATIONS rows, as prefetch_related would.

    Article.relations lists them; with prefetch, each article's related
    managers list them too (.all() without a query), as for_story_page()
    promises. A reader's story page reads only Article.relations, so
    load_story() leaves the managers alone: making their querysets was a
    tenth of its time.
    """
    loaded = relation_instances(rows, using)

    for article in articles:
        if prefetch:
            for relation, model in (
                ("authors", Person),
                ("people", Person),
                ("quotes", Quote),
                ("tags", Tag),
            ):
                prefetched(article, relation, model, loaded[article.pk, relation])
        for quote in loaded[article.pk, "quotes"]:
            Quote.article.field.set_cached_value(quote, article)
        attach_corrections(article, corrections[article.pk], loaded, prefetch)
        article.relations = Relations(
            *(
                loaded[article.pk, name]
                for name in ("authors", "people", "quotes", "tags")
            ),
            corrections[article.pk],
        )
        if article.lead_photo is not None:
            attach_agencies(article.lead_photo, loaded[article.pk, "agencies"])


def attach_corrections(article, corrections, loaded, prefetch=True):
    """The article's corrections, each with its quote, as prefetch_related leaves them."""
    quotes = {quote.pk: quote for quote in loaded[article.pk, "quotes"]}
    for correction in corrections:
        correction.article = article
        if correction.quote_id in quotes:
            correction.quote = quotes[correction.quote_id]
        elif correction.quote_id is None:
            correction.quote = None
        # Otherwise a quote of another story (loaddata skips clean()): it
        # loads itself if the page asks for it.
    if prefetch:
        prefetched(article, "corrections", Correction, corrections)
