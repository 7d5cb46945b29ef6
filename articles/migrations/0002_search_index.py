from django.db import migrations

POSTGRESQL = [
    """
    CREATE TABLE articles_search (
        -- No foreign key: Django's flush truncates the models' tables without
        -- CASCADE, which a reference from this table would block. signals.py
        -- deletes a story's row with the story.
        article_id bigint PRIMARY KEY,
        document tsvector NOT NULL
    )
    """,
    "CREATE INDEX articles_search_document ON articles_search USING GIN (document)",
]
SQLITE = [
    """
    CREATE VIRTUAL TABLE articles_search USING fts5(
        headline, dek, body, names, tokenize = 'porter unicode61 remove_diacritics 2'
    )
    """,
]


def create(apps, schema_editor):
    statements = (
        POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
    )
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE articles_search")


class Migration(migrations.Migration):
    """The full-text table of articles/search.py, in the form each database supports."""

    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
