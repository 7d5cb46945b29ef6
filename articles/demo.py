"""Reproducible demo content: fictional stories, people, quotes and photos.

Every story is marked with the source "Generated demo content". Quotes are
written into their bodies, photos are drawn with Pillow (nothing is
downloaded), and rows go in by the batch: bulk_create on SQLite, COPY on
PostgreSQL.
"""

import contextlib
import io
import random
from datetime import UTC, datetime, timedelta

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils.text import slugify
from PIL import Image, ImageDraw
from taggit.models import Tag

from . import caching, search
from .models import (
    Agency,
    Article,
    Person,
    PhotoCredit,
    PhotoCreditAgency,
    Quote,
    Status,
    TaggedArticle,
)

SOURCE = "Generated demo content"
FIRST = "Ana Tomas Lena Oskar Mira Jonas Ines Pavel Sofia Karim Elif Marta Noah Yara Ivo Lucia".split()
LAST = "Duarte Lindqvist Okafor Novak Haddad Moreau Castillo Brandt Ivanova Sato Mensah Rossi".split()
ROLES = [
    "Finance Minister",
    "Mayor",
    "Health Minister",
    "spokesperson for the city council",
    "professor of economics at the state university",
    "union leader",
    "police chief",
]
PLACES = (
    "Lisbon Riga Nairobi Santiago Hamburg Osaka Tunis Quito Gdansk Auckland".split()
)
TOPICS = [
    "budget",
    "transit",
    "housing",
    "floods",
    "elections",
    "schools",
    "harbor",
    "heat wave",
]
VERBS = ["approves", "delays", "debates", "rejects", "expands", "reviews"]
SAYINGS = [
    "We will not leave anyone behind",
    "The numbers simply do not add up",
    "This is the most important vote of the year",
    "Families deserve an answer before winter",
    "We have asked for this for a decade",
    "Nobody in this city should have to wait that long",
]


def draw_photo(rng, index, width=1600, height=1000):
    """A generated test pattern, as a JPEG file: no photograph is downloaded."""
    image = Image.new(
        "RGB", (width, height), tuple(rng.randrange(40, 200) for _ in range(3))
    )
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(60, 320)
        draw.ellipse(
            (x - r, y - r, x + r, y + r),
            fill=tuple(rng.randrange(256) for _ in range(3)),
        )
    draw.rectangle((0, height - 90, width, height), fill=(20, 20, 20))
    draw.text((40, height - 70), f"Newsroom demo image {index}", fill=(240, 240, 240))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return ContentFile(buffer.getvalue(), name=f"demo-{index}.jpg")


STAFF = "Hanna Berg|Tomas Rey|Priya Nair|Daniel Okoye|Lea Vogel|Marco Bianchi".split(
    "|"
)
DEKS = [
    "The decision follows months of argument in the council chamber.",
    "Residents have waited years for an answer.",
    "Critics say the plan comes too late; supporters call it overdue.",
    "",
]
FIRST_DAY = datetime(2021, 1, 1, 6, tzinfo=UTC)
LAST_DAY = datetime(2025, 12, 31, 18, tzinfo=UTC)


def plan_story(rng, n, *, seed, people, writers, tags, credits):
    """One story as plain values: the article row and the ids of what it links to."""
    place, topic = rng.choice(PLACES), rng.choice(TOPICS)
    speakers = rng.sample(people, 2)
    said = [rng.choice(SAYINGS) for _ in speakers]
    body = [
        f"Officials in {place} on {rng.choice(['Monday', 'Tuesday', 'Thursday'])} "
        f"moved ahead with plans on {topic}, demo story number {n}.",
        *[
            f"“{words},” {p.name} said."
            for words, p in zip(said, speakers, strict=True)
        ],
        f"A final decision on the {topic} plan is expected next month.",
    ]
    span = (LAST_DAY - FIRST_DAY).total_seconds()
    article = Article(
        headline=f"{place} {rng.choice(VERBS)} {topic} plan",
        slug=f"{slugify(place)}-{slugify(topic)}-{seed}-{n}",
        dek=rng.choice(DEKS),
        dateline=place.upper(),
        body="\n\n".join(body),
        source=SOURCE,
        status=Status.DRAFT if rng.random() < 0.05 else Status.PUBLISHED,
        published_at=(FIRST_DAY + timedelta(seconds=int(rng.random() * span))),
        lead_photo_id=rng.choice(credits).pk
        if credits and rng.random() < 0.3
        else None,
    )
    chosen = {tags[place].pk, rng.choice(list(tags.values())).pk}
    return article, {
        "author": rng.choice(writers).pk,
        "quotes": [(p.pk, words) for p, words in zip(speakers, said, strict=True)],
        "tags": sorted(chosen),
    }


