"""Edit conflicts in the admin: a save from a stale form is refused, its text kept.

Each form carries the version of the row it was opened on (``base_version``;
for taggit's tags, which cannot take a version column, a digest of the tag's
fields: FingerprintedModelForm).
Inside the admin's save transaction the row is locked and compared: when someone
else saved in between and this form would change what they saved, the form comes
back with an error naming who and when, the editor's text intact, and the saved
value shown beside each field that differs. The model's own check
(``Versioned.save``) stays as the guarantee for every other path (tags have
none: a script's rename of one is not checked).

A save that someone else's took out of this user's hands (an editor published
a reporter's draft) is refused as Django refuses it, before any form is read;
the user is then told why and shown everything they sent (sent_copy.py).
"""

import hashlib
import json
from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst

from .models import StaleVersionError, Versioned
from .sent_copy import sent_sections


def last_change(row):
    """Who last saved row and when, as (user, time); None for what is not known.

    A Versioned row keeps both. For any other (taggit's Tag) the admin's log is
    all there is: its newest entry counts only if it names the row as stored
    now, since a rename outside the admin (a script) logs nothing.
    """
    if isinstance(row, Versioned):
        return row.changed_by, row.changed_at
    entry = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(row),
            object_id=str(row.pk),
            action_flag__in=[ADDITION, CHANGE],
        )
        .select_related("user")
        .order_by("-action_time", "-pk")
        .first()
    )
    if entry is None or entry.object_repr != str(row)[:200]:
        return None, None
    return entry.user, entry.action_time


def describe_change(row):
    """Who last saved row, and when: “Ann Editor at 14:32:05 on 25 Nov 2026”."""
    user, when = last_change(row)
    if user:
        who = user.get_full_name() or user.get_username()
    elif isinstance(row, Versioned):
        who = "an automatic process (wire ingest or publishing job)"
    else:
        who = "someone else"
    if when is None:
        return who
    when = timezone.localtime(when)
    return (
        f"{who} at {when:%H:%M:%S} on {formats.date_format(when, 'j M Y')} ({when:%Z})"
    )


def shown(row, name):
    """The stored value of row's field name as an editor reads it."""
    field = row._meta.get_field(name)
    if field.many_to_many:
        value = ", ".join(sorted(str(related) for related in getattr(row, name).all()))
    elif field.choices:
        value = getattr(row, f"get_{name}_display")()
    else:
        value = getattr(row, name)
        if isinstance(value, datetime):
            value = formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return f"“{value}”" if value not in (None, "") else "(empty)"


def in_quotes(row):
    """row's name in quotation marks, once: a quote's name has its own."""
    name = str(row)
    return name if name.startswith("“") else f"“{name}”"


def locked_copy(row):
    """The stored row, locked until the surrounding transaction ends (PostgreSQL)."""
    # No select_related: a FOR UPDATE that waited re-reads the locked row only,
    # and the joined user could come back from before the other save.
    with transaction.atomic():
        return type(row)._base_manager.select_for_update().get(pk=row.pk)


