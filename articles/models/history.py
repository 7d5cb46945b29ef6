"""What an article's revision history captures (django-reversion).

A revision of a story holds its quotes and its tags, so restoring one brings
them back together with its words. Corrections are not followed: restoring an
old revision must never remove one from the record.

Nor is the lead photo: a photo credit is a record of its own, which other
stories may lead with, so a restore brings back which credit led the story
(lead_photo_id is in the article's own version) but neither deletes nor
rewrites a credit. Revisions made before this held the credit and its agency
links too; restore_story() writes back only the story's own rows, so those
are left alone as well.

People and tags are records of their own too, which the desk may delete once
no story uses them. Whatever a revision names that has been deleted since (its
lead photo, an author, a person in the story, a tag, a quote's speaker) is left
out of the restore: the story comes back without it, a quote whose speaker is
gone does not come back, and the admin tells the editor each thing by name
(lost_since()). Not refused: the words are what an editor goes back for, and
the rest can be chosen again on the same form.

People and photo credits have a history of their own (admin/record_history.py).
A person's revision holds the person alone, a credit's holds the credit and its
places in the credit line. Restoring one writes back only that record's rows
(restore_record()), keeping its slug, and leaves out a photographer or agency
deleted since, naming it as for stories.
"""

from dataclasses import dataclass

import reversion
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import F
from reversion.errors import RevertError
from reversion.models import Version

from .bylines import ArticleAuthor
from .former_addresses import FormerAddress
from .people import Person
from .photos import PhotoCredit, PhotoCreditAgency
from .places import MAX_PLACE, next_place
from .quotes import Quote
from .stories import Article, TaggedArticle

reversion.register(Quote)
reversion.register(TaggedArticle)
# The person alone: their quotes and the stories naming them have histories of
# their own. Registered before PersonAdmin is made, which would otherwise
# register Person following the quotes its inline shows.
reversion.register(Person)
reversion.register(ArticleAuthor)
# A story's revision no longer holds its lead photo's credit; the credit's own
# history does, with its places in the credit line.
reversion.register(PhotoCreditAgency)
reversion.register(PhotoCredit, follow=["agency_links"])
reversion.register(Article, follow=["author_links", "quotes", "tagged_items"])

# The rows a story's restore writes; anything else a revision holds stays as it is.
STORY_ROWS = (Article, ArticleAuthor, Quote, TaggedArticle)

# What those rows name that is a record of its own, which the desk may delete
# once no story uses it, and what the editor is told when a revision names one
# deleted since; in the order the story's form shows them.
LOSSES = {
    (ArticleAuthor, "person"): "An author this revision had, {name}, has since "
    "been deleted and cannot be restored.",
    # Revisions made before bylines had places held the authors in the
    # story's own version.
    (Article, "authors"): "An author this revision had, {name}, has since been "
    "deleted and cannot be restored.",
    (Article, "people"): "A person this revision named, {name}, has since been "
    "deleted and cannot be restored.",
    (Article, "lead_photo"): "The lead photo this revision had, {name}, has since "
    "been deleted and cannot be restored.",
    (TaggedArticle, "tag"): "A tag this revision had, {name}, has since been "
    "deleted and cannot be restored.",
    (Quote, "speaker"): "A quote this revision had, {row}, cannot be restored: its "
    "speaker, {name}, has since been deleted.",
    (PhotoCredit, "photographer"): "The photographer this revision had, {name}, "
    "has since been deleted and cannot be restored.",
    (PhotoCreditAgency, "agency"): "An agency this revision had, {name}, has since "
    "been deleted and cannot be restored: the credit line leaves it out.",
}


def story_versions(revision):
    """The versions of the story's own rows a revision holds."""
    return [
        version
        for version in revision.version_set.select_related("content_type")
        if version.content_type.model_class() in STORY_ROWS
    ]


