"""Settings for p2pboard, read from environment variables with safe defaults.

With no variables set, p2pboard runs on its embedded default: SQLite and the in-memory channel
layer in the data folder, for one process on one machine. `P2PBOARD_MODE=production` switches on
HTTPS-only cookies and headers and requires a real SECRET_KEY. See the README for every variable.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


MODE = env("P2PBOARD_MODE", "local")
if MODE not in {"local", "production"}:
    raise ValueError(f"P2PBOARD_MODE must be 'local' or 'production', not {MODE!r}")
PRODUCTION = MODE == "production"

DATA_DIR = Path(env("P2PBOARD_DATA_DIR", str(BASE_DIR / "data")))


def read_or_make_secret_key() -> str:
    """Production needs SECRET_KEY set; locally one is made once and kept in the data folder."""
    if key := env("SECRET_KEY"):
        return key
    if PRODUCTION:
        raise ValueError("SECRET_KEY must be set when P2PBOARD_MODE=production")
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = read_or_make_secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "axes",
    "workshops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "p2pboard.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a login that reached the failure limit into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "p2pboard.urls"
ASGI_APPLICATION = "p2pboard.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Embedded default: a SQLite file in the data folder. Elsewhere: DATABASE_URL, e.g.
# postgres://user:password@host:5432/p2pboard. Connections are kept open: opening one per
# websocket command costs milliseconds each (see docs/architecture.md). On PostgreSQL they come
# from a pool of each process (as Django advises under ASGI: a connection kept by each request's
# thread outlived the thread, and a burst of joins ran out of connections); the sockets' one
# database thread keeps its own for as long as it works (workshops/consumers.py).
DATABASE_URL = env("DATABASE_URL")
DATABASE_POOL_SIZE = int(env("P2PBOARD_DATABASE_POOL_SIZE", "20"))
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=True)
    }
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": DATABASE_POOL_SIZE,
        "timeout": 10,  # seconds a request waits for a connection before it fails
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "p2pboard.sqlite3"),
            "CONN_MAX_AGE": 600,
            # WAL with synchronous=FULL: a change is on disk before anyone sees it confirmed
            # (NORMAL could lose the last ones in a power cut). It costs ~0.4 ms per change.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
            },
        }
    }
if test_name := env("P2PBOARD_TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": test_name}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Several processes share a board through Redis pub/sub (workshops/fanout.py); with no
# REDIS_URL, one process serves everything from memory. Channels' channel layer is not used:
# its per-socket messages cost far more than writing one frame to every local socket.
REDIS_URL = env("REDIS_URL")
# What this deployment's pub/sub channels start with: two deployments (or two test processes)
# sharing one Redis must not hear each other's boards (channels are global to a Redis server).
REDIS_PREFIX = env("P2PBOARD_REDIS_PREFIX", "p2pboard")
CHANNEL_LAYERS: dict[str, object] = {}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Logins are throttled by django-axes: after 10 failures for one username from one address,
# that username is paused from that address for 15 minutes (a cool-off, never a lockout that a
# stranger could use to keep a facilitator out for good). Both login pages check it before
# authenticating (p2pboard/urls.py), and the page says when to try again (p2pboard/logins.py).
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "p2pboard.logins.locked_out"
# The client's address as the server saw it: Daphne and Uvicorn put the proxy's X-Forwarded-For
# there when started with --proxy-headers (p2pboard/serve.py); a header a client can write is
# never read directly.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Only the failures are kept (to count them), not a record of every login; and no banner in
# the log of every command.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# django-axes warns unless its authentication backend is installed; that backend would make
# Django ask every `login()` which backend to record (the sign-up view does not say), so the
# login views check instead (p2pboard/urls.py), which covers the same logins.
SILENCED_SYSTEM_CHECKS = ["axes.W003"]

LANGUAGE_CODE = "en"
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves what collectstatic gathered; locally WhiteNoise reads the source folders.
STATIC_ROOT = Path(env("STATIC_ROOT", str(DATA_DIR / "static"))) if PRODUCTION else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# Participants are remembered by their session: keep it for a month.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy, enforced: scripts and styles from this site, or inline with the
# page's nonce (`nonce="{{ csp_nonce }}"`), no inline style attributes (colours are classes), no
# eval. 'self' also covers the board's websocket (ws:/wss: to this host, CSP Level 3).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Browser features p2pboard does not use, denied to its pages (p2pboard/headers.py); copying a
# link to the clipboard (the share dialog) stays allowed for this site.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "local-fonts": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": [],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
    "clipboard-write": ["self"],
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}
