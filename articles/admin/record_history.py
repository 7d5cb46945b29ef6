"""History pages for the records stories share: people and photo credits.

django-reversion's history, compare and revert pages, as stories have them
(admin/stories.py). A revert writes back only the record's own rows
(models/history.py restore_record()), and is checked like any save: the page
carries the version it was opened at, and a save made since is not undone
without a word.

Deleted people and credits cannot be recovered here (reversion's "Recover
deleted" pages are left out). The desk may delete one only once no story uses
it, and what a delete removed from stories (bylines, people named) is in the
stories' own revisions, which a recovered record would not bring back. A
recovered row would also come back at its old version, so a form opened before
the delete would pass as fresh, and at an old slug another person may hold by
then. Add it again instead.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from reversion.models import Version
from reversion_compare.admin import CompareVersionAdmin

from ..conflicts import locked_copy
from ..models import history
from .revision_rows import RevisionRowsCompareMixin


class RecordHistoryAdmin(RevisionRowsCompareMixin, CompareVersionAdmin):
    """A ModelAdmin whose saves are revisions, with history, compare and revert."""

    history_latest_first = True
    # The desk's bookkeeping differs between any two revisions.
    compare_exclude = sorted(history.BOOKKEEPING)
    # Django's own list page: reversion's adds the "Recover deleted" link.
    change_list_template = None

    def get_urls(self):
        opts = self.model._meta
        recover = {
            f"{opts.app_label}_{opts.model_name}_recoverlist",
            f"{opts.app_label}_{opts.model_name}_recover",
        }
        return [url for url in super().get_urls() if url.name not in recover]

    def missing_record(self, request, object_id):
        """Django's "doesn't exist" redirect for an id that names no record, or None.

        django-reversion's views look the id up as text among revisions, where
        garbage such as a NUL byte is a database error on PostgreSQL.
        """
        record = self.get_object(request, unquote(object_id))
        if record is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, unquote(object_id))
        if request.method == "POST" and self.has_change_permission(request, record):
            # Before the admin's own revision opens, so that this is one apart.
            history.keep_first_version(record)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        return self.missing_record(request, object_id) or super().history_view(
            request, object_id, extra_context
        )

    def compare_view(self, request, object_id, extra_context=None):
        # reversion-compare checks only that the user is staff.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return self.missing_record(request, object_id) or super().compare_view(
            request, object_id, extra_context
        )

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if missing := self.missing_record(request, object_id):
            return missing
        record = self.get_object(request, unquote(object_id))
        allowed = (
            self.has_change_permission(request, record)
            if request.method == "POST"
            else self.has_view_or_change_permission(request, record)
        )
        if not allowed:
            raise PermissionDenied
        # django-reversion finds the version by its id and the record's id
        # alone: a story's version with the same id would be "restored" here.
        if not Version.objects.get_for_object(record).filter(pk=version_id).exists():
            raise Http404("No such revision of this record.")
        return super().revision_view(request, object_id, version_id, extra_context)

    def _reversion_revisionform_view(self, request, version, *args, **kwargs):
        # django-reversion reverts the whole revision, revision.revert(delete=
        # True), and offers no hook. A wire import's revision holds the story
        # with the people and credit it made: only the record's rows go back.
        with transaction.atomic(using=version.db):
            # Locked until the revert is saved or dropped: the version the
            # editor's form is checked against (get_object()).
            stored = locked_copy(self.model(pk=version.object_id))
            request.stored_before_restore = self.as_stored(stored)
            revision = version.revision

            def restore(delete):
                # Inside django-reversion's handler, as ArticleAdmin's.
                for lost in history.lost_from(revision, stored):
                    messages.warning(request, lost.warning)
                history.restore_record(revision, stored)

            revision.revert = restore
            return super()._reversion_revisionform_view(
                request, version, *args, **kwargs
            )

    def as_stored(self, record):
        """record as stored before a revert, with whatever its form's rows compare."""
        return record

    def get_object(self, request, object_id, from_field=None):
        record = super().get_object(request, object_id, from_field)
        stored = getattr(request, "stored_before_restore", None)
        if record is None or stored is None or stored.pk != record.pk:
            return record
        # The revision was written over the row before this form was made. The
        # form carries, and is checked against, the row as it was before:
        # a save made since the revert page was opened is refused, not undone.
        record.version = stored.version
        type(record)._base_manager.filter(pk=record.pk).update(version=stored.version)
        record._stored_before_restore = stored
        return record
