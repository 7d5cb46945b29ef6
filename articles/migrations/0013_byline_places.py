"""Bylines get places: Article.authors goes through ArticleAuthor, with a position.

The rows stay in the table Django made for the plain many-to-many field
(articles_article_authors), so the state takes it over as it is, as Django's
documentation does for "changing a ManyToManyField to use a through model".
Each story's authors are then numbered in the order readers saw them until
now: by name, then id, as the story page sorted them.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def place_in_name_order(apps, schema_editor):
    """Number each story's authors 1, 2, ... by name, then id: the byline as shown."""
    ArticleAuthor = apps.get_model("articles", "ArticleAuthor")
    links = ArticleAuthor.objects.using(schema_editor.connection.alias)
    # Sorted here, not by the database: PostgreSQL's collation and SQLite's
    # would disagree on some names, and the story page compared them in Python.
    rows = sorted(
        links.values_list("pk", "article_id", "person__name", "person_id"),
        key=lambda row: (row[1], row[2], row[3]),
    )
    numbered, article, place = [], None, 0
    for pk, article_id, _, _ in rows:
        place = place + 1 if article_id == article else 1
        article = article_id
        numbered.append(ArticleAuthor(pk=pk, position=place))
    links.bulk_update(numbered, ["position"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_correction_struck_by"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table, its unique pair and 0008's index exist already.
            state_operations=[
                migrations.CreateModel(
                    name="ArticleAuthor",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "article",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="author_links",
                                to="articles.article",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="byline_links",
                                to="articles.person",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "articles_article_authors",
                        "unique_together": {("article", "person")},
                        "indexes": [
                            models.Index(
                                fields=["person", "article"],
                                name="article_authors_person_idx",
                            )
                        ],
                    },
                ),
                migrations.AlterField(
                    model_name="article",
                    name="authors",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text="The byline, in its order. Leave empty when the copy names none.",
                        related_name="authored_articles",
                        through="articles.ArticleAuthor",
                        to="articles.person",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="articleauthor",
            name="position",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.RunPython(place_in_name_order, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="articleauthor",
            name="position",
            field=models.PositiveSmallIntegerField(
                null=True,
                blank=True,
                help_text="Place in the byline; filled in after the last when left empty.",
                validators=[django.core.validators.MaxValueValidator(999)],
            ),
        ),
        migrations.AlterUniqueTogether(name="articleauthor", unique_together=set()),
        migrations.AddConstraint(
            model_name="articleauthor",
            constraint=models.UniqueConstraint(
                fields=("article", "person"), name="unique_article_author"
            ),
        ),
        migrations.AddConstraint(
            model_name="articleauthor",
            constraint=models.UniqueConstraint(
                fields=("article", "position"), name="unique_author_position"
            ),
        ),
        migrations.AlterModelOptions(
            name="articleauthor",
            options={
                "ordering": ["position"],
                "verbose_name": "author in byline",
                "verbose_name_plural": "authors in byline",
            },
        ),
    ]
