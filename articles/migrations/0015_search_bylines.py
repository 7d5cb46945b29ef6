from django.db import migrations


def rebuild_search_index(apps, schema_editor):
    # The index now holds each story's byline too (search._index_sql): build
    # every story's row again, as `manage.py rebuild_search_index` does.
    from articles import search

    search.rebuild()


class Migration(migrations.Migration):
    dependencies = [("articles", "0014_former_addresses")]

    operations = [migrations.RunPython(rebuild_search_index, migrations.RunPython.noop)]
