"""Settings for Outreach, read from environment variables only (see .env.example).

With nothing set the app runs for development: DEBUG on, SQLite in var/, an embedded Celery
broker on the file system. Production (DEBUG false) refuses to start without a real SECRET_KEY.
"""

import datetime
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from .env import ConfigurationError, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("OUTREACH_VAR_DIR", str(BASE_DIR / "var")))

# DEBUG defaults to on only when no production variable is set, so that a fresh clone's
# `manage.py createsuperuser` works while a server that sets SECRET_KEY or ALLOWED_HOSTS but
# forgets DEBUG=false still starts as production (and a server that sets neither answers only
# to 127.0.0.1 and localhost).
PRODUCTION_VARIABLES = ("SECRET_KEY", "ALLOWED_HOSTS")
DEBUG = env_bool("DEBUG", not any(env_str(name) for name in PRODUCTION_VARIABLES))

_DEV_SECRET = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ConfigurationError(
            "SECRET_KEY must be set when DEBUG is false (production); for development set DEBUG=true"
        )
    SECRET_KEY = _DEV_SECRET
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ConfigurationError("SECRET_KEY is too weak for production: use 50+ random characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "outreach.apps.AxesConfig",  # django-axes, under a translated name
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "simple_history",
    "core",
    "audit",
    "accounts",
    "branches",
    "retirees",
    "reminders",
    "checkins",
    "ledgers",
    "volunteers",
    "assistance",
    "notices",
    "visits",
    "meetings",
    "care",
    "reports",
    "selfservice",
    # The demo loader (`manage.py load_demo`): imports every app, and no app imports it.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.SessionTouchMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.NoStoreMiddleware",
    # Last, as django-axes requires: throttles failed logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "outreach.urls"
WSGI_APPLICATION = "outreach.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "outreach.menu.menu",
            ],
        },
    },
]

# Database: PostgreSQL in production and tests; SQLite under var/ when DATABASE_URL is unset.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL is None:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # a fresh clone has no var/ yet
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
# PostgreSQL's JIT compiles any plan whose estimated cost passes jit_above_cost: on the city
# benchmark it spent 4 of the coverage query's 10 seconds compiling, never won back by a web query.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# A PostgreSQL streaming replica for exports and reports (docs/scaling.md); off unless set.
# Writes, migrations and pages stay on default; core.routers says which reads may go there.
READ_REPLICA_URL = env_str("READ_REPLICA_URL")
if READ_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(READ_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60)),
        "OPTIONS": {"options": "-c jit=off"},
        "TEST": {"MIRROR": "default"},  # tests have one database: the replica alias reads it
    }
    DATABASE_ROUTERS = ["core.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out username + address before checking
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions live in the database so that the web app keeps working when Redis is down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 2 * 3600, minimum=300)
# The expiry counts from the last request (an inactivity timeout): core.middleware's
# SessionTouchMiddleware pushes it back at most once a minute rather than on every request.
SESSION_TOUCH_SECONDS = env_int("SESSION_TOUCH_SECONDS", 60, minimum=0)
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as 2026-11-29 and 11月29日, for every page in one place (outreach/formats).
FORMAT_MODULE_PATH = ["outreach.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console in development unless EMAIL_URL-like settings are given.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "outreach@localhost")
EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# Celery: Redis when REDIS_URL is set, else kombu's file-system transport (no server needed).
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Short timeouts: a refused or frozen Redis costs a request or a tick seconds, never minutes.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
else:
    _broker_dir = VAR_DIR / "celery"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # Fan-out exchanges (celery's remote control): kombu's default is ./control in the
        # current directory, which left an untracked folder in the repository.
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A failed publish is never retried in the caller: the delivery row stays pending for the next tick.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Caches. `progress` carries how far background work has come (the import's progress bar,
# core.progress) from the worker to the web processes, so every process must share it: Redis
# when REDIS_URL is set (short timeouts: a bar without a number is all an outage costs), else
# files beside the embedded broker's.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "progress")}
    ),
    # `anchors`: the registry list's kept page anchors (core.anchors), shared by the web processes
    # in Redis when REDIS_URL is set, else each process keeps its own. Losing them costs one page.
    "anchors": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "anchors"}
    ),
}

