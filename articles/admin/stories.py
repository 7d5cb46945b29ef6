import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from reversion.models import Version
from reversion_compare.admin import CompareVersionAdmin

from .. import ingest
from ..conflicts import (
    StaleParentInlineFormSet,
    VersionedAdminMixin,
    VersionedInlineFormSet,
    VersionedInlineMixin,
)
from ..forms import ArticleForm, QuoteForm, TextareaMixin, WireImportForm
from ..models import Article, ArticleAuthor, Correction, Quote, Status, history
from .reordering import BlankPlacesLast, free_changed_links, free_moved_places
from .revision_rows import RevisionRowsCompareMixin
from .workflow import WorkflowActionsMixin


class QuoteFormSet(BlankPlacesLast, VersionedInlineFormSet):
    place_field = "order"

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk is not None:
                refuse_deleting_a_corrected_quote(form.instance)


def refuse_deleting_a_corrected_quote(quote):
    """A correction is on the public record for good, and so is the quote it names.

    Deleting the quote cleared the correction's link to it: the page lost
    "(the quote corrected)" and a restored revision did not bring it back.
    """
    correction = quote.corrections.order_by("published_at").first()
    if correction is not None:
        raise ValidationError(
            "%(quote)s cannot be deleted: the correction of %(day)s names it, "
            "and corrections stay on the record. Change the quote's words instead.",
            code="corrected",
            params={"quote": quote, "day": f"{correction.published_at:%Y-%m-%d}"},
        )


def newest_version(quote, stored):
    """The highest version quote has had: as stored, or in its history if deleted."""
    recorded = [
        version.field_dict.get("version", 0)
        for version in Version.objects.get_for_object(quote)
    ]
    return max([stored.get(quote.pk, 0), quote.version, *recorded])


class QuoteInline(TextareaMixin, VersionedInlineMixin, admin.TabularInline):
    model = Quote
    formset = QuoteFormSet
    extra = 1
    autocomplete_fields = ["speaker"]
    fields = ["text", "speaker", "context", "order"]


class BylineFormSet(BlankPlacesLast, StaleParentInlineFormSet):
    # A page opened before the story was last saved neither reorders nor
    # adds authors (StaleParentInlineFormSet); any byline change saves the
    # story, so its version moves on.
    place_field = "position"


