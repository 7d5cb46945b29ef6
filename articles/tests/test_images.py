import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles import renditions
from articles.renditions import renditions_for

from .factories import make_article, make_person, make_photo

pytestmark = pytest.mark.django_db


def upload(width, height, image_format="JPEG", mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, (width, height), (30, 90, 160, 200)[: len(mode)]).save(
        buffer, image_format
    )
    name = "photo." + ("jpg" if image_format == "JPEG" else image_format.lower())
    return SimpleUploadedFile(name, buffer.getvalue())


def photo_with_file(width=1600, height=900, **kwargs):
    photo = make_photo(
        photographer=make_person(name="Jane Roe"),
        agencies=["TNS"],
        caption="Rain over the harbor.",
        alt_text="A harbor in rain",
    )
    photo.image = upload(width, height, **kwargs)
    photo.save()
    return photo


def stored(url):
    return Path(settings.MEDIA_ROOT) / url.removeprefix(
        settings.MEDIA_URL
        if settings.MEDIA_URL.startswith("/")
        else "/" + settings.MEDIA_URL
    )


def test_story_photo_is_served_in_responsive_webp_and_jpeg_with_its_credit(client):
    story = make_article(lead_photo=photo_with_file())
    page = client.get(story.get_absolute_url()).content.decode()
    webp = re.search(r'<source type="image/webp" srcset="([^"]+)"', page).group(1)
    jpeg = re.search(r'<img src="[^"]+" srcset="([^"]+)"', page).group(1)
    assert [int(w) for w in re.findall(r" (\d+)w", webp)] == [320, 640, 960, 1280, 1600]
    assert [int(w) for w in re.findall(r" (\d+)w", jpeg)] == [320, 640, 960, 1280, 1600]
    assert 'width="960" height="540"' in page
    assert "Rain over the harbor." in page and "(Jane Roe/TNS)" in page
    for url, width in re.findall(r"(\S+) (\d+)w", webp):
        with Image.open(stored(url)) as image:
            assert image.format == "WEBP" and image.width == int(width)
            assert image.height == round(900 * int(width) / 1600)


@pytest.mark.parametrize(
    "name",
    [
        "Harbor storm, fishing boats tied up at the quay, the harbor master "
        "watching from the pier on Tuesday morning, by Jane Roe for TNS.jpg",
        ".jpg",
    ],
    ids=["long-name", "bare-extension"],
)
def test_reader_sees_a_photo_whatever_it_was_named_on_upload(client, name):
    photo = photo_with_file()
    photo.image = SimpleUploadedFile(name, upload(1600, 900).read())
    photo.save()
    story = make_article(lead_photo=photo)
    page = client.get(story.get_absolute_url()).content.decode()
    webp = re.search(r'<source type="image/webp" srcset="([^"]+)"', page).group(1)
    urls = re.findall(r"(\S+) \d+w", webp)
    assert len(urls) == 5 and all(stored(url).is_file() for url in urls)
    # Web servers are commonly set to refuse hidden files (".jpg.jpg"), and
    # renditions live in a folder named after the photo.
    for url in [photo.image.url, *urls]:
        assert not any(part.startswith(".") for part in url.split("/")), url
    assert 'width="960" height="540"' in page


def test_images_are_never_upscaled():
    sizes = renditions_for(photo_with_file(500, 250).image)
    assert [r.width for r in sizes.webp] == [320, 500]


def test_transparent_png_keeps_png_as_the_fallback():
    sizes = renditions_for(
        photo_with_file(800, 400, image_format="PNG", mode="RGBA").image
    )
    assert {r.mime_type for r in sizes.fallback} == {"image/png"}


def test_renditions_are_made_once_and_reused_from_storage():
    photo = photo_with_file()
    first = renditions_for(photo.image)
    files = {
        r.url: stored(r.url).stat().st_mtime_ns for r in first.webp + first.fallback
    }
    cache.clear()  # another instance, or a restart: only storage remembers
    renditions._known.clear()
    second = renditions_for(photo.image)
    assert second == first
    assert {
        r.url: stored(r.url).stat().st_mtime_ns for r in second.webp + second.fallback
    } == files
    assert (
        len(list((Path(settings.MEDIA_ROOT) / "renditions").rglob("*")))
        == len(files) + 1
    )


def test_a_process_reads_a_rendition_set_from_the_shared_cache_once(monkeypatch):
    photo = photo_with_file()
    first = renditions_for(photo.image)
    renditions._known.clear()  # a new process: the shared cache knows the set
    reads = []
    shared_get = cache.get
    monkeypatch.setattr(
        renditions.cache, "get", lambda key: reads.append(key) or shared_get(key)
    )
    assert [renditions_for(photo.image) for _ in range(3)] == [first] * 3
    assert len(reads) == 1


def test_only_photos_below_the_fold_load_lazily(client):
    for _ in range(3):
        make_article(lead_photo=photo_with_file())
    page = client.get("/").content.decode()
    images = re.findall(r"<img [^>]+>", page)
    assert len(images) == 3
    assert "loading=" not in images[0]
    assert all('loading="lazy"' in image for image in images[1:])


def test_story_without_an_image_file_shows_caption_and_credit_only(client, seed_story):
    page = client.get(seed_story.get_absolute_url()).content.decode()
    assert "<picture>" not in page and "<img" not in page
    assert (
        "(Alexei Nikolsky/Russian Presidential Press and Information Office/TASS/Abaca Press/TNS)"
        in page
    )


def test_a_missing_image_file_leaves_caption_and_credit_and_no_error(client):
    photo = photo_with_file()
    stored(photo.image.url).unlink()
    story = make_article(lead_photo=photo)
    for url in [story.get_absolute_url(), "/"]:
        page = client.get(url).content.decode()
        assert "<picture>" not in page and "(Jane Roe/TNS)" in page


def test_an_unreadable_image_is_tried_again_only_after_a_pause(monkeypatch, caplog):
    photo = photo_with_file()
    original = stored(photo.image.url)
    data = original.read_bytes()
    original.unlink()  # lost from storage (or a bucket that did not answer)
    attempts = []
    make = renditions.make_renditions
    monkeypatch.setattr(
        renditions,
        "make_renditions",
        lambda *args: attempts.append(args) or make(*args),
    )
    with caplog.at_level("WARNING", logger="articles.renditions"):
        assert [renditions_for(photo.image) for _ in range(3)] == [None] * 3
        renditions._unreadable.clear()  # another process: the shared cache knows
        assert renditions_for(photo.image) is None
    assert len(attempts) == 1
    assert [record.getMessage() for record in caplog.records] == [
        f"No renditions for {photo.image.name}; trying again in 300 s."
    ]

    original.write_bytes(data)  # restored
    now = renditions.time.monotonic()
    monkeypatch.setattr(renditions.time, "monotonic", lambda: now + 301)
    key = next(iter(renditions._unreadable))
    cache.delete(key)  # as the shared cache lets it expire
    found = renditions_for(photo.image)
    assert len(attempts) == 2
    assert found is not None and stored(found.default.url).exists()


def test_extreme_shapes_and_plain_pngs_get_proper_renditions():
    assert [r.height for r in renditions_for(photo_with_file(3000, 1).image).webp] == [
        1
    ] * 5
    sizes = renditions_for(photo_with_file(800, 400, image_format="PNG").image)
    assert {r.mime_type for r in sizes.fallback} == {"image/png"}
