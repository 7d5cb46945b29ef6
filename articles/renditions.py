"""Responsive renditions of uploaded images, made with Pillow.

Each image gets a set of widths (never wider than the original) in WebP and in
its own format, kept in the default storage beside it under renditions/. A
rendition is made once, by whichever instance first needs it, under a name
derived from the original's name and size, so every instance finds the same
files; the list of what exists is cached, in the shared cache and in each
process, since it never changes for a given file.
"""

import hashlib
import io
import logging
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePosixPath

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)
WIDTHS = (320, 640, 960, 1280, 1920)
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int
    height: int
    mime_type: str


@dataclass(frozen=True)
class RenditionSet:
    """A file's renditions. Each process keeps the sets it read (_known), so
    what is worked out from one is worked out once: every page with the photo
    used to build its two srcset strings again."""

    webp: tuple
    fallback: tuple

    @cached_property
    def default(self):
        """The fallback a browser without srcset gets: the one nearest 960 px wide."""
        return min(self.fallback, key=lambda r: abs(r.width - 960))

    @staticmethod
    def srcset(renditions):
        return ", ".join(f"{r.url} {r.width}w" for r in renditions)

    @cached_property
    def webp_srcset(self):
        return self.srcset(self.webp)

    @cached_property
    def fallback_srcset(self):
        return self.srcset(self.fallback)


# This process's copy of what the shared cache holds, so a page with a photo
# needs no cache round trip and no unpickling for it.
_known = {}

# A file that could not be read (missing from storage, not an image) is tried
# again after this long, by any instance: without a pause every page showing
# it, each list page included, read storage again (a request to the bucket, on
# S3) and logged the same traceback. The shared cache holds UNREADABLE under
# its key meanwhile; each process notes, in _unreadable, when it may try again.
RETRY_UNREADABLE_SECONDS = 300
UNREADABLE = "unreadable"
_unreadable = {}


@receiver(setting_changed)
def _forget_known(setting, **kwargs):
    if setting in ("MEDIA_ROOT", "MEDIA_URL", "STORAGES"):
        _known.clear()
        _unreadable.clear()


def renditions_for(image_field, widths=WIDTHS):
    """The RenditionSet of an ImageField's file, making what is missing; None without a file."""
    if not image_field:
        return None
    name = image_field.name
    key = "renditions:" + hashlib.sha256(f"{name}:{widths}".encode()).hexdigest()
    known = _known.get(key)
    if known is not None:
        return known
    if _unreadable.get(key, 0) > time.monotonic():
        return None
    cached = cache.get(key)
    if cached == UNREADABLE:  # another process failed a moment ago
        _note_unreadable(key)
        return None
    if cached is None:
        try:
            cached = make_renditions(image_field, widths)
        except (OSError, ValueError, Image.DecompressionBombError):
            # A missing or unreadable file: the page shows caption and credit only.
            logger.warning(
                "No renditions for %s; trying again in %d s.",
                name,
                RETRY_UNREADABLE_SECONDS,
                exc_info=True,
            )
            cache.set(key, UNREADABLE, timeout=RETRY_UNREADABLE_SECONDS)
            _note_unreadable(key)
            return None
        cache.set(key, cached, timeout=None)
    if len(_known) >= 1_000:
        _known.clear()
    _known[key] = cached
    return cached


def _note_unreadable(key):
    if len(_unreadable) >= 1_000:
        _unreadable.clear()
    _unreadable[key] = time.monotonic() + RETRY_UNREADABLE_SECONDS


def make_renditions(image_field, widths):
    with image_field.storage.open(image_field.name, "rb") as source:
        data = source.read()
    opened = Image.open(io.BytesIO(data))
    # exif_transpose returns a copy without .format: read the format first.
    keeps_png = opened.format == "PNG" or opened.mode in ("RGBA", "LA", "P")
    fallback_format = "PNG" if keeps_png else "JPEG"
    original = ImageOps.exif_transpose(opened)
    if original.mode == "P":
        original = original.convert("RGBA")  # resample in colour, not by palette index
    folder = PurePosixPath("renditions") / (
        PurePosixPath(image_field.name).stem
        + "-"
        + hashlib.sha256(data).hexdigest()[:12]
    )
    sizes = sorted({min(width, original.width) for width in widths})
    made = {}
    for image_format in ("WEBP", fallback_format):
        extension, mime_type = FORMATS[image_format]
        made[image_format] = tuple(
            rendition_at(
                original,
                folder / f"{width}.{extension}",
                width,
                image_format,
                mime_type,
            )
            for width in sizes
        )
    return RenditionSet(webp=made["WEBP"], fallback=made[fallback_format])


def rendition_at(original, name, width, image_format, mime_type):
    height = max(1, round(original.height * width / original.width))
    name = str(name)
    if not default_storage.exists(name):
        resized = original.resize((width, height), Image.Resampling.LANCZOS)
        if image_format == "JPEG" and resized.mode != "RGB":
            resized = resized.convert("RGB")
        buffer = io.BytesIO()
        resized.save(buffer, image_format, quality=82, optimize=True)
        saved = default_storage.save(name, ContentFile(buffer.getvalue()))
        if saved != name:  # another instance made it meanwhile; keep one copy
            default_storage.delete(saved)
    return Rendition(default_storage.url(name), width, height, mime_type)
