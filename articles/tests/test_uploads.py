"""Photo and portrait uploads: only real, reasonably sized images, without location.

Every refusal is checked through the admin an editor uses, and proves that no
file reached media storage and no row changed.
"""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from PIL import ExifTags, Image

from articles.models import Person, PhotoCredit
from articles.uploads import check_image

from .factories import make_person

pytestmark = pytest.mark.django_db

ORIENTATION = 0x0112


def image_bytes(image_format="JPEG", size=(64, 48), mode="RGB", **options):
    buffer = io.BytesIO()
    Image.new(mode, size, "teal" if mode != "1" else 0).save(
        buffer, image_format, **options
    )
    return buffer.getvalue()


def exif_with_gps():
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # taken with the camera turned: browsers rotate it
    exif[ExifTags.Base.Make] = "Newsroom Camera"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (55.0, 45.0, 21.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (37.0, 37.0, 4.0)
    return exif


def media_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def add_photo(client, upload):
    data = {
        "image": upload,
        "caption": "Rain over the harbor.",
        "alt_text": "A harbor in rain",
        "slug": "",
        "agency_links-TOTAL_FORMS": "0",
        "agency_links-INITIAL_FORMS": "0",
    }
    return client.post(reverse("admin:articles_photocredit_add"), data)


def change_portrait(client, person, upload):
    data = {
        "name": person.name,
        "slug": person.slug,
        "honorific": "",
        "role": person.role,
        "organization": "",
        "bio": "",
        "portrait": upload,
        "base_version": str(person.version),  # the form as just opened
        "quotes-TOTAL_FORMS": "0",
        "quotes-INITIAL_FORMS": "0",
    }
    return client.post(reverse("admin:articles_person_change", args=[person.pk]), data)


def assert_refused(response, message):
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(message in error for error in errors.get("image", [])) or any(
        message in error for error in errors.get("portrait", [])
    ), errors
    assert message in response.text


@pytest.mark.parametrize(
    "name, content, message",
    [
        (
            "photo.jpg",
            b"%PDF-1.4 not a photo at all\n" * 20,
            "This file is not an image",
        ),
        (
            "photo.png",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>',
            "This file is not an image",
        ),
        (
            "photo.png",
            b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script>",
            "This file is not an image",
        ),
        ("photo.jpg", image_bytes("BMP"), "This is a BMP file; upload a JPEG, PNG"),
        ("photo.jpg", image_bytes("TIFF"), "This is a TIFF file"),
        (
            "photo.jpg",
            image_bytes("JPEG", size=(800, 600))[:1500],
            "damaged or incomplete",
        ),
        (
            "photo.png",
            image_bytes("PNG", size=(800, 600))[:200],
            "damaged or incomplete",
        ),
    ],
    ids=[
        "pdf-as-jpg",
        "svg-as-png",
        "html-as-png",
        "bmp",
        "tiff",
        "cut-jpeg",
        "cut-png",
    ],
)
def test_editor_sees_a_clear_error_and_nothing_is_stored_for_a_bad_file(
    editor_client, name, content, message
):
    response = add_photo(editor_client, SimpleUploadedFile(name, content))
    assert_refused(response, message)
    assert not PhotoCredit.objects.exists()
    assert media_files() == []


def test_a_file_over_the_byte_limit_is_refused(editor_client, settings):
    content = image_bytes("PNG", size=(300, 300), mode="RGB")
    settings.MAX_UPLOAD_BYTES = len(content) - 1
    response = add_photo(editor_client, SimpleUploadedFile("big.png", content))
    assert_refused(response, "images may be at most")
    assert not PhotoCredit.objects.exists()
    assert media_files() == []


def test_an_image_over_the_pixel_limit_is_refused_before_it_is_decoded(
    editor_client, settings
):
    settings.MAX_UPLOAD_PIXELS = 100 * 100
    content = image_bytes("PNG", size=(101, 100))
    response = add_photo(editor_client, SimpleUploadedFile("wide.png", content))
    assert_refused(response, "This image is 101 × 100 pixels")
    assert not PhotoCredit.objects.exists()
    assert media_files() == []


# Outside tests the warning is only printed; without the upload check turning it
# into an error, the image would be accepted. Tests must see the same.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(
    "size", [(10_000, 9_000), (20_000, 10_000)], ids=["bomb-warning", "bomb-error"]
)
def test_a_decompression_bomb_is_refused_even_between_pillows_two_limits(
    editor_client, settings, size
):
    # A one-bit PNG of 90 (then 200) million pixels: a few kilobytes on disk.
    # 90 million is past Pillow's warning (89.5M) and below its error; our own
    # pixel limit is lifted so that only Pillow's guard stands in the way.
    assert Image.MAX_IMAGE_PIXELS < size[0] * size[1]
    settings.MAX_UPLOAD_PIXELS = 10**9
    content = image_bytes("PNG", size=size, mode="1")
    assert len(content) < settings.MAX_UPLOAD_BYTES
    response = add_photo(editor_client, SimpleUploadedFile("bomb.png", content))
    assert_refused(response, "far too many pixels to open safely")
    assert not PhotoCredit.objects.exists()
    assert media_files() == []


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP", "GIF"])
def test_real_jpeg_png_webp_and_gif_images_are_accepted(editor_client, image_format):
    extension = {"JPEG": "jpg"}.get(image_format, image_format.lower())
    upload = SimpleUploadedFile(f"photo.{extension}", image_bytes(image_format))
    response = add_photo(editor_client, upload)
    assert response.status_code == 302
    credit = PhotoCredit.objects.get()
    assert (credit.image_width, credit.image_height) == (64, 48)
    [stored] = media_files()
    assert stored.suffix == f".{extension}"
    with Image.open(stored) as image:
        assert image.format == image_format


