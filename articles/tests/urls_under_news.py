"""A URLconf that mounts the site under news/, as request.urlconf might name."""

from django.urls import include, path

urlpatterns = [path("news/", include("articles.urls"))]