def restore_story(revision, *, keeping=()):
    """Put a story back as the revision holds it: its fields, quotes and tags.

    As django-reversion's revision.revert(delete=True), but for the story's own
    rows only: quotes and tags added since are deleted (but for a quote a
    correction names), and the photo credit
    (and its agencies) a revision may hold is neither written back nor, when
    the story leads with another credit now, deleted. What the revision names
    that has been deleted since (lost_since()) is left out. The fields named
    in keeping stay as stored on a story that exists (the admin's restore
    keeps where a story stands, its address included).
    """
    versions = story_versions(revision)
    held = {
        model: [v.object_id for v in versions if v.content_type.model_class() is model]
        for model in STORY_ROWS
    }
    stories = held[Article]
    with transaction.atomic():
        # The revision's row is written back raw, past Article.save(): keep
        # the address each story leaves here, as a save would.
        stored = {
            row["pk"]: row
            for row in Article.objects.filter(pk__in=stories).values(
                "pk", "published_at", "slug", *keeping
            )
        }
        # A quote whose speaker, or a tag link whose tag, is gone cannot be
        # written back at all: its row would point at nothing.
        unwritable = {
            lost.version.pk
            for lost in lost_among(versions)
            if lost.version.content_type.model_class() is not Article
        }
        # A quote a correction names stays, as the admin never deletes one
        # (QuoteFormSet): deleted, the correction lost its link to the words it
        # corrects, and no later restore brought that back.
        Quote.objects.filter(article__in=stories, corrections__isnull=True).exclude(
            pk__in=held[Quote]
        ).delete()
        TaggedArticle.objects.filter(content_object__in=stories).exclude(
            pk__in=held[TaggedArticle]
        ).delete()
        # Every byline row goes and the revision's come back under their own
        # ids: rows written back one by one over the current ones would meet
        # them in a place or a person (two authors swapped) whichever came first.
        ArticleAuthor.objects.filter(article__in=stories).delete()
        older_bylines = bylines_without_places(versions)
        # Quotes are kept (their ids are cited), so two that swapped places
        # since would each meet the other in its old place whichever came back
        # first: they step past every place a form can give, and each takes its
        # own back as it is written; one that cannot be written goes last.
        Quote.objects.filter(article__in=stories).update(order=F("order") + MAX_PLACE)
        revert_in_turn([v for v in versions if v.pk not in unwritable])
        for quote in Quote.objects.filter(
            article__in=stories, order__gt=MAX_PLACE
        ).order_by("order"):
            placed = Quote.objects.filter(
                article_id=quote.article_id, order__lte=MAX_PLACE
            )
            Quote.objects.filter(pk=quote.pk).update(order=next_place(placed, "order"))
        for story, people in older_bylines.items():
            Article(pk=story).set_byline(
                Person.objects.filter(pk__in=people).order_by("name", "pk")
            )
        # The story's own row is written back whole; then it lets go of the
        # credit and people it named that are gone. The database checks these
        # links only at commit, so left in place they failed the whole save.
        Article.objects.filter(pk__in=stories, lead_photo__isnull=False).exclude(
            lead_photo__in=PhotoCredit.objects.all()
        ).update(lead_photo=None)
        Article.people.through.objects.filter(article__in=stories).exclude(
            person__in=Person.objects.all()
        ).delete()
        for pk, row in stored.items() if keeping else ():
            # Written back before the address is compared: a revision's
            # address the story does not stay at is not one it leaves, and
            # keeping it would take over whichever story left it last.
            Article.objects.filter(pk=pk).update(
                **{field: row[field] for field in keeping}
            )
        for story in Article.objects.filter(pk__in=stored):
            row = stored[story.pk]
            FormerAddress.objects.keep(story, row["published_at"], row["slug"])


def bylines_without_places(versions):
    """{story id: author ids} held by story versions from before bylines had places.

    Such a version holds its authors as a plain list, which reverting it would
    write through ArticleAuthor with no place, so they are taken out of it
    here (from reversion's deserialized object, which revert() saves); the
    caller writes them back in the order readers saw then: by name, then id.
    """
    found = {}
    for version in versions:
        if version.content_type.model_class() is Article:
            held = version._object_version.m2m_data.pop("authors", None)
            if held is not None:
                found[int(version.object_id)] = held
    return found


