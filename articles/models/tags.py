"""Tags are taggit's own model; what makes two tag names the same one."""

from django.conf import settings
from django.db.models import Q
from taggit.models import Tag

# Any character outside ASCII, written out rather than as \x escapes, which
# PostgreSQL's and Python's regular expressions read differently.
NOT_ASCII = "[^\x01-\x7f]"


def tag_named(name, *, exclude_pk=None, using=None):
    """The tag whose name is name whatever the case ("NATO" for "nato"), or None.

    Compared with str.casefold(): SQLite's LIKE and lower() fold ASCII letters
    only, so name__iexact alone let "ünïcode" in beside "Ünïcode". The database
    narrows the candidates to names equal to name or its casefold in ASCII
    case, which finds every ASCII match, and names with a letter outside ASCII.
    """
    wanted = name.casefold()
    candidates = (
        Tag.objects.db_manager(using)
        .filter(
            Q(name__iexact=name) | Q(name__iexact=wanted) | Q(name__regex=NOT_ASCII)
        )
        .exclude(pk=exclude_pk)
    )
    return next(
        (tag for tag in candidates.order_by("pk") if tag.name.casefold() == wanted),
        None,
    )


def tag_slug(name):
    """The slug taggit gives a new tag named name, as its Tag.save() makes it.

    taggit's own Tag.slugify(), so it follows taggit's settings: "zoë-łukasz"
    by default, where Django's slugify() alone gives "zoe-ukasz".
    """
    return Tag(name=name).slugify(name)


def names_as_tagged(names):
    """names, each one that names a tag already spelt as that tag is, once each.

    Two new spellings of one name typed together ("Straße, STRASSE") make one
    tag, spelt as the first of them in names.

    taggit finds a typed name's tag with name__iexact: SQLite folds ASCII only
    and PostgreSQL's upper() keeps "ß", so a story tagged "ünïcode" or
    "STRASSE" got a new tag beside "Ünïcode" or "Straße". Given the existing
    tag's exact name, taggit finds that tag.
    """
    if not getattr(settings, "TAGGIT_CASE_INSENSITIVE", False):
        return list(names)  # then names differing in case are different tags
    spelt = {}  # casefolded name -> the first spelling, as tag_named() compares
    for name in names:
        tag = tag_named(name)
        spelt.setdefault(name.casefold(), tag.name if tag else name)
    return list(spelt.values())
