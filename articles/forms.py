from django import forms
from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.text import normalize_newlines, slugify
from taggit.models import Tag

from . import wire
from .conflicts import (
    AddedMeanwhileForm,
    FingerprintedModelForm,
    VersionedModelForm,
    locked_copy,
)
from .models import Article, Correction, Person, Quote
from .models.tags import names_as_tagged, tag_named
from .rendering import render_body


class TextareaField(forms.CharField):
    """Text typed into a text box, with the line breaks it is stored with.

    Browsers send every line break in a <textarea> as CRLF, as the HTML
    standard has them do; stories, quotes and notes are stored with LF. Taken
    as sent, a published story saved unchanged in the admin had a "changed"
    body, so readers were told it had been updated that day.
    """

    def to_python(self, value):
        return normalize_newlines(super().to_python(value))

    def has_changed(self, initial, data):
        # Text stored with CRLF (before this field, or by loaddata) is the same text.
        return super().has_changed(initial and normalize_newlines(initial), data)


class TextareaMixin:
    """For a ModelAdmin or inline: its model's TextFields are edited as TextareaField."""

    formfield_overrides = {models.TextField: {"form_class": TextareaField}}


class ArticleForm(VersionedModelForm):
    """The admin's article form: tags must have a name an address can be made from.

    A save from a form opened before someone else's save is refused (conflicts.py);
    the body is kept in the editor's browser as they type (static/js/autosave.js).
    """

    class Media:
        js = ["js/autosave.js"]

    # Changing these moves the story through the desk; it does not update the story.
    WORKFLOW_FIELDS = {"status", "published_at", "minor_edit"}

    minor_edit = forms.BooleanField(
        label="Minor edit — don't show as updated",
        required=False,
        help_text="For typo fixes on a published story: readers are not told it was updated.",
    )

    class Meta:
        model = Article
        fields = [
            "headline",
            "slug",
            "dek",
            "dateline",
            "body",
            "people",
            "lead_photo",
            "source",
            "source_note",
            "tags",
            "status",
            "published_at",
        ]

    def clean_tags(self):
        tags = self.cleaned_data["tags"]
        problems = []
        unusable = [name for name in tags if not slugify(name, allow_unicode=True)]
        if unusable:
            problems.append(
                forms.ValidationError(
                    "These tags have no letters or digits, so they cannot have a page: %(tags)s",
                    params={"tags": ", ".join(unusable)},
                )
            )
        # taggit's Tag.name is a varchar(100): PostgreSQL refused a longer
        # name with a server error, losing the form; SQLite quietly kept it.
        limit = Tag._meta.get_field("name").max_length
        too_long = [name for name in tags if len(name) > limit]
        if too_long:
            problems.append(
                forms.ValidationError(
                    "A tag can be at most %(limit)d characters long; shorten "
                    "these: %(tags)s",
                    params={
                        "limit": limit,
                        "tags": ", ".join(
                            f"“{name[:40]}…” ({len(name)} characters)"
                            for name in too_long
                        ),
                    },
                )
            )
        if problems:
            raise forms.ValidationError(problems)
        return names_as_tagged(tags)

    def changes_story(self):
        """Whether the saved words, people, photo or tags differ from before."""
        return bool(set(self.changed_data) - self.WORKFLOW_FIELDS)


class QuoteForm(AddedMeanwhileForm):
    """A quote's own page: its add page adds a quote once, however often it is sent.

    Its change page carries its story's version as it was opened (the quote's
    own does not move when the story is published), so a reporter refused
    because an editor published the story meanwhile is told so, and given
    back what they typed (conflicts.refuse_change_taken_away).
    """

    parent_field = "article"

    story_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    bookkeeping = AddedMeanwhileForm.bookkeeping | {"story_version"}
    opened_versions = ("story_version",)

    class Meta:
        model = Quote
        fields = ["article", "speaker", "text", "context", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            self.initial.setdefault("story_version", self.instance.article.version)


class TagForm(FingerprintedModelForm):
    """The tag admin's form: one tag per name, whatever its case.

    With TAGGIT_CASE_INSENSITIVE a story tagged "nato" gets the tag "NATO",
    so a second tag "nato" would have a page no story ever reaches. A rename
    from a page opened before someone else's is refused, as for a story.
    """

    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self):
        name = self.cleaned_data["name"]
        if not getattr(settings, "TAGGIT_CASE_INSENSITIVE", False):
            return name  # the unique name is the whole rule then
        existing = tag_named(name, exclude_pk=self.instance.pk)
        if existing is not None:
            raise forms.ValidationError(
                "There is already a tag “%(existing)s”, and tags match whatever "
                "their case: use that one (stories tagged “%(name)s” get it).",
                code="same_name",
                params={"existing": existing.name, "name": name},
            )
        return name