@pytest.mark.parametrize("located", [False, True])
def test_a_phone_jpeg_with_further_images_is_stored_as_its_first_image(
    editor_client, located
):
    # Phones and cameras append images to a JPEG (an HDR gain map, a depth
    # map, a preview); Pillow calls it MPO, and it was refused as "a MPO file".
    second = Image.new("RGB", (32, 24), "red")
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(
        buffer,
        "MPO",
        save_all=True,
        append_images=[second],
        **({"exif": exif_with_gps()} if located else {}),
    )
    with Image.open(buffer) as original:
        assert (original.format, original.n_frames) == ("MPO", 2)
        assert (ExifTags.IFD.GPSInfo in original.getexif()) == located
    upload = SimpleUploadedFile("pixel.jpg", buffer.getvalue())

    assert add_photo(editor_client, upload).status_code == 302

    credit = PhotoCredit.objects.get()
    # exif_with_gps() says the camera was turned: the photo is shown 48 × 64.
    upright = (48, 64) if located else (64, 48)
    assert (credit.image_width, credit.image_height) == upright
    [stored] = media_files()
    assert stored.suffix == ".jpg"
    with Image.open(stored) as image:
        assert (image.format, getattr(image, "n_frames", 1)) == ("JPEG", 1)
        assert ExifTags.IFD.GPSInfo not in image.getexif()
    assert b"GPS" not in stored.read_bytes()


def test_an_image_with_the_wrong_extension_is_stored_under_the_right_one(
    editor_client,
):
    upload = SimpleUploadedFile("actually-a.jpg", image_bytes("PNG"))
    assert add_photo(editor_client, upload).status_code == 302
    [stored] = media_files()
    assert stored.name.endswith(".png")
    assert PhotoCredit.objects.get().image.name.endswith(".png")


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_gps_location_is_removed_on_save_and_orientation_kept(
    editor_client, image_format
):
    content = image_bytes(image_format, exif=exif_with_gps())
    with Image.open(io.BytesIO(content)) as original:
        assert ExifTags.IFD.GPSInfo in original.getexif()  # the test file has it
    upload = SimpleUploadedFile(f"located.{image_format.lower()}", content)
    assert add_photo(editor_client, upload).status_code == 302
    [stored] = media_files()
    with Image.open(stored) as image:
        exif = image.getexif()
        assert ExifTags.IFD.GPSInfo not in exif
        assert exif.get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert exif[ORIENTATION] == 6
        assert exif[ExifTags.Base.Make] == "Newsroom Camera"
    assert b"GPS" not in stored.read_bytes()


