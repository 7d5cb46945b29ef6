"""Parsed wire stories into the newsroom: database rows or fixture files.

save_stories() is the one path by which a WireStory becomes a draft (the
ingest_story command and the admin's import page both call it); fixture_rows()
writes the same story as a natural-key fixture for loaddata.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC

import reversion
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from .models import (
    Agency,
    Article,
    Person,
    PhotoCredit,
    PhotoCreditAgency,
    Quote,
    Status,
)
from .models.slugs import unique_slug
from .models.tags import names_as_tagged, tag_slug


@dataclass
class IngestReport:
    created: list = field(default_factory=list)
    reused: list = field(default_factory=list)
    review: list = field(default_factory=list)
    articles: list = field(default_factory=list)
    dry_run: bool = False

    def as_text(self):
        lines = [
            "Dry run: nothing was written." if self.dry_run else "Ingest complete."
        ]
        for title, items in [
            ("Created", self.created),
            ("Reused", self.reused),
            ("Needs an editor's eye", self.review),
        ]:
            lines.append(f"{title}: {len(items)}")
            lines += [f"  - {item}" for item in items]
        return "\n".join(lines) + "\n"


def save_stories(stories, *, dry_run=False, source="", publish_at=None, user=None):
    """Create each story's draft, people, quotes and photo credit in one transaction.

    A story ingested before (same wire copy) is left as the desk has it, so
    running twice changes nothing. Each new story's history starts with a
    revision of the copy as it arrived, which an editor can go back to. A
    story the models refuse raises ValidationError naming its file, and then
    nothing is written.
    """
    report = IngestReport(dry_run=dry_run)
    with transaction.atomic():
        for story in stories:
            # Refused inside the transaction, so no story of the batch is kept.
            with refusing(story.name), reversion.create_revision():
                article = save_story(
                    story, report, source=source, publish_at=publish_at
                )
                reversion.set_user(user)
                reversion.set_comment(f"Imported from the wire copy ({story.name}).")
            report.articles.append(article)
        if dry_run:
            transaction.set_rollback(True)
    return report


def why_refused(error):
    """full_clean()'s reasons for refusing a story, in words for the desk.

    The model's own words name fields the wire copy does not have ("Slug must
    be unique for Published at date."); the person running the import needs
    what in the copy to change.
    """
    reasons = []
    for name, errors in error.update_error_dict({}).items():
        for each in errors:
            if (name, each.code) == ("slug", "unique_for_date"):
                reasons.append(
                    "another story with this headline is published on the same "
                    "day: publish this version on another day, or merge the two "
                    "by hand"
                )
            else:
                message = " ".join(each.messages)
                reasons.append(
                    message if name == NON_FIELD_ERRORS else f"{name}: {message}"
                )
    return "; ".join(reasons)


def save_story(story, report, *, source, publish_at):
    existing = Article.objects.filter(wire_digest=story.digest).first()
    if existing:
        report.reused.append(
            f"story “{existing.headline}” ({story.name}): already ingested, left unchanged"
        )
        return existing
    # Another version of the copy makes a new draft: updating the old one
    # could overwrite what an editor has done to it since.
    for namesake in Article.objects.filter(slug=slugify(story.headline)[:200]):
        report.review.append(
            f"story “{namesake.headline}” ({namesake.get_status_display().lower()}) has the same "
            "headline: another version of this copy? Merge by hand and delete one."
        )
    for tag in story.tags:
        # Fields only: the tag may exist already, and is then reused.
        with refusing(f"the tag “{shorten(tag)}”"):
            new_tag(tag).clean_fields()
    people = {person.name: person_for(person, report) for person in story.people}
    for speaker in {quote.speaker for quote in story.quotes if quote.speaker}:
        if speaker not in people:
            people[speaker] = organization_as_speaker(speaker, report)
    article = Article(
        headline=story.headline,
        slug=draft_slug(story.headline, publish_at),
        body="\n\n".join(story.body),
        source=source,
        source_note=story.source_note,
        lead_photo=photo_credit_for(story, people, report),
        wire_digest=story.digest,
        status=Status.PUBLISHED if publish_at else Status.DRAFT,
        published_at=publish_at,
    )
    article.full_clean()
    article.save()
    article.people.set(people[name] for name in mentioned(story))
    article.tags.set(names_as_tagged(story.tags))
    for order, quote in enumerate(story.quotes, 1):
        if not quote.speaker:
            report.review.append(
                f"quote {order} “{shorten(quote.text)}” has no speaker: attribute it in the admin"
            )
            continue
        saved = Quote(
            article=article,
            speaker=people[quote.speaker],
            text=quote.text,
            context=quote.context,
            order=order,
        )
        saved.full_clean()
        saved.save()
        if not quote.certain:
            report.review.append(
                f"quote {order} “{shorten(quote.text)}”: attribution to {quote.speaker} is a guess"
            )
    # "published" or "scheduled" with --publish-at: readers may see it already.
    status = article.public_status.label.lower()
    report.created.append(
        f"{status} story “{article.headline}” with {len(story.quotes)} quotes ({story.name})"
    )
    return article


@contextmanager
def refusing(what):
    """Turn a ValidationError raised inside into one naming what was refused."""
    try:
        yield
    except ValidationError as error:
        reason = why_refused(error)
        raise ValidationError(
            f"{what}: {reason}" if what else reason, code="refused"
        ) from error


def validated(row, what):
    """row, once full_clean() accepts it; else ValidationError naming what it is.

    People and agencies are made with create(), which checks no field: SQLite
    kept a 250-character agency that PostgreSQL refuses with a server error.
    """
    with refusing(what):
        row.full_clean()
    return row


def new_person(person, slug):
    """The Person row for a person the wire copy introduces, not yet saved."""
    return Person(
        name=person.name,
        slug=slug,
        honorific=person.honorific,
        role=person.role,
        organization=person.organization,
    )


def new_tag(name):
    """The Tag row for a tag the story suggests, to be checked before it is made.

    taggit makes tags with create(), which checks no field: SQLite kept a
    112-character person's name as a tag, which PostgreSQL refused with a
    server error (a tag's name has at most 100 characters, a person's 200).
    """
    return Tag(name=name, slug=tag_slug(name))


def person_slug(name):
    return slugify(name, allow_unicode=True)[:200]


def person_for(person, report):
    slug = person_slug(person.name)
    found = (
        Person.objects.filter(slug=slug).first()
        or Person.objects.filter(name__iexact=person.name).first()
    )
    if found:
        report.reused.append(f"person {found.name}")
        return found
    created = validated(
        new_person(
            person,
            unique_slug(Person, person.name, max_length=200, allow_unicode=True),
        ),
        f"the person “{shorten(person.name)}”",
    )
    created.save()
    report.created.append(
        f"person {created.name}" + (f" ({created.role})" if created.role else "")
    )
    last = person.name.split()[-1]
    for namesake in Person.objects.filter(name__iendswith=" " + last).exclude(
        pk=created.pk
    ):
        report.review.append(
            f"person {created.name} may be the same as {namesake.name}"
        )
    return created


def organization_as_speaker(name, report):
    found = Person.objects.filter(name__iexact=name).first()
    if found:
        report.reused.append(f"speaker {found.name}")
        return found
    speaker = validated(
        Person(
            name=name,
            slug=unique_slug(Person, name, max_length=200, allow_unicode=True),
            organization=name,
        ),
        f"the speaker “{shorten(name)}”",
    )
    speaker.save()
    report.review.append(f"{name} is quoted as an organization: check the attribution")
    return speaker


def photo_credit_for(story, people, report):
    if not (story.caption or story.credit.agencies or story.credit.photographer):
        return None
    PhotoCredit.validate_agencies(story.credit.agencies)
    credit = PhotoCredit.objects.create(
        caption=story.caption,
        photographer=people.get(story.credit.photographer),
        slug=unique_slug(PhotoCredit, story.caption or story.headline, max_length=200),
    )
    for position, name in enumerate(story.credit.agencies, 1):
        agency = Agency.objects.filter(name=name).first()
        if agency is None:
            agency = validated(Agency(name=name), f"the agency “{shorten(name)}”")
            agency.save()
        PhotoCreditAgency.objects.create(
            credit=credit, agency=agency, position=position
        )
    report.created.append(f"photo credit ({credit.credit_line})")
    return credit


def headline_slug(headline):
    """The story's slug from its headline; "story" when nothing in it is ASCII.

    slugify() drops letters outside ASCII, so a Cyrillic headline gives "",
    which the article_slug_not_empty constraint refuses.
    """
    return slugify(headline)[:200] or "story"


def draft_slug(headline, publish_at):
    slug = headline_slug(headline)
    if publish_at:
        return slug
    candidate, n = slug, 2
    while Article.objects.filter(slug=candidate, published_at__isnull=True).exists():
        candidate, n = f"{slug[:190]}-{n}", n + 1
    return candidate


def mentioned(story):
    """People the body names: everyone found, less a photographer known only from the credit."""
    text = "\n".join(story.body)
    return [
        person.name
        for person in story.people
        if person.name != story.credit.photographer or person.name.split()[-1] in text
    ]


def shorten(text, words=8, chars=80):
    parts = text.split()
    short = " ".join(parts[:words])
    return short[:chars] + ("…" if len(parts) > words or len(short) > chars else "")


def fixture_photo_slug(story):
    """The photo credit's natural key in a fixture: the caption, and whose copy it is.

    loaddata updates the row a natural key finds, so keyed on the caption alone
    two stories with the same one ("Russia's President Vladimir Putin.") shared
    a credit, and loading the second rewrote the first story's photographer and
    agencies. The database path gives every new copy a credit of its own
    (photo_credit_for); the copy's digest does the same here, and the same copy
    still gives the same key, so loading its fixture again changes nothing.
    """
    caption = slugify(story.caption or story.headline)[:187].strip("-") or "photo"
    return f"{caption}-{story.digest[:12]}"


def refuse_as_the_database_would(story, *, source, publish_at):
    """Run the checks save_stories() meets, without queries; raise ValidationError.

    Without them --output wrote fixtures that loaddata refused (a headline of
    400 characters) or that loaded quotes the story's body does not have.
    """
    PhotoCredit.validate_agencies(story.credit.agencies)
    article = Article(
        headline=story.headline,
        slug=headline_slug(story.headline),
        body="\n\n".join(story.body),
        source=source,
        source_note=story.source_note,
        status=Status.PUBLISHED if publish_at else Status.DRAFT,
        published_at=publish_at,
    )
    rows = [(article, "")]
    rows += [
        (
            new_person(person, person_slug(person.name)),
            f"the person “{shorten(person.name)}”",
        )
        for person in story.people
    ]
    rows += [
        (Agency(name=name), f"the agency “{shorten(name)}”")
        for name in story.credit.agencies
    ]
    rows += [(new_tag(tag), f"the tag “{shorten(tag)}”") for tag in story.tags]
    rows += [
        (
            Quote(article=article, text=quote.text, context=quote.context, order=order),
            f"quote {order} “{shorten(quote.text)}”",
        )
        for order, quote in enumerate(story.quotes, 1)
        if quote.speaker
    ]
    for row, what in rows:
        with refusing(what):
            row.clean_fields(exclude=["article", "speaker"])
            if isinstance(row, Quote):
                row.clean()


def one_per_slug(person_rows):
    """The first person row of each slug: the database path reuses that person.

    “Jean-Paul D’Arcy” and “Jean-Paul D'Arcy” share a slug, and loaddata
    refuses a fixture that has two rows for it.
    """
    seen = set()
    for row in person_rows:
        if row["fields"]["slug"] not in seen:
            seen.add(row["fields"]["slug"])
            yield row


def fixture_rows(story, *, source="", publish_at=None):
    """The story as natural-key fixture rows, the format dumpdata writes.

    Raises ValidationError for a story the database path would refuse too.
    """
    refuse_as_the_database_would(story, source=source, publish_at=publish_at)
    moment = publish_at.astimezone(UTC).isoformat() if publish_at else None
    article_slug = headline_slug(story.headline)
    article_key = [article_slug, moment]
    when = (publish_at or timezone.now()).isoformat().replace("+00:00", "Z")
    speakers = {quote.speaker for quote in story.quotes}
    person_names = [p.name for p in story.people]
    rows = [
        {
            "model": "articles.person",
            "fields": {
                "name": person.name,
                "slug": person_slug(person.name),
                "honorific": person.honorific,
                "role": person.role,
                "organization": person.organization,
                "bio": "",
                "portrait": "",
            },
        }
        for person in story.people
    ]
    rows += [
        {
            "model": "articles.person",
            "fields": {
                "name": name,
                "slug": person_slug(name),
                "honorific": "",
                "role": "",
                "organization": name,
                "bio": "",
                "portrait": "",
            },
        }
        for name in sorted(speakers - set(person_names) - {""})
    ]
    rows = list(one_per_slug(rows))
    # Tags too: "Vladimir Putin" and "Vla'dimir Putin" would both be vladimir-putin.
    tags = list({tag_slug(tag): tag for tag in reversed(story.tags)}.values())[::-1]
    rows += [
        {"model": "articles.agency", "fields": {"name": name}}
        for name in story.credit.agencies
    ]
    photo_slug = fixture_photo_slug(story)
    rows.append(
        {
            "model": "articles.photocredit",
            "fields": {
                "slug": photo_slug,
                "image": "",
                "image_width": None,
                "image_height": None,
                "caption": story.caption,
                "alt_text": "",
                "photographer": [person_slug(story.credit.photographer)]
                if story.credit.photographer
                else None,
            },
        }
    )
    rows += [
        {
            "model": "articles.photocreditagency",
            "fields": {"credit": [photo_slug], "agency": [name], "position": position},
        }
        for position, name in enumerate(story.credit.agencies, 1)
    ]
    rows.append(
        {
            "model": "articles.article",
            "fields": {
                "headline": story.headline,
                "slug": article_slug,
                "dek": "",
                "body": "\n\n".join(story.body),
                "dateline": "",
                "source": source,
                "source_note": story.source_note,
                "lead_photo": [photo_slug],
                "status": Status.PUBLISHED.value if publish_at else Status.DRAFT.value,
                "published_at": when if publish_at else None,
                "updated_at": when,
                "wire_digest": story.digest,
                "people": [
                    [slug] for slug in dict.fromkeys(map(person_slug, mentioned(story)))
                ],
            },
        }
    )
    rows += [
        {"model": "taggit.tag", "fields": {"name": tag, "slug": tag_slug(tag)}}
        for tag in tags
    ]
    rows += [
        {
            "model": "articles.quote",
            "fields": {
                "article": article_key,
                "speaker": [person_slug(quote.speaker)],
                "text": quote.text,
                "context": quote.context,
                "order": order,
            },
        }
        for order, quote in enumerate(story.quotes, 1)
        if quote.speaker
    ]
    rows += [
        {
            "model": "articles.taggedarticle",
            "fields": {"content_object": article_key, "tag": [tag]},
        }
        for tag in tags
    ]
    return rows
