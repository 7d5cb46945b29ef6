import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Hashing passwords properly is slow and tests log in a lot.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Manifest storage needs collectstatic first; test_static_files covers it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    # Pages are cached as in production (where REDIS_URL turns it on); the
    # local-memory cache is shared well enough within this one process.
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _static_files_without_collectstatic():
    """No collectstatic before tests: whitenoise serves straight from static/.

    Session-wide, because live_server builds its middleware (whitenoise
    included) once, before any function-scoped settings fixture runs.
    """
    from django.conf import settings

    saved = settings.STATIC_ROOT, getattr(settings, "WHITENOISE_USE_FINDERS", False)
    settings.STATIC_ROOT, settings.WHITENOISE_USE_FINDERS = None, True
    settings.WHITENOISE_AUTOREFRESH = True
    yield
    settings.STATIC_ROOT, settings.WHITENOISE_USE_FINDERS = saved


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block's on-commit work at its end, as a real commit would.

    Tests run inside a transaction that never commits, and search indexing
    waits for the commit (search.reindex_on_commit).
    """
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def seed_story(db, committed):
    """The seed story from fixtures/seed_story.json, loaded as a developer would."""
    from articles.models import Article

    with committed():
        call_command("loaddata", "seed_story", verbosity=0)
    return Article.objects.get(slug__startswith="putin-ready-to-talk")


def make_staff(django_user_model, username, codenames):
    user = django_user_model.objects.create_user(
        username=username, password="correct horse battery staple", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["articles", "taggit"]
        ).filter(codename__in=codenames)
    )
    return user


ALL_ARTICLES_PERMISSIONS = [
    f"{action}_{model}"
    for action in ("add", "change", "delete", "view")
    for model in (
        "article",
        "person",
        "quote",
        "photocredit",
        "photocreditagency",
        "agency",
        "tag",
    )
] + ["publish_article"]


@pytest.fixture
def editor(django_user_model):
    return make_staff(django_user_model, "editor", ALL_ARTICLES_PERMISSIONS)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def reporter_client(client, django_user_model):
    codenames = [code for code in ALL_ARTICLES_PERMISSIONS if code != "publish_article"]
    client.force_login(make_staff(django_user_model, "reporter", codenames))
    return client


def count_queries(client, url):
    """The number of SQL queries one GET of url costs; asserts it succeeded."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def desk_member(django_user_model, username, group_name):
    """A staff user whose permissions come only from a group the migration made."""
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username=username, password="correct horse battery staple", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def desk_reporter(django_user_model):
    return desk_member(django_user_model, "desk-reporter", "Reporter")


@pytest.fixture
def desk_editor(django_user_model):
    return desk_member(django_user_model, "desk-editor", "Editor")