def revert_in_turn(versions):
    """Write each version back, retrying those that clash with one not yet written.

    A quote that moved places may collide with another's old place until that
    one is written back too; this is the order django-reversion itself tries.
    """
    while versions:
        clashed = []
        for version in versions:
            try:
                with transaction.atomic():
                    version.revert()
            except (IntegrityError, ObjectDoesNotExist):
                clashed.append(version)
        if len(clashed) == len(versions):
            raise RevertError(
                f"Could not restore {clashed[0]}: it clashes with the story now."
            )
        versions = clashed


@dataclass(frozen=True)
class Lost:
    """A record a story's revision names that has been deleted since."""

    version: Version  # of the row naming it: the story, a quote or a tag link
    field: str
    pk: int
    held_name: str = ""  # as the revision itself named it, where it did

    @property
    def warning(self):
        """What the editor restoring the revision is told."""
        model = self.version.content_type.model_class()
        record = model._meta.get_field(self.field).related_model
        name = (
            deleted_name(record, self.pk)
            or self.held_name
            or f"{record._meta.verbose_name} {self.pk}"
        )
        return LOSSES[model, self.field].format(row=self.version.object_repr, name=name)


def lost_since(revision):
    """What the revision's story rows name that has been deleted since.

    In the order of LOSSES, so the editor reads them as the form is laid out.
    """
    return lost_among(story_versions(revision))


def lost_among(versions):
    """lost_since() for a revision's story versions, as story_versions() lists them."""
    headline = next(
        (v.object_repr for v in versions if v.content_type.model_class() is Article),
        "",
    )
    lost = []
    for model, name in LOSSES:
        field = model._meta.get_field(name)
        naming = [
            (version, pk)
            for version in versions
            if version.content_type.model_class() is model
            for pk in named_by(version, field)
        ]
        existing = set(
            field.related_model._base_manager.filter(
                pk__in={pk for _, pk in naming}
            ).values_list("pk", flat=True)
        )
        lost += [
            Lost(
                version,
                name,
                pk,
                tag_named_by(version, headline) or place_named_by(version),
            )
            for version, pk in naming
            if pk not in existing
        ]
    return lost


def named_by(version, field):
    """The ids of the records a version names in field (none, one or several)."""
    value = version.field_dict.get(field.attname)
    if field.many_to_many:
        return list(value or [])
    return [] if value is None else [value]


def tag_named_by(version, headline):
    """The tag's name as a tag link's version recorded it, or "".

    taggit names a link "<story> tagged with <tag>", and the story's own version
    in the same revision kept the story's part. A tag deleted outside the
    admin (a shell, a script) leaves no other trace of its name.
    """
    if version.content_type.model_class() is not TaggedArticle:
        return ""
    prefix = f"{headline} tagged with "
    if headline and version.object_repr.startswith(prefix):
        return f"“{version.object_repr.removeprefix(prefix)}”"
    return ""


def place_named_by(version):
    """The name an agency's or an author's place recorded, or "".

    A credit line's place and a byline's are both named "<position>. <name>";
    an agency or a person deleted outside the admin leaves no other trace of
    its name.
    """
    if version.content_type.model_class() not in (PhotoCreditAgency, ArticleAuthor):
        return ""
    _, _, name = version.object_repr.partition(". ")
    return f"“{name}”" if name else ""


def deleted_name(model, pk):
    """How a deleted record was last named, in quotes; "" when nothing kept it.

    Its deletion in the admin keeps its name, and so does any revision that
    held the record itself (older story revisions held their photo credit).
    """
    named = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id=str(pk),
        )
        .order_by("-action_time")
        .values_list("object_repr", flat=True)
        .first()
    )
    if not named and reversion.is_registered(model):
        named = (
            Version.objects.get_for_object_reference(model, pk)
            .values_list("object_repr", flat=True)
            .first()
        )
    return f"“{named}”" if named else ""


# People and photo credits: records of their own, with histories of their own.


