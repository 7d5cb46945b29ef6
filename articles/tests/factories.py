"""Plain factory functions: sensible defaults, keyword overrides."""

import itertools
from datetime import timedelta

from django.utils import timezone

from articles.models import (
    Agency,
    Article,
    Person,
    PhotoCredit,
    PhotoCreditAgency,
    Quote,
    Status,
)

_sequence = itertools.count(1)


def make_person(**overrides):
    n = next(_sequence)
    fields = {"name": f"Person Number{n}", "slug": f"person-{n}", "role": "minister"}
    fields.update(overrides)
    return Person.objects.create(**fields)


def make_photo(*, photographer=None, agencies=(), **overrides):
    fields = {"caption": "A caption.", **overrides}
    credit = PhotoCredit.objects.create(photographer=photographer, **fields)
    for position, name in enumerate(agencies, 1):
        agency, _ = Agency.objects.get_or_create(name=name)
        PhotoCreditAgency.objects.create(
            credit=credit, agency=agency, position=position
        )
    return credit


def make_article(*, quotes=0, tags=0, people=0, status=Status.PUBLISHED, **overrides):
    """A story whose body really contains each of its quotes."""
    n = next(_sequence)
    said = [f"Statement number {i} of story {n} was made today" for i in range(quotes)]
    paragraphs = [f"Opening paragraph of story {n}."]
    paragraphs += [f"“{words},” the minister said." for words in said]
    fields = {
        "headline": f"Story number {n}",
        "slug": f"story-{n}",
        "body": "\n\n".join(paragraphs),
        "status": status,
        "published_at": timezone.now() - timedelta(hours=n),
    }
    fields.update(overrides)
    article = Article.objects.create(**fields)
    if people:
        article.people.set(make_person() for _ in range(people))
    if tags:
        article.tags.set([f"topic {n}-{i}" for i in range(tags)])
    for order, words in enumerate(said, 1):
        Quote.objects.create(
            article=article, speaker=make_person(), text=words + ",", order=order
        )
    return article
