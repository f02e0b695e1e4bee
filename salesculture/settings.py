"""One settings module for every environment, read from the environment (see .env.example)."""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
# A local .env is a convenience for development; the real environment always wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-demo-key-change-me-" + "x" * 30)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    # Django Ninja's docs page and its swagger-ui files, served from our static files.
    "ninja",
    "salesculture",
    "pipeline",
    "accountability",
]

MIDDLEWARE = [
    # Outermost, so what a request queues is published after its response has gone out.
    "salesculture.jobs.PublishAfterResponseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "salesculture.middleware.ActingProducerMiddleware",
    # After the acting producer: it compares the session with the producer's sessions epoch.
    "salesculture.sessions.SessionLifetimeMiddleware",
    "salesculture.middleware.PrivatePagesMiddleware",
    "salesculture.onboarding.WhyOnboardingMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during the login into the response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "salesculture.urls"
WSGI_APPLICATION = "salesculture.wsgi.application"
ASGI_APPLICATION = "salesculture.asgi.application"

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
                "salesculture.context_processors.acting_producer",
            ],
            # Every number a person reads is rounded the one way (salesculture/numbers.py).
            "builtins": ["salesculture.templatetags.numbers"],
        },
    }
]

# Form fields through Django's Jinja2 templates of them: the same HTML, several times faster.
FORM_RENDERER = "salesculture.form_renderer.FormRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'salesculture.sqlite3'}")
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A reused connection that the database dropped (a restart, a terminated backend) is replaced
# before the request uses it instead of answering 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat share one file: wait for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file rather than memory so a real Celery worker process can share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles any query the planner costs above jit_above_cost; the app's
    # queries are short reads of one agency-week, where compiling (about 400 ms for the
    # scorecard job's) costs far more than it saves. Off for the app's connections only, as a
    # libpq startup option that psycopg passes on (behind PgBouncer, list `options` in its
    # ignore_startup_parameters and run `ALTER ROLE ... SET jit = off` instead).
    # Parallel workers likewise: for a join over one agency-week among other agencies' rows
    # the planner chose a parallel plan twice as slow as a plain one (the scorecard job's wins,
    # 35 ms against 18 at 10 agencies), and under load they take the cores other requests need.
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options["options"] = (f"{_db_options.get('options', '')} -c jit=off "
                              "-c max_parallel_workers_per_gather=0").strip()
    # Behind PgBouncer in transaction pooling a cursor cannot outlive its transaction.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DATABASE_POOLED",
                                                                   default=False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _broker_dir = DATA_DIR / "celery-broker"
    _broker_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(DATA_DIR / "celery-processed"),
        "control_folder": str(DATA_DIR / "celery-control"),
        "store_processed": False,
    }

# No task's result is ever read. A result backend would also make every enqueue subscribe to
# it, and with Redis away that alone retried for 19 seconds inside the web request.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
# A task is acknowledged when it has finished, and put back when the worker running it dies,
# so a killed worker loses nothing (every task is idempotent: running one twice is harmless).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands an unacknowledged task to another worker after this long: it must exceed the
# longest task (the hard time limit), or a slow task would run twice at once.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=600)
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
                                       # A web process gives up on an unreachable broker fast.
                                       "socket_connect_timeout": 0.5}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing never retries: a write's refresh waits in the outbox (salesculture/jobs.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
