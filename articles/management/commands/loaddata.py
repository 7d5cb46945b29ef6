"""Django's loaddata, refusing a fixture that puts words in someone's mouth.

loaddata saves rows as they are, skipping save() and clean(), so a quote whose
words are not in its story's body would load and be published as said. This
command checks the quotes of every story and quote the fixtures loaded, in the
same transaction as the load: if any is not verbatim in its story, nothing is
loaded and the error names each one.

The same goes for a story the site could not show: a slug that is not one, a
status that is not one, a public story without a publication time, two
stories at one address (the front page, archives and feeds failed on them),
a photo credit naming one agency twice ("TASS/AP/TASS"), a tag named as
another is in another case ("nato" beside "NATO"), a correction with no
words or naming another story's quote.

It also names the missing row when a required reference finds none (a quote's
speaker, say), where Django saves the row without it and reports only the
database's "NOT NULL constraint failed", and refuses two rows that are the
same row, where the second would silently replace the first.
"""

import io
from contextlib import nullcontext
from xml.sax import SAXParseException

from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import CommandError, OutputWrapper
from django.core.management.commands import loaddata
from django.core.serializers.base import DeserializationError, deserialize_fk_value
from django.db import DataError, IntegrityError
from django.db.models.signals import post_save
from taggit.models import Tag

from ...checks import (
    credits_naming_an_agency_twice,
    invalid_stories,
    misleading_corrections,
    quotes_not_in_their_stories,
    shared_addresses,
    tags_named_as_another,
    unquoted_message,
)
from ...models import (
    Article,
    Correction,
    FormerAddress,
    PhotoCredit,
    PhotoCreditAgency,
    Quote,
)


