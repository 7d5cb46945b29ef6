"""Optimistic locking: every row an editor can change carries a version.

A save names the version it was based on; the row is claimed with a conditional
UPDATE ... WHERE version = N inside the save's transaction, so two saves from
the same version cannot both land, whichever path they come by.
"""

from django.conf import settings
from django.db import models, router, transaction
from django.db.models import F
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone


class StaleVersionError(Exception):
    """Someone else saved the row after this copy of it was read."""

    def __init__(self, instance):
        self.instance = instance
        super().__init__(
            f"{instance._meta.verbose_name} {instance.pk} changed since version "
            f"{instance.version} was read"
        )


def desk_user(help_text):
    """A user the desk records beside a row: who made, changed or struck it.

    Left out of dumps so that they load into a database where that user
    doesn't exist; kept when the user is deleted, as empty.
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        serialize=False,
        help_text=help_text,
    )


class Versioned(models.Model):
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up by one on every save; a save based on an older version is refused.",
    )
    changed_by = desk_user(
        "Who made the last change; empty for the wire ingest and loaded fixtures."
    )
    # Set by save(); null for rows that arrived by loaddata or bulk_create.
    changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """Save, refusing with StaleVersionError if the stored version moved on.

        Set ``changed_by`` first; it is saved as given.
        """
        # Whole milliseconds: dumpdata writes no finer, so a dump loads back and
        # dumps again identically.
        now = timezone.now()
        self.changed_at = now.replace(microsecond=now.microsecond // 1000 * 1000)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "version",
                "changed_by",
                "changed_at",
            }
        if self._state.adding or self.pk is None or kwargs.get("force_insert"):
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        read = self.version
        try:
            with transaction.atomic(using=using):
                # Takes the row lock: a concurrent save of the same version waits
                # here, then finds no row at version N and is refused.
                claimed = (
                    type(self)
                    ._base_manager.using(using)
                    .filter(pk=self.pk, version=read)
                    .update(version=F("version") + 1)
                )
                if not claimed:
                    raise StaleVersionError(self)
                self.version = read + 1
                super().save(*args, **kwargs)
        except BaseException:
            self.version = read
            raise

    def taken_from(self, user, version, **opened):
        """How a save after version took the row out of user's hands, or "".

        Only rows whose permissions depend on what they hold say anything here:
        a story leaves a reporter's hands when it is published (Article), and
        its quotes with it (Quote). opened holds the versions of other rows the
        page carried as it was opened (a quote's page: story_version).
        """
        return ""

    @property
    def taken_by(self):
        """The row whose save can take this one out of a user's hands: itself."""
        return self


@receiver(pre_save, dispatch_uid="articles-loaded-rows-move-their-version-on")
def version_loaded_rows(sender, instance, raw=False, using=None, **kwargs):
    """A fixture that changes a stored row gives it a version past the stored one.

    loaddata writes rows as the fixture has them, version included, without
    save(): loading an old dump over a story at version 5 would set it back to,
    say, 2, and a form opened at version 2 before later edits would then save
    over them unrefused. So a changed row goes one past both versions, and any
    form opened before the load is refused as stale. A row loaded as it is
    stored keeps its version: loading a fixture twice changes nothing.
    """
    if not raw or not isinstance(instance, Versioned) or instance.pk is None:
        return
    stored = sender._base_manager.using(using).filter(pk=instance.pk).first()
    if stored is None:
        return
    changed = any(
        getattr(stored, field.attname) != getattr(instance, field.attname)
        for field in sender._meta.concrete_fields
        if field.attname != "version"
    )
    if changed:
        instance.version = max(stored.version, instance.version) + 1
    else:
        instance.version = stored.version
