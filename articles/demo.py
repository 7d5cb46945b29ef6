"""Reproducible demo content: fictional stories, people, quotes and photos.

Every story is marked with the source "Generated demo content". Quotes are
written into their bodies, photos are drawn with Pillow (nothing is
downloaded), and rows go in with bulk_create in batches.
"""

import io
import random
from datetime import UTC, datetime, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify
from PIL import Image, ImageDraw
from taggit.models import Tag

from . import caching, search
from .models import (
    Agency,
    Article,
    Person,
    PhotoCredit,
    PhotoCreditAgency,
    Quote,
    Status,
    TaggedArticle,
)

SOURCE = "Generated demo content"
FIRST = "Ana Tomas Lena Oskar Mira Jonas Ines Pavel Sofia Karim Elif Marta Noah Yara Ivo Lucia".split()
LAST = "Duarte Lindqvist Okafor Novak Haddad Moreau Castillo Brandt Ivanova Sato Mensah Rossi".split()
ROLES = [
    "Finance Minister",
    "Mayor",
    "Health Minister",
    "spokesperson for the city council",
    "professor of economics at the state university",
    "union leader",
    "police chief",
]
PLACES = (
    "Lisbon Riga Nairobi Santiago Hamburg Osaka Tunis Quito Gdansk Auckland".split()
)
TOPICS = [
    "budget",
    "transit",
    "housing",
    "floods",
    "elections",
    "schools",
    "harbor",
    "heat wave",
]
VERBS = ["approves", "delays", "debates", "rejects", "expands", "reviews"]
SAYINGS = [
    "We will not leave anyone behind",
    "The numbers simply do not add up",
    "This is the most important vote of the year",
    "Families deserve an answer before winter",
    "We have asked for this for a decade",
    "Nobody in this city should have to wait that long",
]


def draw_photo(rng, index, width=1600, height=1000):
    """A generated test pattern, as a JPEG file: no photograph is downloaded."""
    image = Image.new(
        "RGB", (width, height), tuple(rng.randrange(40, 200) for _ in range(3))
    )
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(60, 320)
        draw.ellipse(
            (x - r, y - r, x + r, y + r),
            fill=tuple(rng.randrange(256) for _ in range(3)),
        )
    draw.rectangle((0, height - 90, width, height), fill=(20, 20, 20))
    draw.text((40, height - 70), f"Newsroom demo image {index}", fill=(240, 240, 240))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return ContentFile(buffer.getvalue(), name=f"demo-{index}.jpg")


@transaction.atomic
def generate(
    *, articles, seed=1, photos=6, batch=5000, progress=lambda done, total: None
):
    """Create `articles` demo stories with their people, quotes, tags and photos."""
    rng = random.Random(seed)
    if Person.objects.filter(
        slug__startswith="demo-", slug__endswith=f"-{seed}"
    ).exists():
        raise ValueError(
            f"Demo content for seed {seed} exists already; choose another --seed."
        )
    people = Person.objects.bulk_create(
        [
            Person(
                name=name, slug=f"demo-{slugify(name)}-{seed}", role=rng.choice(ROLES)
            )
            for name in sorted({f"{first} {last}" for first in FIRST for last in LAST})[
                : max(20, articles // 50)
            ]
        ]
    )
    agency, _ = Agency.objects.get_or_create(name="Demo Wire")
    credits = []
    for index in range(photos):
        credit = PhotoCredit(
            slug=f"demo-photo-{seed}-{index}",
            caption=f"A generated test pattern for demo stories ({index + 1} of {photos}).",
            alt_text="Coloured circles on a plain background: a generated demo image.",
            photographer=rng.choice(people),
        )
        credit.image.save(
            f"demo-{seed}-{index}.jpg", draw_photo(rng, index), save=False
        )
        credit.save()
        PhotoCreditAgency.objects.create(credit=credit, agency=agency, position=1)
        credits.append(credit)
    tags = [
        Tag.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]
        for name in PLACES + TOPICS
    ]
    start = datetime(2023, 1, 1, 6, tzinfo=UTC)
    span = (datetime(2025, 12, 31, tzinfo=UTC) - start).total_seconds()
    done, made = 0, []
    while done < articles:
        size = min(batch, articles - done)
        rows, plans = [], []
        for n in range(done, done + size):
            place, topic = rng.choice(PLACES), rng.choice(TOPICS)
            speakers = rng.sample(people, 2)
            said = [rng.choice(SAYINGS) for _ in speakers]
            body = [
                f"Officials in {place} on {rng.choice(['Monday', 'Tuesday', 'Thursday'])} "
                f"moved ahead with plans on {topic}, demo story number {n}.",
                *[
                    f"“{words},” {person.name} said."
                    for words, person in zip(said, speakers, strict=True)
                ],
                f"A final decision on the {topic} plan is expected next month.",
            ]
            rows.append(
                Article(
                    headline=f"{place} {rng.choice(VERBS)} {topic} plan",
                    slug=f"{slugify(place)}-{slugify(topic)}-{seed}-{n}",
                    body="\n\n".join(body),
                    source=SOURCE,
                    status=Status.DRAFT if rng.random() < 0.05 else Status.PUBLISHED,
                    published_at=(
                        start + timedelta(seconds=rng.random() * span)
                    ).replace(microsecond=0),
                    lead_photo=rng.choice(credits)
                    if credits and rng.random() < 0.3
                    else None,
                )
            )
            plans.append(
                (
                    speakers,
                    said,
                    [rng.choice(tags) for _ in range(2)]
                    + [next(t for t in tags if t.name == place)],
                )
            )
        created = Article.objects.bulk_create(rows)
        made += [article.pk for article in created]
        Article.people.through.objects.bulk_create(
            [
                Article.people.through(article_id=article.pk, person_id=person.pk)
                for article, (speakers, _, _) in zip(created, plans, strict=True)
                for person in speakers
            ]
        )
        Quote.objects.bulk_create(
            [
                Quote(article=article, speaker=person, text=words + ",", order=order)
                for article, (speakers, said, _) in zip(created, plans, strict=True)
                for order, (person, words) in enumerate(
                    zip(speakers, said, strict=True), 1
                )
            ]
        )
        TaggedArticle.objects.bulk_create(
            [
                TaggedArticle(content_object=article, tag=tag)
                for article, (_, _, chosen) in zip(created, plans, strict=True)
                for tag in {t.pk: t for t in chosen}.values()
            ]
        )
        done += size
        progress(done, articles)
    # bulk_create skips the signals that keep search and cached pages current.
    search.reindex(made)
    transaction.on_commit(caching.bump_generation)
    return done