class Command(loaddata.Command):
    help = (
        loaddata.Command.help
        + " Refuses the whole load if a quote is not verbatim in its story."
    )

    def handle(self, *fixture_labels, **options):
        # A broken fixture is the file's fault, not the program's: say what is
        # wrong with it in one message, without a traceback. Everything was
        # rolled back by then (handle() loads in one transaction).
        try:
            return super().handle(*fixture_labels, **options)
        except (DeserializationError, IntegrityError, DataError) as error:
            raise CommandError(fixture_error(error)) from error
        except (UnicodeDecodeError, SAXParseException) as error:
            # Django decodes a JSON fixture whole before its parser runs, and
            # lets these through unwrapped; bytes that are not UTF-8 stop the
            # XML parser the same way.
            raise CommandError(unreadable_fixture(error)) from error

    def loaddata(self, fixture_labels):
        loaded = {
            Article: set(),
            Quote: set(),
            PhotoCreditAgency: set(),
            Tag: set(),
            Correction: set(),
        }
        self.saved = set()  # (model, pk) of every row saved so far

        def note(sender, instance, raw, **kwargs):
            if raw and sender in loaded:
                loaded[sender].add(instance.pk)

        post_save.connect(note, weak=False, dispatch_uid="loaddata-quotes")
        # Django reports "Installed N object(s)" at the end of its load: held
        # back until the checks below have passed, or it would announce a load
        # they are about to undo.
        reported, self.stdout = self.stdout, OutputWrapper(io.StringIO())
        try:
            super().loaddata(fixture_labels)  # inside handle()'s transaction
        except DeserializationError as error:
            # A reference that may be left empty waits for the end of the load,
            # as the row may come later; Django then reports only "PhotoCredit
            # matching query does not exist" and an id the row never kept.
            # (Any other error stops the load before the rows it waits for.)
            waited = isinstance(error.__context__, ObjectDoesNotExist)
            missing = self.missing_reference() if waited else None
            if missing is None:
                raise
            # Django's words say less than these: left out (fixture_error()).
            raise DeserializationError(missing) from None
        finally:
            post_save.disconnect(dispatch_uid="loaddata-quotes")
            held, self.stdout = self.stdout._out.getvalue(), reported
        self.check_loaded(loaded)
        self.stdout.write(held, ending="")

    def missing_reference(self):
        """What names the first deferred reference no row answers, or None."""
        for obj in self.objs_with_deferred_fields:
            for field, key in obj.deferred_fields.items():
                if field.many_to_many:
                    continue  # refused as it is read (save_obj())
                try:
                    deserialize_fk_value(
                        field, key, self.using, handle_forward_references=False
                    )
                except ObjectDoesNotExist:
                    return (
                        f"{obj.object._meta.label}: its {field.name} {key!r} names "
                        f"no {field.related_model._meta.verbose_name} in the "
                        "database or the fixtures."
                    )
        return None

    def check_loaded(self, loaded):
        """Refuse the load if a story or quote it brought is one the site cannot show."""
        stories = Article.objects.using(self.using)
        quotes = Quote.objects.using(self.using)
        # In batches: a dump of a whole archive names more ids than SQLite
        # takes parameters in one query.
        chosen = [quotes.filter(pk__in=ids) for ids in batches(loaded[Quote])]
        chosen += [quotes.filter(article__in=ids) for ids in batches(loaded[Article])]
        unquoted = {
            quote.pk: quote
            for some in chosen
            for quote in quotes_not_in_their_stories(some)
        }.values()
        problems = [unquoted_message(quote) for quote in unquoted]
        slugs = set()
        for ids in batches(loaded[Article]):
            some = stories.filter(pk__in=ids)
            problems += invalid_stories(some)
            slugs.update(some.values_list("slug", flat=True))
        for some in batches(slugs):
            problems += shared_addresses(stories.filter(slug__in=some))
        credits = PhotoCredit.objects.using(self.using)
        for ids in batches(loaded[PhotoCreditAgency]):
            problems += credits_naming_an_agency_twice(
                credits.filter(agency_links__in=ids).distinct()
            )
        tags = Tag.objects.using(self.using)
        for ids in batches(loaded[Tag]):
            problems += tags_named_as_another(tags.filter(pk__in=ids))
        corrections = Correction.objects.using(self.using)
        for ids in batches(loaded[Correction]):
            problems += misleading_corrections(corrections.filter(pk__in=ids))
        if problems:
            why = (
                "a quote must appear word for word in its story"
                if len(problems) == len(unquoted)
                else "the fixtures hold stories, quotes, photo credits, tags or "
                "corrections the site cannot show"
            )
            raise CommandError(f"Nothing was loaded: {why}.\n" + "\n".join(problems))

    def save_obj(self, obj):
        # Django defers a reference it cannot find yet, in case the row comes
        # later in the fixtures; a required one cannot wait, as the row is
        # saved now.
        row = obj.object
        for field, key in obj.deferred_fields.items():
            if not field.null:
                raise DeserializationError(
                    f"{row._meta.label}: its {field.name} "
                    f"{key!r} names no {field.related_model._meta.verbose_name} "
                    "in the database or earlier in the fixtures."
                )
        # A row whose natural key an earlier row of the load already had would
        # silently replace that row: two quotes with the same place in one
        # story, say, of which only the last would stay.
        if row.pk is not None and (type(row), row.pk) in self.saved:
            key = row.natural_key() if hasattr(row, "natural_key") else row.pk
            raise DeserializationError(
                f"{row._meta.label}: two rows of the fixtures are the same "
                f"{row._meta.verbose_name} ({key!r}); the second would replace "
                "the first."
            )
        if isinstance(row, Article) and row.published_at is None and row.pk:
            self.refuse_overwriting_a_draft(row)
        refuse_overlong_text(row)
        # Written raw, past Article.save(): links to the address the fixture
        # moves a story from still lead to it (FormerAddress).
        with (
            FormerAddress.objects.using(self.using).kept_on_moving(row)
            if isinstance(row, Article)
            else nullcontext()
        ):
            saved = super().save_obj(obj)
        self.saved.add((type(row), row.pk))
        return saved

    # What an editor writes in a draft; the desk's bookkeeping may differ.
    DRAFT_FIELDS = ["headline", "dek", "body", "dateline", "source", "source_note"]

    def refuse_overwriting_a_draft(self, row):
        """Refuse to load a draft over a different undated draft with its slug.

        A story's natural key is its slug and publication time; undated
        drafts share (slug, None), so a fixture's draft (fresh wire copy with
        the same headline, say) would be written over whichever draft has its
        slug, and an editor's work there lost. The same draft loaded again is
        no change and loads.
        """
        stored = (
            Article.objects.using(self.using)
            .filter(pk=row.pk)
            .values(*self.DRAFT_FIELDS)
            .get()
        )
        if stored != {name: getattr(row, name) for name in self.DRAFT_FIELDS}:
            raise DeserializationError(
                f"articles.Article: the undated draft {row.slug!r} differs from "
                "the undated draft with that slug in the database, and loading "
                "it would overwrite that one. Give the fixture's draft another "
                "slug or a publication time."
            )


def refuse_overlong_text(row):
    """Refuse text longer than its field allows, naming the row and the field.

    PostgreSQL refuses it with only "value too long for type character
    varying(200)"; SQLite stores it whole, and the admin's forms then refuse
    to save the row until an editor shortens a value they did not write.
    """
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        limit = getattr(field, "max_length", None)
        if isinstance(value, str) and limit and len(value) > limit:
            key = row.natural_key() if hasattr(row, "natural_key") else row.pk
            raise DeserializationError(
                f"{row._meta.label} {key!r}: its {field.name} is {len(value)} "
                f"characters long; it takes at most {limit}."
            )


def fixture_error(error):
    """Django's message for a broken fixture, with what the parser said.

    For a file that is not valid JSON Django says only "Problem installing
    fixture 'x.json': "; the parser's words (where it stopped) are the cause.
    """
    message = str(error)
    cause = error.__cause__
    if cause is not None and str(cause) and str(cause) not in message:
        message = f"{message.rstrip(': ')}: {cause}"
    return message


def unreadable_fixture(error):
    """The message for a fixture the parser could not read, naming the file.

    Django's load_label() puts the file's name in error.args, which these
    exceptions leave out of str().
    """
    named = error.args[0] if len(error.args) == 1 else str(error)
    if isinstance(error, UnicodeDecodeError):
        named += (
            ". Fixtures are read as UTF-8 text, as dumpdata writes them; "
            "save the file as UTF-8"
        )
    return f"{named}. Nothing was loaded."


def batches(ids, size=500):
    ids = sorted(ids)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
