"""Full-text search over stories: PostgreSQL's tsvector, SQLite's FTS5.

Each database keeps one row per story in its own table, articles_search
(migration 0002 creates whichever the database supports), holding the
headline, dek, body, and the names of the story's authors, people and tags, weighted
in that order. The database builds each row from the story's own tables
(reindex(), rebuild()); signals.py asks for a reindex, once per story per
transaction, when a story, its people, quotes or tags change. What readers
may see is still decided by Article.objects.published(): this module only
ranks.
"""

import html
import re
import threading

from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

MAX_RESULTS = 1000
MAX_QUERY_LENGTH = 200
_WORDS = re.compile(r"\w+")


def query_words(query):
    """The words of a reader's query, capped: punctuation and operators are dropped.

    Python lowercases the Turkish capital İ to "i" and a combining dot, which
    split "İstanbul" into the words "i" and "stanbul"; both databases index
    it as "istanbul".
    """
    lowered = query[:MAX_QUERY_LENGTH].lower().replace("i\u0307", "i")
    return _WORDS.findall(lowered)[:20]


def ranked_ids(query):
    """Ids of stories matching every word of query, best first (drafts included)."""
    words = query_words(query)
    if not words:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                SELECT article_id FROM articles_search, plainto_tsquery('english', %s) query
                WHERE document @@ query
                ORDER BY ts_rank(document, query) DESC, article_id DESC LIMIT %s
                """,
                [" ".join(words), MAX_RESULTS],
            )
        else:
            match = " ".join(f'"{word}"' for word in words)
            cursor.execute(
                "SELECT rowid FROM articles_search WHERE articles_search MATCH %s"
                " ORDER BY bm25(articles_search, 10.0, 5.0, 1.0, 5.0), rowid DESC LIMIT %s",
                [match, MAX_RESULTS],
            )
        return [row[0] for row in cursor.fetchall()]


def rank_order(ids):
    """An ORDER BY expression for stories: their place in ids (ranked_ids' order).

    One parameter whatever the number of results: a CASE WHEN per result,
    up to MAX_RESULTS of them, cost the ORM 3 ms to compose for each of the
    page's two queries.
    """
    from .models import Article

    column = f'"{Article._meta.db_table}"."id"'
    if connection.vendor == "postgresql":
        return RawSQL(f"array_position(CAST(%s AS bigint[]), {column})", [list(ids)])
    # ",12,5,40," : a story's place in the text orders them as ids does.
    listed = "," + ",".join(str(pk) for pk in ids) + ","
    return RawSQL(f"instr(%s, ',' || {column} || ',')", [listed])


def highlight(text, query, *, words=30):
    """A window of a stored body around the first match, escaped, matches in <mark>."""
    terms = query_words(query)
    plain = " ".join(html.unescape(strip_tags(text)).split())
    if not terms:
        return mark_safe(html.escape(plain))
    pattern = _matching(terms)
    tokens = plain.split(" ")
    first = next((i for i, token in enumerate(tokens) if pattern.search(token)), 0)
    start = max(0, first - words // 3)
    window = " ".join(tokens[start : start + words])
    prefix = "… " if start else ""
    suffix = " …" if start + words < len(tokens) else ""
    return mark_safe(prefix + _marked(window, pattern) + suffix)


def mark_matches(text, query):
    """Plain text, whole and escaped, with the words of query in <mark>.

    For headlines: they are text, so "<b>" and "&amp;" in one are words to
    show, not markup to strip or entities to decode as highlight() does.
    """
    terms = query_words(query)
    if not terms:
        return mark_safe(html.escape(text))
    return mark_safe(_marked(text, _matching(terms)))


def _matching(terms):
    """A pattern finding the words that begin with one of terms."""
    return re.compile(
        r"\b(" + "|".join(re.escape(t) for t in terms) + r")\w*", re.IGNORECASE
    )


def _marked(plain, pattern):
    # Mark the plain text, then escape the pieces: matching escaped text would
    # find "amp" inside "&amp;".
    pieces, position = [], 0
    for match in pattern.finditer(plain):
        pieces.append(html.escape(plain[position : match.start()]))
        pieces.append(f"<mark>{html.escape(match.group(0))}</mark>")
        position = match.end()
    pieces.append(html.escape(plain[position:]))
    return "".join(pieces)


def _index_sql(chosen):
    """INSERT … SELECT building the search rows of the chosen stories.

    chosen completes a condition on a story id column ("IN (%s, %s)",
    "BETWEEN %s AND %s", or "IS NOT NULL" for every story) and is applied to
    the story and to each of its link tables. The database builds the
    documents itself, joining each link table once and grouping, so indexing
    100,000 stories takes seconds (a correlated subquery per story and link
    table took minutes on PostgreSQL).
    """
    from .models import Article, Person, Quote, TaggedArticle

    person, tag = Person._meta.db_table, "taggit_tag"
    named = " UNION ALL ".join(
        f"SELECT link.{owner} AS owner, x.name FROM {table} link"
        f" JOIN {target} x ON x.id = link.{column} WHERE link.{owner} {chosen}"
        for table, target, column, owner in [
            (Article.authors.through._meta.db_table, person, "person_id", "article_id"),
            (Article.people.through._meta.db_table, person, "person_id", "article_id"),
            (Quote._meta.db_table, person, "speaker_id", "article_id"),
            (TaggedArticle._meta.db_table, tag, "tag_id", "content_object_id"),
        ]
    )
    if connection.vendor == "postgresql":
        return f"""
            INSERT INTO articles_search (article_id, document)
            SELECT a.id,
                setweight(to_tsvector('english', a.headline), 'A')
                || setweight(to_tsvector('english', a.dek), 'B')
                || setweight(to_tsvector('english',
                    regexp_replace(a.body, '<[^>]*>', ' ', 'g')), 'C')
                || setweight(to_tsvector('english', coalesce(n.names, '')), 'B')
            FROM {Article._meta.db_table} a
            LEFT JOIN (SELECT owner, string_agg(name, ' ') AS names
                       FROM ({named}) named GROUP BY owner) n ON n.owner = a.id
            WHERE a.id {chosen}
            ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document
        """
    return f"""
        INSERT INTO articles_search (rowid, headline, dek, body, names)
        SELECT a.id, a.headline, a.dek, newsroom_strip_tags(a.body),
            coalesce(n.names, '')
        FROM {Article._meta.db_table} a
        LEFT JOIN (SELECT owner, group_concat(name, ' ') AS names
                   FROM ({named}) GROUP BY owner) n ON n.owner = a.id
        WHERE a.id {chosen}
    """


def _plain_text(body):
    # Demo and wire bodies rarely carry markup; skip the HTML parser when they don't.
    return strip_tags(body) if body and "<" in body else body


def _prepare():
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        # SQLite has no regexp_replace: lend it Django's strip_tags.
        connection.connection.create_function(
            "newsroom_strip_tags", 1, _plain_text, deterministic=True
        )


def id_column():
    """The search table's column holding the story id."""
    return "article_id" if connection.vendor == "postgresql" else "rowid"


def _chosen(ids):
    """A condition on an id column choosing these sorted ids, and its parameters."""
    if ids[-1] - ids[0] == len(ids) - 1:
        # Consecutive ids, as a bulk load makes them: a range is quicker to
        # look up than a list (generate_demo's 100,000 stories indexed in
        # 10.3 s rather than 13.0 s on PostgreSQL, measured in turn).
        return "BETWEEN %s AND %s", [ids[0], ids[-1]]
    return f"IN ({', '.join(['%s'] * len(ids))})", ids


def reindex(ids, batch=2000):
    """Rebuild the search rows of the stories with these ids; deleted ones drop out."""
    ids = sorted(set(ids))
    with connection.cursor() as cursor:
        _prepare()
        for start in range(0, len(ids), batch):
            chosen, params = _chosen(ids[start : start + batch])
            cursor.execute(
                f"DELETE FROM articles_search WHERE {id_column()} {chosen}", params
            )
            cursor.execute(_index_sql(chosen), params * 5)


def rebuild():
    """Rebuild every story's search row; for bulk loads that skip signals."""
    from .models import Article

    # One transaction: readers keep the old index until the new one is whole.
    with transaction.atomic(), connection.cursor() as cursor:
        _prepare()
        cursor.execute("DELETE FROM articles_search")
        cursor.execute(_index_sql("IS NOT NULL"))
    return Article.objects.count()


_pending = threading.local()


def reindex_on_commit(ids):
    """Reindex these stories once, when the current transaction commits.

    Saving a story with twenty tags sends some forty signals; each adds its
    story here, and the first commit callback indexes them all at once.
    Outside a transaction Django runs the callback at once.
    """
    pending = _pending.__dict__.setdefault(connection.alias, set())
    if not connection.run_on_commit:
        # Nothing waits for a commit: ids still here were rolled back.
        pending.clear()
    pending.update(pk for pk in ids if pk is not None)
    # A callback per call, not per transaction: Django drops the callbacks of a
    # rolled-back savepoint, and a flag saying "already scheduled" would outlive it.
    # Robust: the editor's change is committed by then; a failed reindex is
    # logged, and rebuild_search_index repairs it.
    transaction.on_commit(_flush, robust=True)


def _flush():
    pending = _pending.__dict__.setdefault(connection.alias, set())
    ids = list(pending)
    pending.clear()
    if ids:
        reindex(ids)
