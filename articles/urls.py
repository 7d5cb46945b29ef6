from django.urls import path, register_converter

from . import converters, feeds, views

register_converter(converters.FourDigitYearConverter, "yyyy")
register_converter(converters.TwoDigitConverter, "mm")
register_converter(converters.TwoDigitConverter, "dd")
register_converter(converters.UnicodeSlugConverter, "uslug")

app_name = "articles"

urlpatterns = [
    path("", views.FrontPageView.as_view(), name="front"),
    path("<yyyy:year>/", views.ArticleYearArchiveView.as_view(), name="archive-year"),
    path(
        "<yyyy:year>/<mm:month>/",
        views.ArticleMonthArchiveView.as_view(),
        name="archive-month",
    ),
    path(
        "<yyyy:year>/<mm:month>/<dd:day>/",
        views.ArticleDayArchiveView.as_view(),
        name="archive-day",
    ),
    path(
        "<yyyy:year>/<mm:month>/<dd:day>/<slug:slug>/",
        views.ArticleDetailView.as_view(),
        name="article",
    ),
    path("preview/<int:pk>/", views.ArticlePreviewView.as_view(), name="preview"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("corrections/", views.CorrectionListView.as_view(), name="corrections"),
    path("corrections/feed/", feeds.CorrectionsFeed(), name="corrections-feed"),
    path("tags/<uslug:slug>/", views.TagArticleListView.as_view(), name="tag"),
    path("tags/<uslug:slug>/feed/", feeds.TagFeed(), name="tag-feed"),
    path("people/<uslug:slug>/", views.PersonArticleListView.as_view(), name="person"),
    path("people/<uslug:slug>/feed/", feeds.PersonFeed(), name="person-feed"),
    path("feeds/latest/", feeds.LatestArticlesFeed(), name="feed"),
    path("feeds/latest/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
]
