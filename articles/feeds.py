import mimetypes
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape
from taggit.models import Tag

from .models import Article, Correction, Person
from .models.text import without_control_characters

FEED_LENGTH = 30
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"


class AbsoluteEnclosures:
    """Resolve enclosure URLs against the feed's link.

    Feed makes item links absolute but passes item_enclosure_url through as
    given, and MEDIA_URL is usually a bare path; RSS readers need the host.
    """

    def add_item(self, *args, enclosures=None, **kwargs):
        enclosures = [
            Enclosure(urljoin(self.feed["link"], e.url), e.length, e.mime_type)
            for e in enclosures or ()
        ]
        super().add_item(*args, enclosures=enclosures, **kwargs)


def xml_text(value):
    """value with each character XML cannot carry made a space; other values as given.

    Saving keeps such characters out (models/text.py); rows stored before
    that, or written around save(), may still hold them.
    """
    if isinstance(value, str):
        return without_control_characters(value)
    if isinstance(value, (list, tuple)):
        return [xml_text(part) for part in value]
    return value


class XmlText:
    """Write every text of the feed and its items as XML can carry it.

    Copy pasted from a word processor brings such characters (Word's line
    break within a paragraph is a vertical tab), and Django's generator
    refuses them with an exception: one story's headline, a tag or a name
    made every feed it appeared in a server error.
    """

    def write(self, outfile, encoding):
        self.feed = {key: xml_text(value) for key, value in self.feed.items()}
        self.items = [
            {key: xml_text(value) for key, value in item.items()} for item in self.items
        ]
        super().write(outfile, encoding)


class Bylines:
    """Take an item's byline authors, each with their page made absolute.

    Django's generators take one author an item, so a byline of several
    people became one name ("A and B"). Stories pass theirs as the extra
    item field ``authors``, (name, page) pairs in byline order, and the
    generators below write one element each.
    """

    def add_item(self, *args, authors=(), **kwargs):
        authors = [(name, urljoin(self.feed["link"], page)) for name, page in authors]
        super().add_item(*args, authors=authors, **kwargs)


