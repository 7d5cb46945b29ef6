from django.urls import path, register_converter

from . import converters, feeds, views
from .caching import never_kept_page, public_page

register_converter(converters.FourDigitYearConverter, "yyyy")
register_converter(converters.TwoDigitConverter, "mm")
register_converter(converters.TwoDigitConverter, "dd")
register_converter(converters.UnicodeSlugConverter, "uslug")

app_name = "articles"

# Public pages go through the shared page cache (caching.py). Not previews, and
# not search: its addresses are endless, each a one-off, and it has no page to
# keep fresh.

urlpatterns = [
    path("", public_page(views.FrontPageView.as_view()), name="front"),
    path(
        "<yyyy:year>/",
        public_page(views.ArticleYearArchiveView.as_view()),
        name="archive-year",
    ),
    path(
        "<yyyy:year>/<mm:month>/",
        public_page(views.ArticleMonthArchiveView.as_view()),
        name="archive-month",
    ),
    path(
        "<yyyy:year>/<mm:month>/<dd:day>/",
        public_page(views.ArticleDayArchiveView.as_view()),
        name="archive-day",
    ),
    path(
        "<yyyy:year>/<mm:month>/<dd:day>/<slug:slug>/",
        public_page(views.ArticleDetailView.as_view()),
        name="article",
    ),
    path("preview/<int:pk>/", views.ArticlePreviewView.as_view(), name="preview"),
    path("search/", never_kept_page(views.SearchView.as_view()), name="search"),
    path(
        "corrections/",
        public_page(views.CorrectionListView.as_view()),
        name="corrections",
    ),
    path(
        "corrections/feed/",
        public_page(feeds.CorrectionsFeed()),
        name="corrections-feed",
    ),
    path(
        "tags/<uslug:slug>/",
        public_page(views.TagArticleListView.as_view()),
        name="tag",
    ),
    path("tags/<uslug:slug>/feed/", public_page(feeds.TagFeed()), name="tag-feed"),
    path(
        "people/<uslug:slug>/",
        public_page(views.PersonArticleListView.as_view()),
        name="person",
    ),
    path(
        "people/<uslug:slug>/feed/", public_page(feeds.PersonFeed()), name="person-feed"
    ),
    path("feeds/latest/", public_page(feeds.LatestArticlesFeed()), name="feed"),
    path(
        "feeds/latest/atom/",
        public_page(feeds.LatestArticlesAtomFeed()),
        name="feed-atom",
    ),
]
