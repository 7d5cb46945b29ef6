import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext
from reversion_compare.admin import CompareVersionAdmin
from taggit.models import Tag

from . import ingest
from .conflicts import (
    VersionedAdminMixin,
    VersionedInlineMixin,
    refuse_stale_action,
)
from .forms import ArticleForm, ScheduleForm, WireImportForm
from .models import (
    Agency,
    Article,
    Correction,
    Person,
    PhotoCredit,
    PhotoCreditAgency,
    Quote,
    StaleVersionError,
    Status,
)

PARKED = 10_000  # beyond any real position (and within smallint), so parked rows collide with none


def free_moved_places(formset, field):
    """Let editors renumber inline rows freely, swapping 1 and 2 included.

    The formset saves rows one at a time, so a swap would trip the unique
    (parent, place) index halfway; the moved rows are first shifted out of the
    way, inside the admin's transaction.
    """
    moved = [
        form.instance.pk
        for form in formset.forms
        if form.instance.pk and field in form.changed_data
    ]
    if moved:
        formset.model.objects.filter(pk__in=moved).update(**{field: F(field) + PARKED})


class QuoteInline(VersionedInlineMixin, admin.TabularInline):
    model = Quote
    extra = 1
    autocomplete_fields = ["speaker"]
    fields = ["text", "speaker", "context", "order"]


