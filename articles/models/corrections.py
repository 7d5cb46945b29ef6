from datetime import UTC

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from .natural_keys import key_of, permanent_id
from .versions import desk_user


class CorrectionDeletionError(ValidationError):
    """Raised on any attempt to delete a correction: they are struck, never removed."""

    def __init__(self):
        super().__init__(
            "Corrections are part of the public record and cannot be deleted; "
            "strike the correction with a note instead."
        )


class CorrectionQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug, article_published_at, published_at):
        # As Article's natural key: the slug and the exact publication moment.
        return self.get(
            article__slug=slug,
            article__published_at=article_published_at,
            published_at=published_at,
        )

    def delete(self):
        raise CorrectionDeletionError()

    delete.queryset_only = True

    def on_published_stories(self):
        """Corrections readers may see: those on stories that are public."""
        article_model = self.model._meta.get_field("article").related_model
        return self.filter(article__in=article_model.objects.published())

    def for_corrections_page(self):
        """Newest first, each with the story it corrects (not the story's body)."""
        return (
            self.on_published_stories()
            .select_related("article", "quote")
            .defer("article__body")
            .order_by("-published_at", "-pk")
        )

    def standing(self):
        """Corrections that have not been struck."""
        return self.filter(struck_at__isnull=True)


class Correction(models.Model):
    """A correction printed at the foot of a story and on the corrections page.

    Never deleted: a correction found to be wrong is struck with a note and
    stays on the record, marked as struck.
    """

    article = models.ForeignKey(
        "articles.Article", on_delete=models.PROTECT, related_name="corrections"
    )
    text = models.TextField(
        help_text="What was wrong and what is right, as readers will read it."
    )
    quote = models.ForeignKey(
        "articles.Quote",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="corrections",
        help_text="The quote this corrects, if it corrects one.",
    )
    published_at = models.DateTimeField(default=timezone.now, db_index=True)
    struck_at = models.DateTimeField(null=True, blank=True, editable=False)
    strike_note = models.TextField(
        blank=True,
        help_text="Why the correction was withdrawn. Writing a note strikes the correction; it stays on the record.",
    )
    struck_by = desk_user(
        "Who struck the correction; empty if it stands, or arrived in a fixture."
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["published_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "published_at"], name="unique_correction_time"
            ),
        ]

    def __str__(self):
        words = self.text if len(self.text) <= 60 else self.text[:59] + "…"
        return f"Correction, {self.published_at:%Y-%m-%d}: {words}"

    def save(self, *args, **kwargs):
        # Whole seconds, like Article.published_at: the time is in the natural key.
        self.published_at = self.published_at.replace(microsecond=0)
        if self.strike_note.strip() and self.struck_at is None:
            # Whole seconds too: dumpdata writes no finer, and the page shows none.
            self.struck_at = timezone.now().replace(microsecond=0)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#{self.anchor}"

    def delete(self, *args, **kwargs):
        raise CorrectionDeletionError()

    def natural_key(self):
        return key_of(self, "article", 2) + (
            self.published_at.astimezone(UTC).isoformat(),
        )

    natural_key.dependencies = ["articles.article", "articles.quote"]

    @property
    def is_struck(self):
        return self.struck_at is not None

    @property
    def tag_uri(self):
        """The correction's permanent name for the corrections feed (Article.tag_uri)."""
        return permanent_id(self.published_at, f"correction/{self.pk}")

    @property
    def anchor(self):
        return f"correction-{self.published_at:%Y%m%d%H%M%S}"

    def clean(self):
        if not self.text.strip():
            raise ValidationError({"text": "A correction needs its text."})
        if not self._state.adding or not self.article_id:
            return
        if not self.article.is_published:
            raise ValidationError("Corrections are added to published stories.")
        if self.published_at > timezone.now():
            raise ValidationError(
                {"published_at": "A correction cannot be dated in the future."}
            )
        if self.published_at < self.article.published_at:
            raise ValidationError(
                {
                    "published_at": "A correction cannot be dated before the story was published."
                }
            )
        if self.quote_id and self.quote.article_id != self.article_id:
            raise ValidationError(
                {"quote": "Choose a quote from the story being corrected."}
            )

    def strike(self, note, *, by=None):
        """Withdraw the correction, keeping it on the record with the reason.

        Readers see the story change (the correction struck through, and gone
        from its JSON-LD), so the story is marked updated, as when a correction
        is added.
        """
        if not note.strip():
            raise ValidationError({"strike_note": "Say why the correction is struck."})
        if self.is_struck:
            raise ValidationError("This correction is already struck.")
        self.strike_note, self.struck_by = note, by
        with transaction.atomic():
            self.save(update_fields=["strike_note", "struck_at", "struck_by"])
            stored = (
                type(self.article)
                ._base_manager.select_for_update()
                .get(pk=self.article_id)
            )
            # Marked on the caller's copy while it is current, as add_correction()
            # does, so story.corrections.get().strike() leaves `story` usable; a
            # copy already behind would be refused as stale, so the stored one.
            current = self.article.version == stored.version
            (self.article if current else stored).mark_updated(self.struck_at)
