"""Addresses a story has left, kept so that links to them still lead to it.

A story's address is its publication day and its slug (/2022/02/15/<slug>/).
Readers, other sites and search engines hold the address a story went out at;
when an editor takes a story down to correct its slug or its time, and
publishes it again, the old address would answer 404. Article.save() keeps
the address it leaves here instead, and the story page sends a reader who
asks for it on to the story where it is now (ArticleDetailView), as long as
the story is public and no other story has taken the address since.

Only an address whose day has come is kept: one that was only ever planned
was never given out. An address belongs to the story that left it last.
"""

from contextlib import contextmanager

from django.db import models
from django.utils import timezone


class FormerAddressQuerySet(models.QuerySet):
    def get_by_natural_key(self, day, slug):
        return self.get(day=day, slug=slug)

    def leading_to(self, day, slug):
        """The public story that left the address day/slug, or None."""
        from .stories import Article

        former = self.filter(
            day=day, slug=slug, article__in=Article.objects.published()
        ).select_related("article")
        found = former.first()
        return found.article if found else None

    @contextmanager
    def kept_on_moving(self, article):
        """Around a write of article's row: keep the address it leaves, if any.

        Reads where the stored row stands before the write (nothing for a new
        row) and keeps that address once the write is done; for Article.save()
        and for loaddata, which writes rows raw, past save().
        """
        left = (
            type(article)
            ._base_manager.using(self.db)
            .filter(pk=article.pk)
            .values_list("published_at", "slug")
            .first()
            if article.pk is not None
            else None
        )
        yield
        if left is not None:
            self.keep(article, *left)

    def keep(self, article, published_at, slug):
        """Keep article's address before a save moved it: published_at and slug.

        Nothing for an undated story or one whose time had not come; the
        address the story now has is no longer a former one.
        """
        now = timezone.now()
        left = day_of(published_at), slug
        current = day_of(article.published_at), article.slug
        if left == current:
            return
        if published_at is not None and published_at <= now:
            self.update_or_create(
                day=left[0], slug=slug, defaults={"article": article, "left_at": now}
            )
        if current[0] is not None:
            self.filter(article=article, day=current[0], slug=current[1]).delete()


def day_of(moment):
    """The day an address carries for a publication time (the site's zone)."""
    return timezone.localtime(moment).date() if moment is not None else None


class FormerAddress(models.Model):
    """An address article went out at before its slug or time was corrected."""

    article = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="former_addresses"
    )
    day = models.DateField(help_text="The publication day the address carried.")
    slug = models.SlugField(max_length=200)
    left_at = models.DateTimeField(
        default=timezone.now, help_text="When the story moved away from it."
    )

    objects = FormerAddressQuerySet.as_manager()

    class Meta:
        ordering = ["-left_at", "pk"]
        verbose_name_plural = "former addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "slug"], name="unique_former_address"
            )
        ]

    def __str__(self):
        return f"/{self.day:%Y/%m/%d}/{self.slug}/"

    def natural_key(self):
        return (self.day.isoformat(), self.slug)

    natural_key.dependencies = ["articles.article"]
