from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from ..conflicts import VersionedAdminMixin
from ..forms import TextareaMixin
from ..models import Article, Person, Quote
from .record_history import RecordHistoryAdmin
from .workflow import SharedRecordAdminMixin


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

    # View-only, as Django has it: the admin then skips validating these
    # rows. Validated, a quote deleted (or given to another speaker) while
    # the person's page was open came back as a blank new quote, whose
    # clean() failed on a field this inline doesn't show: a server error.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")

    @admin.display(description="Story")
    def story(self, quote):
        url = reverse("admin:articles_article_change", args=[quote.article_id])
        return format_html('<a href="{}">{}</a>', url, quote.article.headline)


@admin.register(Person)
class PersonAdmin(
    SharedRecordAdminMixin, TextareaMixin, VersionedAdminMixin, RecordHistoryAdmin
):
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

    def get_deleted_objects(self, objs, request):
        # Deleting a person drops them from every byline and every story's
        # people without a word (an m2m link cannot be PROTECTed). Listed as
        # protected, Django's delete page names the stories and offers no
        # delete, as for their quotes.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        for links, how in [
            (Article.authors.through, "written by {}"),
            (Article.people.through, "names {}"),
        ]:
            found = links.objects.filter(person__in=objs).select_related(
                "article", "person"
            )
            protected += [
                format_html(
                    'Story: <a href="{}">{}</a> ({})',
                    reverse("admin:articles_article_change", args=[link.article_id]),
                    link.article,
                    how.format(link.person),
                )
                for link in found.order_by("pk")
            ]
        return deleted, counts, perms_needed, protected