def record_versions(revision, record):
    """The versions of a person's or photo credit's own rows a revision holds.

    The record itself and, for a credit, its places in the credit line. A
    record's history lists every revision holding it, a wire import's (which
    holds the whole story) among them; the rest of such a revision is not its.
    """
    own = []
    for version in revision.version_set.select_related("content_type"):
        model = version.content_type.model_class()
        if model is type(record):
            if version.object_id == str(record.pk):
                own.append(version)
        elif model is PhotoCreditAgency and isinstance(record, PhotoCredit):
            if version.field_dict["credit_id"] == record.pk:
                own.append(version)
    return own


def lost_from(revision, record):
    """lost_since() for a person's or photo credit's revision."""
    return lost_among(record_versions(revision, record))


def restore_record(revision, record):
    """Put a person or photo credit back as the revision holds it.

    record is the row as stored now. Its slug stays (a person's is their page's
    address, a credit's names it in fixtures), and so do who changed it and
    when, for the save that follows to set; the version moves past the stored
    one, as for a loaded fixture (versions.version_loaded_rows). A credit's
    places are written back whole: those added since go. What the revision
    names that was deleted since is left out (lost_from()).
    """
    versions = record_versions(revision, record)
    lost = lost_among(versions)
    unwritable = {gone.version.pk for gone in lost if gone.field == "agency"}
    photographer_lost = any(gone.field == "photographer" for gone in lost)
    with transaction.atomic():
        if isinstance(record, PhotoCredit):
            # All at once, then each back into its place: two places swapped
            # since would collide half-way through writing them one by one.
            PhotoCreditAgency.objects.filter(credit=record).delete()
        for version in versions:
            if version.pk in unwritable:
                continue
            # The row version.revert() writes, read once and kept by the version.
            row = version._object_version.object
            if type(row) is type(record):
                for name in ("slug", "changed_by_id", "changed_at", "version"):
                    setattr(row, name, getattr(record, name))
                if photographer_lost:
                    row.photographer_id = None
            version.revert()


def places_of(credit):
    """A photo credit's agencies as stored: (position, agency id) in line order."""
    return list(
        PhotoCreditAgency.objects.filter(credit=credit)
        .order_by("position")
        .values_list("position", "agency_id")
    )


def keep_first_version(record):
    """Record a person or photo credit as stored, unless its newest revision holds it so.

    Those saved before they had a history, and those from fixtures, the demo
    data or a script, have none; and one a script or fixture changed since its
    newest revision (a wire import's) is not as that revision holds it. The
    first change in the admin would then leave what was stored in no revision,
    with nothing to go back to. The revision is dated and credited as the row's
    own bookkeeping (changed_by, changed_at) has it.
    """
    if record is None:
        return
    model = type(record)
    with transaction.atomic():
        # Of two first changes at once, the second waits here and finds this one.
        stored = model._base_manager.select_for_update().filter(pk=record.pk).first()
        if stored is None or held_as_stored(stored):
            return
        with reversion.create_revision():
            reversion.set_user(stored.changed_by)
            if stored.changed_at is not None:
                reversion.set_date_created(stored.changed_at)
            reversion.set_comment("As stored before this change in the admin.")
            reversion.add_to_revision(stored)


# What every save changes, and says nothing of the record itself (nor do the
# history pages' compare views show it).
BOOKKEEPING = {"version", "changed_by", "changed_at"}


def held_as_stored(record):
    """Whether record's newest revision holds it as it is stored: its fields and,
    for a photo credit, its places in the credit line."""
    newest = Version.objects.get_for_object(record).first()  # newest first
    if newest is None:
        return False
    fields = {
        field.attname: field.value_from_object(record)
        for field in record._meta.concrete_fields
        if field.name not in BOOKKEEPING
    }
    held = newest.field_dict
    if any(held.get(name, value) != value for name, value in fields.items()):
        return False
    if isinstance(record, PhotoCredit):
        places = sorted(
            (version.field_dict["position"], version.field_dict["agency_id"])
            for version in record_versions(newest.revision, record)
            if version.content_type.model_class() is PhotoCreditAgency
        )
        return places == places_of(record)
    return True
