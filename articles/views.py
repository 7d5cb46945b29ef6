from django.shortcuts import get_object_or_404
from django.views.generic import ListView
from django.views.generic.dates import (
    ArchiveIndexView,
    DateDetailView,
    DayArchiveView,
    MonthArchiveView,
    YearArchiveView,
)
from taggit.models import Tag

from .models import Article, Person


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


class ArticleDetailView(PublishedArticleMixin, DateDetailView):
    def get_queryset(self):
        return Article.objects.published().for_story_page()


class TagArticleListView(PublishedArticleMixin, ListView):
    template_name = "articles/tag_detail.html"
    allow_empty = False  # a tag that only drafts carry is not public yet

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().tagged(self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class PersonArticleListView(PublishedArticleMixin, ListView):
    template_name = "articles/person_detail.html"
    allow_empty = False  # someone named only in drafts is not public yet

    def get_queryset(self):
        self.person = get_object_or_404(Person, slug=self.kwargs["slug"])
        return super().get_queryset().featuring(self.person).with_quotes_by(self.person)

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)
