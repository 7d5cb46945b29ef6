import html
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Case, Exists, OuterRef, Prefetch, Q, Value, When
from django.db.models.query import ModelIterable
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from .. import search
from ..addresses import address
from ..rendering import clean_body, paragraphs, render_body
from .bylines import ArticleAuthor
from .corrections import Correction
from .former_addresses import FormerAddress
from .natural_keys import key_of, permanent_id
from .people import Person
from .photos import PhotoCredit
from .quotes import Quote
from .rows import Rerun
from .story_page import (
    Relations,
    StoryPageIterable,
    attach_listing_relations,
    load_story,
)
from .versions import Versioned, desk_user


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "review", "In review"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"


# A scheduled story whose time has come is public: no job has to flip its status.
PUBLIC_STATUSES = [Status.SCHEDULED, Status.PUBLISHED]
# Where published_periods() composes its seeks, a moment no story has: the
# place each run puts its own edge.
PERIOD_EDGE = datetime(1900, 1, 1, 0, 0, 0, 424242, tzinfo=UTC)
# Where a reporter may still change their own story.
DRAFT_STATUSES = [Status.DRAFT, Status.IN_REVIEW]


class ArticleQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug, published_at):
        # Keyed on the exact moment, not the day: a day depends on TIME_ZONE.
        return self.get(slug=slug, published_at=published_at)

    def published(self):
        """Stories a reader may see: published or scheduled, and their time has come."""
        return self.filter(status__in=PUBLIC_STATUSES, published_at__lte=timezone.now())

    def scheduled(self):
        """Stories waiting for their publication time."""
        return self.filter(status__in=PUBLIC_STATUSES, published_at__gt=timezone.now())

    def gone_out(self):
        """Stories published or scheduled: out of a reporter's hands, their time come or not."""
        return self.filter(status__in=PUBLIC_STATUSES)

    def in_review(self):
        return self.filter(status=Status.IN_REVIEW)

    def with_desk_order(self):
        """Annotate desk_order: where each story stands on its way to readers.

        Draft 0, in review 1, scheduled 2, published 3, as public_status reads
        it (a scheduled story whose time has come is published), for sorting
        by status where the column itself would sort "published" before
        "review".
        """
        now = timezone.now()
        return self.annotate(
            desk_order=Case(
                When(status=Status.DRAFT, then=Value(0)),
                When(status=Status.IN_REVIEW, then=Value(1)),
                When(published_at__gt=now, then=Value(2)),
                When(published_at__lte=now, then=Value(3)),
                # A public status without a time (loaddata skips clean()):
                # public_status reads the status itself.
                When(status=Status.SCHEDULED, then=Value(2)),
                default=Value(3),
            )
        )

    def drafts(self):
        return self.filter(status=Status.DRAFT)

    def editable_by(self, user):
        """The stories user may change: see Article.editable_by()."""
        if not user.has_perm("articles.change_article"):
            return self.none()
        if user.has_perm("articles.publish_article"):
            return self.all()
        return self.filter(created_by=user, status__in=DRAFT_STATUSES)

    def with_lead_photo(self):
        """The lead photo, its photographer and its agencies in order: the credit
        line. The agencies come with the tags (ListingIterable)."""
        return self.select_related("lead_photo__photographer").with_tags()

    def with_tags(self):
        """Each story's tags, for article.tags.all(), and its byline, loaded in
        one query with the lead photos' agencies (ListingIterable).

        What prefetch_related("tags") loads, without its cost: it asked
        taggit's manager of every story for a filtered queryset only to hold
        the story's tags, a third of a front page's time (ListingIterable).
        """
        stories = self._chain()
        stories._iterable_class = ListingIterable
        return stories

    def for_listing(self):
        """What a list of stories shows: headline, dek, byline, photo and tags, not the body."""
        return self.defer("body").with_lead_photo().with_tags()

    def for_story_page(self):
        """Everything article_detail.html touches, in three queries.

        The story with its lead photo and photographer, then one query for its
        authors, people, quotes with speakers, tags and the photo's agencies,
        then one for its corrections (see story_page.py: the same relations
        prefetch_related would load, without its cost). A relation added to the
        template without being added there trips the query-budget test.
        """
        stories = self.select_related("lead_photo__photographer")
        stories._iterable_class = StoryPageIterable
        return stories

    def for_feed(self):
        """What a feed item carries: lede, photo and its credit, byline and tags.

        The body stays loaded because a story without a dek is described by its
        first paragraph.
        """
        return self.with_lead_photo()

    def for_search_results(self):
        """A listing that keeps the body, for the snippet under each result."""
        return self.with_tags()

    def ranked(self, ids):
        """Stories among ids, in the order of ids: search.ranked_ids(query) gives
        the stories matching every word of a query, best match first."""
        if not ids:
            return self.none()
        return self.filter(pk__in=ids).order_by(search.rank_order(ids))

    def featuring(self, person):
        """Stories that name, quote, are written by or carry a photo by person."""
        # Four id look-ups, each from an index, checked as the stories are
        # read newest first. An OR across four joins needed DISTINCT over the
        # whole table (730 ms to count a person's stories at 100,000); one
        # UNION of the ids led PostgreSQL to hash every published story.
        ways = [
            Article.people.through.objects.filter(person=person).values("article"),
            Quote.objects.filter(speaker=person).values("article"),
            Article.authors.through.objects.filter(person=person).values("article"),
            Article.objects.filter(lead_photo__photographer=person).values("pk"),
        ]
        appears = Q()
        for way in ways:
            appears |= Q(pk__in=way)
        return self.filter(appears)

    def published_periods(self, kind, order="ASC"):
        """The start of each year, month or day (site time) that has a story here.

        What QuerySet.datetimes() returns, found by seeking through the
        publication-date index, one query per public status and period, plus
        one each: DISTINCT over the dates read every story (800 ms for the
        front page's years at 100,000 stories). Each status's seek is composed
        once and run again with the edge moved (Rerun): composed afresh for each
        period, the front page's five years took 3.1 ms on SQLite (5.3 ms on
        PostgreSQL), now 0.8 ms (2.6 ms); sixty months 31 ms (56 ms), now 4 ms
        (20 ms), at 100,000 stories.
        """
        newest_first = order == "DESC"
        lookup = "published_at__lt" if newest_first else "published_at__gte"
        # The edge goes first in the WHERE clause: SQLite seeks the index by
        # the first bound it meets on a column, and published()'s "<= now"
        # would have it read every story from now back to the edge. The first
        # edge lies beyond every story.
        edged = self.model.objects.filter(**{lookup: PERIOD_EDGE}) & self
        # One seek per public status: with "status IN (...)" SQLite can
        # neither walk the (status, published_at) index in order nor pick the
        # right bound on the publication time, and read from now back to the
        # edge (7 ms a query at 100,000 stories).
        seeks = [
            Rerun(
                edged.filter(status=status)
                .order_by("-published_at" if newest_first else "published_at")
                .values_list("published_at", flat=True)[:1],
                PERIOD_EDGE,
            )
            for status in PUBLIC_STATUSES
        ]
        periods = []
        edge = datetime(9999 if newest_first else 1, 1, 1, tzinfo=UTC)
        while True:
            found = [moment for seek in seeks if (moment := seek.first(edge))]
            if not found:
                return periods
            start = period_start(max(found) if newest_first else min(found), kind)
            periods.append(start)
            edge = start if newest_first else period_after(start, kind)

    def tagged(self, tag):
        """Stories carrying tag.

        EXISTS rather than a join: the database then walks the stories newest
        first and checks each for the tag, stopping after a page. With the
        join, SQLite read and sorted every story of a busy tag (33 ms against
        0.6 ms at 100,000 stories).
        """
        return self.filter(
            Exists(TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag=tag))
        )

    def with_quotes_by(self, person):
        """Attach each story's quotes by person as ``quotes_by_person``."""
        return self.prefetch_related(
            Prefetch(
                "quotes",
                queryset=Quote.objects.said_by(person),
                to_attr="quotes_by_person",
            )
        )


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def story_page(self, day, slug, *, drafts=False):
        """The story at its dated address with all its page shows (story_page.py).

        Readers' pages find it with one hand-written query instead of
        published().for_story_page() filtered by day and slug: the same
        story, a fifth of the time. drafts=True also finds what is not public.
        """
        return load_story(
            self.model,
            day_bounds(day, timezone.get_current_timezone()),
            slug,
            public_statuses=() if drafts else PUBLIC_STATUSES,
            using=self.db,
        )


