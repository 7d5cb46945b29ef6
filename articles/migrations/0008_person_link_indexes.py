from django.db import migrations

# Article.people and Article.authors use the through tables Django creates, which
# take no Meta.indexes, so their indexes are made here in SQL both databases read.
# Django indexes person_id alone; with the article id beside it a person's
# stories are read from the index without visiting the table (the person page's
# look-up of someone named in 1,100 stories: 764 table pages at 100,000 stories).
LINKS = [
    ("articles_article_people", "article_people_person_idx"),
    ("articles_article_authors", "article_authors_person_idx"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_changed_at_set_on_save"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX {index} ON {table} (person_id, article_id)",
            reverse_sql=f"DROP INDEX {index}",
        )
        for table, index in LINKS
    ]
