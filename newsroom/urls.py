from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from django.views.static import serve

from articles.caching import public_page
from articles.sitemaps import (
    ArticleSitemap,
    NewsSitemap,
    PersonSitemap,
    StaticSitemap,
    TagSitemap,
)

sitemaps = {
    "stories": ArticleSitemap,
    "tags": TagSitemap,
    "people": PersonSitemap,
    "pages": StaticSitemap,
}


def favicon(request):
    # Browsers ask for /favicon.ico on pages that name no icon, such as the admin's.
    # Not permanent: the target's name holds a hash of the icon, and browsers
    # keep a 301 for good, so a new icon would never have been fetched.
    return redirect(static("favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
    path(
        "sitemap.xml",
        public_page(sitemap_views.index),
        {"sitemaps": sitemaps},
        name="sitemap-index",
    ),
    # Before the sections, which would otherwise take "news" for a section name.
    path(
        "sitemap-news.xml",
        public_page(sitemap_views.sitemap),
        {"sitemaps": {"news": NewsSitemap}, "template_name": "sitemaps/news.xml"},
        name="sitemap-news",
    ),
    path(
        "sitemap-<section>.xml",
        public_page(sitemap_views.sitemap),
        {"sitemaps": sitemaps, "template_name": "sitemaps/urlset.xml"},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path(
        "robots.txt",
        public_page(
            TemplateView.as_view(template_name="robots.txt", content_type="text/plain")
        ),
        name="robots",
    ),
]


def serve_media(request, path, document_root):
    """Django's static serve, with 404 for names the file system refuses outright."""
    try:
        return serve(request, path, document_root)
    except OSError as refused:  # e.g. a name longer than the file system allows
        raise Http404("No such file.") from refused


if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            serve_media,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
