from django.db import models

from ..addresses import address
from ..uploads import UploadedImageField
from .shared import SharedRecord
from .slugs import unique_slug
from .versions import Versioned


class PersonQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Person(SharedRecord, Versioned):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    honorific = models.CharField(
        max_length=50,
        blank=True,
        help_text="Rank or title before the name: “Maj. Gen.”, “Dr.”.",
    )
    role = models.CharField(
        max_length=300,
        blank=True,
        help_text="As the story gives it, e.g. “spokesperson for the Russian Defense Ministry”.",
    )
    organization = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True)
    portrait = UploadedImageField(upload_to="portraits/%Y/", blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            # loaddata skips save(); an empty slug would break every link to the person.
            models.CheckConstraint(
                condition=~models.Q(slug=""), name="person_slug_not_empty"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                Person,
                self.name,
                max_length=200,
                exclude_pk=self.pk,
                allow_unicode=True,
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # A story page links a person from its byline, quotes, list of people
        # and metadata, on one instance: the address is worked out once.
        if self.__dict__.get("_address_of") != self.slug:
            self._address = address("articles:person", slug=self.slug)
            self._address_of = self.slug
        return self._address

    def natural_key(self):
        return (self.slug,)

    @property
    def full_name(self):
        """The name with its honorific, as a story first introduces the person."""
        return f"{self.honorific} {self.name}".strip()
