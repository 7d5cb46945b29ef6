from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import ngettext
from taggit.models import Tag

from . import ingest
from .forms import ArticleForm, WireImportForm
from .models import Agency, Article, Person, PhotoCredit, PhotoCreditAgency, Quote

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


class QuoteInline(admin.TabularInline):
    model = Quote
    extra = 1
    autocomplete_fields = ["speaker"]
    fields = ["text", "speaker", "context", "order"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = [
        "headline",
        "status",
        "published_at",
        "people_in_story",
        "quote_count",
    ]
    list_filter = ["status", "published_at", "tags"]
    search_fields = ["headline", "dek", "body", "people__name"]
    date_hierarchy = "published_at"
    ordering = [
        "-published_at",
        "-pk",
    ]  # Meta.ordering is dropped once get_queryset() groups by
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["authors", "people", "lead_photo"]
    inlines = [QuoteInline]
    actions = ["publish_selected", "unpublish_selected"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek", "dateline", "body"]}),
        ("People and photo", {"fields": ["authors", "people", "lead_photo"]}),
        ("Source", {"fields": ["source", "source_note"]}),
        ("Tags", {"fields": ["tags"]}),
        ("Publishing", {"fields": ["status", "published_at", "updated_at"]}),
    ]

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

    @admin.display(description="People")
    def people_in_story(self, article):
        return ", ".join(person.name for person in article.people.all())

    def save_formset(self, request, form, formset, change):
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

    @admin.action(permissions=["publish"], description="Publish selected stories")
    def publish_selected(self, request, queryset):
        count = 0
        for article in queryset:
            try:
                article.publish()
            except ValidationError as error:
                refused = "; ".join(error.messages)
                self.message_user(
                    request, f"“{article}” was not published: {refused}", messages.ERROR
                )
            else:
                count += 1
        self.message_user(
            request,
            ngettext("%d story published.", "%d stories published.", count) % count,
            messages.SUCCESS if count else messages.WARNING,
        )

    @admin.action(
        permissions=["publish"],
        description="Unpublish selected stories (back to draft)",
    )
    def unpublish_selected(self, request, queryset):
        for article in queryset:
            article.unpublish()
        count = len(queryset)
        self.message_user(
            request,
            ngettext("%d story unpublished.", "%d stories unpublished.", count) % count,
            messages.SUCCESS,
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            readonly += ["status", "published_at"]
        return readonly


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "speaker", "story"]
    list_filter = [("speaker", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["text", "speaker__name"]
    autocomplete_fields = ["article", "speaker"]
    list_select_related = ["speaker", "article"]

    @admin.display(description="Story", ordering="article__headline")
    def story(self, quote):
        url = reverse("admin:articles_article_change", args=[quote.article_id])
        return format_html('<a href="{}">{}</a>', url, quote.article.headline)


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
class PersonAdmin(admin.ModelAdmin):
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
class PhotoCreditAdmin(admin.ModelAdmin):
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
