from django.core.exceptions import ValidationError
from django.db import models

from ..uploads import UploadedImageField
from .natural_keys import key_of
from .people import Person
from .places import next_place, place_limit
from .shared import SharedRecord
from .slugs import unique_slug
from .versions import Versioned


class AgencyQuerySet(models.QuerySet):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Agency(Versioned):
    """A photo or news agency as credit lines name it: “TASS”, “Abaca Press”.

    Versioned like the records beside it: a rename changes every credit line
    naming the agency, so a rename from a stale form is refused.
    """

    name = models.CharField(max_length=200, unique=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class PhotoCreditQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class PhotoCredit(SharedRecord, Versioned):
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        help_text="Identifies the photo in fixtures; filled in from the caption when left empty.",
    )
    image = UploadedImageField(
        upload_to="photos/%Y/%m/",
        blank=True,
        width_field="image_width",
        height_field="image_height",
    )
    # Kept with the row so pages can reserve the image's space without opening the file.
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    caption = models.TextField(blank=True)
    alt_text = models.CharField(
        max_length=300,
        blank=True,
        help_text="What the image shows, for readers who cannot see it.",
    )
    photographer = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="photo_credits",
    )
    agencies = models.ManyToManyField(
        Agency, through="PhotoCreditAgency", blank=True, related_name="photo_credits"
    )

    objects = PhotoCreditQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        constraints = [
            # save() fills an empty slug in; loaddata skips save().
            models.CheckConstraint(
                condition=~models.Q(slug=""), name="photocredit_slug_not_empty"
            ),
        ]

    def __str__(self):
        return self.caption or self.slug

    def save(self, *args, **kwargs):
        self.fill_in_slug()
        super().save(*args, **kwargs)

    def clean(self):
        self.fill_in_slug()

    def fill_in_slug(self):
        if not self.slug:
            self.slug = unique_slug(
                PhotoCredit, self.caption or "photo", max_length=200, exclude_pk=self.pk
            )

    def natural_key(self):
        return (self.slug,)

    @staticmethod
    def validate_agencies(agencies):
        """Refuse a credit line that names an agency twice, as “TASS/AP/TASS”.

        agencies are Agency rows or names, in the order the line gives them.
        """
        names = [str(agency) for agency in agencies]
        repeated = [name for i, name in enumerate(names) if name in names[:i]]
        if repeated:
            raise ValidationError(
                "The credit line “%(line)s” names %(repeated)s twice: a credit "
                "line names each agency once.",
                code="repeated_agency",
                params={
                    "line": "/".join(names),
                    "repeated": ", ".join(dict.fromkeys(repeated)),
                },
            )

    @property
    def credit_line(self):
        """The credit as the wire prints it: photographer, then agencies in order."""
        # Reads what prefetch_related (or the story page's loader) left, as
        # .all() would, without making a related manager on every call.
        links = getattr(self, "_prefetched_objects_cache", {}).get("agency_links")
        if links is None:
            links = self.agency_links.all()
        names = [link.agency.name for link in links]
        if self.photographer_id:
            names.insert(0, self.photographer.name)
        return "/".join(names)


class PhotoCreditAgencyQuerySet(models.QuerySet):
    def get_by_natural_key(self, credit_slug, position):
        return self.get(credit__slug=credit_slug, position=position)


class PhotoCreditAgency(models.Model):
    """One agency's place in a photo's credit line."""

    credit = models.ForeignKey(
        PhotoCredit, on_delete=models.CASCADE, related_name="agency_links"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="credit_links"
    )
    position = models.PositiveSmallIntegerField(
        blank=True,
        validators=[place_limit],
        help_text="Place in the credit line; filled in after the last when left empty.",
    )

    objects = PhotoCreditAgencyQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit", "position"], name="unique_agency_position"
            ),
        ]
        verbose_name = "agency in credit line"
        verbose_name_plural = "agencies in credit line"

    def __str__(self):
        return f"{self.position}. {self.agency}"

    def save(self, *args, **kwargs):
        if self.position is None:
            siblings = PhotoCreditAgency.objects.filter(credit_id=self.credit_id)
            self.position = next_place(siblings, "position")
        super().save(*args, **kwargs)

    def natural_key(self):
        return key_of(self, "credit", 1) + (self.position,)

    natural_key.dependencies = ["articles.photocredit", "articles.agency"]
