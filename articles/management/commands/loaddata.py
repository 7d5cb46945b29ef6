"""Django's loaddata, refusing a fixture that puts words in someone's mouth.

loaddata saves rows as they are, skipping save() and clean(), so a quote whose
words are not in its story's body would load and be published as said. This
command checks the quotes of every story and quote the fixtures loaded, in the
same transaction as the load: if any is not verbatim in its story, nothing is
loaded and the error names each one.

It also names the missing row when a required reference finds none (a quote's
speaker, say), where Django saves the row without it and reports only the
database's "NOT NULL constraint failed".
"""

from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.core.serializers.base import DeserializationError
from django.db import IntegrityError
from django.db.models.signals import post_save

from ...checks import quotes_not_in_their_stories, unquoted_message
from ...models import Article, Quote


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
        except (DeserializationError, IntegrityError) as error:
            raise CommandError(fixture_error(error)) from error

    def loaddata(self, fixture_labels):
        loaded = {Article: set(), Quote: set()}

        def note(sender, instance, raw, **kwargs):
            if raw and sender in loaded:
                loaded[sender].add(instance.pk)

        post_save.connect(note, weak=False, dispatch_uid="loaddata-quotes")
        try:
            super().loaddata(fixture_labels)  # inside handle()'s transaction
        finally:
            post_save.disconnect(dispatch_uid="loaddata-quotes")
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
        if unquoted:
            raise CommandError(
                "Nothing was loaded: a quote must appear word for word in its "
                "story.\n" + "\n".join(unquoted_message(quote) for quote in unquoted)
            )

    def save_obj(self, obj):
        # Django defers a reference it cannot find yet, in case the row comes
        # later in the fixtures; a required one cannot wait, as the row is
        # saved now.
        for field, key in obj.deferred_fields.items():
            if not field.null:
                raise DeserializationError(
                    f"{obj.object._meta.label}: its {field.name} "
                    f"{key!r} names no {field.related_model._meta.verbose_name} "
                    "in the database or earlier in the fixtures."
                )
        return super().save_obj(obj)


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


def batches(ids, size=500):
    ids = sorted(ids)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
