from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date
from django.views.generic import DetailView, ListView
from django.views.generic.dates import (
    ArchiveIndexView,
    DateDetailView,
    DayArchiveView,
    MonthArchiveView,
    YearArchiveView,
)
from taggit.models import Tag

from . import search
from .metadata import person_metadata, story_metadata
from .models import Article, Correction, Person


class PublishedArticleMixin:
    model = Article
    date_field = "published_at"
    month_format = "%m"  # our URLs say /2022/02/, not /2022/feb/
    paginate_by = 20

    def get_queryset(self):
        return Article.objects.published().for_listing()


class FrontPageView(PublishedArticleMixin, ArchiveIndexView):
    allow_empty = True


class ArticleYearArchiveView(PublishedArticleMixin, YearArchiveView):
    make_object_list = True


class ArticleMonthArchiveView(PublishedArticleMixin, MonthArchiveView):
    pass


class ArticleDayArchiveView(PublishedArticleMixin, DayArchiveView):
    pass


class StoryPageMixin:
    """A story page; staff who may edit stories also see drafts, marked as such.

    Drafts are sent never-cached and noindex, as djangoproject.com's blog does.
    """

    template_name = "articles/article_detail.html"

    def can_preview(self):
        return self.request.user.has_perm("articles.change_article")

    def get_queryset(self):
        stories = (
            Article.objects.all() if self.can_preview() else Article.objects.published()
        )
        return stories.for_story_page()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            metadata=story_metadata(self.object, self.request),
            preview=not self.object.is_published,
            **kwargs,
        )

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if context["preview"]:
            # never-cache includes "private": no shared cache may keep a draft.
            add_never_cache_headers(response)
            response["X-Robots-Tag"] = "noindex, nofollow"
        else:
            response["Last-Modified"] = http_date(self.object.last_modified.timestamp())
        return response


class ArticleDetailView(StoryPageMixin, PublishedArticleMixin, DateDetailView):
    def get_allow_future(self):
        return self.can_preview()  # a scheduled story, seen before its time


class ArticlePreviewView(StoryPageMixin, DetailView):
    """Any story by id, for staff: drafts without a publication date have no dated URL."""

    def get_queryset(self):
        if not self.can_preview():
            raise Http404  # readers learn nothing, not even that the id exists
        return super().get_queryset()

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.is_published:
            return redirect(self.object)
        return self.render_to_response(self.get_context_data(object=self.object))


class TagArticleListView(PublishedArticleMixin, ListView):
    template_name = "articles/tag_detail.html"
    allow_empty = False  # a tag that only drafts carry is not public yet

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().tagged(self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class SearchView(ListView):
    template_name = "articles/search.html"
    paginate_by = 10

    def get_queryset(self):
        self.query = self.request.GET.get("q", "").strip()[: search.MAX_QUERY_LENGTH]
        return Article.objects.published().matching(self.query).for_search_results()

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.query, **kwargs)


class PersonArticleListView(PublishedArticleMixin, ListView):
    template_name = "articles/person_detail.html"
    allow_empty = False  # someone named only in drafts is not public yet

    def get_queryset(self):
        self.person = get_object_or_404(Person, slug=self.kwargs["slug"])
        return super().get_queryset().featuring(self.person).with_quotes_by(self.person)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            person=self.person,
            metadata=person_metadata(self.person, self.request),
            **kwargs,
        )


class CorrectionListView(ListView):
    """Every correction on a published story, newest first: the public record."""

    paginate_by = 30

    def get_queryset(self):
        return Correction.objects.for_corrections_page()
