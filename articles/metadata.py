"""What a story or person page tells search engines and social cards.

Built from objects the page has already loaded (see
ArticleQuerySet.for_story_page): nothing here makes a query.
"""

import html
import unicodedata
from typing import NamedTuple

import orjson
from django.conf import settings
from django.utils.encoding import iri_to_uri
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from .renditions import renditions_for


class PageMetadata(NamedTuple):
    """What a page's <head> says of it; the template reads it as metadata.canonical and so on.

    Attributes, where a dict made the template try each name as an attribute
    first and fail (an exception per name) before looking it up as a key.
    """

    canonical: str
    json_ld: str  # a <script> element
    description: str = ""
    meta_elements: str = ""  # Open Graph and Twitter card <meta> elements


def json_ld(data):
    """data as a JSON-LD script element, safe to put in a page."""
    # Compact, as json.dumps(ensure_ascii=False, separators=(",", ":")) writes
    # it; orjson in a fifth of the time (a story page's JSON-LD took 2% of it).
    text = orjson.dumps(data).decode()
    # As django.utils.html.json_script: nothing in the data can close the
    # <script>. Three replace() calls, where translate() looked at each
    # character through a dict: 28,000 instructions for a story's JSON-LD.
    text = text.replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def absolute_urls(request):
    """request.build_absolute_uri, with the scheme and host worked out once.

    A story page makes a dozen addresses absolute (itself, its photo, each
    person); Django's method splits each one to see what kind it is.
    """
    origin = request.build_absolute_uri("/")[:-1]

    def absolute(location):
        if location.startswith("/") and not location.startswith("//"):
            if "/./" not in location and "/../" not in location:
                return origin + iri_to_uri(location)
        return request.build_absolute_uri(location)

    return absolute


def meta_elements(open_graph, twitter):
    """The Open Graph and Twitter card <meta> elements as one piece of safe HTML.

    Written by the template in a loop they cost two of its autoescapes each,
    a tenth of its time; html.escape() makes the same text safe. The names
    (og:title and the like) are story_metadata()'s own words, not escaped.
    """
    return mark_safe(
        "".join(
            f'<meta {attribute}="{key}" content="{html.escape(str(content))}">\n'
            for attribute, pairs in (("property", open_graph), ("name", twitter))
            for key, content in pairs
        )
    )


DESCRIPTION_LENGTH = 300


def description_of(article):
    # Truncator looks at every character; a description within the limit,
    # as a dek is, comes back from it normalized and otherwise as it was.
    text = unicodedata.normalize("NFC", article.description)
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    return Truncator(text).chars(DESCRIPTION_LENGTH)


def person_ld(person, absolute):
    data = {
        "@type": "Person",
        "name": person.name,
        "url": absolute(person.get_absolute_url()),
    }
    if person.honorific:
        data["honorificPrefix"] = person.honorific
    if person.role:
        data["jobTitle"] = person.role
    if person.organization:
        data["worksFor"] = {"@type": "Organization", "name": person.organization}
    return data


def image_ld(photo, url):
    """The lead photo, at url, as an ImageObject credited as the wire credits it."""
    credit = photo.credit_line
    data = {
        "@type": "ImageObject",
        "url": url,
        "contentUrl": url,
        "caption": photo.caption,
        "creditText": credit,
    }
    if photo.image_width:
        data.update(width=photo.image_width, height=photo.image_height)
    if photo.photographer_id:
        data["creator"] = {"@type": "Person", "name": photo.photographer.name}
    elif credit:
        data["creator"] = {"@type": "Organization", "name": credit}
    return data


def card_image(photo):
    """The rendition social cards show of a lead photo, or None without a readable file.

    Not the upload: X refuses card images over 4,096 pixels a side or 5 MB,
    and Facebook over 8 MB, which agency and camera originals often are. The
    widest rendition (1,920 pixels at most) is one the story page has made
    already, as its figure shows it.
    """
    sizes = renditions_for(photo.image) if photo and photo.image else None
    return sizes.fallback[-1] if sizes else None