def period_start(moment, kind):
    """The first instant of moment's year, month or day in the site's time zone."""
    local = timezone.localtime(moment)
    day = local.date()
    if kind == "year":
        day = day.replace(month=1, day=1)
    elif kind == "month":
        day = day.replace(day=1)
    return timezone.make_aware(datetime.combine(day, time()))


@lru_cache(maxsize=1024)
def day_bounds(day, zone):
    """The first instants of day and of the next one, in zone (the current one)."""
    with timezone.override(zone):
        start = timezone.make_aware(datetime.combine(day, time()))
        return start, period_after(start, "day")


def period_after(start, kind):
    """The first instant of the year, month or day after the one start begins."""
    day = timezone.localtime(start).date()
    if kind == "year":
        day = day.replace(year=day.year + 1)
    elif kind == "month":
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    else:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time()))


class TaggedArticleQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug, published_at, tag_name):
        # As Article's natural key: the slug and the exact publication moment.
        return self.get(
            content_object__slug=slug,
            content_object__published_at=published_at,
            tag__name=tag_name,
        )


class ListingIterable(ModelIterable):
    """Stories as the ORM yields them, with what a list shows of each.

    Each story's authors in byline order, its tags (in the order given, as on
    the story page) and, for lead photos that came with the stories
    (with_lead_photo), the photo's agencies in order: all in one query
    (story_page.attach_listing_relations), left where prefetch_related would
    leave them, for article.byline_authors, article.tags.all() and the credit
    line. prefetch_related built a filtered queryset for every story and every
    photo just to hold its list.
    """

    def __iter__(self):
        stories = list(super().__iter__())
        attach_listing_relations(stories, self.queryset.db)
        yield from stories


