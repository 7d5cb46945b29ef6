from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from .models import Article, Person

NEWS_WINDOW = timedelta(hours=48)  # Google News reads stories of the last two days


def latest_update(stories):
    """The newest updated_at among stories, for annotate()."""
    return Subquery(stories.order_by("-updated_at").values("updated_at")[:1])


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

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
            Tag.objects.annotate(lastmod=latest_update(stories))
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
        stories = Article.objects.published().featuring(OuterRef("pk"))
        return Person.objects.annotate(lastmod=latest_update(stories)).filter(
            lastmod__isnull=False
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