def generate(*, articles, seed=1, photos=6, batch=5000, progress=lambda message: None):
    """Create `articles` demo stories with their people, quotes, tags and photos.

    Rows go in with create_stories and insert_rows, which send no signals, so
    the new stories are indexed for search at the end, a statement per 2,000.
    """
    # Not inside a caller's transaction (a test's, or with autocommit off).
    own_transaction = connection.get_autocommit()
    made = load(
        articles=articles,
        seed=seed,
        photos=photos,
        batch=batch,
        progress=progress,
        keys_checked_at_end=own_transaction,
    )
    if connection.vendor == "postgresql" and own_transaction:
        # Marks the new rows visible to all, so counts read the index alone
        # (the sitemap index: 38 -> 23 ms at 100,000). VACUUM cannot run
        # inside a transaction, so tests skip it.
        progress("vacuuming")
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(filled_tables())}")
    return made


@transaction.atomic
def load(*, articles, seed, photos, batch, progress, keys_checked_at_end=False):
    """generate()'s rows, in one transaction.

    keys_checked_at_end: on PostgreSQL, check the filled tables' foreign
    keys once, after the load (foreign_keys_checked_at_end); only
    for a transaction of load's own, as it locks those tables until its end.
    """
    rng = random.Random(seed)
    if Person.objects.filter(
        slug__startswith="demo-", slug__endswith=f"-{seed}"
    ).exists():
        raise ValueError(
            f"Demo content for seed {seed} exists already; choose another --seed."
        )
    names = sorted({f"{first} {last}" for first in FIRST for last in LAST})
    people = Person.objects.bulk_create(
        [
            Person(
                name=name, slug=f"demo-{slugify(name)}-{seed}", role=rng.choice(ROLES)
            )
            for name in names[: max(20, articles // 50)]
        ]
    )
    writers = Person.objects.bulk_create(
        [
            Person(name=name, slug=f"demo-{slugify(name)}-{seed}", role="staff writer")
            for name in STAFF
        ]
    )
    agency, _ = Agency.objects.get_or_create(name="Demo Wire")
    credits = []
    for index in range(photos):
        credit = PhotoCredit(
            slug=f"demo-photo-{seed}-{index}",
            caption=f"A generated test pattern for demo stories ({index + 1} of {photos}).",
            alt_text="Coloured circles on a plain background: a generated demo image.",
            photographer=rng.choice(people),
        )
        credit.image.save(
            f"demo-{seed}-{index}.jpg", draw_photo(rng, index), save=False
        )
        credit.save()
        PhotoCreditAgency.objects.create(credit=credit, agency=agency, position=1)
        credits.append(credit)
    tags = {
        name: Tag.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]
        for name in PLACES + TOPICS
    }
    bulk_load = (
        foreign_keys_checked_at_end(filled_tables())
        if keys_checked_at_end and connection.vendor == "postgresql"
        else contextlib.nullcontext()
    )
    with bulk_load:
        made = write_stories(
            rng,
            articles,
            seed=seed,
            batch=batch,
            progress=progress,
            people=people,
            writers=writers,
            tags=tags,
            credits=credits,
        )
    analyze()
    progress("indexing for search")
    search.reindex(made)
    # bulk_create and insert_rows skip the signals that keep cached pages current.
    transaction.on_commit(caching.bump_generation)
    return len(made)


def write_stories(rng, articles, *, seed, batch, progress, **chosen):
    """Plan and write `articles` stories with their links, `batch` at a time."""
    made = []
    for start in range(0, articles, batch):
        planned = [
            plan_story(rng, n, seed=seed, **chosen)
            for n in range(start, min(start + batch, articles))
        ]
        create_stories([article for article, _ in planned])
        links = [(article.pk, plan) for article, plan in planned]
        write_links(links)
        made += [pk for pk, _ in links]
        progress(f"{len(made)}/{articles} stories")
    return made


@contextlib.contextmanager
def foreign_keys_checked_at_end(tables):
    """Drop the tables' foreign keys for the block, then add them back (PostgreSQL).

    PostgreSQL's advice for bulk loads ("Populating a Database": remove
    foreign key constraints): a key checked row by row looks its target up
    once per new row, 1.4 million look-ups for 100,000 stories' links, about
    16 µs each here, where adding the key back checks every row with one
    join. The keys come back exactly as they were (pg_get_constraintdef), in
    the same transaction: if the load or a check fails, the rollback restores
    them with the rows. Until the commit the tables stay locked, so this is
    only for generate_demo's own transaction.
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # A table with rows still to check (Django's keys are checked at
        # COMMIT) cannot be altered: check them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            "  FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = ANY(CAST(%s AS regclass[]))"
            " ORDER BY conrelid, conname",
            [tables],
        )
        keys = cursor.fetchall()
        for table, name, _ in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}"
            )


def analyze():
    """Give the query planner statistics for the tables just filled.

    Without them PostgreSQL plans the search indexing's look-ups of each
    story's people, quotes and tags as sequential scans (12 s instead of 1 s
    per table at 100,000 stories), and both databases guess at which index
    serves a tag or person page.
    """
    tables = filled_tables()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


def filled_tables():
    return [
        model._meta.db_table
        for model in (
            Article,
            Article.authors.through,
            Article.people.through,
            Quote,
            TaggedArticle,
            Person,
            PhotoCredit,
            Tag,
        )
    ]


def create_stories(stories):
    """Article.objects.bulk_create(stories), primary keys filled in; COPY on PostgreSQL.

    There a multi-row INSERT of 5,000 stories sends 85,000 parameters that
    psycopg finds in the statement's text and the server parses: 10 of
    bulk_create's 16 s for 100,000 stories. COPY takes the same rows, each
    value prepared by its field as bulk_create prepares it, with ids taken
    from the table's own sequence beforehand.
    """
    if connection.vendor != "postgresql":
        Article.objects.bulk_create(stories)  # fills in the keys on SQLite too
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id'))"
            "  FROM generate_series(1, %s)",
            [Article._meta.db_table, len(stories)],
        )
        for story, (pk,) in zip(stories, cursor.fetchall(), strict=True):
            story.pk = pk
    fields = Article._meta.concrete_fields
    insert_rows(
        Article,
        [field.name for field in fields],
        [
            [prepared(field, field.pre_save(story, True)) for field in fields]
            for story in stories
        ],
    )
    for story in stories:
        story._state.adding = False
        story._state.db = connection.alias


def prepared(field, value):
    """value as field.get_db_prep_save() prepares it for PostgreSQL's COPY, sooner.

    Django leaves None, plain text and datetimes that carry a time zone
    unchanged, and wraps whole numbers only to type them for server-side
    binding (COPY types each value by its column). Each took it 2 to 12 µs:
    7.5 s of generate_demo's time for 100,000 stories' 17 fields.
    """
    kind = type(value)
    if value is None or kind is str or kind is int:
        return value
    if kind is datetime and value.tzinfo is not None:
        return value
    return field.get_db_prep_save(value, connection)


def write_links(links):
    """Bylines, people, quotes and tags of freshly created stories."""
    insert_rows(
        Article.authors.through,
        ["article", "person", "position"],
        [(pk, plan["author"], 1) for pk, plan in links],
    )
    insert_rows(
        Article.people.through,
        ["article", "person"],
        [(pk, person) for pk, plan in links for person, _ in plan["quotes"]],
    )
    insert_rows(
        Quote,
        ["article", "speaker", "text", "context", "order", "version"],
        [
            (pk, person, words + ",", "", order, 1)
            for pk, plan in links
            for order, (person, words) in enumerate(plan["quotes"], 1)
        ],
    )
    insert_rows(
        TaggedArticle,
        ["content_object", "tag"],
        [(pk, tag) for pk, plan in links for tag in plan["tags"]],
    )


def insert_rows(model, fields, rows):
    """Link rows that need no model logic and send no signals, in bulk.

    bulk_create builds a model instance per row and prepares every value
    through its field: for some 700,000 link rows that was half of generate_demo's
    time. PostgreSQL takes them with COPY; a multi-row INSERT there cost
    psycopg more than the server, splitting each statement's 10,000
    placeholders with a regular expression (5.5 of 24 s for 30,000 stories).
    SQLite takes multi-row INSERTs.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's cursor does not wrap copy(): its errors are made
            # Django's (IntegrityError, ...) here.
            with (
                connection.wrap_database_errors,
                cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for values in rows:
                    copy.write_row(values)
            return
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        # Within SQLite's limit on parameters per statement.
        size = min(connection.ops.bulk_batch_size(fields, rows), 5000)
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES "
                + ", ".join([row] * len(chunk)),
                [value for values in chunk for value in values],
            )
