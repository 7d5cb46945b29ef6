"""Settings for the newsroom site, read from the environment.

The defaults suit a laptop: SQLite, the local-memory cache, DEBUG off and
localhost only. Production is whatever the environment says; see README.md.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name, default=False, environ=os.environ):
    raw = environ.get(name)
    return default if raw is None else raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    return [
        part.strip()
        for part in os.environ.get(name, default).split(",")
        if part.strip()
    ]


DEBUG = env_flag("DEBUG")
# The fallback carries Django's "django-insecure-" prefix, so check --deploy flags it.
SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-local-development-only")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles, so runserver serves static files the way production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
    "csp",
    # Before taggit, so that its remove_orphaned_tags and deduplicate_tags
    # commands, which know the stories' own tag links, replace taggit's.
    "articles",
    "taggit",
    "reversion",
    "reversion_compare",
]

# The history's compare view (django-reversion-compare) compares a story's lead
# photo by its id. By default it calls the photo changed whenever anything else
# in the story changed, and listed "lead photo" on every diff.
REVERSION_COMPARE_FOREIGN_OBJECTS_AS_ID = True

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETags for every page and 304s against them and Last-Modified (story pages);
    # Django's, minus parsing for requests without preconditions.
    "newsroom.conditional_get.ConditionalGetMiddleware",
    # Readers without a session get cached pages from here, stored with every
    # header the middleware below adds; the rest is for everyone else
    # (articles/caching.py).
    "articles.caching.PageCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newsroom.csp.CSPMiddleware",  # django-csp's, the policy built once
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "newsroom.lazy_messages.MessageMiddleware",  # its storage made on first use
    # The request's URLconf and script prefix, read once for the view's addresses.
    "articles.addresses.AddressMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out client is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "newsroom.urls"

TEMPLATES = [
    {
        # Readers' pages: compiled to Python, several times faster to render
        # than Django's engine (newsroom/jinja2.py).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "OPTIONS": {
            "environment": "newsroom.jinja2.environment",
            "context_processors": ["articles.context_processors.site"],
        },
    },
    {
        # The admin, Django's own apps, the sitemap index, the news sitemap
        # and robots.txt (the sections' sitemaps are Jinja2: sitemaps/urlset.xml).
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

# Persistent connections: opening one per request costs more than a story
# page's queries. Health checks replace a connection the server has dropped.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers share the file. SQLite's default (a rollback
    # journal, transactions that take the write lock only at their first
    # write) failed one editor's save in eight with "database is locked" when
    # four saved at once: two transactions that have both read cannot both
    # write, and SQLite fails one at once rather than wait. IMMEDIATE takes the
    # write lock at BEGIN, so writers wait their turn (up to `timeout`
    # seconds); WAL lets readers go on reading while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=20,
        init_command="PRAGMA journal_mode=WAL",
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check that skips its round trip for a
    # connection used in the last 30 s with nothing waiting on it
    # (newsroom/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "newsroom.postgresql"
    # PostgreSQL plans a query each time it receives its text; a prepared
    # statement is planned once per connection. Sent with server-side
    # parameters, a query the site repeats (the story page's, each list's) is
    # prepared after its fifth run: planning took 0.33 ms of the story
    # relations' 0.47 ms. Behind a pooler in transaction mode (PgBouncer
    # before 1.21) set PG_PREPARED_STATEMENTS=0.
    if env_flag("PG_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anonymous readers' pages are kept this long in the cache above (0: never);
# any change to the content replaces them at once (articles/caching.py). Off
# by default without Redis: gunicorn's workers do not share local memory.
PAGE_CACHE_SECONDS = int(
    os.environ.get("PAGE_CACHE_SECONDS", "300" if os.environ.get("REDIS_URL") else "0")
)
# On Redis, each app process also keeps this many pages it read, for as long as
# Redis reports no change to the content (articles/near_cache.py); 0: none.
PAGE_CACHE_LOCAL_PAGES = int(os.environ.get("PAGE_CACHE_LOCAL_PAGES", "200"))
# How long a CDN may keep a public page (s-maxage). The app cannot purge a CDN,
# so the default 0 makes it revalidate, which costs a 304 at most.
CDN_CACHE_SECONDS = int(os.environ.get("CDN_CACHE_SECONDS", "0"))

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# Story URLs carry the publication date in this zone; see Article.get_absolute_url.
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
# English only (no LocaleMiddleware): without the translation machinery every
# date and label is formatted directly, a twentieth of a story page's time.
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Serve MEDIA_ROOT from Django itself: right for one machine, off when a web
# server or object storage serves uploads.
SERVE_MEDIA = env_flag(
    "SERVE_MEDIA", default=not os.environ.get("AWS_STORAGE_BUCKET_NAME")
)


def media_storage(environ):
    """Where uploads and renditions live, so that every instance sees the same files.

    S3-compatible object storage (django-storages) when a bucket is named,
    otherwise MEDIA_ROOT on this machine.
    """
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME")
    if not bucket:
        return {"BACKEND": "articles.storage.MediaFileSystemStorage"}
    options = {
        "bucket_name": bucket,
        "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL"),
        "region_name": environ.get("AWS_S3_REGION_NAME"),
        "access_key": environ.get("AWS_ACCESS_KEY_ID"),
        "secret_key": environ.get("AWS_SECRET_ACCESS_KEY"),
        "custom_domain": environ.get("AWS_S3_CUSTOM_DOMAIN"),
        "location": environ.get("AWS_LOCATION", ""),
        # Photos are public; a custom domain or CDN serves them without signatures.
        "querystring_auth": env_flag("AWS_QUERYSTRING_AUTH", environ=environ),
        "default_acl": environ.get("AWS_DEFAULT_ACL"),
        # Never overwrite: two uploads of "photo.jpg" keep both files.
        "file_overwrite": False,
    }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {key: value for key, value in options.items() if value is not None},
    }


def media_origin(environ):
    """Where browsers fetch media_storage()'s files from, if not this site; or None.

    The addresses S3Storage writes for the settings above: the custom domain,
    else the endpoint (boto3 puts the bucket in the path there), else AWS's
    own host for the bucket. Content-Security-Policy's img-src must name it.
    """
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME")
    if not bucket:
        return None
    if domain := environ.get("AWS_S3_CUSTOM_DOMAIN"):
        return "https://" + domain.split("/")[0]  # S3Storage's url_protocol
    if endpoint := environ.get("AWS_S3_ENDPOINT_URL"):
        parts = urlsplit(endpoint)
        return f"{parts.scheme}://{parts.netloc}"
    if "." in bucket:
        # AWS's certificate covers one label of *.s3.amazonaws.com, so boto3
        # puts a dotted bucket in the path, on its region's host.
        region = environ.get("AWS_S3_REGION_NAME") or "us-east-1"
        if region == "us-east-1":
            return "https://s3.amazonaws.com"
        return f"https://s3.{region}.amazonaws.com"
    return f"https://{bucket}.s3.amazonaws.com"


STORAGES = {
    "default": media_storage(os.environ),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
TAGGIT_CASE_INSENSITIVE = True

SITE_NAME = os.environ.get("SITE_NAME", "The Newsroom")
# The domain that names every story in the feeds for good (Article.tag_uri, an
# RFC 4151 tag URI), not the host a request came by: one the publication held
# when it published them. Changing it changes every feed entry's id, so keep
# it even if the site moves. By default the first of ALLOWED_HOSTS.
FEED_ID_DOMAIN = os.environ.get("FEED_ID_DOMAIN") or next(
    (host.lstrip(".") for host in ALLOWED_HOSTS if host != "*"), "localhost"
)

# Security headers switch on with the environment, never by separate code.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Reverse proxies in front of Django (load balancer, nginx). Only their headers
# are believed: X-Forwarded-Proto for HTTPS, and the client address they append
# to X-Forwarded-For (see newsroom/client_ip.py). With none, REMOTE_ADDR is the
# client and both headers are ignored, whatever a client sends.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
if env_flag("HTTPS"):
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=True)
    if TRUSTED_PROXIES:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD")

# Content-Security-Policy on every response (django-csp). No inline script or
# style anywhere, the admin included: JavaScript and CSS come from static files.
# JSON-LD <script type="application/ld+json"> is data, which CSP does not block.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for the admin's and browsers' own small icons; never for scripts.
        # Photos and portraits kept in a bucket come from its address.
        "img-src": ["'self'", "data:", *filter(None, [media_origin(os.environ)])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Admin login throttling (django-axes). A client that fails to sign in
# AXES_FAILURE_LIMIT times is locked out for AXES_COOLOFF_HOURS, by address as
# newsroom.client_ip decides it, so a forged X-Forwarded-For neither resets nor
# dodges the count. Unlock early with `manage.py axes_reset` (README.md).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(hours=float(os.environ.get("AXES_COOLOFF_HOURS", "1")))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "newsroom.client_ip.client_ip"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"

# Uploaded photos and portraits (articles/uploads.py): what Pillow will open.
# Larger files or images are refused with a form error before anything is stored.
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(15 * 1024 * 1024)))
MAX_UPLOAD_PIXELS = int(os.environ.get("MAX_UPLOAD_PIXELS", str(40_000_000)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
