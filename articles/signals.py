"""Search and page-cache upkeep, connected in ArticlesConfig.ready().

Connected in ArticlesConfig.ready(). Each search receiver names the stories a
change touches; search.reindex_on_commit() indexes each of them once, when the
transaction commits. Any change to the content also starts a new page-cache
generation. Bulk updates skip signals; run ``manage.py rebuild_search_index``
after them, and have them call ``caching.bump_generation()`` on commit.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from taggit.models import Tag

from . import caching, search
from .models import Article, ArticleAuthor, Person, Quote, TaggedArticle


@receiver(post_save, sender=Article)
def index_article(sender, instance, **kwargs):
    search.reindex_on_commit([instance.pk])


@receiver(post_delete, sender=Article)
def forget_article(sender, instance, **kwargs):
    search.reindex_on_commit([instance.pk])


@receiver(m2m_changed, sender=Article.people.through)
def index_people_change(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:
        if action.startswith("post_"):
            search.reindex_on_commit([instance.pk])
    elif action == "pre_clear":
        # person.articles.clear() tells post_clear no ids: note them first.
        instance._cleared_article_ids = list(
            instance.articles.values_list("pk", flat=True)
        )
    elif action == "post_clear":
        search.reindex_on_commit(getattr(instance, "_cleared_article_ids", []))
    elif action.startswith("post_"):
        search.reindex_on_commit(pk_set or [])


@receiver(post_save, sender=ArticleAuthor)
@receiver(post_delete, sender=ArticleAuthor)
def index_byline_change(sender, instance, **kwargs):
    # Removing and clearing authors delete their rows one by one: this hears it.
    search.reindex_on_commit([instance.article_id])


@receiver(m2m_changed, sender=Article.authors.through)
def index_authors_added(sender, instance, action, reverse, pk_set, **kwargs):
    # authors.add() creates its rows in bulk, without post_save.
    if action == "post_add":
        search.reindex_on_commit(list(pk_set or []) if reverse else [instance.pk])


@receiver(post_save, sender=TaggedArticle)
@receiver(post_delete, sender=TaggedArticle)
def index_tag_change(sender, instance, **kwargs):
    search.reindex_on_commit([instance.content_object_id])


@receiver(post_save, sender=Quote)
@receiver(post_delete, sender=Quote)
def index_quote_change(sender, instance, **kwargs):
    search.reindex_on_commit([instance.article_id])


@receiver(post_save, sender=Person)
def index_renamed_person(sender, instance, created, **kwargs):
    if not created:
        featuring = Article.objects.featuring(instance).values_list("pk", flat=True)
        search.reindex_on_commit(list(featuring))


@receiver(pre_delete, sender=Person)
def note_stories_of_deleted_person(sender, instance, **kwargs):
    featuring = Article.objects.featuring(instance).values_list("pk", flat=True)
    instance._article_ids = list(featuring)


@receiver(post_delete, sender=Person)
def index_deleted_person(sender, instance, **kwargs):
    search.reindex_on_commit(getattr(instance, "_article_ids", []))


@receiver(post_save, sender=Tag)
def index_renamed_tag(sender, instance, created, **kwargs):
    if not created:
        tagged = TaggedArticle.objects.filter(tag=instance).values_list(
            "content_object_id", flat=True
        )
        search.reindex_on_commit(list(tagged))


# Page cache upkeep. Any committed write to a model of this app or taggit (and
# their many-to-many through tables) may change a public page, so every one of
# them starts a new page-cache generation: models added later are covered
# without a line here. On commit, so that no instance can re-cache the old page
# between the bump and the commit.
PAGE_APPS = {"articles", "taggit"}


def _affects_pages(sender):
    return getattr(getattr(sender, "_meta", None), "app_label", None) in PAGE_APPS


@receiver(post_save)
@receiver(post_delete)
@receiver(m2m_changed)
def refresh_pages(sender, action="post_", **kwargs):
    # loaddata (raw saves) changes pages too; m2m changes count once, after.
    if _affects_pages(sender) and action.startswith("post_"):
        transaction.on_commit(caching.bump_generation)
