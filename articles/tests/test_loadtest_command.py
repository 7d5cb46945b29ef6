"""manage.py loadtest refuses what it cannot do before it writes anything."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from articles.models import Article, Person

pytestmark = pytest.mark.django_db


def counts():
    return User.objects.count(), Article.objects.count(), Person.objects.count()


@pytest.mark.parametrize(
    "options",
    [{"seconds": 0}, {"editors": 0}, {"readers": -1}, {"workers": 0}],
)
def test_loadtest_refuses_impossible_numbers_and_changes_nothing(options, seed_story):
    before = counts()
    with pytest.raises(CommandError, match="must be positive"):
        call_command("loadtest", **options)
    assert counts() == before


def test_loadtest_refuses_a_database_or_cache_it_cannot_share(monkeypatch, db):
    monkeypatch.delenv("REDIS_URL", raising=False)
    before = counts()
    with pytest.raises(CommandError, match="PostgreSQL|shared cache"):
        call_command("loadtest", seconds=1)
    assert counts() == before
