"""Hearth settings: one module, read from the environment with safe embedded defaults.

Without any environment the site runs on SQLite, the in-memory channel layer, the
local-memory cache, immediate tasks and console email. DATABASE_URL switches to
PostgreSQL, REDIS_URL to Redis for the cache and the channel layer.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from hearth.catalogs import LOCALE_DIR, offered_languages
from hearth.env import env_bool, env_int, env_list, env_str

PROJECT_DIR = Path(__file__).resolve().parent
BASE_DIR = PROJECT_DIR.parent

DEBUG = env_bool("DEBUG", default=False)
TESTING = "pytest" in sys.modules or env_bool("HEARTH_TESTING", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "hearth-insecure-development-key-only-for-debug-and-tests"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string, or set DEBUG=true "
            "for local development."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if DEBUG or TESTING:
        ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver", "[::1]"]
    else:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is not set. List the site's host names separated by commas, "
            "or set DEBUG=true for local development."
        )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = env_str("SITE_NAME", "Hearth")
WAGTAIL_SITE_NAME = SITE_NAME
WAGTAILADMIN_BASE_URL = env_str("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
BASE_URL = WAGTAILADMIN_BASE_URL

INSTALLED_APPS = [
    "hearth",
    "community",
    "community.forum",
    "community.chat",
    "community.moderation",
    "community.inbox",
    "community.conversations",
    "referrals",
    "recognition",
    "blog",
    "survey",
    # Editors translate pages in the admin ("Translate this page"); its locales app
    # replaces wagtail.locales (docs/i18n.md, "Translating pages").
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "allauth",
    "allauth.account",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the language cookie or Accept-Language (docs/i18n.md).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A member's own language and time zone beat the cookie and the browser's.
    "hearth.middleware.MemberLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # After the header middleware, so its 400 and 404 pages get the same headers.
    "hearth.middleware.MalformedRequestMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "community.middleware.SuspendedMemberMiddleware",
    "community.middleware.MemberDayMiddleware",
]

ROOT_URLCONF = "hearth.urls"
ASGI_APPLICATION = "hearth.asgi.application"
WSGI_APPLICATION = "hearth.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "hearth.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        # No persistent connections (CONN_MAX_AGE 0): under ASGI every request runs in a
        # thread of its own, and a connection kept open by a finished thread is only
        # freed by the garbage collector; they piled up until PostgreSQL refused more.
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL could not be read: {exc}") from None
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["TEST"] = {"NAME": env_str("DATABASE_TEST_NAME") or None}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Instead, each process holds a bounded pool (psycopg_pool, through Django):
        # at most DATABASE_POOL_MAX_SIZE connections per process, whatever the traffic.
        # Size it so (web workers + task workers + scheduler) x max stays under
        # PostgreSQL's max_connections (docs/deploy.md).
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN_SIZE", 1, minimum=0),
            "max_size": env_int("DATABASE_POOL_MAX_SIZE", 10, minimum=1),
            # A request waits this long for a free connection, then fails (503).
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10, minimum=1),
            # Connections above min_size close after this long unused.
            "max_idle": env_int("DATABASE_POOL_MAX_IDLE", 300, minimum=1),
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH") or str(BASE_DIR / "db.sqlite3"),
            "OPTIONS": {
                # WAL lets readers and one writer work at once; IMMEDIATE avoids
                # "database is locked" upgrades from read to write transactions.
                "init_command": "PRAGMA journal_mode=wal; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Tests use a file, not memory, so the browser journeys' server process (a
            # fork) sees the same database; pytest-xdist adds a suffix per worker.
            "TEST": {
                "NAME": env_str("SQLITE_TEST_PATH")
                or str(Path(tempfile.gettempdir()) / f"hearth-test-{os.getpid()}.sqlite3")
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and channel layer -------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
# Parallel test workers share one Redis; keep their keys apart.
_WORKER = env_str("PYTEST_XDIST_WORKER") if TESTING else ""
if REDIS_URL:
    from redis.asyncio.retry import Retry as AsyncRetry
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    CACHES = {
        "default": {
            # Degrades to "no cache" while Redis is away instead of failing pages (cache.py).
            "BACKEND": "hearth.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "hearth") + _WORKER,
            "OPTIONS": {
                # Fail fast while Redis is away (a page must not wait seconds for it); one
                # immediate retry replaces a pooled connection that went stale in a restart.
                "socket_connect_timeout": 0.5,
                "socket_timeout": 1.0,
                "retry": Retry(NoBackoff(), 1),
                "health_check_interval": 30,
            },
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis, plus a watch that closes sockets when Redis restarts (layers.py).
            "BACKEND": "hearth.layers.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 closes sockets idle for 5 s by default (redis-py #4091), which
                # silently kills long-lived channel-layer subscriptions: no read timeout.
                "hosts": [
                    {
                        "address": url,
                        "socket_timeout": None,
                        "socket_keepalive": True,
                        # A refused connection fails at once; a connect that only waits
                        # for a busy event loop (10,000 sockets) may take seconds and is
                        # no outage. The watch's INFO has a 2 s limit of its own.
                        "socket_connect_timeout": 5.0,
                        "retry": AsyncRetry(NoBackoff(), 1),
                        # A deploy's reconnects join their groups at once: commands over
                        # the limit wait for a connection (hearth.layers.create_pool).
                        "max_connections": env_int(
                            "CHANNEL_REDIS_MAX_CONNECTIONS", 200, minimum=10
                        ),
                        "pool_timeout": 5.0,
                    }
                    for url in env_list("CHANNEL_REDIS_URLS", [REDIS_URL])
                ],
                "prefix": env_str("CHANNEL_PREFIX", "hearth") + _WORKER,
                # Counted per server process, not per socket: every channel of a process
                # (its sockets', its room hubs') waits in one Redis key, and a group send
                # to a full one is dropped. A minute (the expiry) of a busy process's
                # events fits; at 1,000 a process a few seconds behind lost room frames.
                "capacity": env_int("CHANNEL_CAPACITY", 50_000, minimum=10),
                "expiry": 60,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            # Per channel here: a room hub that falls behind drops nothing at 100 (the
            # default) frames waiting.
            "CONFIG": {"capacity": env_int("CHANNEL_CAPACITY", 50_000, minimum=10)},
        }
    }

# --- Background tasks --------------------------------------------------------------

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
    }
}

# --- Accounts (django-allauth) -----------------------------------------------------

AUTH_USER_MODEL = "community.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_USERNAME_VALIDATORS = "community.validators.username_validators"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_ADAPTER = "community.adapters.AccountAdapter"
# allauth's forms with Hearth's length rule (refuse with a sentence, never cut).
ACCOUNT_FORMS = {
    "login": "hearth.account_forms.LoginForm",
    "signup": "hearth.account_forms.SignupForm",
    "reset_password": "hearth.account_forms.ResetPasswordForm",
    "add_email": "hearth.account_forms.AddEmailForm",
    "change_email": "hearth.account_forms.ChangeEmailForm",
}
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, stated so they are visible and tunable in one place.
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}

# --- Email ----------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <hello@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST")
# Every email, ours and Django's, Wagtail's or allauth's, is queued as a task
# (hearth.mail.QueueingBackend); the task delivers it with EMAIL_DELIVERY_BACKEND.
EMAIL_BACKEND = "hearth.mail.QueueingBackend"
if EMAIL_HOST:
    EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_DELIVERY_BACKEND = env_str(
        "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
    )
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "outbox"))

# --- Internationalisation ------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
# English, and each of Estonian, Latvian, Lithuanian and Ukrainian once both its catalogs
# (locale/<language>/LC_MESSAGES/django.po, djangojs.po) are complete: a language shows up
# in the picker the moment its translation is finished (hearth.catalogs, docs/i18n.md).
LANGUAGES = offered_languages()
LOCALE_PATHS = [LOCALE_DIR]
LANGUAGE_COOKIE_NAME = "hearth_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files --------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
# WhiteNoise hands Django a file iterator that ASGI reads in a thread; Django warns about
# that once per process. It is how WhiteNoise works under any ASGI server, not a defect.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Uploads above this go to a temporary file instead of memory; the image rules reject
# anything above 5 MB anyway.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Member-uploaded images (avatars, guide images, forum attachments).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
UPLOAD_MAX_PIXELS = env_int("UPLOAD_MAX_PIXELS", 40_000_000, minimum=1)

# --- Wagtail ------------------------------------------------------------------------

WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Pages may be translated into every language the site offers; English pages keep their
# addresses, translations live under their language's prefix (/et/blog/<slug>/), and a
# Wagtail locale exists for each (hearth.page_languages, docs/i18n.md).
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# "Translate this page" starts a draft: nothing is published in a language until an editor
# has translated it and pressed Publish (wagtail-localize would otherwise publish a copy
# still in English at once).
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
WAGTAILIMAGES_MAX_UPLOAD_SIZE = UPLOAD_MAX_BYTES
WAGTAILIMAGES_MAX_IMAGE_PIXELS = UPLOAD_MAX_PIXELS
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif"]
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No third-party requests from the admin: staff avatars are Wagtail's own default image,
# never looked up on gravatar.com.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILEMBEDS_RESPONSIVE_HTML = True

# --- Security -----------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HTTPS = env_bool("HTTPS", default=not (DEBUG or TESTING))
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SILENCED_SYSTEM_CHECKS: list[str] = []
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# django-csp 4: the public site allows only its own scripts and styles. The Wagtail
# admin relies on inline scripts, so it is excluded and keeps X-Frame-Options and the
# other headers.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'", "ws:", "wss:"] if DEBUG or TESTING else ["'self'", "wss:"],
        "frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- Logging ------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors_in_one_line": {"()": "hearth.log_filters.ClientErrorsInOneLine"}},
    # Level and logger on every line, so a log search can tell a warning from a notice;
    # the process manager (honcho, journald) adds the time and the process.
    "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # A 4xx is logged in one line; a 500 keeps its traceback; a database outage is
        # logged once by hearth.outages instead of once per request.
        "django.request": {"filters": ["client_errors_in_one_line"]},
        "django.channels.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},  # the browser journeys' server
    },
}

# --- Hearth -------------------------------------------------------------------------

# Salt for hashing network addresses and user agents (referral visits, fraud signals).
HASH_SALT = env_str("HASH_SALT") or SECRET_KEY
# Shared secret for the shop's signed conversion webhook; empty disables the webhook.
SHOP_WEBHOOK_SECRET = env_str("SHOP_WEBHOOK_SECRET")

# --- Referrals ---
# Email invitations a member may send per 24 hours.
REFERRAL_INVITES_PER_DAY = env_int("REFERRAL_INVITES_PER_DAY", 10, minimum=0)
# More conversions than this for one referrer within an hour hold the next for review.
REFERRAL_BURST_LIMIT = env_int("REFERRAL_BURST_LIMIT", 5, minimum=1)
# More sign-ups than this from one browser (the visit-cookie key) hold the later ones.
REFERRAL_SIGNUPS_PER_BROWSER = env_int("REFERRAL_SIGNUPS_PER_BROWSER", 1, minimum=1)
# More sign-ups than this through one member's links within the window hold the later ones.
REFERRAL_SIGNUP_BURST_LIMIT = env_int("REFERRAL_SIGNUP_BURST_LIMIT", 5, minimum=1)
REFERRAL_SIGNUP_BURST_WINDOW = timedelta(
    minutes=env_int("REFERRAL_SIGNUP_BURST_MINUTES", 60, minimum=1)
)
# Proxies in front of the site that append to X-Forwarded-For (0: use REMOTE_ADDR).
REFERRAL_TRUSTED_PROXIES = env_int("REFERRAL_TRUSTED_PROXIES", 0, minimum=0)
# --- Trust levels (community.trust) ---
# What a member's activity must reach for each level; see docs/referrals.md.
HEARTH_TRUST_LEVELS = {
    "member": {  # TL1
        "days_since_joined": env_int("TRUST_MEMBER_DAYS", 2, minimum=0),
        "posts_read": env_int("TRUST_MEMBER_POSTS_READ", 5, minimum=0),
        "posts": env_int("TRUST_MEMBER_POSTS", 1, minimum=0),
    },
    "regular": {  # TL2
        "days_visited": env_int("TRUST_REGULAR_DAYS_VISITED", 20, minimum=0),
        "replies": env_int("TRUST_REGULAR_REPLIES", 10, minimum=0),
        "penalty_free_days": env_int("TRUST_REGULAR_PENALTY_FREE_DAYS", 60, minimum=0),
    },
}
# --- Spam signals (community.forum.spam) ---
# A post that trips one waits for a moderator instead of being published; moderators and
# regulars (trust level 2) are never held. See docs/forum.md.
HEARTH_SPAM = {
    # A new member's (trust level 0) post with more links than this.
    "new_member_max_links": env_int("SPAM_NEW_MEMBER_MAX_LINKS", 2, minimum=0),
    # The same words (spaces and case aside) in another topic within this many minutes,
    # for posts of at least duplicate_min_chars characters.
    "duplicate_window_minutes": env_int("SPAM_DUPLICATE_WINDOW_MINUTES", 60, minimum=0),
    "duplicate_min_chars": env_int("SPAM_DUPLICATE_MIN_CHARS", 60, minimum=1),
    # A new member posting in more topics than this within the window.
    "new_member_max_topics": env_int("SPAM_NEW_MEMBER_MAX_TOPICS", 3, minimum=1),
    "new_member_topics_window_minutes": env_int("SPAM_NEW_MEMBER_TOPICS_MINUTES", 10, minimum=0),
}
# Topic views are tallied in each web process and written at most this often (seconds),
# one UPDATE for all topics read meanwhile (community.forum.view_counts). 0: only at exit.
FORUM_VIEW_FLUSH_SECONDS = env_int("FORUM_VIEW_FLUSH_SECONDS", 30, minimum=0)
# The weekly digest goes to members whose last visit is older than this (community.digest).
DIGEST_AWAY_DAYS = env_int("DIGEST_AWAY_DAYS", 7, minimum=1)
# Email invitations a new member (trust level 0) may send per 24 hours.
TRUST_NEW_MEMBER_INVITES_PER_DAY = env_int("TRUST_NEW_MEMBER_INVITES_PER_DAY", 2, minimum=0)
# Pages outside Wagtail a member may share with a referral link, by URL name (live,
# public Wagtail pages always can). Named here, so the referral hub knows no other app.
REFERRAL_SHAREABLE_VIEWS = frozenset({"forum:topic", "forum:topic-short"})
# django-ninja's bundled Swagger UI for /api/docs (served locally: no CDN).
INSTALLED_APPS += ["ninja"]
