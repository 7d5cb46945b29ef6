from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from ..conflicts import StaleParentInlineFormSet, VersionedAdminMixin
from ..forms import TextareaMixin
from ..models import Agency, Article, PhotoCredit, PhotoCreditAgency, history
from .record_history import RecordHistoryAdmin
from .reordering import BlankPlacesLast, free_moved_places
from .workflow import SharedRecordAdminMixin, SharedRecordInlineMixin


@admin.register(Agency)
class AgencyAdmin(SharedRecordAdminMixin, VersionedAdminMixin, admin.ModelAdmin):
    search_fields = ["name"]


class AgencyLinkFormSet(BlankPlacesLast, StaleParentInlineFormSet):
    place_field = "position"

    def clean(self):
        super().clean()  # blank places are numbered by now
        if any(self.errors):
            return
        # The line as it will be saved: the rows kept on this page, and any
        # added by someone else since it was opened.
        kept = [
            form
            for form in self.forms
            if (form.instance.pk or form.has_changed())
            and not self._should_delete_form(form)
        ]
        line = [
            (form.cleaned_data["position"], form.cleaned_data["agency"], form)
            for form in kept
        ]
        if self.instance.pk is not None:
            on_page = [form.instance.pk for form in self.initial_forms]
            line += [
                (link.position, link.agency, None)
                for link in self.instance.agency_links.exclude(
                    pk__in=on_page
                ).select_related("agency")
            ]
        line.sort(key=lambda row: row[0])
        first = {}
        for position, agency, form in line:
            if agency in first and form is not None:
                form.add_error(
                    "agency",
                    f"{agency} is already in place {first[agency]} of this "
                    "credit line.",
                )
            first.setdefault(agency, position)
        PhotoCredit.validate_agencies(agency for _, agency, _ in line)

    def changes_rows(self):
        # A revert has written the revision's places by now: a reorder saved
        # since the revert page was opened would be undone unseen.
        stored = getattr(self.instance, "_stored_before_restore", None)
        if stored is not None and stored.places != history.places_of(self.instance):
            return True
        return super().changes_rows()


class PhotoCreditAgencyInline(SharedRecordInlineMixin, admin.TabularInline):
    model = PhotoCreditAgency
    formset = AgencyLinkFormSet
    extra = 1
    autocomplete_fields = ["agency"]
    verbose_name_plural = "agencies, in the order the credit line names them"


@admin.register(PhotoCredit)
class PhotoCreditAdmin(
    SharedRecordAdminMixin, TextareaMixin, VersionedAdminMixin, RecordHistoryAdmin
):
    list_display = ["thumbnail", "caption", "credit_line"]
    list_display_links = ["thumbnail", "caption"]
    search_fields = ["caption", "alt_text", "photographer__name", "agencies__name"]
    autocomplete_fields = ["photographer"]
    inlines = [PhotoCreditAgencyInline]
    fields = [
        "image",
        "thumbnail",
        "caption",
        "alt_text",
        "photographer",
        "credit_line",
        "slug",
    ]
    readonly_fields = ["thumbnail", "credit_line"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("photographer")
            .prefetch_related("agency_links__agency")
        )

    def as_stored(self, credit):
        credit.places = history.places_of(credit)
        return credit

    def get_deleted_objects(self, objs, request):
        # Article.lead_photo is SET_NULL, so deleting a credit took the photo
        # off its stories without a word. Listed as protected, Django's delete
        # page names the stories and offers no delete. It was left SET_NULL
        # because restoring an older revision of a story deleted the credit it
        # led with (django-reversion's revert(delete=True) followed lead_photo),
        # which PROTECT would have refused. A restore no longer deletes or
        # rewrites a credit (models/history.py), so that reason is gone and
        # PROTECT, with a migration, would now hold on every path, not just
        # this page. A credit no story uses can still be deleted; restoring a
        # revision that led with it leaves the story without a lead photo, and
        # says so.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        protected += [
            format_html(
                'Story: <a href="{}">{}</a> (its lead photo)',
                reverse("admin:articles_article_change", args=[story.pk]),
                story,
            )
            for story in Article.objects.filter(lead_photo__in=objs).order_by("pk")
        ]
        return deleted, counts, perms_needed, protected

    def save_formset(self, request, form, formset, change):
        free_moved_places(formset, "position")
        super().save_formset(request, form, formset, change)

    # Not "Image": the change form shows the file field of that name beside it.
    @admin.display(description="Preview")
    def thumbnail(self, credit):
        if not credit.image:
            return "(no image file)"
        return format_html(
            '<img src="{}" alt="{}" class="photo-thumbnail">',
            credit.image.url,
            credit.alt_text,
        )
