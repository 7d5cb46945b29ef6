"""Media storage that several instances can share: local disk or S3-compatible."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from articles.renditions import WIDTHS, make_renditions
from articles.storage import MediaFileSystemStorage
from newsroom.settings import media_storage

from .test_images import photo_with_file, stored

ROOT = Path(__file__).resolve().parents[2]
S3_ENV = {
    "AWS_STORAGE_BUCKET_NAME": "newsroom-media",
    "AWS_S3_ENDPOINT_URL": "https://objects.example",
    "AWS_ACCESS_KEY_ID": "key-id",
    "AWS_SECRET_ACCESS_KEY": "secret",
    "AWS_S3_CUSTOM_DOMAIN": "media.news.example",
}


def test_without_a_bucket_media_stay_on_local_disk():
    assert media_storage({}) == {"BACKEND": "articles.storage.MediaFileSystemStorage"}
    assert isinstance(default_storage, MediaFileSystemStorage)


def test_a_bucket_in_the_environment_switches_media_to_object_storage():
    storage = media_storage(S3_ENV)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "newsroom-media",
        "endpoint_url": "https://objects.example",
        "access_key": "key-id",
        "secret_key": "secret",
        "custom_domain": "media.news.example",
        "location": "",
        "querystring_auth": False,
        "file_overwrite": False,
    }


def test_the_configured_site_links_media_at_the_custom_domain():
    """The whole chain, env -> settings -> default_storage, without any network."""
    env = {**os.environ, **S3_ENV}
    env.pop("REDIS_URL", None)
    script = (
        "from django.conf import settings;"
        "from django.core.files.storage import storages;"
        "s = storages['default'];"
        "print(type(s).__name__, s.bucket_name, s.url('photos/2024/rain.jpg'),"
        " settings.SERVE_MEDIA)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "S3Storage",
        "newsroom-media",
        "https://media.news.example/photos/2024/rain.jpg",
        "False",
    ]


@pytest.mark.parametrize(
    "storage_env",
    [
        {"AWS_S3_CUSTOM_DOMAIN": "media.news.example"},
        {"AWS_S3_ENDPOINT_URL": "https://minio.internal:9000"},
        {},  # AWS itself
        # A bucket named with dots cannot be a host name under AWS's
        # certificate: boto3 puts it in the path, on the region's host.
        {"AWS_STORAGE_BUCKET_NAME": "media.news.example"},
        {
            "AWS_STORAGE_BUCKET_NAME": "media.news.example",
            "AWS_S3_REGION_NAME": "eu-west-1",
        },
    ],
    ids=["custom domain", "endpoint", "aws", "dotted bucket", "dotted in a region"],
)
def test_readers_browsers_may_load_photos_from_the_bucket(storage_env):
    """The Content-Security-Policy allows images from where media_storage() links them.

    With img-src 'self' alone, every photo and portrait kept in a bucket was
    refused by readers' browsers: pages showed captions under empty space.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.pop("REDIS_URL", None)
    env.update({"AWS_STORAGE_BUCKET_NAME": "newsroom-media", **storage_env})
    script = (
        "from django.core.files.storage import storages;"
        "from newsroom.csp import site_policy;"
        "print(storages['default'].url('photos/2024/rain.jpg'));"
        "print(site_policy())"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    photo_url, policy = result.stdout.splitlines()
    origin = "/".join(photo_url.split("/")[:3])
    [img_src] = [d for d in policy.split("; ") if d.startswith("img-src ")]
    assert origin in img_src.split()[1:], (origin, img_src)


def test_a_taken_name_gets_another_and_no_partial_files_are_left(tmp_path):
    storage = MediaFileSystemStorage(location=tmp_path)
    first = storage.save("photos/rain.jpg", ContentFile(b"first"))
    second = storage.save("photos/rain.jpg", ContentFile(b"second"))
    assert first == "photos/rain.jpg" and second != first
    assert (tmp_path / first).read_bytes() == b"first"
    assert (tmp_path / second).read_bytes() == b"second"
    assert sorted(p.name for p in (tmp_path / "photos").iterdir()) == sorted(
        [Path(first).name, Path(second).name]
    )
    assert oct((tmp_path / first).stat().st_mode & 0o777) != oct(0o600)


@pytest.mark.django_db
def test_two_instances_making_the_same_renditions_agree_on_one_set_of_files():
    photo = photo_with_file()
    start = threading.Barrier(2)
    results = []

    def make():
        start.wait()
        results.append(make_renditions(photo.image, WIDTHS))

    workers = [threading.Thread(target=make) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(results) == 2 and results[0] == results[1]
    made = [
        p for p in (Path(settings.MEDIA_ROOT) / "renditions").rglob("*") if p.is_file()
    ]
    renditions = results[0].webp + results[0].fallback
    assert sorted(made) == sorted(stored(r.url) for r in renditions)
    for rendition in renditions:
        with Image.open(stored(rendition.url)) as image:
            image.load()  # a truncated file would fail here
            assert image.width == rendition.width
