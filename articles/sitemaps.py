from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from .models import Article, Person, TaggedArticle

NEWS_WINDOW = timedelta(hours=48)  # Google News reads stories of the last two days


def modified(prefix=""):
    """Article.modified_at in SQL: the update readers saw, else publication."""
    return Coalesce(f"{prefix}updated_at", f"{prefix}published_at")


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
        return article.modified_at

    def get_latest_lastmod(self):
        # The index asks for this; Django's default would load every story.
        return self.items().aggregate(latest=Max(modified()))["latest"]


class NewsSitemap(ArticleSitemap):
    limit = 1000  # Google News reads at most 1,000 URLs per sitemap

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return super().items().filter(published_at__gte=since)


class TagSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        # One grouped query, not a correlated subquery per tag (12 s at 100,000
        # stories). No published story, no update time: draft-only tags drop out.
        latest = dict(
            TaggedArticle.objects.filter(content_object__in=Article.objects.published())
            .values_list("tag")
            .annotate(latest=Max(modified("content_object__")))
            .order_by()
        )
        tags = list(Tag.objects.filter(pk__in=latest).exclude(slug="").order_by("name"))
        for tag in tags:
            tag.lastmod = latest[tag.pk]
        return tags

    def location(self, tag):
        return reverse("articles:tag", kwargs={"slug": tag.slug})

    def lastmod(self, tag):
        return tag.lastmod


class PersonSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        # One grouped query per way of appearing in a story, merged here:
        # featuring()'s OR across four joins, or a correlated subquery per
        # person, took minutes at 100,000 stories.
        published = Article.objects.published()
        latest = {}
        for way in ["people", "quotes__speaker", "authors", "lead_photo__photographer"]:
            rows = published.filter(**{f"{way}__isnull": False}).values_list(way)
            for person_id, updated in rows.annotate(latest=Max(modified())).order_by():
                latest[person_id] = max(updated, latest.get(person_id, updated))
        people = list(Person.objects.filter(pk__in=latest).order_by("name"))
        for person in people:
            person.lastmod = latest[person.pk]
        return people

    def lastmod(self, person):
        return person.lastmod


class StaticSitemap(Sitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:front"]

    def location(self, name):
        return reverse(name)