# Production hardening; TLS is terminated by the reverse proxy in front of gunicorn, which must
# set X-Forwarded-Proto. The defaults are strict (`manage.py check --deploy` is clean); an
# intranet trial over plain HTTP turns them down explicitly.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True

# Content-Security-Policy: everything from our own origin, no inline scripts, no eval, no inline
# styles; htmx is configured (base.html) to inject no style element and to use no eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Failed logins: after AXES_FAILURE_LIMIT failures for one user name from one address, that pair
# is locked for AXES_COOLOFF_MINUTES. Locking the pair (not the name alone) means an attacker
# cannot lock a real user out from elsewhere. Behind reverse proxies set TRUSTED_PROXY_COUNT to
# their number so that the client address is read from X-Forwarded-For, not the proxy's.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "audit.services.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Two-factor authentication (TOTP) is optional; a user who set it up must give a code after the password.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Outreach")

# Product rules that operators may tune.
# Years after death or moving away before a retiree's personal data is anonymised.
OUTREACH_RETENTION_YEARS = env_int("OUTREACH_RETENTION_YEARS", 5, minimum=1)
OUTREACH_PAGE_SIZE = env_int("OUTREACH_PAGE_SIZE", 25, minimum=5)
# The address people open, used in emails and group-chat messages.
OUTREACH_SITE_URL = env_str("OUTREACH_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The address in the retirees' personal links and QR codes (随时求助), printed on paper: the one
# retirees reach from their own phones, which may differ from the staff's intranet address.
OUTREACH_PUBLIC_URL = env_str("OUTREACH_PUBLIC_URL", OUTREACH_SITE_URL).rstrip("/")
# How many times an hour one personal link may post (check in, ask for help or a call, mark read).
OUTREACH_LINK_POSTS_PER_HOUR = env_int("OUTREACH_LINK_POSTS_PER_HOUR", 10, minimum=1)
# Office staff's daily digest: sent after this local time, listing retirees overdue by more than N days.
OUTREACH_OFFICE_DIGEST_TIME = datetime.time.fromisoformat(env_str("OUTREACH_OFFICE_DIGEST_TIME", "08:00"))
OUTREACH_OFFICE_OVERDUE_DAYS = env_int("OUTREACH_OFFICE_OVERDUE_DAYS", 7, minimum=0)
# Seconds to wait for a group-chat webhook before trying again later.
OUTREACH_WEBHOOK_TIMEOUT = env_int("OUTREACH_WEBHOOK_TIMEOUT", 5, minimum=1)
# Group-chat webhooks may only point at these hosts, over https (default: WeCom's group robot).
OUTREACH_WEBHOOK_HOSTS = env_list("OUTREACH_WEBHOOK_HOSTS", ["qyapi.weixin.qq.com"])
# Hours after the local midnight starting a digest's day after which an unsent email or chat post
# of it is expired, not sent (24: end of that day, Asia/Shanghai).
OUTREACH_DIGEST_STALE_AFTER = datetime.timedelta(hours=env_int("OUTREACH_DIGEST_STALE_AFTER", 24, minimum=1))
# Contacts in a row that reached nobody before a retiree is flagged unreachable.
OUTREACH_UNREACHABLE_AFTER = env_int("OUTREACH_UNREACHABLE_AFTER", 3, minimum=1)
# Attention (重点关注, checkins.attention): the cadence in days of a retiree under attention (it
# wins over every other cadence rule, a care plan included), and how many days a positive test
# keeps a retiree under attention.
OUTREACH_ATTENTION_CADENCE_DAYS = env_int("OUTREACH_ATTENTION_CADENCE_DAYS", 1, minimum=1)
OUTREACH_ATTENTION_TEST_DAYS = env_int("OUTREACH_ATTENTION_TEST_DAYS", 14, minimum=1)
# Notice attachments: the largest upload accepted, in megabytes (types are checked by content).
OUTREACH_ATTACHMENT_MAX_MB = env_int("OUTREACH_ATTACHMENT_MAX_MB", 10, minimum=1)
# 80+ and dependent retirees not visited within this many days are listed for a visit.
OUTREACH_VISIT_PERIOD_DAYS = env_int("OUTREACH_VISIT_PERIOD_DAYS", 90, minimum=1)

# Wiring, not tuning: the export engine (core.exports) imports no app, so the app that keeps the
# export log and audits every file is named here.
OUTREACH_EXPORT_RECORDER = "ledgers.exports.ExportRecorder"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