class VersionedModelForm(forms.ModelForm):
    """A model form that refuses to overwrite a change made after it was opened."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    bookkeeping = {"base_version"}
    # Hidden fields holding the versions of other rows as the page was opened,
    # passed to Versioned.taken_from by name (QuoteForm: its story's).
    opened_versions = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("base_version", self.version_of(self.instance))

    @staticmethod
    def version_of(row):
        """What the form carries as base_version: the version row is at."""
        return row.version

    @cached_property
    def changed_data(self):
        # The version the page was opened at is the form's bookkeeping, not a
        # change: a merged save's history read "Changed base_version".
        return [
            name
            for name, field in self._bound_items()
            if name not in self.bookkeeping and field._has_changed()
        ]

    def clean(self):
        cleaned = super().clean()
        if self.instance._state.adding:
            return cleaned
        # A revert page's row holds the revision by now; it is checked against
        # the row as stored before (admin/record_history.py), already locked.
        before_restore = getattr(self.instance, "_stored_before_restore", None)
        current = before_restore or locked_copy(self.instance)
        read, stored_version = cleaned.get("base_version"), self.version_of(current)
        if read != stored_version:
            # Compared with what is stored now, not with what this editor saw:
            # the same save sent twice changes nothing and is no conflict.
            stored = type(self)(
                data=self.data, files=self.files, instance=current, prefix=self.prefix
            )
            if stored.changed_data:
                self.refuse(current, stored.changed_data)
        # The model checks this version again as it writes. (A restored row
        # already holds the version its restore gave it.)
        if before_restore is None and isinstance(current, Versioned):
            self.instance.version = current.version
        # Rows edited beside this form (its inlines) are checked against it.
        self.instance._opened_stale = read is not None and read != stored_version
        return cleaned

    def refuse(self, current, differing):
        who = describe_change(current)
        for name in differing:
            message = f"Saved meanwhile by {who}: {shown(current, name)}"
            if self.add_prefix(name) in self.files:
                # A file input comes back empty, and the merged save would
                # then keep the stored file without a word.
                message += (
                    ". The file you chose was not stored, and this page cannot "
                    "keep it: choose it again before you save."
                )
            self.add_error(name, message)
        # The next save from this page is the editor's merge: base it on the
        # version just shown beside their text.
        self.data = self.data.copy()
        self.data[self.add_prefix("base_version")] = self.version_of(current)
        raise ValidationError(
            "This %(kind)s was changed by %(who)s, after you opened it, so your "
            "save was refused and nothing was written. Your text is kept below; "
            "each field that differs shows what is saved now. Merge them and save "
            "again, or reload the page to start from the saved version.",
            code="stale",
            params={"kind": current._meta.verbose_name, "who": who},
        )


def fingerprint(row):
    """A digest of row's stored fields, standing in for a version it lacks."""
    values = [field.value_to_string(row) for field in row._meta.concrete_fields]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()


class FingerprintedModelForm(VersionedModelForm):
    """VersionedModelForm for a model that cannot take a version (taggit's Tag).

    The form carries a digest of the row's fields as it showed them instead,
    which any save that changes one of them moves on, as it would a version;
    the row is locked and compared in the save's transaction all the same.
    Nothing checks a save made outside such a form.
    """

    base_version = forms.CharField(
        widget=forms.HiddenInput, required=False, empty_value=None
    )
    version_of = staticmethod(fingerprint)


