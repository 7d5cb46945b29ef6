from datetime import UTC, datetime, timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from .models import Article, Person

NEWS_WINDOW = timedelta(hours=48)  # Google News reads stories of the last two days


# Stands in for "no story": SQLite's MAX() of several values is NULL if any is.
NEVER = Value(datetime(1970, 1, 1, tzinfo=UTC))


def latest_update(stories):
    """The newest updated_at among stories, for annotate()."""
    return Subquery(stories.order_by("-updated_at").values("updated_at")[:1])


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    # Pages of 5,000 rather than Django's 50,000: at 100,000 stories a full page
    # took 14.6 s to render here, 5,000 take well under a second.
    limit = 5000

    def items(self):
        # A sitemap reads only the address and the dates.
        return Article.objects.published().defer("body")

    def lastmod(self, article):
        return article.updated_at

    def get_latest_lastmod(self):
        # The index asks for this; Django's default would load every story.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class NewsSitemap(ArticleSitemap):
    limit = 1000  # Google News reads at most 1,000 URLs per sitemap

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return super().items().filter(published_at__gte=since)


class TagSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        stories = Article.objects.published().tagged(OuterRef("pk"))
        # No published story, no update time: tags only drafts carry drop out.
        return (
            Tag.objects.exclude(slug="")
            .annotate(lastmod=latest_update(stories))
            .filter(lastmod__isnull=False)
            .order_by("name")
        )

    def location(self, tag):
        return reverse("articles:tag", kwargs={"slug": tag.slug})

    def lastmod(self, tag):
        return tag.lastmod


class PersonSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        # One simple subquery per way of appearing in a story: featuring()'s OR
        # across four joins took minutes per person at 100,000 stories.
        published = Article.objects.published()
        ways = ["people", "quotes__speaker", "authors", "lead_photo__photographer"]
        latest = [
            Coalesce(latest_update(published.filter(**{way: OuterRef("pk")})), NEVER)
            for way in ways
        ]
        return Person.objects.annotate(lastmod=Greatest(*latest)).filter(
            lastmod__gt=NEVER
        )

    def lastmod(self, person):
        return person.lastmod


class StaticSitemap(Sitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:front"]

    def location(self, name):
        return reverse(name)
