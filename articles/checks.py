"""Checks for rows that arrived by loaddata, which skips save() and clean(),
and, with ``--deploy``, for settings that name the publication for good.

Run them with ``manage.py check --database default`` (and ``--deploy``).
"""

import re

from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Count
from django.db.models.functions import TruncDate


def tables_exist(databases, *models):
    """Whether every database asked for has the models' tables yet.

    migrate runs database checks before it creates them, on a fresh database too.
    """
    for alias in databases or []:
        existing = set(connections[alias].introspection.table_names())
        if any(model._meta.db_table not in existing for model in models):
            return False
    return bool(databases)


@checks.register(checks.Tags.database)
def check_quotes_are_verbatim(app_configs=None, databases=None, **kwargs):
    from .models import Article, Quote

    if not tables_exist(databases, Article, Quote):
        return []
    return [
        checks.Error(
            unquoted_message(quote),
            hint="Fix the quote's text or the story's body in the admin.",
            obj=quote,
            id="articles.E001",
        )
        for quote in quotes_not_in_their_stories(Quote.objects.all())
    ]


def quotes_not_in_their_stories(quotes):
    """The quotes among `quotes` whose words do not stand in their story's body."""
    # Only the columns the check reads: migrate runs it before adding new ones.
    # A story's quotes one after another: each story's body is then read once
    # for all its quotes (rendering.quotable_text()).
    quotes = (
        quotes.select_related("article")
        .only("text", "article__body", "article__headline")
        .order_by("article", "order")
    )
    return [
        quote
        for quote in quotes.iterator(chunk_size=500)
        if not quote.appears_in(quote.article.body)
    ]


def unquoted_message(quote):
    return (
        f"Quote {quote.pk} ({quote}) does not appear verbatim in the body of "
        f"“{quote.article.headline}”."
    )


@checks.register(checks.Tags.database)
def check_story_urls_are_unique(app_configs=None, databases=None, **kwargs):
    from .models import Article

    if not tables_exist(databases, Article):
        return []
    return [
        checks.Error(
            message,
            hint="Give all but one of them another slug.",
            id="articles.E002",
        )
        for message in shared_addresses(Article.objects.all())
    ]


def shared_addresses(stories):
    """What is wrong where two of `stories` share one address (a slug on a day)."""
    clashes = (
        stories.exclude(published_at=None)
        .annotate(day=TruncDate("published_at"))
        .values("day", "slug")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    return [
        f"{clash['n']} stories share the slug {clash['slug']!r} on {clash['day']}, "
        "so they share one address."
        for clash in clashes
    ]


@checks.register(checks.Tags.database)
def check_credits_name_each_agency_once(app_configs=None, databases=None, **kwargs):
    from .models import PhotoCredit, PhotoCreditAgency

    if not tables_exist(databases, PhotoCredit, PhotoCreditAgency):
        return []
    return [
        checks.Error(
            message,
            hint="Delete the repeated agency from the credit in the admin.",
            id="articles.E003",
        )
        for message in credits_naming_an_agency_twice(PhotoCredit.objects.all())
    ]


def credits_naming_an_agency_twice(credits):
    """What is wrong with each of `credits` that names an agency twice."""
    from .models import PhotoCreditAgency

    repeating = (
        PhotoCreditAgency.objects.using(credits.db)
        .filter(credit__in=credits)
        .values("credit", "agency")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("credit")
    )
    problems = []
    for credit in (
        credits.filter(pk__in=repeating)
        .order_by("pk")
        .prefetch_related("agency_links__agency")
    ):
        try:
            credit.validate_agencies(link.agency for link in credit.agency_links.all())
        except ValidationError as error:
            problems.append(f"Photo credit {credit.slug!r}: {' '.join(error.messages)}")
    return problems


def misleading_corrections(corrections):
    """A message for each of `corrections` the admin could never have saved.

    One without words prints an empty correction on the public record; one
    naming another story's quote links "the quote corrected" to whatever words
    hold that place on its own story's page (Correction.clean()).
    """
    problems = []
    for correction in corrections.select_related("quote").order_by("pk"):
        found = []
        if not correction.text.strip():
            found.append("it has no text")
        if correction.quote and correction.quote.article_id != correction.article_id:
            found.append(f"its quote {correction.quote} is another story's")
        if found:
            problems.append(
                f"Correction {correction.natural_key()!r}: " + "; ".join(found) + "."
            )
    return problems


def tags_named_as_another(tags):
    """A message for each of `tags` whose name another tag has in another case.

    Tags match whatever their case (TAGGIT_CASE_INSENSITIVE): the tags admin
    refuses "nato" beside "NATO" (TagForm), and a story carrying both lists
    the one topic twice.
    """
    from .models.tags import tag_named

    if not getattr(settings, "TAGGIT_CASE_INSENSITIVE", False):
        return []
    problems = []
    for tag in tags.order_by("pk"):
        twin = tag_named(tag.name, exclude_pk=tag.pk, using=tags.db)
        if twin is not None:
            problems.append(
                f"Tag {tag.name!r}: there is already a tag {twin.name!r}, and tags "
                "match whatever their case; name that one instead."
            )
    return problems


# Checked by the database or by the checks above, not row by row here.
NOT_CHECKED_BY_ROW = ["lead_photo", "created_by", "changed_by"]


def invalid_stories(stories):
    """What the admin would refuse in `stories`, a message for each story.

    Each field's own rules (a slug made of slug characters, a status that is
    one, a headline within its length, which SQLite does not enforce), and a
    public story's need of a publication time: rows that load with these
    broken made the front page, archives and feeds fail.
    """
    from .models.stories import PUBLIC_STATUSES

    problems = []
    for story in stories.order_by("pk").iterator(chunk_size=500):
        found = []
        try:
            story.clean_fields(exclude=NOT_CHECKED_BY_ROW)
        except ValidationError as error:
            found += [
                f"{field}: {' '.join(messages)}"
                for field, messages in error.message_dict.items()
            ]
        if story.status in PUBLIC_STATUSES and story.published_at is None:
            found.append(f"published_at: a {story.status} story needs one.")
        if found:
            problems.append(f"Story {story.slug!r}: " + " ".join(found))
    return problems


# A name a publication can hold: labels of letters, digits and hyphens, with
# at least one dot (RFC 4151's authorityName as a DNS name).
DOMAIN_NAME = re.compile(
    r"(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+", re.IGNORECASE
)


@checks.register(checks.Tags.compatibility, deploy=True)
def check_feed_id_domain(app_configs=None, **kwargs):
    """Feed ids (Article.tag_uri) name the publication's domain for good.

    FEED_ID_DOMAIN falls back to the first of ALLOWED_HOSTS: in production that
    may be "localhost", an address or "*", none of which the publication holds.
    """
    domain = settings.FEED_ID_DOMAIN
    if DOMAIN_NAME.fullmatch(domain) and not domain.replace(".", "").isdigit():
        return []
    return [
        checks.Warning(
            f"FEED_ID_DOMAIN is {domain!r}, not a domain name the publication "
            "holds; every story's feed id is made from it for good.",
            hint="Set the FEED_ID_DOMAIN environment variable to the site's "
            "domain (e.g. news.example) before the feeds are published, and "
            "never change it.",
            id="articles.W001",
        )
    ]