class RssFeed(XmlText, AbsoluteEnclosures, Bylines, Rss201rev2Feed):
    def rss_attributes(self):
        # Declared once for every item's dc:creator, not on each element as
        # Rss201rev2Feed does for its single author.
        return {**super().rss_attributes(), "xmlns:dc": DUBLIN_CORE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        # RSS's own <author> is an email address; Dublin Core elements may
        # be repeated, one creator each.
        for name, _ in item.get("authors", ()):
            handler.addQuickElement("dc:creator", name)


class AtomFeed(XmlText, AbsoluteEnclosures, Bylines, Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(HtmlTitles(handler), item)
        # RFC 4287, 4.1.2: an entry carries one or more atom:author elements.
        for name, page in item.get("authors", ()):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", page)
            handler.endElement("author")


class HtmlTitles:
    """An XML handler that types each <title> it writes as HTML.

    Our titles are escaped for HTML (see LatestArticlesFeed.item_title), and
    Atom1Feed writes them untyped, which Atom reads as text (RFC 4287, 3.1):
    readers showed "AT&amp;T". Typed, they show "AT&T", and a reader that
    renders every title as HTML still gets no markup from a headline.
    """

    def __init__(self, handler):
        self.handler = handler

    def addQuickElement(self, name, contents=None, attrs=None):
        if name == "title":
            attrs = {**(attrs or {}), "type": "html"}
        self.handler.addQuickElement(name, contents, attrs)

    def __getattr__(self, name):
        return getattr(self.handler, name)


def lead_image(article):
    """The lead photo's image file, or None when there is no file to enclose."""
    photo = article.lead_photo
    if photo and photo.image and photo.image.storage.exists(photo.image.name):
        return photo.image
    return None


class LatestArticlesFeed(Feed):
    feed_type = RssFeed
    link = reverse_lazy("articles:front")

    def title(self):
        return f"{settings.SITE_NAME}: latest stories"

    def description(self):
        return f"The latest stories from {settings.SITE_NAME}."

    def stories(self, obj):
        return Article.objects.published()

    def items(self, obj):
        return self.stories(obj).for_feed()[:FEED_LENGTH]

    def item_title(self, article):
        # Feed readers take titles as HTML (Django ticket #6533): escape ours.
        return escape(article.headline)

    def item_description(self, article):
        # Declared as HTML in RSS and Atom; dek and lede are plain text.
        return escape(article.description)

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.modified_at

    # Atom's <id> and RSS's <guid>. Not the story's address, Django's default:
    # that changes with the slug, and feed readers then showed the story twice.
    item_guid_is_permalink = False

    def item_guid(self, article):
        return article.tag_uri

    def item_extra_kwargs(self, article):
        # Not item_author_name: Django writes one author an item. No byline in
        # the copy: no author element (the Atom feed's own author stands).
        return {
            "authors": [
                (person.name, person.get_absolute_url())
                for person in article.byline_authors
            ]
        }

    def item_categories(self, article):
        return [tag.name for tag in article.tags.all()]

    def item_enclosures(self, article):
        # One look at storage per item: the three item_enclosure_* hooks
        # would each ask whether the file exists.
        image = lead_image(article)
        if image is None:
            return []
        mime_type = mimetypes.guess_type(image.name)[0] or ""
        return [Enclosure(image.url, str(image.size), mime_type)]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = AtomFeed

    def subtitle(self):
        return self.description()

    def author_name(self):
        # Atom requires an author of the feed unless every entry names one
        # (RFC 4287, 4.1.1), and wire copy often has no byline: the
        # publication answers for the feed, as it does in the JSON-LD's
        # publisher, and entries without a byline still name no one.
        return settings.SITE_NAME


class TagFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        tag = get_object_or_404(Tag, slug=slug)
        if not self.stories(tag).exists():
            raise Http404("Only drafts carry this tag.")
        return tag

    def stories(self, tag):
        return Article.objects.published().tagged(tag)

    # Channel titles and descriptions are HTML to many readers, as item titles
    # are (see item_title): a tag or a name is text, so escape it.
    def title(self, tag):
        return escape(f"{settings.SITE_NAME}: {tag.name}")

    def link(self, tag):
        return reverse("articles:tag", kwargs={"slug": tag.slug})

    def description(self, tag):
        return escape(f"The latest stories tagged {tag.name}.")


class PersonFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        person = get_object_or_404(Person, slug=slug)
        if not self.stories(person).exists():
            raise Http404("Only drafts feature this person.")
        return person

    def stories(self, person):
        return Article.objects.published().featuring(person)

    def title(self, person):
        return escape(f"{settings.SITE_NAME}: {person.name}")

    def link(self, person):
        return person.get_absolute_url()

    def description(self, person):
        return escape(f"The latest stories featuring {person.name}.")


class CorrectionsFeed(Feed):
    feed_type = RssFeed
    link = reverse_lazy("articles:corrections")

    def title(self):
        return f"{settings.SITE_NAME}: corrections"

    def description(self):
        return f"Corrections to stories from {settings.SITE_NAME}, newest first."

    def items(self):
        return Correction.objects.for_corrections_page()[:FEED_LENGTH]

    def item_title(self, correction):
        return escape(f"Correction: {correction.article.headline}")

    def item_description(self, correction):
        if correction.is_struck:
            return escape(f"Struck: {correction.strike_note} (was: {correction.text})")
        return escape(correction.text)

    def item_pubdate(self, correction):
        return correction.published_at

    # Not the correction's address, which holds its story's slug (LatestArticlesFeed).
    item_guid_is_permalink = False

    def item_guid(self, correction):
        return correction.tag_uri

    def item_updateddate(self, correction):
        # RSS items carry no date of change, but the channel's lastBuildDate is
        # its items' latest: a strike is news to a reader polling the feed.
        return correction.struck_at or correction.published_at