class BylineInline(admin.TabularInline):
    """The story's authors in the order the byline names them, lead writer first.

    Part of the story, as the plain many-to-many field it replaced was:
    whoever may change the story may change its byline, with no permissions
    of its own for the desk's groups to hold.
    """

    model = ArticleAuthor
    formset = BylineFormSet
    extra = 1
    autocomplete_fields = ["person"]
    fields = ["person", "position"]
    verbose_name = "author"
    verbose_name_plural = "byline: authors in the order it names them"

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("articles.view_article") or self.may_change(
            request, obj
        )

    def has_add_permission(self, request, obj=None):
        return self.may_change(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.may_change(request, obj)

    def may_change(self, request, story):
        if story is None:
            return request.user.has_perm("articles.add_article")
        return story.editable_by(request.user)


class CorrectionInline(TextareaMixin, admin.StackedInline):
    """New corrections are added here; saved ones are read-only (strike them on their own page)."""

    model = Correction
    formset = StaleParentInlineFormSet  # a double click adds no second correction
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["published_at", "text", "quote", "struck_at", "strike_note"]
    # A correction is struck on its own page once printed: add_correction()
    # takes no note, so a new row must not offer one.
    readonly_fields = ["struck_at", "strike_note"]

    def has_change_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "quote":
            # Only the quotes of the story being corrected.
            story = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Quote.objects.filter(article_id=story)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class StatusFilter(admin.SimpleListFilter):
    """Status as readers experience it: a scheduled story whose time came is published."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        return {
            Status.DRAFT: queryset.drafts,
            Status.IN_REVIEW: queryset.in_review,
            Status.SCHEDULED: queryset.scheduled,
            Status.PUBLISHED: queryset.published,
        }.get(self.value(), queryset.all)()


@admin.register(Article)
class ArticleAdmin(
    TextareaMixin,
    WorkflowActionsMixin,
    VersionedAdminMixin,
    RevisionRowsCompareMixin,
    CompareVersionAdmin,
):
    form = ArticleForm
    history_latest_first = True
    # taggit's manager breaks reversion-compare's m2m diff; the tags' through
    # rows (tagged_items) are compared instead, and so are the byline's rows
    # (author_links), which hold each author's place. The desk's bookkeeping
    # differs between any two revisions and says nothing about the story.
    compare_exclude = ["tags", "authors", "created_by", *sorted(history.BOOKKEEPING)]
    # VersionAdmin names reversion's list template; ours extends it.
    change_list_template = "admin/articles/article/change_list.html"
    list_display = [
        "headline",
        "status_label",
        "published_at",
        "people_in_story",
        "quote_count",
    ]
    list_filter = [StatusFilter, "published_at", "tags"]
    search_fields = ["headline", "dek", "body", "people__name", "authors__name"]
    date_hierarchy = "published_at"
    ordering = [
        "-published_at",
        "-pk",
    ]  # Meta.ordering is dropped once get_queryset() groups by
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["people", "lead_photo"]
    inlines = [BylineInline, QuoteInline, CorrectionInline]
    actions = [
        "submit_selected_for_review",
        "schedule_selected",
        "publish_selected",
        "unpublish_selected",
    ]
    readonly_fields = [
        "status_label",
        "updated_at",
        "created_by",
        "changed_by",
        "changed_at",
        "version",
    ]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek", "dateline", "body"]}),
        # The byline is the first inline, below the story's own fields.
        ("People and photo", {"fields": ["people", "lead_photo"]}),
        ("Source", {"fields": ["source", "source_note"]}),
        ("Tags", {"fields": ["tags"]}),
        (
            "Publishing",
            {
                "fields": [
                    "status_label",
                    "status",
                    "published_at",
                    "updated_at",
                    "minor_edit",
                    "created_by",
                ]
            },
        ),
        ("Last change", {"fields": ["changed_by", "changed_at", "version"]}),
    ]
    # Restoring an old revision brings back its words, quotes, tags and which
    # photo led it (never the photo credit itself: see models/history.py);
    # where the story stands on the desk, and its address, stay as they are now.
    WORKFLOW_FIELDS = ["status", "published_at", "updated_at", "created_by_id", "slug"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(quote_count=Count("quotes", distinct=True))
            .with_desk_order()
            .prefetch_related("people")
        )

    @admin.display(description="Quotes", ordering="quote_count")
    def quote_count(self, article):
        return article.quote_count

    @admin.display(description="Status", ordering="desk_order")
    def status_label(self, article):
        status = article.public_status
        label = status.label
        if status == Status.SCHEDULED:
            when = timezone.localtime(article.published_at)
            label = f"{label} for {when:%Y-%m-%d %H:%M}"
        # Colours live in static/css/admin.css: the CSP allows no inline style.
        return format_html(
            '<span class="status-label status-{}">{}</span>', status.value, label
        )

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.editable_by(request.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.editable_by(request.user))

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        # The quote page's story field takes only stories the user may change
        # (QuoteAdmin.formfield_for_foreignkey); its autocomplete asks here,
        # and offered others that its save then refused.
        asking = (request.GET.get("model_name"), request.GET.get("field_name"))
        if asking == ("quote", "article"):
            queryset = queryset.filter(pk__in=Article.objects.editable_by(request.user))
        return queryset, may_have_duplicates

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not getattr(obj, "_was_live", False):
            # Only an edit to a story readers can see may be called minor.
            fieldsets = [
                (
                    name,
                    {
                        **options,
                        "fields": [f for f in options["fields"] if f != "minor_edit"],
                    },
                )
                for name, options in fieldsets
            ]
        return fieldsets

    def missing_story(self, request, object_id):
        """Django's "doesn't exist" redirect for an id that names no story.

        django-reversion's views look the id up as text among revisions, where
        garbage such as a NUL byte is a database error on PostgreSQL.
        """
        if self.get_object(request, unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return None

    def history_view(self, request, object_id, extra_context=None):
        return self.missing_story(request, object_id) or super().history_view(
            request, object_id, extra_context
        )

    def compare_view(self, request, object_id, extra_context=None):
        # reversion-compare checks only that the user is staff.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return self.missing_story(request, object_id) or super().compare_view(
            request, object_id, extra_context
        )

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if missing := self.missing_story(request, object_id):
            return missing
        # django-reversion finds the version by its id and the object's id
        # alone: a person's or credit's version with the story's id would be
        # restored here, rewriting whatever story its revision holds.
        versions = Version.objects.get_for_object_reference(Article, unquote(object_id))
        if not versions.filter(pk=version_id).exists():
            raise Http404("No such revision of this story.")
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        # django-reversion finds the version by its id alone; only a story's,
        # and only of a story that was deleted: an existing story is restored
        # from its history, where who may change it and where it stands hold.
        version = get_object_or_404(
            Version.objects.get_for_model(Article), pk=version_id
        )
        if Article._base_manager.filter(pk=version.object_id).exists():
            raise Http404("This story was not deleted: restore it from its history.")
        return super().recover_view(request, version_id, extra_context)

    def _reversion_revisionform_view(self, request, version, *args, **kwargs):
        # django-reversion's restore (and recover) view reverts the whole
        # revision, revision.revert(delete=True), and offers no hook. That
        # rewrote the lead photo's credit as it was then and deleted the one
        # the story leads with now, though other stories may use both.
        revision = version.revision

        def restore(delete):
            # Inside django-reversion's handler: a revision whose data no longer
            # loads (RevertError) is a message on the list page, not a 500.
            for lost in history.lost_since(revision):
                messages.warning(request, lost.warning)
            history.restore_story(revision, keeping=self.WORKFLOW_FIELDS)

        revision.revert = restore
        with transaction.atomic(using=version.db):
            # The story as stored before the revision is written over it, and
            # locked until the restore is saved or dropped: the form is checked
            # against it (get_object()), so a save made since the page was
            # opened is refused as stale rather than undone unseen.
            # A deleted story being recovered has none.
            request.stored_before_restore = (
                Article._base_manager.select_for_update()
                .filter(pk=version.object_id)
                .first()
            )
            request.quotes_before_restore = {
                quote.pk: quote
                for quote in Quote._base_manager.select_for_update().filter(
                    article_id=version.object_id
                )
            }
            return super()._reversion_revisionform_view(
                request, version, *args, **kwargs
            )

    def get_object(self, request, object_id, from_field=None):
        article = super().get_object(request, object_id, from_field)
        if article is None:
            return None
        # On a restore page, the story and its quotes as stored before the
        # revision was written over them (_reversion_revisionform_view); none
        # when a deleted story is recovered.
        stored = getattr(request, "stored_before_restore", None)
        if stored is not None and stored.pk == article.pk:
            for field in [*self.WORKFLOW_FIELDS, "version"]:
                setattr(article, field, getattr(stored, field))
            # The restored row carries the old revision's version number. Put
            # the current one back, or a form opened at the number it returned
            # to would pass as fresh; this form's save then moves it on.
            Article.objects.filter(pk=article.pk).update(version=article.version)
            # Its quotes come back at their old numbers too, and a quote form
            # would not move them on unless it changed them: each goes past
            # every number it has had, so no form opened before is fresh.
            # Until the restore is saved, the page shows each quote at its
            # version as stored before it, and its save is checked against the
            # quote as stored then (_rows_before_restore): an edit made on the
            # quote's own page since the restore page was opened is refused.
            before = request.quotes_before_restore
            versions_before = {pk: quote.version for pk, quote in before.items()}
            for quote in Quote.objects.filter(article=article):
                if request.method == "POST" or quote.pk not in before:
                    version = newest_version(quote, versions_before) + 1
                else:
                    version = before[quote.pk].version
                Quote.objects.filter(pk=quote.pk).update(version=version)
            article._rows_before_restore = before
            article._restoring = True
            article._stored_before_restore = stored
        # Whether readers could see the story before this request: the form
        # changes the instance, and the fields shown must not change with it.
        article._was_live = article.is_published
        return article

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        story_changed = (
            form.changes_story()
            or getattr(article, "_restoring", False)
            or any(fs.has_changed() for fs in formsets if fs.model is not Correction)
        )
        if (
            getattr(article, "_was_live", False)
            and story_changed
            and not form.cleaned_data.get("minor_edit")
        ):
            article.mark_updated()

    @admin.display(description="People")
    def people_in_story(self, article):
        return ", ".join(person.name for person in article.people.all())

    def save_formset(self, request, form, formset, change):
        if formset.model is Correction:
            # Through add_correction, so each one shows readers an update.
            for correction in formset.save(commit=False):
                form.instance.add_correction(
                    correction.text,
                    quote=correction.quote,
                    when=correction.published_at,
                )
            return
        if formset.model is Quote:
            free_moved_places(formset, "order")
        if formset.model is ArticleAuthor:
            free_changed_links(formset, ["person", "position"])
        super().save_formset(request, form, formset, change)

    def view_on_site(self, article):
        # Drafts have no public address yet; staff see them through the preview.
        if article.is_published:
            return article.get_absolute_url()
        return reverse("articles:preview", args=[article.pk])

    def get_urls(self):
        import_view = self.admin_site.admin_view(self.import_wire_view)
        return [
            path("import-wire/", import_view, name="articles_article_import")
        ] + super().get_urls()

    def import_wire_view(self, request):
        """Paste or upload wire copy, check the parsed preview, then create the draft."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = WireImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid() and "confirm" in request.POST:
            try:
                report = ingest.save_stories(
                    [form.story], source=form.cleaned_data["source"], user=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                article = report.articles[0]
                if article.created_by_id is None:
                    article.created_by = request.user
                    article.save(update_fields=["created_by"])
                self.message_user(request, report.as_text(), messages.SUCCESS)
                return redirect("admin:articles_article_change", article.pk)
        elif form.is_bound and form.is_valid():
            # Carry an uploaded file's text in the form, so "Create draft" sends it.
            cleaned = form.cleaned_data
            form = WireImportForm(
                {"text": cleaned["text"], "source": cleaned["source"]}
            )
            form.is_valid()
        context = {
            **self.admin_site.each_context(request),
            "title": "Import wire story",
            "opts": self.opts,
            "form": form,
            "story": getattr(form, "story", None)
            if form.is_bound and not form.errors
            else None,
        }
        return TemplateResponse(
            request, "admin/articles/article/import_wire.html", context
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            readonly += ["status", "published_at"]
        elif getattr(obj, "_was_live", False):
            # The publication time and the slug make the story's address, which
            # readers and search engines already hold: unpublish first to
            # correct a wrong one. The old address then leads to the new one
            # (FormerAddress).
            readonly += ["published_at", "slug"]
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        # The admin cannot prepopulate a field it shows read-only.
        readonly = self.get_readonly_fields(request, obj)
        return {
            field: sources
            for field, sources in super().get_prepopulated_fields(request, obj).items()
            if field not in readonly
        }


@admin.register(Quote)
class QuoteAdmin(TextareaMixin, VersionedAdminMixin, admin.ModelAdmin):
    form = QuoteForm  # a double click on its add page adds the quote once
    list_display = ["__str__", "speaker", "story"]
    list_filter = [("speaker", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["text", "speaker__name"]
    autocomplete_fields = ["article", "speaker"]
    list_select_related = ["speaker", "article"]

    # A quote is part of its story: whoever may change the story may change it.
    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.article.editable_by(request.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.article.editable_by(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "article" and not request.user.has_perm(
            "articles.publish_article"
        ):
            kwargs["queryset"] = Article.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # A quote changed on its own page changes its story as much as one changed
    # in the story's quotes: the story's history records it, and readers of a
    # published story see that it was updated.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and not form.has_changed():
            return  # saved as it was: nothing to tell readers or the history
        stories = [obj.article]
        if change and "article" in form.changed_data:  # moved: both stories change
            stories.append(Article.objects.get(pk=form.initial["article"]))
        verb = "Changed" if change else "Added"
        for story in stories:
            self.record_in_story(
                request, story, f"{verb} the quote {obj} on its own page."
            )

    def get_deleted_objects(self, objs, request):
        # Django's delete page lists these as protected and offers no delete.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        for quote in objs:
            protected += [
                f"{correction} (names {quote})"
                for correction in quote.corrections.all()
            ]
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        story = obj.article
        super().delete_model(request, obj)
        self.record_in_story(
            request, story, f"Deleted the quote {obj} on its own page."
        )

    def delete_queryset(self, request, queryset):
        quotes = list(queryset.select_related("article"))
        super().delete_queryset(request, queryset)
        for quote in quotes:
            self.record_in_story(
                request,
                quote.article,
                f"Deleted the quote {quote} from the quote list.",
            )

    def record_in_story(self, request, story, comment):
        if story.is_published:
            story.mark_updated()
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(comment)
            reversion.add_to_revision(story)

    @admin.display(description="Story", ordering="article__headline")
    def story(self, quote):
        url = reverse("admin:articles_article_change", args=[quote.article_id])
        return format_html('<a href="{}">{}</a>', url, quote.article.headline)
