from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.core.paginator import PageNotAnInteger, Paginator
from django.db.models import Case, Exists, F, Max, OuterRef, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from taggit.models import Tag

from .converters import is_page_number
from .models import Article, Person, TaggedArticle
from .models.text import without_control_characters

NEWS_WINDOW = timedelta(hours=48)  # Google News reads stories of the last two days


def modified(prefix=""):
    """Article.modified_at in SQL: the update readers saw, else publication."""
    updated, published = f"{prefix}updated_at", f"{prefix}published_at"
    return Case(
        When(**{f"{updated}__gt": F(published)}, then=F(updated)),
        default=F(published),
    )


def latest_change(stories):
    """The newest Article.modified_at among stories, read backwards off indexes.

    Written as "the newest story that is one of these" so the database walks
    the update-time and publication-time indexes and stops at the first match;
    with the stories' own filters in the WHERE clause SQLite sorted every
    published story (0.8 s at 100,000). A story never updated after
    publication has no updated_at, so both times are asked for.
    """
    newest = Article.objects.filter(Exists(stories.filter(pk=OuterRef("pk"))))
    updated = (
        newest.filter(updated_at__isnull=False)
        .order_by("-updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )
    published = (
        newest.order_by("-published_at").values_list("published_at", flat=True).first()
    )
    return max(filter(None, [updated, published]), default=None)


class SitemapPaginator(Paginator):
    """A sitemap's pages at one address each: ?p=2, never ?p=02 or ?p=+2."""

    def validate_number(self, number):
        # Django's sitemap view passes ?p= as it came, or 1 without one.
        if isinstance(number, str) and not is_page_number(number):
            raise PageNotAnInteger(self.error_messages["invalid_page"])
        return super().validate_number(number)


class PagedSitemap(Sitemap):
    @property
    def paginator(self):
        return SitemapPaginator(self._items(), self.limit)


class IdRangePaginator(SitemapPaginator):
    """Page n lists the items whose ids fall in the nth block of per_page ids.

    Numbering the pages needs only the highest id, read backwards off the
    primary key, where Django's paginator counts the items: every published
    story (7-14 ms at 100,000 stories on PostgreSQL) and every tag that
    carries one (17 ms). Drafts and deleted rows keep their ids, so a page
    may list fewer than per_page items; in exchange an item stays on its page
    while newer ones are published.
    """

    @cached_property
    def count(self):
        # Not the number of items: the highest id among them, which bounds it.
        # Asked as "the newest row that is one of these", as in latest_change(),
        # so SQLite walks the primary key back rather than sorting the
        # published stories by id (14 ms -> 0.4 ms at 100,000).
        items = self.object_list
        newest = items.model._default_manager.filter(
            Exists(items.filter(pk=OuterRef("pk")))
        )
        return newest.order_by("-pk").values_list("pk", flat=True).first() or 0

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        block = self.object_list.filter(pk__gt=bottom, pk__lte=bottom + self.per_page)
        return self._get_page(block.order_by("pk"), number, self)


class IdRangeSitemap(PagedSitemap):
    """A sitemap whose pages are blocks of ids (see IdRangePaginator)."""

    @property
    def paginator(self):
        return IdRangePaginator(self._items(), self.limit)


class ArticleSitemap(IdRangeSitemap):
    changefreq = "weekly"
    priority = 0.8
    # Pages of 5,000 rather than Django's 50,000: at 100,000 stories a full page
    # took 14.6 s to render here, 5,000 take well under a second.
    limit = 5000

    def items(self):
        # A sitemap reads only the address and the dates.
        return Article.objects.published().defer("body")

    def lastmod(self, article):
        return article.modified_at

    def get_latest_lastmod(self):
        # The index asks for this; Django's default would load every story, and
        # MAX() over them read every published one (1 s at 100,000).
        return latest_change(self.items())


class NewsSitemap(ArticleSitemap):
    limit = 1000  # Google News reads at most 1,000 URLs per sitemap

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return super().items().filter(published_at__gte=since)

    @property
    def paginator(self):
        # The latest stories, newest first, on one page: not a block of ids.
        return SitemapPaginator(self._items(), self.limit)

    def get_urls(self, *args, **kwargs):
        # sitemaps/news.xml prints each headline: as the feeds do, without the
        # characters XML cannot carry, which made the whole sitemap unreadable.
        urls = super().get_urls(*args, **kwargs)
        for url in urls:
            url["headline"] = without_control_characters(url["item"].headline)
        return urls


class GroupedLastmodSitemap(IdRangeSitemap):
    """A sitemap of tags or people whose lastmod is their latest story's update.

    The sitemap index needs only the highest id and the latest change,
    each answered from indexes; the grouped queries that date every entry run
    only for the sitemap page itself (5.7 s for the index at 100,000 stories
    when it dated every entry).
    """

    changefreq = "daily"
    priority = 0.5

    def lastmod(self, owner):
        return self.latest_by_owner.get(owner.pk)

    @cached_property
    def latest_by_owner(self):
        raise NotImplementedError


class TagSitemap(GroupedLastmodSitemap):
    def items(self):
        # A tag that only drafts carry is not public yet.
        published = Article.objects.published()
        return (
            Tag.objects.filter(Exists(published.filter(tags=OuterRef("pk"))))
            .exclude(slug="")
            .order_by("name")
        )

    def links(self):
        return TaggedArticle.objects.filter(
            content_object__in=Article.objects.published()
        )

    @cached_property
    def latest_by_owner(self):
        # One grouped query, not a correlated subquery per tag (12 s at 100,000).
        return dict(
            self.links()
            .values_list("tag")
            .annotate(latest=Max(modified("content_object__")))
            .order_by()
        )

    def get_latest_lastmod(self):
        return latest_change(Article.objects.published().filter(tags__isnull=False))

    def location(self, tag):
        return reverse("articles:tag", kwargs={"slug": tag.slug})


# The ways a person appears in a story, as paths from Article.
WAYS = ["people", "quotes__speaker", "authors", "lead_photo__photographer"]


class PersonSitemap(GroupedLastmodSitemap):
    def items(self):
        published = Article.objects.published()
        appears = Q()
        for way in WAYS:
            appears |= Exists(published.filter(**{way: OuterRef("pk")}))
        return Person.objects.filter(appears).order_by("name")

    @cached_property
    def latest_by_owner(self):
        # One grouped query per way of appearing in a story, merged here:
        # featuring()'s OR across four joins, or a correlated subquery per
        # person, took minutes at 100,000 stories.
        published = Article.objects.published()
        latest = {}
        for way in WAYS:
            rows = published.filter(**{f"{way}__isnull": False}).values_list(way)
            for person_id, updated in rows.annotate(latest=Max(modified())).order_by():
                latest[person_id] = max(updated, latest.get(person_id, updated))
        return latest

    def get_latest_lastmod(self):
        named = Q()
        for way in WAYS:
            named |= Q(**{f"{way}__isnull": False})
        return latest_change(Article.objects.published().filter(named))


class StaticSitemap(PagedSitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:front"]

    def location(self, name):
        return reverse(name)
