"""Text the site can show anywhere: no control characters in stored text.

Word and some wire systems paste a line break as a vertical tab (\\x0b) or a
page break (\\x0c). XML 1.0 cannot carry them at all (a feed or sitemap with
one is unreadable) and in HTML they are parse errors, so every text field of
the newsroom's rows, and of tags, has them replaced by spaces as it is saved:
from the admin, an ingest, or loaddata, which skips save() but not pre_save.
Tabs and line breaks stay.
"""

import re

from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CLEANED_APPS = {"articles", "taggit"}


def without_control_characters(text):
    return CONTROL_CHARACTERS.sub(" ", text)


@receiver(pre_save, dispatch_uid="articles-text-without-control-characters")
def clean_text_fields(sender, instance, **kwargs):
    if sender._meta.app_label not in CLEANED_APPS:
        return
    for field in sender._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)):
            value = getattr(instance, field.attname)
            if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
                setattr(instance, field.attname, without_control_characters(value))