def test_a_portrait_is_checked_the_same_way_and_a_bad_one_changes_nothing(
    editor_client,
):
    person = make_person(name="Maria Zakharova", role="spokesperson")
    before = Person.objects.values().get(pk=person.pk)
    upload = SimpleUploadedFile("portrait.jpg", b"<svg><script>alert(1)</script></svg>")
    assert_refused(change_portrait(editor_client, person, upload), "not an image")
    assert Person.objects.values().get(pk=person.pk) == before
    assert media_files() == []

    located = image_bytes("JPEG", exif=exif_with_gps())
    upload = SimpleUploadedFile("portrait.jpg", located)
    assert change_portrait(editor_client, person, upload).status_code == 302
    person.refresh_from_db()
    with Image.open(person.portrait.path) as image:
        assert ExifTags.IFD.GPSInfo not in image.getexif()


def test_code_that_validates_a_model_gets_the_same_checks():
    credit = PhotoCredit(caption="From a script")
    credit.image = SimpleUploadedFile("x.png", b"<html>")
    with pytest.raises(ValidationError) as refused:
        credit.full_clean()
    assert "not an image" in str(refused.value.message_dict["image"])
    assert media_files() == []


def test_a_file_already_in_storage_is_not_read_again_on_each_edit(editor_client):
    assert (
        add_photo(
            editor_client, SimpleUploadedFile("p.png", image_bytes("PNG"))
        ).status_code
        == 302
    )
    credit = PhotoCredit.objects.get()
    [stored] = media_files()
    stored.write_bytes(b"damaged later on disk")
    check_image(credit.image)  # no error: it was checked when it came in
    credit.caption = "Edited caption."
    credit.full_clean()


def test_replacing_a_photo_with_a_bad_file_keeps_the_old_one_and_its_row(
    editor_client,
):
    good = SimpleUploadedFile("harbor.png", image_bytes("PNG", size=(80, 60)))
    assert add_photo(editor_client, good).status_code == 302
    credit = PhotoCredit.objects.get()
    row = PhotoCredit.objects.values().get()
    files = {path: path.read_bytes() for path in media_files()}
    data = {
        "image": SimpleUploadedFile("new.jpg", image_bytes("JPEG")[:300]),
        "caption": "A changed caption that must not be saved.",
        "alt_text": "",
        "slug": credit.slug,
        "agency_links-TOTAL_FORMS": "0",
        "agency_links-INITIAL_FORMS": "0",
    }
    url = reverse("admin:articles_photocredit_change", args=[credit.pk])
    assert_refused(editor_client.post(url, data), "damaged or incomplete")
    assert PhotoCredit.objects.values().get() == row
    assert {path: path.read_bytes() for path in media_files()} == files


def test_code_that_skips_validation_still_cannot_store_a_bad_file():
    credit = PhotoCredit(caption="Saved straight from a script")
    credit.image = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>")
    with pytest.raises(ValidationError), transaction.atomic():
        credit.save()
    assert not PhotoCredit.objects.exists()
    assert media_files() == []


