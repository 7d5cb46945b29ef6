"""Path converters for date-based story URLs: /2022/02/15/<slug>/.

to_python keeps the string: Django's date views parse year, month and day
themselves with strptime, which needs text. Page numbers in query strings
(?page=2, a sitemap's ?p=2) are checked with is_page_number().
"""

import re

_PAGE_NUMBER = re.compile(r"[1-9][0-9]*")


def is_page_number(text):
    """Whether text is a page number as the site writes one: 1, 2, 3 ...

    Django reads page numbers with int(), which also takes a sign, leading
    zeros, spaces and other scripts' digits ("+2", "02", " 2", "２"): each page
    of a list would be served again at endless addresses, for search engines
    to index and for the page cache to keep.
    """
    return _PAGE_NUMBER.fullmatch(text) is not None


class FourDigitYearConverter:
    # 1000-2999: Django's date views overflow on the day after 9999-12-31.
    regex = "[12][0-9]{3}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigitConverter:
    """A zero-padded month or day: reverse() accepts 2 or "02" and writes 02."""

    regex = "[0-9]{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return f"{int(value):02d}"


class UnicodeSlugConverter:
    """A slug that may hold letters of any script: tags like “Київ” keep theirs."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