CELERY_TASK_PUBLISH_RETRY = False
# One queue per kind of work, so one agency's refresh never waits behind another's import or a
# round of digests: docker-compose.yml runs a worker per queue, and a worker started without
# -Q (the demo, the Procfile) consumes them all. "celery" takes any task not routed here.
CELERY_TASK_QUEUES = [Queue(name, Exchange(name, type="direct"), routing_key=name)
                      for name in ("scorecards", "plans", "email", "imports", "celery")]
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "accountability.refresh_scorecards": {"queue": "scorecards"},
    "accountability.refresh_current_weeks": {"queue": "scorecards"},
    "accountability.close_*": {"queue": "scorecards"},
    "accountability.refresh_goal_plans": {"queue": "plans"},
    "accountability.refresh_agency_goal_plans": {"queue": "plans"},
    "accountability.send_weekly_digests": {"queue": "email"},
    "accountability.send_morning_list*": {"queue": "email"},
    "*.import_*": {"queue": "imports"},  # reserved for the importers
    # Outgoing calls to other sites, like the emails: slow I/O kept off the scorecards queue.
    "salesculture.deliver_webhook": {"queue": "email"},
    "salesculture.sweep_webhook_deliveries": {"queue": "email"},
}
# CSV import (pipeline/imports/): the largest file and the most rows one import takes, the
# rows written between two progress reports, and the import task's own time limits (a
# 50,000-row file outlasts the default ones; the hard limit stays under the visibility
# timeout, or a slow import would be handed to a second worker).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=50_000)
IMPORT_BATCH_SIZE = env.int("IMPORT_BATCH_SIZE", default=1000)
IMPORT_SOFT_TIME_LIMIT = env.int("IMPORT_SOFT_TIME_LIMIT", default=480)
IMPORT_TIME_LIMIT = env.int("IMPORT_TIME_LIMIT", default=540)
# Writes to one agency-week within this many seconds make one scorecard refresh (jobs.py).
SCORECARD_COALESCE_SECONDS = env.float("SCORECARD_COALESCE_SECONDS", default=2)
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "refresh-current-weeks": {
        "task": "accountability.refresh_current_weeks",
        "schedule": env.int("SCORECARD_SAFETY_REFRESH_SECONDS", default=300),
    },
    # Runs every five minutes; each agency's week closes on the first run at or after
    # Monday 00:05 in its own time zone, so agencies in every zone are served by one entry.
    "close-finished-weeks": {
        "task": "accountability.close_finished_weeks",
        "schedule": crontab(minute="*/5"),
    },
    "refresh-goal-plans": {
        "task": "accountability.refresh_goal_plans",
        "schedule": crontab(hour=4, minute=30),
    },
    # Every producer's morning list at the hour they chose in their agency's zone: one entry
    # for every zone, as for closing weeks (accountability/week/morning_mail.py).
    "send-morning-lists": {
        "task": "accountability.send_morning_lists",
        "schedule": crontab(minute="*/5"),
    },
    # Webhook deliveries whose message was lost (the broker away at commit, a worker killed
    # mid-retry) are queued again (salesculture/webhooks.py, SWEEP_GRACE).
    "sweep-webhook-deliveries": {
        "task": "salesculture.sweep_webhook_deliveries",
        "schedule": crontab(minute="*/5"),
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Brute force (ASVS V6.3.1): django-axes counts failed logins per username *and* address, so a
# stranger guessing one person's password neither locks them out everywhere nor locks anyone
# else out. Owners see the attempts and lockouts in the admin (Axes › Access attempts).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "salesculture.sessions.lockout_response"
# Behind reverse proxies, the address that counts is the one the nearest trusted proxy put in
# X-Forwarded-For (read right to left, so what a client writes there itself is ignored);
# without proxies it is REMOTE_ADDR, which a client cannot forge. Set TRUSTED_PROXY_COUNT to
# the number of proxies in front of the app, or everyone shares the proxy's address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "salesculture.sessions.client_ip"

# Sessions (ASVS V7.3): logged out after SESSION_IDLE_HOURS without a request, and in any case
# SESSION_MAX_DAYS after logging in (salesculture/sessions.py). The cookie lives as long as the
# absolute lifetime; the middleware enforces the shorter idle limit.
SESSION_IDLE_SECONDS = int(env.float("SESSION_IDLE_HOURS", default=12) * 3600)
SESSION_MAX_SECONDS = int(env.float("SESSION_MAX_DAYS", default=14) * 86400)
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Sales Culture <noreply@localhost>")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Invitations an agency may send (or send again) per hour, and how often one address may be
# sent a password-reset email: the app must not become a way to flood an inbox.
INVITATIONS_PER_HOUR = env.int("INVITATIONS_PER_HOUR", default=30)
# Outgoing webhooks to private, loopback and link-local addresses are refused (SSRF) unless
# this is on: for tests, or a receiver on the agency's own network.
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
PASSWORD_RESET_EVERY_SECONDS = env.int("PASSWORD_RESET_EVERY_SECONDS", default=300)
# Who may create a new agency on the first-run page (/setup/): unset or empty, anyone while no
# agency exists (the first visit of a new install) and nobody after; on, anyone at any time (a
# hosted instance that takes sign-ups); off, nobody (agencies only from `manage.py
# agency_create`). Empty is "unset", so a .env copied from .env.example keeps the first run.
_signup = env.str("SIGNUP_ENABLED", default="").strip().lower()
SIGNUP_ENABLED = None if _signup in ("", "auto") else _signup in ("1", "true", "yes", "on")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Content-Security-Policy and Permissions-Policy (issue 11) ---------------------------------
# Everything the pages load comes from this origin: htmx is vendored, the scripts and styles are
# static files. No inline script, no eval and no style attribute: templates carry no <script>
# body, no on*= handler, no hx-on and no style="" (a test scans them:
# tests/salesculture/test_content_security_policy.py), htmx runs with allowEval and
# allowScriptTags off and its indicator style lives in app.css (the htmx-config meta in
# base.html), and a bar's width is a class (static/css/fill.css). The browser tests fail on any
# violation (tests/e2e/conftest.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features the app never asks for; fullscreen stays allowed (the meeting's TV view).
# Only names Chromium knows: it warns in the console about any other (the browser tests fail).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture",
        "encrypted-media", "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer",
        "microphone", "midi", "payment", "picture-in-picture", "publickey-credentials-get",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}
SECURE_REFERRER_POLICY = "same-origin"  # Django's default, stated beside the other headers
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"  # likewise
# --- end of Content-Security-Policy and Permissions-Policy -------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# How often open pages (team scorecard, wins feed) ask whether anything changed.
LIVE_POLL_SECONDS = env.int("LIVE_POLL_SECONDS", default=10)

# Product rules that an agency may want to tune (PRODUCT.md principles 3 and 6).
SALESCULTURE = {
    "WORKING_WEEKS_PER_YEAR": env.int("WORKING_WEEKS_PER_YEAR", default=48),
    "THIN_HISTORY_ADVANCES": env.int("THIN_HISTORY_ADVANCES", default=10),
    "STRETCH_RATIO": env.float("PLAN_STRETCH_RATIO", default=1.0),
    "PRETEND_RATIO": env.float("PLAN_PRETEND_RATIO", default=1.5),
    "ROLE_FIT_KEPT_BELOW": env.float("ROLE_FIT_KEPT_BELOW", default=0.5),
    "ROLE_FIT_WINS_VS_PLAN_BELOW": env.float("ROLE_FIT_WINS_VS_PLAN_BELOW", default=0.5),
    "ROLE_FIT_WEEKS": env.int("ROLE_FIT_WEEKS", default=8),
    "UNDO_SECONDS": env.int("UNDO_SECONDS", default=60),
    # Calls a minute each API token may make; past it the API answers 429 with Retry-After.
    "API_RATE_PER_MINUTE": env.int("API_RATE_PER_MINUTE", default=120),
}

# The covering indexes (Meta.indexes with `include`) are PostgreSQL's; on the embedded SQLite
# default they are plain indexes, which is all a demo needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