def story_metadata(article, request):
    """Canonical URL, Open Graph, Twitter card and NewsArticle JSON-LD for a story."""
    absolute = absolute_urls(request)
    canonical = absolute(article.get_absolute_url())
    description = description_of(article)
    tags = [tag.name for tag in article.relations.tags]
    photo = article.lead_photo
    image = absolute(photo.image.url) if photo and photo.image else ""
    card = card_image(photo)
    published = article.published_at.isoformat() if article.published_at else ""
    modified = article.modified_at.isoformat() if article.modified_at else ""
    open_graph = [
        ("og:type", "article"),
        ("og:site_name", settings.SITE_NAME),
        ("og:title", article.headline),
        ("og:description", description),
        ("og:url", canonical),
        ("article:published_time", published),
        ("article:modified_time", modified),
        *[("article:tag", tag) for tag in tags],
    ]
    twitter = [
        ("twitter:card", "summary_large_image" if card else "summary"),
        ("twitter:title", article.headline),
        ("twitter:description", description),
    ]
    if card:
        card_url = absolute(card.url)
        # Facebook and LinkedIn size a page's first card from the width and
        # height, before they have fetched the image.
        open_graph += [
            ("og:image", card_url),
            ("og:image:width", card.width),
            ("og:image:height", card.height),
            ("og:image:alt", photo.alt_text or photo.caption),
        ]
        twitter += [
            ("twitter:image", card_url),
            ("twitter:image:alt", photo.alt_text or photo.caption),
        ]
    quotes = article.relations.quotes
    quoted = {quote.speaker.pk: quote.speaker for quote in quotes}
    mentioned = {person.pk: person for person in article.relations.people} | quoted
    people_ld = {pk: person_ld(person, absolute) for pk, person in mentioned.items()}
    news_article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": description,
        "url": canonical,
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "datePublished": published,
        "dateModified": modified,
        "inLanguage": "en",
        "isAccessibleForFree": True,
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": settings.SITE_NAME,
            "url": absolute("/"),
        },
        "keywords": tags,
        "mentions": list(people_ld.values()),
    }
    authors = [person_ld(person, absolute) for person in article.relations.authors]
    if authors:
        news_article["author"] = authors
    if article.dateline:
        news_article["dateline"] = article.dateline
    if article.source:
        news_article["sourceOrganization"] = {
            "@type": "Organization",
            "name": article.source,
        }
    if image:
        news_article["image"] = image_ld(photo, image)
    if quoted:
        news_article["citation"] = [
            {
                "@type": "Quotation",
                "text": quote.text,
                "spokenByCharacter": people_ld[quote.speaker.pk],
                "url": canonical + "#" + quote.anchor,
            }
            for quote in quotes
        ]
    corrections = [c for c in article.relations.corrections if not c.is_struck]
    if corrections:
        news_article["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": correction.text,
                "datePublished": correction.published_at.isoformat(),
                "url": canonical + "#" + correction.anchor,
            }
            for correction in corrections
        ]
    return PageMetadata(
        canonical=canonical,
        json_ld=json_ld(news_article),
        description=description,
        meta_elements=meta_elements(open_graph, twitter),
    )


def person_metadata(person, request, page=1):
    """Canonical URL, social card and Person JSON-LD for a person page
    (page: the list's page)."""
    absolute = absolute_urls(request)
    data = {"@context": "https://schema.org", **person_ld(person, absolute)}
    if person.bio:
        data["description"] = person.bio
    if person.portrait:
        data["image"] = absolute(person.portrait.url)
    described = (
        f"{person.full_name}, {person.role}" if person.role else person.full_name
    )
    listing = listing_metadata(
        request,
        person.full_name,
        f"{described}: stories and quotes.",
        page=page,
        path=person.get_absolute_url(),
        kind="profile",
    )
    return listing._replace(json_ld=json_ld(data))


def listing_metadata(request, title, description, *, page=1, path=None, kind="website"):
    """Canonical URL, description and social card of a list page (front, tag, person).

    path is the list's own address (the request's by default); a later page
    names itself, ?page=N, as its canonical URL: naming page 1 as theirs tells
    search engines to drop them, and the older stories with them.
    """
    canonical = absolute_urls(request)(path or request.path)
    if page > 1:
        canonical += f"?page={page}"
    open_graph = [
        ("og:type", kind),
        ("og:site_name", settings.SITE_NAME),
        ("og:title", title),
        ("og:description", description),
        ("og:url", canonical),
    ]
    twitter = [
        ("twitter:card", "summary"),
        ("twitter:title", title),
        ("twitter:description", description),
    ]
    return PageMetadata(
        canonical=canonical,
        json_ld="",
        description=description,
        meta_elements=meta_elements(open_graph, twitter),
    )
