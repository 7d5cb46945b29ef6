"""Path converters for date-based story URLs: /2022/02/15/<slug>/.

to_python keeps the string: Django's date views parse year, month and day
themselves with strptime, which needs text.
"""


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
