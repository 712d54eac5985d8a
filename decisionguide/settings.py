"""The one settings module.

Every value that differs between a laptop and production comes from an
environment variable; the defaults are safe for local development.
"""

from __future__ import annotations

import ipaddress
import math
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from decisionguide import database
from decisionguide.embed import assets as embed_assets

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def running_a_command() -> bool:
    """A `manage.py` command (migrate, loadguide, ...), not a server answering visitors."""
    return Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2] != ["runserver"]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(set DJANGO_DEBUG=1 for local development)."
        )
    # Development only: a throwaway key, new on every start.
    from django.core.management.utils import get_random_secret_key

    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if DEBUG:
    ALLOWED_HOSTS += ["testserver"]
elif not ALLOWED_HOSTS:
    # Without it every request would fail with a 400; say why at start-up instead.
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off: the comma-separated "
        "host names the site is served under, e.g. DJANGO_ALLOWED_HOSTS=guide.example.com."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
if not DEBUG and not os.environ.get("DATABASE_URL", "").strip():
    # Else production would quietly start on a new, empty SQLite file beside the code.
    raise ImproperlyConfigured(
        "DATABASE_URL must be set when DJANGO_DEBUG is off: "
        "postgres://user:password@host:5432/name for PostgreSQL, or "
        "sqlite:////absolute/path/db.sqlite3 for SQLite on one machine."
    )

INSTALLED_APPS = [
    # django.contrib.admin, with the editors' site (its home is the guide dashboard).
    "decisionguide.editor.admin_site.EditorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "crispy_forms",
    # Drag-and-drop order in the admin (its script and styles, served by whitenoise).
    "adminsortable2",
    # Apps by feature, lowest first: each may import only those above it in this list
    # (the import-linter contracts in pyproject.toml hold them to it).
    "decisionguide.content",
    "decisionguide.guides",
    "decisionguide.guidefiles",
    "decisionguide.publishing",
    "decisionguide.analytics",
    "decisionguide.questionnaire",
    "decisionguide.results",
    "decisionguide.translating",
    "decisionguide.editor",
    "decisionguide.embed",
    "axes",
]

MIDDLEWARE = [
    # Outermost: HEAD gets every header the others set (Content-Length too), no body.
    "decisionguide.serving.HeadWithoutBodyMiddleware",
    # A page the cache served before, answered again as the whole chain answered it, without
    # the rest of it (decisionguide.pagecache.fastpath): most of a cached page's time.
    "decisionguide.pagecache.fastpath.FastPathMiddleware",
    # The header-only middleware next, so every response carries their headers:
    # HTTPS redirects, probes, static files and error pages raised further in.
    # django-csp's middleware, building the policy in CONTENT_SECURITY_POLICY once (views may
    # change it with django-csp's decorators), and the headers Django has no setting for.
    "decisionguide.ops.SiteCSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything that validates the Host header: probes use the machine's address.
    "decisionguide.ops.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages (static files come compressed from whitenoise, above it). Django's
    # own, with its BREACH mitigation (random padding); the CSRF token in a page is
    # masked afresh for every response, so no secret repeats from one to the next.
    "django.middleware.gzip.GZipMiddleware",
    # Notes a cached page's headers as they were before compression, for the fast path.
    "decisionguide.pagecache.fastpath.BeforeCompressionMiddleware",
    # /embed/...: the public pages under their own URLs and frame-ancestors (issue 23).
    # Inside GZip, so it reads the page's HTML; outside django-csp, which writes its policy.
    "decisionguide.embed.middleware.EmbedMiddleware",
    # The language from the URL's prefix (/fr/...), never from cookies or Accept-Language:
    # a page's URL alone says its language, so pages stay cacheable and shareable.
    # Inside EmbedMiddleware, so /embed/fr/... is read as /fr/...
    "decisionguide.locale.PathLocaleMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A database that is busy or down: the 503 page instead of a 500.
    "decisionguide.ops.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it locks out repeated failed admin logins.
    "axes.middleware.AxesMiddleware",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin login: after AXES_FAILURE_LIMIT failures from one address for one
# username, that pair is locked out for AXES_COOLOFF_HOURS.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("DJANGO_AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Quiet start-up: management commands print JSON and YAML on stdout.
AXES_VERBOSE = False
# The same client address as the result rate limit: X-Forwarded-For is trusted
# only as far as DECISIONGUIDE_TRUSTED_PROXIES says.
AXES_CLIENT_IP_CALLABLE = "decisionguide.results.ratelimit.client_address"
# A locked-out login gets the site's own "Too many requests" page (status 429).
AXES_LOCKOUT_TEMPLATE = "429.html"
# The admin lives at /<DJANGO_ADMIN_PATH>/; move it off the default to dodge scanners.
ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin").strip("/") or "admin"

ROOT_URLCONF = "decisionguide.urls"
WSGI_APPLICATION = "decisionguide.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "decisionguide.embed.context.embed",
            ],
        },
    },
]

