from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from ..forms import CorrectionForm, TextareaMixin
from ..models import Correction


@admin.register(Correction)
class CorrectionAdmin(TextareaMixin, admin.ModelAdmin):
    """Corrections are added to published stories and struck with a note, never deleted."""

    form = CorrectionForm
    list_display = ["published_at", "text", "story", "struck_at"]
    list_filter = [("struck_at", admin.EmptyFieldListFilter), "published_at"]
    search_fields = ["text", "strike_note", "article__headline"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["article"]
    list_select_related = ["article"]
    fields = [
        "article",
        "published_at",
        "text",
        "quote",
        "struck_at",
        "struck_by",
        "strike_note",
    ]

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        if obj is None:
            # A correction is struck once printed, never as it is added:
            # add_correction() takes no note, so the add form offers none.
            return ["article", "published_at", "text", "quote"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A published correction is only ever struck, once, with a note.
        if obj.is_struck:
            return self.fields
        return [name for name in self.fields if name != "strike_note"]

    def save_model(self, request, obj, form, change):
        if change:
            if "strike_note" in form.changed_data:  # read-only once struck
                obj.strike(obj.strike_note, by=request.user)
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
