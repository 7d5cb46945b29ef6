import taggit.admin  # noqa: F401  registers taggit's TagAdmin, replaced below
from django.contrib import admin
from django.db.models import Count
from taggit.models import Tag

from ..conflicts import with_base_version
from ..forms import TagForm
from .workflow import SharedRecordAdminMixin

# taggit's own TagAdmin edits its generic TaggedItem, which our articles do not
# use: its "merge tags" action would report success and move nothing. (taggit's
# admin module is imported above: articles comes first in INSTALLED_APPS, so
# the admin's autodiscovery reaches this module before taggit's.)
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(SharedRecordAdminMixin, admin.ModelAdmin):
    form = TagForm  # no "nato" beside "NATO"
    list_display = ["name", "slug", "story_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["name"]

    def get_fieldsets(self, request, obj=None):
        return with_base_version(super().get_fieldsets(request, obj))

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(story_count=Count("articles_taggedarticle_items"))
        )

    @admin.display(description="Stories", ordering="story_count")
    def story_count(self, tag):
        return tag.story_count
