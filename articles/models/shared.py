"""Records that stories share: people, photo credits, agencies and tags.

Renaming a person, rewording a credit or an agency, or renaming a tag changes
every story that shows it. A reporter may change a story only until it goes
out (Article.editable_by), so they may change such a record only until a story
that has gone out, published or scheduled, shows it; after that it is an
editor's, as the story is.
"""

from django.contrib.auth import get_permission_codename


def stories_showing(record):
    """The stories that show record (a Person, PhotoCredit, Agency or Tag), as a queryset."""
    from .people import Person
    from .photos import Agency, PhotoCredit
    from .stories import Article, TaggedArticle

    stories = Article.objects.all()
    if isinstance(record, Person):
        return stories.featuring(record)  # byline, people, quotes, photographer
    if isinstance(record, PhotoCredit):
        return stories.filter(lead_photo=record)
    if isinstance(record, Agency):
        return stories.filter(lead_photo__agency_links__agency=record).distinct()
    return stories.filter(
        pk__in=TaggedArticle.objects.filter(tag=record).values("content_object")
    )


def change_permission(record):
    """The permission to change record's kind: "articles.change_person"."""
    opts = record._meta
    return f"{opts.app_label}.{get_permission_codename('change', opts)}"


def may_change_shared(user, record):
    """Whether user may change record: any, for an editor; for a reporter, one
    that no story gone out (published or scheduled) shows."""
    if not user.has_perm(change_permission(record)):
        return False
    if user.has_perm("articles.publish_article"):
        return True
    return not stories_showing(record).gone_out().exists()


class SharedRecord:
    """A Versioned record that stories show: a reporter's save is refused once one
    of them has gone out, with the page that gives back what they typed
    (conflicts.refuse_change_taken_away)."""

    def editable_by(self, user):
        return may_change_shared(user, self)

    def taken_from(self, user, version, **opened):
        if self.editable_by(user) or not user.has_perm(change_permission(self)):
            return ""
        return f"a story that shows this {self._meta.verbose_name} went out"

    @property
    def taken_by(self):
        """The story that took this record out of a reporter's hands: the one
        gone out that was saved last."""
        return stories_showing(self).gone_out().order_by("-changed_at", "-pk").first()
