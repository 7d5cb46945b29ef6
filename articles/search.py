"""Full-text search over stories: PostgreSQL's tsvector, SQLite's FTS5.

Each database keeps one row per story in its own table, articles_search
(migration 0002 creates whichever the database supports), holding the
headline, dek, body, and the names of the story's people and tags, weighted
in that order. index_articles() keeps it current; signals.py calls it when a
story, its people or its tags change. What readers may see is still decided by
Article.objects.published(): this module only ranks.
"""

import html
import re

from django.db import connection, transaction
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

MAX_RESULTS = 1000
MAX_QUERY_LENGTH = 200
_WORDS = re.compile(r"\w+")


def query_words(query):
    """The words of a reader's query, capped: punctuation and operators are dropped."""
    return _WORDS.findall(query[:MAX_QUERY_LENGTH].lower())[:20]


def document_for(article):
    """The searchable text of a story: headline, dek, body, and names of people and tags."""
    names = [person.name for person in article.people.all()]
    names += [quote.speaker.name for quote in article.quotes.all()]
    names += [tag.name for tag in article.tags.all()]
    return article.headline, article.dek, strip_tags(article.body), " ".join(names)


def index_articles(articles):
    """Write (or rewrite) the search rows of these stories."""
    rows = [(article.pk, *document_for(article)) for article in articles]
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.executemany(
                """
                INSERT INTO articles_search (article_id, document) VALUES (%s,
                    setweight(to_tsvector('english', %s), 'A')
                    || setweight(to_tsvector('english', %s), 'B')
                    || setweight(to_tsvector('english', %s), 'C')
                    || setweight(to_tsvector('english', %s), 'B'))
                ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document
                """,
                rows,
            )
        else:
            cursor.executemany(
                "DELETE FROM articles_search WHERE rowid = %s",
                [(row[0],) for row in rows],
            )
            cursor.executemany(
                "INSERT INTO articles_search (rowid, headline, dek, body, names)"
                " VALUES (%s, %s, %s, %s, %s)",
                rows,
            )


def forget_articles(ids):
    with connection.cursor() as cursor:
        column = "article_id" if connection.vendor == "postgresql" else "rowid"
        cursor.executemany(
            f"DELETE FROM articles_search WHERE {column} = %s", [(i,) for i in ids]
        )


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


def highlight(text, query, *, words=30):
    """A window of text around the first match, escaped, matches in <mark>."""
    terms = query_words(query)
    plain = " ".join(html.unescape(strip_tags(text)).split())
    if not terms:
        return mark_safe(html.escape(plain))
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(t) for t in terms) + r")\w*", re.IGNORECASE
    )
    tokens = plain.split(" ")
    first = next((i for i, token in enumerate(tokens) if pattern.search(token)), 0)
    start = max(0, first - words // 3)
    window = " ".join(tokens[start : start + words])
    # Mark the plain text, then escape the pieces: matching escaped text would
    # find "amp" inside "&amp;".
    pieces, position = [], 0
    for match in pattern.finditer(window):
        pieces.append(html.escape(window[position : match.start()]))
        pieces.append(f"<mark>{html.escape(match.group(0))}</mark>")
        position = match.end()
    pieces.append(html.escape(window[position:]))
    marked = "".join(pieces)
    prefix = "… " if start else ""
    suffix = " …" if start + words < len(tokens) else ""
    return mark_safe(prefix + marked + suffix)


def reindex(ids, batch=500):
    """Rebuild the search rows of the stories with these ids, a batch at a time."""
    from django.db.models import Prefetch

    from .models import Article, Quote

    ids = sorted(set(ids))
    for start in range(0, len(ids), batch):
        articles = Article.objects.filter(
            pk__in=ids[start : start + batch]
        ).prefetch_related(
            "people",
            "tags",
            Prefetch("quotes", queryset=Quote.objects.select_related("speaker")),
        )
        index_articles(articles)


def rebuild():
    """Rebuild every story's search row; for bulk loads that skip signals."""
    from .models import Article

    # One transaction: readers keep the old index until the new one is whole.
    with transaction.atomic():
        ids = list(Article.objects.values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM articles_search")
        reindex(ids)
    return len(ids)