# How long one database operation waits for a lock another connection holds before it
# gives up with OperationalError, which visitors get as the 503 page (decisionguide.ops):
# short while serving requests, so a busy or stuck database is answered in seconds instead
# of tying up a worker; longer for manage.py commands, where a migration or a loadguide
# should rather wait for a visitor's write than fail.
DATABASE_WAIT_SECONDS = (
    env_float("DECISIONGUIDE_COMMAND_DB_TIMEOUT", 60.0)
    if running_a_command()
    else env_float("DECISIONGUIDE_DB_TIMEOUT", 4.0)
)

# PostgreSQL connections one process may hold at once (decisionguide.database): a gunicorn
# sync worker serves one request at a time, and its analytics writer thread needs one more.
# 0 turns the pool off (a pooler such as PgBouncer in front; set DJANGO_CONN_MAX_AGE=0).
DECISIONGUIDE_DB_POOL_SIZE = int(os.environ.get("DECISIONGUIDE_DB_POOL_SIZE", "2"))
# How many app servers share the database: the start-up check of the connection budget
# (decisionguide.database.check_connection_budget) counts their workers too.
DECISIONGUIDE_APP_SERVERS = int(os.environ.get("DECISIONGUIDE_APP_SERVERS", "1"))

# DATABASE_URL names the database (postgres://... for several app servers); only
# development falls back to db.sqlite3 in the project folder (production stops above).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
_wait_ms = int(DATABASE_WAIT_SECONDS * 1000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers write to one file. WAL lets readers run beside
    # the writer; IMMEDIATE takes the write lock at BEGIN, so concurrent
    # writers queue for up to the busy timeout instead of failing with
    # "database is locked" when a read transaction tries to become a write.
    # synchronous=FULL: a committed result survives a power cut too (writes are rare).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": DATABASE_WAIT_SECONDS,
        "init_command": (
            f"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout={_wait_ms};"
        ),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A statement waiting for a lock (a migration, a LOCK TABLE, a stuck transaction)
    # gives up after the same wait; a server that is down or unreachable is given up on
    # after connect_timeout (whole seconds, at least 2, as libpq counts them).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c lock_timeout={_wait_ms}".strip()
    options.setdefault("connect_timeout", max(2, math.ceil(DATABASE_WAIT_SECONDS)))
    if DECISIONGUIDE_DB_POOL_SIZE > 0:
        # A bounded pool per process instead of a connection per thread kept open: a
        # request waiting longer than the same wait for a free one gets the 503 page.
        options["pool"] = database.pool_options(DECISIONGUIDE_DB_POOL_SIZE, DATABASE_WAIT_SECONDS)
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django's rule with a pool: it keeps them

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The page cache (decisionguide.pagecache): rendered public pages, keyed by the
# frozen guide version they show. Without REDIS_URL each worker keeps its own in memory
# (the 2,000 latest pages, about 30 MB); with it every worker of every server shares one
# Redis. Nothing in it is authoritative: it can be emptied or lost at any time, and a
# Redis that is down or frozen only costs pages their cache: a request waits at most
# DECISIONGUIDE_REDIS_TIMEOUT for it (to connect, and to each answer), then renders the page
# itself, and the worker leaves Redis alone for DECISIONGUIDE_REDIS_RETRY_SECONDS.
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_TIMEOUT = env_float("DECISIONGUIDE_REDIS_TIMEOUT", 0.3)
DECISIONGUIDE_REDIS_RETRY_SECONDS = env_float("DECISIONGUIDE_REDIS_RETRY_SECONDS", 5.0)
PAGE_CACHE_SECONDS = 24 * 60 * 60  # old versions' pages age out; current ones are rendered again
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": PAGE_CACHE_SECONDS,
            "KEY_PREFIX": "decisionguide",
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": PAGE_CACHE_SECONDS,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    )
}

