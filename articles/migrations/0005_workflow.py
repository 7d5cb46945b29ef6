from datetime import timedelta

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models
from django.db.models import F, Q

MODELS = ["article", "person", "quote", "photocredit", "photocreditagency", "agency"]

GROUPS = {
    # Write and edit their own drafts (ArticleAdmin limits which), submit them
    # for review, and add the people, quotes and photo credits a story needs.
    "Reporter": [
        *[
            f"{action}_{model}"
            for action in ("add", "change", "view")
            for model in MODELS
        ],
        "delete_quote",
        "add_tag",
        "change_tag",
        "view_tag",
        "view_correction",
    ],
    # Everything on stories, including publishing and corrections. Nobody may
    # delete a correction: they are struck instead.
    "Editor": [
        *[
            f"{action}_{model}"
            for action in ("add", "change", "delete", "view")
            for model in [*MODELS, "tag"]
        ],
        "publish_article",
        "add_correction",
        "change_correction",
        "view_correction",
    ],
}


def create_groups(apps, schema_editor):
    # On a fresh database permissions are only made after every migration has
    # run; make them now so the groups get real ones.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label__in=["articles", "taggit"], codename__in=codenames
        )
        assert permissions.count() == len(codenames), name
        group.permissions.add(*permissions)


def clear_unmeant_update_times(apps, schema_editor):
    # updated_at was the time of any save; readers saw it only when it came more
    # than ten minutes after publication. Keep exactly those as update times.
    Article = apps.get_model("articles", "Article")
    Article.objects.filter(
        Q(published_at__isnull=True)
        | Q(updated_at__lte=F("published_at") + timedelta(minutes=10))
    ).update(updated_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_list_indexes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        (
            "taggit",
            "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx",
        ),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="article",
            options={
                "get_latest_by": "published_at",
                "ordering": ["-published_at", "-pk"],
                "permissions": [
                    ("publish_article", "Can publish, schedule and unpublish articles")
                ],
            },
        ),
        migrations.AddField(
            model_name="article",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="Who started the story; a reporter may change only their own drafts.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                serialize=False,
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("review", "In review"),
                    ("scheduled", "Scheduled"),
                    ("published", "Published"),
                ],
                db_index=True,
                default="draft",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="updated_at",
            field=models.DateTimeField(
                blank=True,
                help_text="The update time readers see: set by meaningful edits and corrections after publication.",
                null=True,
            ),
        ),
        migrations.CreateModel(
            name="Correction",
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
                    "text",
                    models.TextField(
                        help_text="What was wrong and what is right, as readers will read it."
                    ),
                ),
                (
                    "published_at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now
                    ),
                ),
                (
                    "struck_at",
                    models.DateTimeField(blank=True, editable=False, null=True),
                ),
                (
                    "strike_note",
                    models.TextField(
                        blank=True,
                        help_text="Why the correction was withdrawn. Writing a note strikes the correction; it stays on the record.",
                    ),
                ),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="corrections",
                        to="articles.article",
                    ),
                ),
                (
                    "quote",
                    models.ForeignKey(
                        blank=True,
                        help_text="The quote this corrects, if it corrects one.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="corrections",
                        to="articles.quote",
                    ),
                ),
            ],
            options={
                "ordering": ["published_at", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("article", "published_at"),
                        name="unique_correction_time",
                    )
                ],
            },
        ),
        migrations.RunPython(clear_unmeant_update_times, migrations.RunPython.noop),
        migrations.RunPython(create_groups, migrations.RunPython.noop),
    ]
