from django.contrib import admin
from django.utils.html import format_html

from ..models import FormerAddress


@admin.register(FormerAddress)
class FormerAddressAdmin(admin.ModelAdmin):
    """Addresses stories left, which lead readers on to them (read-only).

    They are kept by the stories' own saves; an editor may delete one, after
    which its address answers 404 again (or shows a story that takes it).
    """

    list_display = ["__str__", "story", "left_at"]
    list_select_related = ["article"]
    search_fields = ["slug", "article__headline"]
    date_hierarchy = "left_at"

    @admin.display(description="Leads to", ordering="article__headline")
    def story(self, former):
        return format_html(
            '<a href="{}">{}</a>', former.article.get_absolute_url(), former.article
        )

    # Whoever may see stories may see where they were; editors may delete.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("articles.view_article")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("articles.publish_article")
