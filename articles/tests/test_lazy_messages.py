"""newsroom/lazy_messages.py: no message storage for pages that show no
messages, and the admin's messages still reach the next page."""

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import Client
from django.urls import reverse
from django.utils.functional import empty

from articles.models import Status

from .factories import make_article

pytestmark = pytest.mark.django_db


def test_a_readers_page_never_makes_the_message_storage(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    story = make_article()
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert response.wsgi_request._messages._wrapped is empty
    assert settings.MESSAGE_STORAGE.endswith("FallbackStorage")
    assert "messages" not in response.cookies


def test_a_message_added_in_the_admin_is_shown_on_the_next_page(desk_reporter):
    own = make_article(status=Status.DRAFT, published_at=None, created_by=desk_reporter)
    client = Client()
    client.force_login(desk_reporter)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "submit_selected_for_review", "_selected_action": [own.pk]},
    )
    assert response.status_code == 302
    assert isinstance(response.wsgi_request._messages._wrapped, FallbackStorage)
    shown = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert shown == ["1 story submitted for review."]
