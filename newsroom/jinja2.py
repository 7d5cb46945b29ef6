"""The Jinja2 environment the reader pages are rendered with.

Readers' pages (templates/jinja2/) use Jinja2; the admin and Django's own apps
keep Django's template language (templates/). Jinja2 compiles a template to
Python once, where Django's engine walks a tree of nodes on every render: a
whole uncached story request went from 18.1 to 15.3 million instructions with
nothing else changed (docs/performance.md). What the templates had from
Django's built-ins and our template tags is here under the same names, as
Django's documentation suggests
(https://docs.djangoproject.com/en/5.2/topics/templates/#django.template.backends.jinja2.Jinja2).
"""

from datetime import datetime
from functools import lru_cache
from types import FunctionType, MethodType

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaultfilters
from django.templatetags.static import static
from django.utils import dateformat, formats, timezone
from django.utils.safestring import SafeData, mark_safe
from django.utils.text import add_truncation_text
from jinja2 import Environment, runtime
from markupsafe import Markup, escape

from articles import addresses, renditions, search


def date(value, format_string=None):
    """Django's |date filter, in the site's time zone as Django's engine shows it."""
    if value in (None, ""):
        return ""
    return _formatted(timezone.template_localtime(value), format_string)


def time_tag(value, format_string):
    """A <time> element: value in format_string, and in ISO 8601 for machines.

    The time is put in the site's zone once for both, where two |date filters
    would each look up the zone and convert.
    """
    if value in (None, ""):
        return ""
    value = timezone.template_localtime(value)
    return Markup(
        f'<time datetime="{escape(_formatted(value, "c"))}">'
        f"{escape(_formatted(value, format_string))}</time>"
    )


def _formatted(value, format_string):
    """value, already in the zone to show it in, as the |date filter formats it."""
    if format_string is None:
        return formats.date_format(value)
    # A format string, not the name of a format: Django's filter would look it
    # up among the formats first, a third of the filter's time.
    if not isinstance(value, datetime):
        return dateformat.format(value, format_string)  # it rejects time specifiers
    if format_string == "c":  # ISO 8601, for <time datetime>: what DateFormat.c() does
        return value.isoformat()
    # dateformat.format() splits the format string on every call, most of the
    # filter's time; the story page formats one for each of its times.
    formatter = dateformat.DateFormat(value)
    return "".join(
        str(getattr(formatter, piece)()) if specifier else piece
        for specifier, piece in parsed_format(str(format_string))
    )


def truncatewords(value, length):
    """Django's |truncatewords, without the lazy Truncator object it makes per value.

    That object's setup and attribute lookups went through LazyObject's
    Python-level __getattribute__ a dozen times for each quote a story lists.
    """
    value = str(value)  # as Django's @stringfilter
    try:
        length = int(length)
    except ValueError:
        return value  # as Django's filter: fail silently
    if length <= 0:
        return ""
    words = value.split()
    if len(words) > length:
        shortened = add_truncation_text(" ".join(words[:length]), " …")
    else:
        shortened = " ".join(words)
    return mark_safe(shortened) if isinstance(value, SafeData) else shortened


@lru_cache(maxsize=64)
def parsed_format(format_string):
    """(is a specifier, text) for each piece of a date format, as dateformat reads it."""
    return tuple(
        (True, piece) if index % 2 else (False, dateformat.re_escaped.sub(r"\1", piece))
        for index, piece in enumerate(dateformat.re_formatchars.split(format_string))
        if piece
    )


@lru_cache(maxsize=256)
def static_url(path):
    """Django's {% static %}, remembered: a file's hashed name is fixed until a deploy."""
    return static(path)


@receiver(setting_changed)
def forget_static_urls(setting, **kwargs):
    if setting in ("STATIC_URL", "STORAGES"):
        static_url.cache_clear()


def now(format_string):
    """Django's {% now %} tag (the date filter's way with a format string)."""
    return date(timezone.now(), format_string)  # date() shows it in the site's zone


def highlight(text, query):
    """text around the first match of query, escaped, with matches in <mark>."""
    return search.highlight(text or "", query or "")


def mark_matches(text, query):
    """text, whole and escaped, with the words of query in <mark>."""
    return search.mark_matches(text or "", query or "")


class Context(runtime.Context):
    """Jinja2's template context, calling plain functions and methods directly.

    Before each call a template makes ({{ author.get_absolute_url() }},
    address(...)), Jinja2 asks the callable and its __call__ whether they want
    the context passed in (pass_context and the like) by looking for an
    attribute on them. On a method or a method-wrapper the missing attribute
    raises and catches an AttributeError with its message formatted: two per
    call, 108,000 instructions of a story page's 4.9 million. For a function or
    a bound method, asking the function alone gives the same answer and
    raises nothing; anything else goes through Jinja2's own call().
    """

    def call(__self, __obj, *args, **kwargs):  # Jinja2's signature
        if type(__obj) is MethodType:
            function = __obj.__func__
        elif type(__obj) is FunctionType:
            function = __obj
        else:
            return super().call(__obj, *args, **kwargs)
        if hasattr(function, "jinja_pass_arg"):
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:  # as Jinja2's call() answers it
            return __self.environment.undefined(
                "value was undefined because a callable raised a"
                " StopIteration exception"
            )


def environment(**options):
    env = Environment(**options)
    env.context_class = Context
    env.globals.update(
        address=addresses.address,
        now=now,
        renditions_of=renditions.renditions_for,
        static=static_url,
    )
    env.filters.update(
        date=date,
        time_tag=time_tag,
        # Django's: any false value (0, "", None) takes the default. Jinja2's
        # own default replaces only an undefined name.
        default=defaultfilters.default,
        highlight=highlight,
        mark_matches=mark_matches,
        pluralize=defaultfilters.pluralize,
        truncatewords=truncatewords,
        urlencode=defaultfilters.urlencode,
    )
    return env