class CorrectionForm(forms.ModelForm):
    """The admin's correction form: a correction is struck once, and not twice."""

    class Meta:
        model = Correction
        fields = ["article", "published_at", "text", "quote", "strike_note"]

    def clean(self):
        cleaned = super().clean()
        # Read from the request, not cleaned_data: on a page opened before the
        # strike, the note box the editor filled is read-only by now.
        note = self.data.get(self.add_prefix("strike_note"), "").strip()
        if self.instance.pk is None or not note:
            return cleaned
        # Locked until the save ends, so of two editors striking at once the
        # second waits here and then finds the first one's strike.
        current = locked_copy(self.instance)
        if current.is_struck:
            when = timezone.localtime(current.struck_at)
            raise forms.ValidationError(
                "This correction was already struck at %(when)s, after you opened "
                "this page, with the note “%(theirs)s”. A correction is struck "
                "once, so your note (“%(yours)s”) was not saved and nothing was "
                "changed.",
                code="already_struck",
                params={
                    "when": f"{when:%H:%M:%S} on {formats.date_format(when, 'j M Y')}",
                    "theirs": current.strike_note,
                    "yours": note,
                },
            )
        return cleaned


class ScheduleForm(forms.Form):
    """The publication time the admin's "schedule" action asks for."""

    publish_at = forms.DateTimeField(
        label="Publish at",
        help_text="In the site's time zone, as YYYY-MM-DD HH:MM. The stories appear by themselves then.",
    )

    def clean_publish_at(self):
        when = self.cleaned_data["publish_at"]
        if when <= timezone.now():
            raise forms.ValidationError("Choose a time in the future.")
        return when


class WireImportForm(forms.Form):
    """Wire copy pasted or uploaded in the admin, parsed on validation."""

    text = forms.CharField(
        label="Wire copy",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 100}),
        help_text="Line 1: headline, photo caption and (credit). Then one paragraph per line.",
    )
    upload = forms.FileField(label="…or a .txt file", required=False)
    source = forms.CharField(
        required=False, help_text="Who supplied the copy, e.g. “Tribune News Service”."
    )

    def clean(self):
        cleaned = super().clean()
        if self.has_error("text") or self.has_error("upload"):
            return cleaned  # what was sent is refused already, with its reason
        upload, text = cleaned.get("upload"), cleaned.get("text", "")
        if upload:
            if upload.size > wire.MAX_WIRE_BYTES:
                raise forms.ValidationError(
                    "The file is larger than 1 MB; wire copy is plain text."
                )
            data, name = upload.read(), upload.name
        elif text.strip():
            data, name = text.encode("utf-8"), "pasted text"
            if len(data) > wire.MAX_WIRE_BYTES:
                raise forms.ValidationError(
                    "The pasted text is larger than 1 MB; a wire story is far shorter."
                )
        else:
            raise forms.ValidationError("Paste the wire copy or choose a .txt file.")
        try:
            cleaned["text"] = wire.decode(data, name=name)
            self.story = wire.parse(cleaned["text"], name=name)
        except wire.WireFormatError as error:
            raise forms.ValidationError(str(error)) from error
        return cleaned

    def preview_body(self):
        """The body as it will read, quotes marked with their speakers."""
        quotes = [
            Quote(
                text=quote.text,
                order=order,
                speaker=Person(name=quote.speaker, slug=slugify(quote.speaker)),
            )
            for order, quote in enumerate(self.story.quotes, 1)
            if slugify(quote.speaker)
        ]
        return render_body("\n".join(self.story.body), quotes)
