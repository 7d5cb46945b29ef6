from datetime import date

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject, cached_property
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
from .converters import is_page_number
from .metadata import listing_metadata, person_metadata, story_metadata
from .models import Article, Correction, FormerAddress, Person


class CappedPaginator(Paginator):
    """Numbers the first max_pages pages of a list and no more.

    COUNT(*) and OFFSET both read every story they pass, so an exact count
    and page 4,000 grew with the archive (the front page's count alone took
    20 ms at 100,000 stories). Past the last numbered page readers go on
    through the date archives, which the page links to.
    """

    max_pages = 50
    total_known = True  # whether count is the list's length (up to the cap)

    # The same stories in a form the database counts faster, where a view has one.
    counted_list = None

    @cached_property
    def _counted(self):
        stories = self.object_list if self.counted_list is None else self.counted_list
        # Any order counts the same; the list's own would sort every match first.
        return stories.order_by()[: self.max_pages * self.per_page + 1].count()

    @cached_property
    def count(self):
        return min(self._counted, self.max_pages * self.per_page)

    @property
    def has_more(self):
        """Whether stories remain beyond the last numbered page."""
        return self._counted > self.count


class NextPagePaginator(CappedPaginator):
    """A CappedPaginator that reads one story past the page instead of counting.

    A person's stories are found by checking the archive newest first, so
    counting up to 1,001 of them read the archive back to their thousandth
    story: 89,000 stories and 17-22 ms on PostgreSQL at 100,000 stories, more
    than the rest of the page. The extra story answers "is there an older
    page?" for the cost of the page itself; the length is known only once a
    page reaches the end of the list.
    """

    total_known = False

    def page(self, number):
        if "_counted" in self.__dict__:  # counted already, for ?page=last
            self.total_known = True
            return super().page(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if not 1 <= number <= self.max_pages:
            raise EmptyPage(self.error_messages["no_results"])
        bottom = (number - 1) * self.per_page
        stories = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not stories and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        # As far as this read goes: exact, unless a story follows the page.
        self._counted = bottom + len(stories)
        self.total_known = len(stories) <= self.per_page or self.has_more
        return self._get_page(stories[: self.per_page], number, self)


class PageNumberMixin:
    """Each page of a list at one address: ?page=2, never ?page=02, +2 or ２.

    Any other spelling of a number is a 404 (see converters.is_page_number);
    no parameter, an empty one and ?page=last keep Django's meaning.
    """

    def paginate_queryset(self, queryset, page_size):
        page = self.request.GET.get(self.page_kwarg)
        if page and page != "last" and not is_page_number(page):
            raise Http404("Pages are numbered 1, 2, 3 and so on.")
        return super().paginate_queryset(queryset, page_size)


class PublishedArticleMixin(PageNumberMixin):
    model = Article
    date_field = "published_at"
    month_format = "%m"  # our URLs say /2022/02/, not /2022/feb/
    paginate_by = 20
    paginator_class = CappedPaginator
    older_archive = "archive-month"  # where the last numbered page sends readers

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        # Django's version asks the database for DISTINCT dates over every story.
        periods = queryset.published_periods(
            date_type or self.get_date_list_period(), ordering
        )
        if not periods and not self.get_allow_empty():
            raise Http404("No stories available")
        return periods

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        if page and page.paginator.has_more and not page.has_next():
            context["older_stories"] = self.older_stories(page[-1].publication_day)
        return context

    def older_stories(self, day):
        """The archive page that carries on after the last numbered page."""
        parts = {"year": day.year, "month": day.month}
        if self.older_archive == "archive-day":
            parts["day"] = day.day
        return {
            "url": reverse(f"articles:{self.older_archive}", kwargs=parts),
            "day": day,
            "format": "F j, Y" if "day" in parts else "F Y",
        }


class FrontPageView(PublishedArticleMixin, ArchiveIndexView):
    allow_empty = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["metadata"] = listing_metadata(
            self.request,
            settings.SITE_NAME,
            f"The latest stories from {settings.SITE_NAME}.",
            page=context["page_obj"].number,
        )
        return context


class ArticleYearArchiveView(PublishedArticleMixin, YearArchiveView):
    make_object_list = True


class ArticleMonthArchiveView(PublishedArticleMixin, MonthArchiveView):
    older_archive = "archive-day"

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        # The month page lists no days, but Django finds them for every
        # request: a query per day. Leave them unfound until a template asks.
        parent = super().get_date_list
        return SimpleLazyObject(lambda: parent(queryset, date_type, ordering))


class ArticleDayArchiveView(PublishedArticleMixin, DayArchiveView):
    pass


class StoryPageMixin:
    """A story page; staff who may edit stories also see drafts, marked as such.

    Drafts are sent never-cached and noindex, as djangoproject.com's blog does.
    """

    template_name = "articles/article_detail.html"

    def can_preview(self):
        # Readers are anonymous: no need to ask every authentication backend.
        user = self.request.user
        return user.is_authenticated and user.has_perm("articles.change_article")

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

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A story that left this address for another: send readers on.
            moved = FormerAddress.objects.leading_to(
                self.get_day_of_address(), self.kwargs["slug"]
            )
            if moved is None:
                raise
            return redirect(moved, permanent=True)

    def get_day_of_address(self):
        try:
            return date(
                int(self.get_year()), int(self.get_month()), int(self.get_day())
            )
        except ValueError:
            raise Http404("No such date.") from None

    def get_object(self, queryset=None):
        """The story at /yyyy/mm/dd/slug/, found with Article.objects.story_page()."""
        try:
            return Article.objects.story_page(
                self.get_day_of_address(),
                self.kwargs["slug"],
                drafts=self.can_preview(),
            )
        except Article.DoesNotExist:
            raise Http404("No story at this address.") from None


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

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        # Counted from the tag's side: the tag's links, each story looked up
        # by its key, where tagged()'s EXISTS, right for a page newest first,
        # walked the archive until it had met 1,001 of the tag's stories
        # (1 ms against 5 ms on SQLite at 100,000 stories; the constraint on
        # (story, tag) keeps the join from counting a story twice).
        paginator.counted_list = Article.objects.published().filter(
            tagged_items__tag=self.tag
        )
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(tag=self.tag, **kwargs)
        context["metadata"] = listing_metadata(
            self.request,
            self.tag.name,
            f"Stories tagged {self.tag.name}.",
            page=context["page_obj"].number,
        )
        return context


class SearchView(PageNumberMixin, ListView):
    template_name = "articles/search.html"
    paginate_by = 10

    def get_queryset(self):
        self.query = self.request.GET.get("q", "").strip()[: search.MAX_QUERY_LENGTH]
        self.ranked_ids = search.ranked_ids(self.query)
        return Article.objects.published().ranked(self.ranked_ids).for_search_results()

    def get_context_data(self, **kwargs):
        # Only the best MAX_RESULTS are ranked, drafts among them: once the
        # ranking is full, the count of public stories in it is a floor.
        return super().get_context_data(
            query=self.query,
            capped=len(self.ranked_ids) >= search.MAX_RESULTS,
            **kwargs,
        )


class PersonArticleListView(PublishedArticleMixin, ListView):
    template_name = "articles/person_detail.html"
    allow_empty = False  # someone named only in drafts is not public yet
    paginator_class = NextPagePaginator

    def get_queryset(self):
        self.person = get_object_or_404(Person, slug=self.kwargs["slug"])
        return super().get_queryset().featuring(self.person).with_quotes_by(self.person)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(person=self.person, **kwargs)
        page = context["page_obj"]
        context["metadata"] = person_metadata(
            self.person, self.request, page=page.number
        )
        return context


class CorrectionListView(PageNumberMixin, ListView):
    """Every correction on a published story, newest first: the public record."""

    paginate_by = 30

    def get_queryset(self):
        return Correction.objects.for_corrections_page()
