import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.templatetags.static import static
from django.test import override_settings


@override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        },
    }
)
def test_collectstatic_writes_hashed_and_compressed_css(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = [p.name for p in (tmp_path / "css").glob("site.*.css")]
    assert len(hashed) == 1
    assert (tmp_path / "css" / (hashed[0] + ".gz")).exists()
    assert staticfiles_storage.url("css/site.css").endswith(hashed[0])


@pytest.mark.django_db
def test_pages_link_the_local_stylesheet_and_no_cdn(client, seed_story):
    page = client.get("/").content.decode()
    assert '<link rel="stylesheet" href="/static/css/site.css">' in page
    assert "https://" not in page.split("</head>")[0]


@pytest.mark.django_db
def test_whitenoise_serves_the_stylesheet(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert b"--measure" in b"".join(response.streaming_content)


@pytest.mark.django_db
def test_favicon_ico_is_not_sent_for_good_to_a_file_a_deploy_replaces(client):
    # The icon's address carries a hash of its content, and browsers keep a
    # 301 for good: after the icon changed they went on asking for the old
    # file, gone with the next collectstatic into a fresh folder.
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.svg")