class CorrectionInline(admin.StackedInline):
    """New corrections are added here; saved ones are read-only (strike them on their own page)."""

    model = Correction
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["published_at", "text", "quote", "struck_at", "strike_note"]
    readonly_fields = ["struck_at"]

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
class ArticleAdmin(VersionedAdminMixin, CompareVersionAdmin):
    form = ArticleForm
    history_latest_first = True
    # taggit's manager breaks reversion-compare's m2m diff; the tags' through
    # rows (tagged_items) are compared instead.
    compare_exclude = ["tags", "created_by"]
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
    search_fields = ["headline", "dek", "body", "people__name"]
    date_hierarchy = "published_at"
    ordering = [
        "-published_at",
        "-pk",
    ]  # Meta.ordering is dropped once get_queryset() groups by
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["authors", "people", "lead_photo"]
    inlines = [QuoteInline, CorrectionInline]
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
        ("People and photo", {"fields": ["authors", "people", "lead_photo"]}),
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
    # Restoring an old revision brings back its words, quotes, tags and photo;
    # where the story stands on the desk stays as it is now.
    WORKFLOW_FIELDS = ["status", "published_at", "updated_at", "created_by_id"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(quote_count=Count("quotes", distinct=True))
            .prefetch_related("people")
        )

    @admin.display(description="Quotes", ordering="quote_count")
    def quote_count(self, article):
        return article.quote_count

    @admin.display(description="Status", ordering="status")
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
        # Read before reversion writes the old revision over the row.
        request.workflow_now = (
            Article.objects.filter(pk=unquote(object_id))
            .values(*self.WORKFLOW_FIELDS, "version")
            .first()
        )
        return super().revision_view(request, object_id, version_id, extra_context)

    def get_object(self, request, object_id, from_field=None):
        article = super().get_object(request, object_id, from_field)
        if article is None:
            return None
        workflow = getattr(request, "workflow_now", None)
        if workflow:
            for field, value in workflow.items():
                setattr(article, field, value)
            # The restored row carries the old revision's version number. Put
            # the current one back, or a form opened at the number it returned
            # to would pass as fresh; this form's save then moves it on.
            Article.objects.filter(pk=article.pk).update(version=article.version)
            article._restoring = True
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
                    [form.story], source=form.cleaned_data["source"]
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

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    def apply_to_each(self, request, queryset, verb, change):
        """Call change(article) on each story, report refusals, record one revision."""
        done = 0
        for article in queryset:
            try:
                change(article)
            except StaleVersionError:
                refuse_stale_action(self, request, article)
            except ValidationError as error:
                refused = "; ".join(error.messages)
                self.message_user(
                    request, f"“{article}” was not {verb}: {refused}", messages.ERROR
                )
            else:
                done += 1
        if done:
            reversion.set_comment(f"{verb.capitalize()} from the story list.")
        self.message_user(
            request,
            ngettext(f"%d story {verb}.", f"%d stories {verb}.", done) % done,
            messages.SUCCESS if done else messages.WARNING,
        )

    @admin.action(
        permissions=["change"], description="Submit selected stories for review"
    )
    def submit_selected_for_review(self, request, queryset):
        def submit(article):
            if not article.editable_by(request.user):
                raise ValidationError("you may not change this story")
            article.submit_for_review(by=request.user)

        self.apply_to_each(request, queryset, "submitted for review", submit)

    @admin.action(permissions=["publish"], description="Schedule selected stories…")
    def schedule_selected(self, request, queryset):
        form = ScheduleForm(request.POST if "schedule" in request.POST else None)
        if form.is_valid():
            when = form.cleaned_data["publish_at"]
            self.apply_to_each(
                request,
                queryset,
                "scheduled",
                lambda article: article.schedule(when, by=request.user),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Schedule stories",
            "opts": self.opts,
            "form": form,
            "stories": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/articles/article/schedule.html", context
        )

    @admin.action(permissions=["publish"], description="Publish selected stories")
    def publish_selected(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            "published",
            lambda article: article.publish(by=request.user),
        )

    @admin.action(
        permissions=["publish"],
        description="Unpublish selected stories (back to draft)",
    )
    def unpublish_selected(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            "unpublished",
            lambda article: article.unpublish(by=request.user),
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            readonly += ["status", "published_at"]
        elif getattr(obj, "_was_live", False):
            # The publication time is in the story's address and never moves;
            # unpublish first to correct a wrong one.
            readonly += ["published_at"]
        return readonly


@admin.register(Quote)
class QuoteAdmin(VersionedAdminMixin, admin.ModelAdmin):
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

    @admin.display(description="Story", ordering="article__headline")
    def story(self, quote):
        url = reverse("admin:articles_article_change", args=[quote.article_id])
        return format_html('<a href="{}">{}</a>', url, quote.article.headline)


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    """Corrections are added to published stories and struck with a note, never deleted."""

    list_display = ["published_at", "text", "story", "struck_at"]
    list_filter = [("struck_at", admin.EmptyFieldListFilter), "published_at"]
    search_fields = ["text", "strike_note", "article__headline"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["article"]
    list_select_related = ["article"]
    fields = ["article", "published_at", "text", "quote", "struck_at", "strike_note"]

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["struck_at"]
        # A published correction is only ever struck, once, with a note.
        readonly = ["article", "published_at", "text", "quote", "struck_at"]
        return readonly + ["strike_note"] if obj.is_struck else readonly

    def save_model(self, request, obj, form, change):
        if change:
            if "strike_note" in form.changed_data:  # read-only once struck
                obj.strike(obj.strike_note)
        else:
            obj.pk = obj.article.add_correction(
                obj.text, quote=obj.quote, when=obj.published_at
            ).pk

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and not obj.is_struck:
            form.base_fields["strike_note"].required = True
        return form

    @admin.display(description="Story", ordering="article__headline")
    def story(self, correction):
        url = reverse("admin:articles_article_change", args=[correction.article_id])
        return format_html('<a href="{}">{}</a>', url, correction.article.headline)


class PersonQuoteInline(admin.TabularInline):
    """The person's quotes, read-only here: a quote is edited with its story."""

    model = Quote
    fk_name = "speaker"
    fields = ["text", "story"]
    readonly_fields = ["text", "story"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "quotes by this person"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")

    @admin.display(description="Story")
    def story(self, quote):
        url = reverse("admin:articles_article_change", args=[quote.article_id])
        return format_html('<a href="{}">{}</a>', url, quote.article.headline)


@admin.register(Person)
class PersonAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "honorific", "role", "organization", "quote_count"]
    ordering = ["name"]  # Meta.ordering is dropped once get_queryset() groups by
    search_fields = ["name", "role", "organization"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PersonQuoteInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(quote_count=Count("quotes"))

    @admin.display(description="Quotes", ordering="quote_count")
    def quote_count(self, person):
        return person.quote_count


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class PhotoCreditAgencyInline(admin.TabularInline):
    model = PhotoCreditAgency
    extra = 1
    autocomplete_fields = ["agency"]
    verbose_name_plural = "agencies, in the order the credit line names them"


@admin.register(PhotoCredit)
class PhotoCreditAdmin(VersionedAdminMixin, admin.ModelAdmin):
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

    def save_formset(self, request, form, formset, change):
        free_moved_places(formset, "position")
        super().save_formset(request, form, formset, change)

    @admin.display(description="Image")
    def thumbnail(self, credit):
        if not credit.image:
            return "(no image file)"
        return format_html(
            '<img src="{}" alt="{}" class="photo-thumbnail">',
            credit.image.url,
            credit.alt_text,
        )


# taggit's own TagAdmin edits its generic TaggedItem, which our articles do not
# use: its "merge tags" action would report success and move nothing.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "story_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(story_count=Count("articles_taggedarticle_items"))
        )

    @admin.display(description="Stories", ordering="story_count")
    def story_count(self, tag):
        return tag.story_count


admin.site.site_header = "Newsroom"
admin.site.site_title = "Newsroom admin"
admin.site.index_title = "Desk"