LANGUAGE_CODE = "en"
# The site's languages (issue 24). English pages keep their unprefixed URLs; the others live
# under /<code>/. Adding one: README, "Translating the interface".
LANGUAGES = [("en", "English"), ("fr", "Français")]
# A pseudo-locale for tests and development: every interface string accented and lengthened
# (bin/pseudo-locale writes its catalogue), so a string left out of gettext shows at a glance.
# Never offered to visitors: not in the language switcher or the hreflang links.
PSEUDO_LANGUAGE = "en-xa"
if env_bool("DECISIONGUIDE_PSEUDO_LOCALE", DEBUG):
    LANGUAGES.append((PSEUDO_LANGUAGE, "Pseudo"))
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("DJANGO_MANIFEST_STATIC", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve straight from the finders when there is no collectstatic output
# (development and tests); production runs collectstatic at build time.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)
# Publishers' pages load static/embed-host.js: it alone is served cross-origin.
WHITENOISE_ADD_HEADERS_FUNCTION = embed_assets.static_headers

# crispy-forms renders forms with our own template pack: the site's GOV.UK-style markup
# (decisionguide/questionnaire/templates/decisionguide_gds/, layout objects in form_layout.py).
CRISPY_ALLOWED_TEMPLATE_PACKS = ("decisionguide_gds",)
CRISPY_TEMPLATE_PACK = "decisionguide_gds"

# Content Security Policy: nothing inline, nothing from other origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# A failed CSRF check gets the site's own 403 page (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "decisionguide.ops.csrf_failure"
# Only the admin shows messages, and its users have a session anyway; the default
# (cookie, then session) sets up two stores on every public request for nothing.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# HTTPS: on by default outside development. Behind a TLS-terminating proxy set
# DJANGO_SECURE_PROXY_SSL_HEADER=1 so Django trusts X-Forwarded-Proto from it.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe health over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# Preload is a promise to the browser vendors that is slow to undo, so it is
# opt-in. Without it, `check --deploy` would only say the site can't be submitted
# to the preload list (security.W021): that is this deliberate choice, not a gap.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER"):
    # Only behind a proxy that sets X-Forwarded-Proto itself and drops the client's.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Result creation per client: at most RESULTS_PER_HOUR stored results an hour.
DECISIONGUIDE_RESULTS_PER_HOUR = int(os.environ.get("DECISIONGUIDE_RESULTS_PER_HOUR", "30"))


def proxy_networks(entries: list[str]) -> list[str]:
    """The reverse proxies' addresses or CIDR ranges, checked: a mistake stops the start."""
    networks = []
    for entry in entries:
        # ip_network("1") is 0.0.0.1/32: the old setting (a number of proxies) would
        # silently trust nobody, or the wrong host, instead of failing.
        if entry.isdigit():
            raise ImproperlyConfigured(
                f"DECISIONGUIDE_TRUSTED_PROXIES={entry}: it no longer counts proxies. List "
                "the addresses or CIDR ranges requests reach gunicorn from, comma-separated, "
                "e.g. 127.0.0.1/32,::1/128 for nginx on the same machine (empty: no proxy)."
            )
        try:
            # strict, as gunicorn reads FORWARDED_ALLOW_IPS: 10.1.2.3/8 is a typo, not a range.
            networks.append(str(ipaddress.ip_network(entry)))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"DECISIONGUIDE_TRUSTED_PROXIES: {entry!r} is not an address or a CIDR range "
                f"(e.g. 10.0.0.0/8, 127.0.0.1, ::1/128): {exc}."
            ) from exc
    return networks


# The reverse proxies in front of the app (addresses or CIDR ranges): X-Forwarded-For is
# believed only from them (decisionguide.results.ratelimit.client_address). Empty: none,
# every client is the connection's address.
DECISIONGUIDE_TRUSTED_PROXIES = proxy_networks(env_list("DECISIONGUIDE_TRUSTED_PROXIES"))

# Questionnaire analytics are buffered per worker and written by a background thread
# every so many events or seconds, so counting costs the questionnaire no query and no
# visitor ever waits on the write (the test settings turn the thread off). Every 30 s by
# default: counts show on the analytics page within a minute even on a quiet site.
DECISIONGUIDE_ANALYTICS_BACKGROUND = True
DECISIONGUIDE_ANALYTICS_FLUSH_EVENTS = int(
    os.environ.get("DECISIONGUIDE_ANALYTICS_FLUSH_EVENTS", "1000")
)
DECISIONGUIDE_ANALYTICS_FLUSH_SECONDS = float(
    os.environ.get("DECISIONGUIDE_ANALYTICS_FLUSH_SECONDS", "30")
)

# Where the guide YAML files live; `loadguide` with no argument reads them all.
CONTENT_DIR = Path(os.environ.get("DECISIONGUIDE_CONTENT_DIR", BASE_DIR / "content"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Client errors (a refused body or host, a 4xx) as one WARNING line without a
    # traceback, identical lines throttled; server errors keep theirs.
    "filters": {"client_errors": {"()": "decisionguide.errors.ClientErrorFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
            "filters": ["client_errors"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # Django's messages go to stdout only (its defaults add a DEBUG-only stderr
    # console and mail to ADMINS); django.request logs every 5xx with its traceback.
    "loggers": {
        "django": {
            "handlers": ["console"],
            "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
    },
}