def test_an_animated_image_keeps_its_frames_when_its_location_is_removed(
    editor_client,
):
    frames = [Image.new("RGB", (32, 32), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "WEBP", save_all=True, append_images=frames[1:], exif=exif_with_gps()
    )
    upload = SimpleUploadedFile("moving.webp", buffer.getvalue())
    assert add_photo(editor_client, upload).status_code == 302
    [stored] = media_files()
    with Image.open(stored) as image:
        assert image.n_frames == 2
        assert ExifTags.IFD.GPSInfo not in image.getexif()


def test_a_photo_with_a_foreign_extension_is_told_only_the_accepted_ones(
    editor_client,
):
    response = add_photo(editor_client, SimpleUploadedFile("photo.exe", image_bytes()))
    assert_refused(
        response,
        "File extension “exe” is not allowed. "
        "Allowed extensions are: jpg, jpeg, png, webp, gif.",
    )
    assert "bmp" not in response.text and "tiff" not in response.text
    assert not PhotoCredit.objects.exists()
    assert media_files() == []


def test_a_portrait_with_a_foreign_extension_changes_nothing(editor_client):
    person = make_person()
    response = change_portrait(
        editor_client, person, SimpleUploadedFile("portrait.exe", image_bytes())
    )
    assert_refused(response, "Allowed extensions are: jpg, jpeg, png, webp, gif.")
    assert not Person.objects.get(pk=person.pk).portrait
    assert media_files() == []


def test_a_portrait_chosen_on_a_stale_page_is_not_stored_and_must_be_chosen_again(
    editor_client,
):
    person = make_person()
    opened = Person.objects.get(pk=person.pk)
    person.bio = "Changed by another editor meanwhile."
    person.save()
    before = list(Person.objects.values())

    response = change_portrait(
        editor_client, opened, SimpleUploadedFile("portrait.jpg", image_bytes())
    )

    # The refused page's file input is empty: saved again as it stands, the
    # merge would quietly drop the photo.
    assert_refused(
        response,
        "The file you chose was not stored, and this page cannot keep it: "
        "choose it again before you save.",
    )
    assert list(Person.objects.values()) == before
    assert media_files() == []


# Cameras, agencies and editors name files with whole captions: a name longer
# than the field holds is stored under its start, not refused.
LONG_NAME = (
    "Rain over the harbor as the storm reaches the coast, fishing boats tied up "
    "at the quay while the harbor master watches from the pier, Tuesday.jpg"
)


def test_a_photo_with_a_long_name_is_stored_under_its_start_with_all_typed(
    editor_client,
):
    assert len(LONG_NAME) > 100
    response = add_photo(editor_client, SimpleUploadedFile(LONG_NAME, image_bytes()))
    assert response.status_code == 302
    credit = PhotoCredit.objects.get()
    assert (credit.caption, credit.alt_text) == (
        "Rain over the harbor.",
        "A harbor in rain",
    )
    name = credit.image.name
    assert len(name) <= PhotoCredit._meta.get_field("image").max_length
    assert name.startswith("photos/") and name.endswith(".jpg")
    assert "/Rain_over_the_harbor_as_the_storm" in name
    assert media_files() == [Path(credit.image.path)]


def test_two_photos_with_the_same_long_name_are_both_kept(editor_client):
    for _ in range(2):
        upload = SimpleUploadedFile(LONG_NAME, image_bytes())
        assert add_photo(editor_client, upload).status_code == 302
    first, second = PhotoCredit.objects.order_by("pk")
    assert first.image.name != second.image.name
    assert all(len(c.image.name) <= 100 for c in (first, second))
    assert len(media_files()) == 2


def test_a_long_name_full_of_dots_is_stored_rather_than_failing(editor_client):
    # Under 100 characters alone, over them in its folder: Django's storage
    # cut it from the first dot and gave up with a server error.
    name = "AFP." + ".".join(["harbor"] * 9) + ".storm.2026.03.04.final.v2.jpg"
    assert len(name) <= 100
    response = add_photo(editor_client, SimpleUploadedFile(name, image_bytes()))
    assert response.status_code == 302
    stored = PhotoCredit.objects.get().image.name
    assert len(stored) <= 100 and stored.endswith(".jpg")
    assert "/AFP.harbor.harbor" in stored


def test_a_photo_named_only_by_its_extension_is_stored_as_image(editor_client):
    response = add_photo(editor_client, SimpleUploadedFile(".jpg", image_bytes()))
    assert response.status_code == 302
    credit = PhotoCredit.objects.get()
    assert credit.caption == "Rain over the harbor."
    assert credit.image.name.rsplit("/", 1)[1] == "image.jpg"
    [stored] = media_files()
    assert stored.name == "image.jpg"


def test_a_portrait_with_a_long_or_bare_name_keeps_the_editors_changes(
    editor_client,
):
    person = make_person(name="Maria Zakharova", role="spokesperson")
    for name in [LONG_NAME.replace(".jpg", ".png"), ".png"]:
        person.refresh_from_db()
        response = change_portrait(
            editor_client, person, SimpleUploadedFile(name, image_bytes("PNG"))
        )
        assert response.status_code == 302
    person.refresh_from_db()
    assert person.role == "spokesperson"
    assert person.portrait.name.startswith("portraits/")
    assert person.portrait.name.endswith("/image.png")
    assert len(media_files()) == 2


def test_code_that_saves_a_photo_without_a_form_gets_the_same_names():
    credit = PhotoCredit(caption="From a script")
    credit.image = SimpleUploadedFile("x" * 150 + ".jpg", image_bytes())
    credit.full_clean()
    credit.save()
    assert len(credit.image.name) <= 100 and credit.image.name.endswith("x.jpg")
    bare = PhotoCredit(caption="Also from a script")
    bare.image = SimpleUploadedFile(".jpg", image_bytes())
    bare.save()
    assert bare.image.name.endswith("/image.jpg")
