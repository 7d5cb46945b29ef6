"""Uploaded photos and portraits: what may be stored, and how it is stored.

Every image field (PhotoCredit.image, Person.portrait) is an
``UploadedImageField``, so the admin, any other form and ``full_clean()`` all
run ``check_image()`` on a new file before anything reaches media storage:

- the file is a JPEG, PNG, WebP or GIF by its content, and its name ends in
  one of their extensions (a PNG named .jpg passes, and is stored as .png);
- it is at most ``settings.MAX_UPLOAD_BYTES`` long and at most
  ``settings.MAX_UPLOAD_PIXELS`` pixels, checked from the header before any
  pixel is decoded;
- Pillow's decompression-bomb limit is an error, its warning included;
- it decodes completely (a truncated file is refused).

When the file is saved, GPS location is removed from its EXIF (orientation and
the rest are kept, so browsers still turn the photo upright) and its name gets
the extension of what it really is. A name too long for the field is shortened
(``fitting_name()``), and a file named only ".jpg" is stored as "image.jpg".
"""

import io
import struct
import warnings
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models.fields.files import FieldFile, ImageFieldFile
from django.template.defaultfilters import filesizeformat
from PIL import ExifTags, Image, JpegImagePlugin, UnidentifiedImageError

# Pillow format name -> the extensions a stored file of it may have; new names get the first.
ALLOWED_FORMATS = {
    "JPEG": (".jpg", ".jpeg"),
    # A JPEG with more images after the first (phones' HDR gain maps and
    # depth maps, cameras' previews), which browsers show as that first image.
    # It is stored as a plain JPEG of it: see without_location().
    "MPO": (".jpg", ".jpeg"),
    "PNG": (".png",),
    "WEBP": (".webp",),
    "GIF": (".gif",),
}
ALLOWED_NAMES = "JPEG, PNG, WebP or GIF"
ALLOWED_EXTENSIONS = list(
    dict.fromkeys(
        extension.lstrip(".")
        for extensions in ALLOWED_FORMATS.values()
        for extension in extensions
    )
)


def check_image(upload):
    """Raise ValidationError unless upload is an image we are willing to store.

    Files already in storage are not re-read: they were checked on the way in.
    """
    if isinstance(upload, FieldFile) and upload._committed:
        return
    # The form field, the model field's validator and pre_save() all call this
    # with the same upload (bare, or inside a FieldFile): decode it only once.
    checked = upload.file if isinstance(upload, FieldFile) else upload
    if getattr(checked, "checked_as_image", False):
        return
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(
            "This file is %(size)s; images may be at most %(limit)s.",
            code="too_large",
            params={
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.MAX_UPLOAD_BYTES),
            },
        )
    upload.seek(0)
    try:
        # Between Pillow's warning and error sizes an image only warns; here it
        # is refused like any bigger bomb. (Our pixel limit is usually lower.)
        # catch_warnings() is process-wide: fine for gunicorn's sync workers.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format not in ALLOWED_FORMATS:
                    raise ValidationError(
                        "This is a %(format)s file; upload a %(allowed)s image.",
                        code="format",
                        params={"format": image.format, "allowed": ALLOWED_NAMES},
                    )
                check_pixels(image.size)
                image.load()  # decode every pixel: a truncated file fails here
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        # Pillow stops before telling the size: say the limit the reader can act on.
        raise ValidationError(
            "This image has far too many pixels to open safely; images may have "
            "at most %(limit)s pixels.",
            code="bomb",
            params={"limit": f"{settings.MAX_UPLOAD_PIXELS:,}"},
        ) from error
    except UnidentifiedImageError as error:
        raise ValidationError(
            "This file is not an image: upload a %(allowed)s file.",
            code="not_image",
            params={"allowed": ALLOWED_NAMES},
        ) from error
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as error:
        raise ValidationError(
            "This image is damaged or incomplete and cannot be read.",
            code="damaged",
        ) from error
    finally:
        upload.seek(0)
    checked.checked_as_image = True


def check_pixels(size):
    width, height = size
    if width * height > settings.MAX_UPLOAD_PIXELS:
        raise ValidationError(
            "This image is %(width)d × %(height)d pixels; images may have at most %(limit)s pixels.",
            code="too_many_pixels",
            params={
                "width": width,
                "height": height,
                "limit": f"{settings.MAX_UPLOAD_PIXELS:,}",
            },
        )


def without_location(upload):
    """The image's bytes with GPS removed, or None when there is nothing to remove.

    An MPO is always rewritten as a JPEG of its first image: each of its
    other images carries metadata of its own (a location among it), and
    only the first is ever shown.
    """
    upload.seek(0)
    with Image.open(upload) as image:
        exif = image.getexif()
        xmp = image.info.get("xmp") or b""
        located = ExifTags.IFD.GPSInfo in exif or b"GPS" in bytes(xmp)
        if not located and image.format != "MPO":
            return None
        exif.pop(ExifTags.IFD.GPSInfo, None)
        out = io.BytesIO()
        # XMP is left out (Pillow writes it only when asked): it may repeat the GPS.
        options = {
            "exif": exif,
            "icc_profile": image.info.get("icc_profile"),
            "save_all": getattr(image, "is_animated", False),  # keep every frame
        }
        if image.format == "JPEG":
            options.update(quality="keep")  # reuse the original's quantisation
        elif image.format == "MPO":
            # What quality="keep" does, which Pillow allows for "JPEG" alone.
            options.update(
                save_all=False,
                qtables=image.quantization,
                subsampling=JpegImagePlugin.get_sampling(image),
            )
        elif image.format == "WEBP":
            options.update(quality=95)
        image.save(out, "JPEG" if image.format == "MPO" else image.format, **options)
    upload.seek(0)
    return out.getvalue()


