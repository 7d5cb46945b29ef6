"""Quotes: the words a person said, standing verbatim in their story's body."""

import html

from django.core.exceptions import ValidationError
from django.db import models

from ..rendering import quotable_text
from ..wire import find_quote, normalize_quote_text
from .natural_keys import key_of
from .people import Person
from .places import next_place, place_limit
from .versions import Versioned


class QuoteQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug, published_at, order):
        # As Article's natural key: the slug and the exact publication moment.
        return self.get(
            article__slug=slug, article__published_at=published_at, order=order
        )

    def said_by(self, person):
        """Quotes whose speaker is person."""
        return self.filter(speaker=person)


class Quote(Versioned):
    article = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="quotes"
    )
    speaker = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="quotes")
    text = models.TextField(
        help_text="The exact words, without the quotation marks. They must appear in the story's body."
    )
    context = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where it was said, e.g. “Kremlin transcript of a Monday meeting”.",
    )
    order = models.PositiveIntegerField(
        blank=True,
        validators=[place_limit],
        help_text="Position among the story's quotes; filled in when left empty.",
    )

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "order"], name="unique_quote_order"
            ),
        ]
        indexes = [
            # Person pages: the stories quoting someone, from the index alone.
            models.Index(fields=["speaker", "article"], name="quote_speaker_idx"),
        ]

    def __str__(self):
        words = self.text if len(self.text) <= 60 else self.text[:59] + "…"
        return f"“{words}”"

    def save(self, *args, **kwargs):
        if self.order is None:
            siblings = Quote.objects.filter(article_id=self.article_id)
            self.order = next_place(siblings, "order")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#{self.anchor}"

    def natural_key(self):
        return key_of(self, "article", 2) + (self.order,)

    natural_key.dependencies = ["articles.article", "articles.person"]

    def taken_from(self, user, version, *, story_version=None):
        """How a save of its story after story_version took the quote away, or "".

        Whoever may change a quote's story may change the quote (QuoteAdmin),
        and publishing the story leaves the quote's own version as it was: its
        page carries the story's version too. A quote saved since its page
        was opened (moved to another story, say) was not taken by that story
        alone, so it says nothing.
        """
        if story_version is None or version != self.version:
            return ""
        return self.article.taken_from(user, story_version, named="this quote’s story")

    @property
    def taken_by(self):
        """Its story: publishing the story takes the quote out of a reporter's hands."""
        return self.article

    @property
    def anchor(self):
        return f"quote-{self.order}"

    def appears_in(self, body):
        """Whether the words stand in one paragraph of body, where the page can mark them."""
        return quotable_text(body).holds(self.text)

    def clean(self):
        text = normalize_quote_text(self.text)
        if not text:
            raise ValidationError({"text": "A quote needs the words that were said."})
        if text[0] == '"' and text[-1] == '"':
            raise ValidationError(
                {"text": "Leave out the quotation marks around the words."}
            )
        try:
            article = self.article
        except Quote.article.RelatedObjectDoesNotExist:
            return  # the form reports the missing story itself
        if not self.appears_in(article.body):
            raise ValidationError({"text": self.why_not_in(article.body)})
        if self.pk is not None:
            self.stay_where_corrected()

    def stay_where_corrected(self):
        """Refuse moving a quote away from the story whose correction names it.

        A correction names a quote of its own story (Correction.clean());
        moved, the quote would leave it naming another story's words.
        """
        correction = (
            self.corrections.exclude(article_id=self.article_id)
            .select_related("article")
            .order_by("published_at")
            .first()
        )
        if correction is not None:
            raise ValidationError(
                {
                    "article": (
                        f"The correction of {correction.published_at:%Y-%m-%d} to "
                        f"“{correction.article.headline}” names this quote, and "
                        "corrections stay on the record: it stays in that story."
                    )
                }
            )

    def why_not_in(self, body):
        """What to tell an editor whose quote does not stand in body."""
        segments = quotable_text(body).segments
        readable = html.unescape(self.text)
        if readable != self.text and any(find_quote(s, readable) for s in segments):
            return (
                "Write the words as readers see them: “&” and not “&amp;”, and "
                "likewise for the other HTML entities."
            )
        if find_quote(" ".join(segments), self.text):
            return (
                "These words run from one paragraph of the body into the next. A "
                "quote must stand within one paragraph, where the page can mark "
                "it: enter each paragraph's words as a quote of its own."
            )
        return (
            "These words do not appear verbatim in the story's body. Copy them "
            "exactly from the body (only spacing and the style of quote marks "
            "may differ)."
        )