class TaggedArticle(TaggedItemBase):
    """An article's tag, keyed on (article, tag) so fixtures round-trip.

    taggit's stock TaggedItem keys on object_id alone, which collides as soon as
    a --natural-primary dump holds two tagged articles.
    """

    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )

    objects = TaggedArticleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_article_tag"
            ),
        ]
        indexes = [
            # Tag pages and feeds: a tag's stories without visiting the rows.
            models.Index(
                fields=["tag", "content_object"], name="tagged_article_tag_idx"
            ),
        ]

    def natural_key(self):
        # taggit's Tag gives its key as a list.
        return key_of(self, "content_object", 2) + tuple(key_of(self, "tag", 1))

    natural_key.dependencies = ["articles.article", "taggit.tag"]


class Article(Versioned):
    headline = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        unique_for_date="published_at",
        help_text="The last part of the story's address; unique for its publication date.",
    )
    dek = models.TextField("dek (standfirst)", blank=True)
    body = models.TextField(
        help_text=(
            # The admin shows help text as HTML: tag names in angle brackets would be tags.
            "One paragraph per line. Links, emphasis and abbreviations may use the "
            "HTML tags a, em, strong, i, b, abbr, sub and sup; any other markup is removed."
        )
    )
    dateline = models.CharField(max_length=100, blank=True, help_text="e.g. “MOSCOW”.")
    source = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who supplied the story, e.g. “Tribune News Service”.",
    )
    source_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="Other material the story draws on, e.g. “Includes material from the Associated Press.”",
    )
    authors = models.ManyToManyField(
        Person,
        through=ArticleAuthor,
        blank=True,
        related_name="authored_articles",
        help_text="The byline, in its order. Leave empty when the copy names none.",
    )
    people = models.ManyToManyField(
        Person, blank=True, related_name="articles", verbose_name="people in the story"
    )
    lead_photo = models.ForeignKey(
        PhotoCredit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    tags = TaggableManager(through=TaggedArticle, blank=True)
    status = models.CharField(
        max_length=20, choices=Status, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The update time readers see: set by meaningful edits and corrections after publication.",
    )
    created_by = desk_user(
        "Who started the story; a reporter may change only their own drafts."
    )
    wire_digest = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        editable=False,
        help_text="SHA-256 of the wire copy the story was ingested from, so a second ingest finds it.",
    )

    objects = ArticleManager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish articles")
        ]
        indexes = [
            # Every list: published stories newest first, in Meta.ordering's
            # order, so LIMIT reads just one page of the index.
            models.Index(
                fields=["status", "-published_at", "-id"],
                name="article_published_idx",
            ),
            # The sitemaps' latest change.
            models.Index(fields=["-updated_at"], name="article_updated_idx"),
        ]
        constraints = [
            # loaddata skips save(); an empty slug would break every link to the story.
            models.CheckConstraint(
                condition=~Q(slug=""), name="article_slug_not_empty"
            ),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        # Rendering sanitizes too; this keeps markup nobody may use out of storage.
        self.body = clean_body(self.body)
        if not self.slug:
            self.slug = slugify(self.headline)[:200] or "untitled"
        if self.published_at:
            # Whole seconds: dumpdata writes milliseconds at most, and the time is
            # part of the natural key, so finer times would not load back.
            self.published_at = self.published_at.replace(microsecond=0)
        fields = kwargs.get("update_fields")
        if self._state.adding or (
            fields is not None and not {"slug", "published_at"} & set(fields)
        ):
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(Article, instance=self)
        # Links to the address it leaves still lead to it (FormerAddress).
        with (
            transaction.atomic(using=using),
            FormerAddress.objects.using(using).kept_on_moving(self),
        ):
            super().save(*args, **kwargs)

    def get_absolute_url(self):
        day = self.publication_day or timezone.localdate()
        return address(
            "articles:article",
            year=day.year,
            month=day.month,
            day=day.day,
            slug=self.slug,
        )

    def natural_key(self):
        # A string, so the JSON encoder cannot round microseconds away.
        when = self.published_at
        return (self.slug, when.astimezone(UTC).isoformat() if when else None)

    natural_key.dependencies = ["articles.person", "articles.photocredit"]

    @property
    def publication_day(self):
        """The publication date in the site's time zone, as story URLs carry it."""
        return (
            timezone.localtime(self.published_at).date() if self.published_at else None
        )

    @property
    def tag_uri(self):
        """The story's permanent name for feed ids (RFC 4151); None while undated.

        Its id and the day it was published, in UTC so that TIME_ZONE cannot
        move it: a new slug or headline leaves it as it is. A story taken down
        and scheduled again for a new time is a new run and is named anew, as
        its dates are (modified_at).
        """
        if self.published_at is None:
            return None
        return permanent_id(self.published_at, f"article/{self.pk}")

    @property
    def is_published(self):
        return (
            self.status in PUBLIC_STATUSES
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def last_modified(self):
        """When this story's page last changed, for Last-Modified and 304s.

        The latest of its last save (``changed_at``), its reader-facing update
        and its publication time (a scheduled story's page appears then). Quote
        edits through the admin save the story too; people, tags and photo
        credits carry no time, so the page cache never lets Last-Modified fall
        before its latest change (caching.py).
        """
        return max(
            filter(None, [self.changed_at, self.updated_at, self.published_at]),
            default=None,
        )

    @property
    def is_scheduled(self):
        """Waiting for its publication time; it appears by itself when the time comes."""
        return (
            self.status in PUBLIC_STATUSES
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def publication_note(self):
        """What the desk must be told after saving a story not yet public, or "".

        A story saved as Published with its time still to come is scheduled
        (is_scheduled): readers see it only from that time, when it appears by
        itself, so its save must not read as its publication. The time is the
        site's, as the change list shows it.
        """
        if not self.is_scheduled:
            return ""
        when = timezone.localtime(self.published_at)
        clock = f"{when:%H:%M:%S}" if when.second else f"{when:%H:%M}"
        return (
            "Its publication time is still to come, so it is scheduled: it stays "
            f"hidden from readers until {clock} on "
            f"{formats.date_format(when, 'j M Y')} ({when:%Z}), then appears on "
            "its own."
        )

    @property
    def public_status(self):
        """The status as readers experience it: a scheduled story whose time has come is published."""
        if self.is_published:
            return Status.PUBLISHED
        if self.is_scheduled:
            return Status.SCHEDULED
        return Status(self.status)

    @property
    def was_updated(self):
        """Whether readers should see an update time beside the publication time."""
        return bool(
            self.published_at
            and self.updated_at
            and self.updated_at > self.published_at
        )

    @property
    def modified_at(self):
        """When readers were last told of a change: dateModified, feeds and sitemaps.

        Never before publication: a story taken down and published again at a
        later time keeps the update time of its first run, which is older than
        the story readers now see (as was_updated says).
        """
        # The same as sitemaps.modified() in SQL.
        return self.updated_at if self.was_updated else self.published_at

    def editable_by(self, user):
        """Editors change any story; a reporter only their own, before it goes out."""
        if user.has_perm("articles.publish_article"):
            return user.has_perm("articles.change_article")
        return (
            user.has_perm("articles.change_article")
            and self.created_by_id == user.pk
            and self.status in DRAFT_STATUSES
        )

    def taken_from(self, user, version, *, named="this story"):
        """How a save after version took the story out of user's hands, or "".

        A reporter's own draft that an editor published or scheduled while the
        reporter had it open. Rows keep no status per version, so whether they
        could change it then is read from what a save cannot change: the story
        is theirs and they may change stories; only its status stops them now.
        named is what the refusal calls the story: a quote's page, “this quote’s
        story” (Quote.taken_from).
        """
        if version >= self.version or self.editable_by(user):
            return ""
        if self.created_by_id != user.pk or not user.has_perm(
            "articles.change_article"
        ):
            return ""
        if self.public_status == Status.SCHEDULED:
            return f"an editor scheduled {named} for publication"
        return f"an editor published {named}"

    @cached_property
    def relations(self):
        """Its authors, people, quotes, tags and corrections as lists, read once.

        The story page's template and metadata list them from here rather than
        through a related manager each time. The story page's loader fills
        this in from its own query (story_page.py).
        """
        return Relations(
            self.byline_authors,
            *(list(getattr(self, name).all()) for name in Relations._fields[1:]),
        )

    @property
    def byline_authors(self):
        """The authors in byline order, the lead writer first.

        Reads what the story page's and the feeds' loaders left, which they put
        in that order, as .all() would; otherwise asks for them in that order:
        authors.all() alone lists them by name (Person's ordering).
        """
        # The list itself, as credit_line reads its agencies: authors.all()
        # made a related manager for every story of a list page.
        loaded = getattr(self, "_prefetched_objects_cache", {}).get("authors")
        if loaded is not None:
            return list(loaded)
        return [
            link.person
            for link in self.author_links.select_related("person").order_by("position")
        ]

    @property
    def byline(self):
        """Author names as a reader sees them, or "" when the copy names none."""
        names = [person.name for person in self.byline_authors]
        if len(names) > 1:
            return ", ".join(names[:-1]) + " and " + names[-1]
        return "".join(names)

    @property
    def body_html(self):
        """The body as safe HTML with its quotes marked; uses prefetched quotes."""
        loaded = self.__dict__.get("relations")  # read by the story page already
        return render_body(self.body, loaded.quotes if loaded else self.quotes.all())

    @property
    def description(self):
        """The dek, or the lede when there is none: how feeds and cards describe a story."""
        return self.dek or self.first_paragraph

    @property
    def first_paragraph(self):
        """The lede as plain text, for descriptions where there is no dek."""
        return html.unescape(strip_tags(next(iter(paragraphs(self.body)), "")))

    def clean(self):
        if self.status == Status.PUBLISHED and not self.published_at:
            self.published_at = timezone.now()
        if self.status == Status.SCHEDULED and not self.published_at:
            raise ValidationError(
                {"published_at": "A scheduled story needs its publication time."}
            )
        if self.status == Status.SCHEDULED and self.published_at <= timezone.now():
            self.refuse_scheduling_in_the_past()
        if self.published_at is None:
            # unique_for_date ignores undated rows; drafts share the natural key (slug, None).
            others = Article.objects.filter(slug=self.slug, published_at__isnull=True)
            if others.exclude(pk=self.pk).exists():
                raise ValidationError(
                    {"slug": "Another undated draft already uses this slug."}
                )

    def refuse_scheduling_in_the_past(self):
        """As schedule() does; a scheduled story whose time came stays as it is.

        Such a story is public by itself (PUBLIC_STATUSES) and may be edited
        as it stands, so only a status or time that changed is refused. The
        error goes on the field that changed: the other may not be on the form
        (a live story's time is read-only), and a form cannot show it there.
        """
        # A restore has written the revision's row over this one by now: where
        # the story stood is the row as stored before it (admin/stories.py).
        before_restore = getattr(self, "_stored_before_restore", None)
        if before_restore is not None:
            stored = (before_restore.status, before_restore.published_at)
        elif self._state.adding:
            stored = None
        else:
            stored = (
                Article.objects.filter(pk=self.pk)
                .values_list("status", "published_at")
                .first()
            )
        if stored == (self.status, self.published_at):
            return
        field = (
            "status" if stored and stored[1] == self.published_at else "published_at"
        )
        raise ValidationError(
            {
                field: "A story can only be scheduled for a time in the future; "
                "to publish it at a time that has passed, choose Published."
            }
        )

    def submit_for_review(self, *, by=None):
        """Hand a draft to the editors."""
        if self.status != Status.DRAFT:
            raise ValidationError(
                f"Only a draft can be submitted for review; this story is {self.get_status_display().lower()}."
            )
        self.status = Status.IN_REVIEW
        self.changed_by = by
        self.save(update_fields=["status"])

    def publish(self, when=None, *, by=None):
        """Make the story public now, keeping an earlier publication time.

        A story published before (then unpublished) keeps its time and address;
        a scheduled one is brought forward to now. Raises ValidationError when
        another story already has this slug on the publication date, since both
        would claim one address, and StaleVersionError when the story changed
        since it was read.
        """
        now = timezone.now()
        if self.published_at is None or self.published_at > now:
            self.published_at = when or now
        self.status = Status.PUBLISHED
        self.changed_by = by
        self.validate_unique()
        self.save(update_fields=["status", "published_at"])

    def schedule(self, when, *, by=None):
        """Publish at a future time; readers see the story from then on, by itself."""
        if when is None or when <= timezone.now():
            raise ValidationError(
                "A story can only be scheduled for a time in the future."
            )
        if self.is_published:
            raise ValidationError("This story is already published.")
        self.status, self.published_at = Status.SCHEDULED, when
        self.changed_by = by
        self.validate_unique()
        self.save(update_fields=["status", "published_at"])

    def unpublish(self, *, by=None):
        """Take the story back to draft; its publication time is kept for its URL."""
        self.status = Status.DRAFT
        self.changed_by = by
        self.save(update_fields=["status"])

    def set_byline(self, people):
        """Make people the story's authors, in the order the byline names them."""
        getattr(self, "_prefetched_objects_cache", {}).pop("authors", None)
        with transaction.atomic():
            self.author_links.all().delete()
            for position, person in enumerate(people, 1):
                ArticleAuthor.objects.create(
                    article=self, person=person, position=position
                )

    def mark_updated(self, when=None):
        """Show readers an update time: a meaningful edit after publication.

        Never moves the time back: a correction dated earlier than the last
        update (written up later than it was made) would otherwise tell readers,
        feeds and sitemaps that the story last changed before it did.
        """
        # Whole seconds, as published_at: dumps then load back identically.
        when = (when or timezone.now()).replace(microsecond=0)
        self.updated_at = max(filter(None, [self.updated_at, when]))
        self.save(update_fields=["updated_at"])

    def add_correction(self, text, *, quote=None, when=None):
        """Append a correction to a published story; readers see it as an update."""
        # Whole seconds before validation: the time is in the natural key and
        # save() would drop the microseconds after the uniqueness check.
        when = (when or timezone.now()).replace(microsecond=0)
        correction = Correction(article=self, text=text, quote=quote, published_at=when)
        correction.full_clean()
        with transaction.atomic():
            correction.save()
            self.mark_updated(correction.published_at)
        return correction