def true_name(name, upload):
    """name with the extension of the format the content really has."""
    upload.seek(0)
    with Image.open(upload) as image:
        extensions = ALLOWED_FORMATS[image.format]
    upload.seek(0)
    path = PurePosixPath(name)
    if path.suffix.lower() in extensions:
        return name
    return str(path.with_suffix(extensions[0]))


# A file named only ".jpg" (its name lost on the way, or typed so) is stored as this.
UNNAMED_STEM = "image"
# What Django's storage adds to a name already taken: "_" and seven characters.
CLASH_ROOM = 8


def split_name(filename):
    """(stem, extension) of a file's name; ".jpg" is all extension, no stem."""
    stem, dot, extension = filename.rpartition(".")
    return (stem, dot + extension) if dot else (filename, "")


def with_stem(filename):
    """filename, or UNNAMED_STEM before its extension when it has no stem."""
    stem, extension = split_name(filename)
    # A leading dot would make a hidden file (".jpg.jpg").
    return (stem.strip(". ") or UNNAMED_STEM) + extension


def fitting_name(name, max_length):
    """A storage path shortened to max_length less room for a clash suffix.

    The folder and extension are kept and the end of the stem is cut, so a
    photo named with its whole caption is stored under the caption's start.
    With the room left, Django's storage never truncates the name itself: it
    cuts from the first dot, and a long name full of dots made it give up
    (SuspiciousFileOperation, a server error).
    """
    folder, _, filename = name.rpartition("/")
    folder = folder + "/" if folder else ""
    stem, extension = split_name(with_stem(filename))
    room = max_length - CLASH_ROOM - len(folder) - len(extension)
    if len(stem) > room > 0:
        stem = stem[:room].rstrip(" ._-") or UNNAMED_STEM
    return folder + stem + extension


class UploadedImageFormField(forms.ImageField):
    """The form side: our checks first, with their specific messages."""

    # In place of Django's validate_image_file_extension, whose error lists
    # every extension Pillow can open (bmp, tiff, eps…) as allowed.
    default_validators = [FileExtensionValidator(ALLOWED_EXTENSIONS)]

    def to_python(self, data):
        if data not in self.empty_values:
            # Before the extension check, which reads ".jpg" as no extension.
            data.name = with_stem(data.name)
            check_image(data)
        return super().to_python(data)


# EXIF orientations 5 to 8 turn the picture a quarter turn: browsers show it
# with the stored width and height swapped.
QUARTER_TURNS = {5, 6, 7, 8}


class UprightImageFieldFile(ImageFieldFile):
    """An image file whose width and height are those of the picture as shown.

    Django reads the stored pixels' size, so a photo taken with the camera
    turned (stored landscape, EXIF "turn 90°") was recorded as landscape,
    and og:image:width/height and the JSON-LD told card renderers the wrong
    shape of what browsers show upright. The renditions turn it upright too.
    """

    def _get_image_dimensions(self):
        if not hasattr(self, "_dimensions_cache"):
            width, height = super()._get_image_dimensions()
            if width is not None and self._turned():
                self._dimensions_cache = (height, width)
        return self._dimensions_cache

    def _turned(self):
        close = self.closed
        self.open()
        position = self.tell()
        try:
            self.seek(0)
            with Image.open(self) as image:
                orientation = image.getexif().get(ExifTags.Base.Orientation)
            return orientation in QUARTER_TURNS
        except (OSError, SyntaxError, ValueError, EOFError, struct.error):
            return False  # as Django's own read of the size: no answer, no error
        finally:
            if close:
                self.close()
            else:
                self.seek(position)


class UploadedImageField(models.ImageField):
    """An ImageField that refuses unsafe files and stores no location."""

    attr_class = UprightImageFieldFile
    default_validators = [check_image]

    def formfield(self, **kwargs):
        # No max_length: a long name is shortened on save (generate_filename),
        # not refused with Django's "at most 100 characters".
        return super().formfield(
            **{"form_class": UploadedImageFormField, **kwargs, "max_length": None}
        )

    def generate_filename(self, instance, filename):
        name = super().generate_filename(instance, filename)
        return fitting_name(name, self.max_length)

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            check_image(file)  # already done when a form or full_clean() ran
            source = file.file
            cleaned = without_location(source)
            name = true_name(with_stem(file.name), source)
            if cleaned is not None:
                file.file = ContentFile(cleaned, name=name)
            file.name = name
        return super().pre_save(model_instance, add)
