"""A story's byline: its authors, each in a place the desk chooses."""

from django.db import models
from django.db.models.signals import m2m_changed, pre_save
from django.dispatch import receiver

from .natural_keys import key_of
from .people import Person
from .places import next_place, place_limit


class ArticleAuthorQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug, published_at, position):
        # As Article's natural key: the slug and the exact publication moment.
        return self.get(
            article__slug=slug, article__published_at=published_at, position=position
        )


class ArticleAuthor(models.Model):
    """One author's place in a story's byline: the lead writer comes first."""

    article = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="author_links"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="byline_links"
    )
    # Null only between a many-to-many add, which cannot give a place (an
    # older dump's "authors" list, authors.add()), and its post_add signal,
    # which numbers the row after the last (place_added_authors()).
    position = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[place_limit],
        help_text="Place in the byline; filled in after the last when left empty.",
    )

    objects = ArticleAuthorQuerySet.as_manager()

    class Meta:
        # The table Django made for the plain many-to-many field this replaced
        # (migration 0013): its rows and migration 0008's index stay as they were.
        db_table = "articles_article_authors"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "person"], name="unique_article_author"
            ),
            models.UniqueConstraint(
                fields=["article", "position"], name="unique_author_position"
            ),
        ]
        indexes = [
            # Person pages: a person's stories from the index alone (0008).
            models.Index(
                fields=["person", "article"], name="article_authors_person_idx"
            ),
        ]
        verbose_name = "author in byline"
        verbose_name_plural = "authors in byline"

    def __str__(self):
        return f"{self.position}. {self.person}"

    def save(self, *args, **kwargs):
        if self.position is None:
            siblings = ArticleAuthor.objects.filter(article_id=self.article_id)
            self.position = next_place(siblings, "position")
        super().save(*args, **kwargs)

    def natural_key(self):
        return key_of(self, "article", 2) + (self.position,)

    natural_key.dependencies = ["articles.article", "articles.person"]


@receiver(pre_save, sender=ArticleAuthor, dispatch_uid="articles-loaded-author-moves")
def move_a_loaded_author(sender, instance, raw=False, using=None, **kwargs):
    """A fixture's byline row takes its person from the row holding them now.

    loaddata writes a dump's rows one by one, each over the row in its place
    (the natural key). Loaded over a byline reordered since, the first row
    named a person another place still held, and the (story, person) index
    refused the whole load. That person's row goes instead: they are moving
    to the place the dump gives them, and the dump's own row for the place
    they leave, if it has one, is written next. loaddata skips save(), so
    this is the one hook on its path (as versions.version_loaded_rows).
    """
    if not raw:
        return
    sender._base_manager.using(using).filter(
        article_id=instance.article_id, person_id=instance.person_id
    ).exclude(pk=instance.pk).delete()


def place_added_authors(sender, instance, action, reverse, pk_set, using, **kwargs):
    """Number authors added through the many-to-many manager after the last place.

    Such an add writes its rows without a place: loaddata of a dump made before
    bylines had places (their "authors" lists, in the name order readers saw
    then), or code calling story.authors.add(). They go last, by name then id,
    as migration 0013 numbered the bylines it found.
    """
    if action != "post_add" or not pk_set:
        return
    links = sender._base_manager.using(using)
    stories = pk_set if reverse else {instance.pk}
    for story in stories:
        unplaced = links.filter(article_id=story, position=None).order_by(
            "person__name", "person_id"
        )
        after = next_place(links.filter(article_id=story), "position")
        for place, link in enumerate(unplaced, after):
            links.filter(pk=link.pk).update(position=place)


m2m_changed.connect(
    place_added_authors,
    sender=ArticleAuthor,
    dispatch_uid="articles-place-added-authors",
)