class AddedMeanwhileForm(VersionedModelForm):
    """A row's own add page, refusing a row sent again (a double click).

    The story's page guards its new inline rows with the story's version
    (StaleParentInlineFormSet). Here the parent (a quote's story) is chosen on
    the page itself, so the page cannot carry its version; it carries the
    newest row of its kind when it was opened instead (``seen_up_to``, set
    when it is shown, as ``base_version`` is). A row added to the same parent
    after that is the first click of a double click, or someone else's row:
    either way this one is refused and the editor's text is kept.
    """

    parent_field = None  # the row's ForeignKey to its parent: "article"

    seen_up_to = forms.IntegerField(widget=forms.HiddenInput, required=False)
    bookkeeping = {"base_version", "seen_up_to"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            self.initial.setdefault("seen_up_to", self.newest_pk())

    def newest_pk(self):
        rows = type(self.instance)._base_manager.order_by("-pk")
        return rows.values_list("pk", flat=True).first() or 0

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_up_to")
        parent = cleaned.get(self.parent_field)
        # A POST without the field (a script) is not checked, as on delete pages.
        if not self.instance._state.adding or seen is None or parent is None:
            return cleaned
        # Of two clicks, the second waits here until the first is saved. SQLite
        # locks no row: there, two clicks handled at the same instant can both
        # pass. Ids only grow (a sequence; AUTOINCREMENT on SQLite).
        locked_copy(parent)
        added = (
            type(self.instance)
            ._base_manager.filter(**{self.parent_field: parent}, pk__gt=seen)
            .order_by("pk")
            .first()
        )
        if added is None:
            return cleaned
        # The next save from this page is the editor's choice to add theirs too.
        self.data = self.data.copy()
        self.data[self.add_prefix("seen_up_to")] = self.newest_pk()
        raise ValidationError(
            "The %(kind)s %(row)s was added to this %(parent)s by %(who)s, after "
            "you opened this page, so your save was refused and nothing was "
            "written. If that was your own first click, your %(kind)s is saved "
            "already. If not, check the %(parent)s's %(rows)s, then save again "
            "to add this one as well.",
            code="added_meanwhile",
            params={
                "kind": added._meta.verbose_name,
                "row": added,
                "parent": parent._meta.verbose_name,
                "who": describe_change(added),
                "rows": added._meta.verbose_name_plural,
            },
        )


class StaleParentInlineFormSet(forms.BaseInlineFormSet):
    """Inline rows of a page opened before its row was last saved change nothing.

    The page's own form lets such a save through when none of its fields
    differ from what is stored (the same save sent twice). Its inline rows
    cannot be judged that way: a new row sent again is a second copy (a
    double click added every new quote twice), and stale places (agencies in
    a credit line, reordered meanwhile) would quietly undo the other save.
    """

    def clean(self):
        super().clean()
        pk_name = self.model._meta.pk.name
        for form in self.forms:
            # A row deleted meanwhile: Django refuses its id on a hidden field,
            # where the admin shows no error, and drops the row from the page.
            if pk_name in form.errors and form.data.get(form.add_prefix(pk_name)):
                raise ValidationError(
                    "One of the %(rows)s on this page was deleted by someone else "
                    "after you opened it, so your save was refused and nothing "
                    "was written. Reload the page to see what is saved now.",
                    code="stale",
                    params={"rows": self.model._meta.verbose_name_plural},
                )
        for form in self.initial_forms:
            # A row moved to another parent meanwhile (a quote to another
            # story): its id is still a valid one, so Django raises nothing,
            # gives the form a blank new row and then saves none of it.
            if form.instance._state.adding:
                raise ValidationError(
                    "One of the %(rows)s on this page was moved to another "
                    "%(kind)s by someone else after you opened it, so your save "
                    "was refused and nothing was written. Reload the page to see "
                    "what is saved now.",
                    code="stale",
                    params={
                        "rows": self.model._meta.verbose_name_plural,
                        "kind": self.fk.remote_field.model._meta.verbose_name,
                    },
                )
        if getattr(self.instance, "_opened_stale", False) and self.changes_rows():
            current = locked_copy(self.instance)
            raise ValidationError(
                "This %(kind)s was saved by %(who)s after you opened this page, "
                "so your changes to its %(rows)s were not saved and nothing was "
                "written. Reload the page to see what is saved now, then make "
                "them again.",
                code="stale",
                params={
                    "kind": current._meta.verbose_name,
                    "who": describe_change(current),
                    "rows": self.model._meta.verbose_name_plural,
                },
            )

    def changes_rows(self):
        """Whether this save changes the rows from how they were stored.

        On a revert page the revision's rows are stored by now, and the formset
        compares with those; a formset whose rows a revert writes also compares
        with the rows stored before it.
        """
        return self.has_changed()


class VersionedInlineFormSet(StaleParentInlineFormSet):
    """Inline rows carry their own versions; a stale row is refused like a story."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # On a restore page each row is checked against itself as stored
        # before the restore (ArticleAdmin.get_object), as its story is.
        before = getattr(self.instance, "_rows_before_restore", {})
        if form.instance.pk in before:
            form.instance._stored_before_restore = before[form.instance.pk]
        return form

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk is None:
                continue
            current = locked_copy(form.instance)
            if form.cleaned_data.get("base_version") != current.version:
                raise ValidationError(
                    "%(row)s was changed by %(who)s after you opened this page, so "
                    "it was not deleted and nothing was written. Reload to see it.",
                    code="stale",
                    params={"row": current, "who": describe_change(current)},
                )


def with_base_version(fieldsets, field="base_version"):
    """Fieldsets with the hidden base_version (or field) added, so the form carries it."""
    if any(field in opts["fields"] for _, opts in fieldsets):
        return fieldsets
    (name, opts), *rest = fieldsets
    return [(name, {**opts, "fields": [*opts["fields"], field]}), *rest]


def without(fieldsets, field):
    """Fieldsets with field left out."""
    return [
        (name, {**opts, "fields": [f for f in opts["fields"] if f != field]})
        for name, opts in fieldsets
    ]


class VersionedInlineMixin:
    form = VersionedModelForm
    formset = VersionedInlineFormSet

    def get_fieldsets(self, request, obj=None):
        return with_base_version(super().get_fieldsets(request, obj))


class VersionedAdminMixin:
    """For a ModelAdmin of a Versioned model: record who saved, refuse stale forms."""

    form = VersionedModelForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = with_base_version(super().get_fieldsets(request, obj))
        if issubclass(self.form, AddedMeanwhileForm):
            # Only an add page carries the newest row it was opened after.
            fieldsets = without(fieldsets, "seen_up_to")
            if obj is None:
                fieldsets = with_base_version(fieldsets, "seen_up_to")
        return fieldsets

    def save_model(self, request, obj, form, change):
        obj.changed_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if issubclass(formset.model, Versioned):
            for row in formset.forms:
                row.instance.changed_by = request.user
        super().save_formset(request, form, formset, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return self.save_or_show_conflict(
                request, object_id, form_url, extra_context
            )
        except PermissionDenied:
            # Django refuses a POST it may not save before it reads the form.
            # Where a save since the form was opened took the row away (an
            # editor published a reporter's draft), that refusal is a conflict
            # too: say so, and give back what was sent.
            refused = refuse_change_taken_away(self, request, object_id)
            if refused is None:
                raise
            return refused

    def save_or_show_conflict(self, request, object_id, form_url, extra_context):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleVersionError:
            # Another save landed between this form's check and its write (possible
            # where rows cannot be locked, as on SQLite). Everything was rolled
            # back; a second pass finds the newer version and shows the conflict.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except StaleVersionError as error:
            # Raised by delete_model(): the delete's transaction is rolled back.
            return refuse_stale_delete(self, request, error)

    def delete_model(self, request, obj):
        # The delete page carries the version it showed
        # (templates/admin/articles/delete_confirmation.html).
        check_delete_is_fresh(request, obj)
        super().delete_model(request, obj)


def refuse_change_taken_away(modeladmin, request, object_id):
    """The page for a save refused because a save since took the row away, or None.

    None unless this is the POST of a change form whose row has moved on from
    the version it was opened at, in a way that took it out of this user's
    hands (``Versioned.taken_from``); the caller then refuses as before.
    """
    if request.method != "POST" or object_id is None or "_saveasnew" in request.POST:
        return None
    row = modeladmin.get_object(request, unquote(object_id))
    carried = getattr(modeladmin.form, "opened_versions", ())
    try:
        read = int(request.POST.get("base_version", ""))
        opened = {name: int(request.POST.get(name, "")) for name in carried}
    except ValueError:
        return None
    taken = row and row.taken_from(request.user, read, **opened)
    if not taken:
        return None
    return refused_change_page(
        modeladmin,
        request,
        row,
        f"{capfirst(taken)} after you opened it, so you can no longer change it: "
        f"your save was refused and nothing was written. “{row.taken_by}” was "
        f"last saved by {describe_change(row.taken_by)}. Everything you sent is "
        "below for you to copy; ask an editor to make the change.",
    )


def refused_change_page(modeladmin, request, row, message):
    """The page for a change to row refused with message: everything sent, to copy."""
    modeladmin.message_user(request, message, messages.ERROR)
    opts = modeladmin.opts
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"Your changes to {in_quotes(row)} were not saved",
        "opts": opts,
        "original": row,
        "sent": list(sent_sections(modeladmin, request, row)),
    }
    return TemplateResponse(
        request,
        [
            f"admin/{opts.app_label}/{opts.model_name}/change_refused.html",
            f"admin/{opts.app_label}/change_refused.html",
            "admin/articles/change_refused.html",  # taggit's tags
        ],
        context,
    )


def check_delete_is_fresh(request, row):
    """Raise StaleVersionError if row was saved after its delete page was opened.

    The page carries the version it showed (base_version, as every form
    here does); a POST without one (a script, the list's delete action) is
    not checked. Call it inside the delete's transaction: the row stays
    locked until the delete is done.
    """
    read = request.POST.get("base_version")
    if read is None:
        return
    current = locked_copy(row)
    if read != str(current.version):
        raise StaleVersionError(current)


def refuse_stale_delete(modeladmin, request, error):
    """Tell the editor the row was kept, and show it as it is saved now."""
    row = error.instance
    modeladmin.message_user(
        request,
        f"{capfirst(row._meta.verbose_name)} {row} was changed by "
        f"{describe_change(row)} after you opened its delete page, so it was "
        "not deleted and nothing was written. Here it is as saved now; delete "
        "it again if you still mean to.",
        messages.ERROR,
    )
    opts = row._meta
    return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", row.pk)


def refuse_stale_action(modeladmin, request, row):
    """Tell the editor an action skipped row because it changed meanwhile."""
    modeladmin.message_user(
        request,
        f"“{row}” was changed by {describe_change(locked_copy(row))} while the "
        "action ran, so it was left as saved.",
        messages.ERROR,
    )
