"""One settings module: production differs from development only by environment variables."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# The default key is only good for local use: with DEBUG=0 the web server refuses to start on it
# (config/wsgi.py) and `manage.py check --deploy` flags it.
INSECURE_SECRET_KEY = "django-insecure-local-development-only-never-in-production"
SECRET_KEY = env_str("SECRET_KEY") or INSECURE_SECRET_KEY

# The public site lives on BASE_DOMAIN, each collectivité on <slug>.<BASE_DOMAIN>.
BASE_DOMAIN = env_str("BASE_DOMAIN", "localhost").lower()
# Other host names that show the public site (e.g. the bare IP a load balancer uses).
PUBLIC_EXTRA_HOSTS = env_list("PUBLIC_EXTRA_HOSTS", ["127.0.0.1"])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [BASE_DOMAIN, f".{BASE_DOMAIN}", *PUBLIC_EXTRA_HOSTS])
# Port printed in the links of `manage.py seed --demo` (the one `make run` serves on).
RUN_PORT = env_int("PORT", 8000)
# Password of the demo accounts; when empty, `seed --demo` generates one and keeps it in var/.
DEMO_PASSWORD = env_str("DEMO_PASSWORD")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SHARED_APPS = [
    "django_tenants",
    "registry",
    "accounts",
    "knowledge",
    "ops",
    "procrastinate.contrib.django",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.admin",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
]
# Only the collectivité's own data lives in its schema. contenttypes, auth and admin stay in the
# public schema alone, so that admin log entries and permissions point at one content-type table.
TENANT_APPS = [
    "casestudies",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "registry.Collectivite"
TENANT_DOMAIN_MODEL = "registry.Domain"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# Issue `SET search_path` only when the schema changes, not before every cursor (the library
# forgets the cached path on rollback, savepoint rollback and close, where PostgreSQL does).
TENANT_LIMIT_SET_CALLS = True
# A new collectivité's schema is a copy of this migrated template, not a migration of its own
# (registry/tenancy.py): ~0.1 s instead of 1.5 to 3 s, whatever the number of collectivités.
# `migrate_schemas` creates and migrates it with the tenants (GET_EXECUTOR_FUNCTION); its name
# is reserved (registry.validators).
TENANT_BASE_SCHEMA = "modele_collectivite"
TENANT_CREATION_FAKES_MIGRATIONS = True
GET_EXECUTOR_FUNCTION = "registry.tenancy.get_executor"
# `migrate_schemas --executor=multiprocessing`: processes (each holds one connection) and schemas
# per task. Keep processes well under PostgreSQL's max_connections minus the web workers'.
# Seconds a process keeps a host name's collectivité (registry.middleware; 0: a query per request).
TENANT_HOST_CACHE_SECONDS = env_int("TENANT_HOST_CACHE_SECONDS", 30)
# Anonymous visitors' kept answers are keyed by the benchmark's version as this process read it
# at most this long ago (registry.selectors.recent_benchmark_version); 0 reads it every time.
BENCHMARK_VERSION_SECONDS = env_int("BENCHMARK_VERSION_SECONDS", 1)
TENANT_MULTIPROCESSING_MAX_PROCESSES = env_int("TENANT_MULTIPROCESSING_MAX_PROCESSES", 2)
TENANT_MULTIPROCESSING_CHUNKS = env_int("TENANT_MULTIPROCESSING_CHUNKS", 50)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MIDDLEWARE = [
    "config.middleware.FrenchNotFoundUnderDebugMiddleware",
    "registry.middleware.CollectiviteMiddleware",
    "config.middleware.RefuseNulInPathMiddleware",
    "config.middleware.ApiCachingHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.CSPMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.MembershipMiddleware",
    "config.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns django-axes' lockout flag into the response (accounts/bruteforce.py).
    "axes.middleware.AxesMiddleware",
]

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
                "registry.context_processors.site",
            ],
            "builtins": [
                "registry.templatetags.registry_extras",
                "knowledge.templatetags.knowledge_extras",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"


def _database_from_url(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    # A socket URI (postgresql://user@/db?host=/path) puts the host in OPTIONS; Django and the test
    # runner expect it in HOST.
    socket_dir = config.setdefault("OPTIONS", {}).pop("host", None)
    if socket_dir and not config["HOST"]:
        config["HOST"] = socket_dir
    config["ENGINE"] = "config.database"  # django-tenants' backend, see config/database/base.py
    config["CONN_HEALTH_CHECKS"] = True
    return config


def _database_url() -> str:
    url = env_str("DATABASE_URL")
    if url:
        return url
    from config import embedded_db

    return embedded_db.uri()


DATABASES = {"default": _database_from_url(_database_url())}

# A PostgreSQL streaming replica for the public pages' reads (config/replica.py, docs/scaling.md).
# Empty: one database. The alias uses the same tenant backend and options as the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
# A client who wrote (POST, PUT, PATCH, DELETE) reads the primary for this long.
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 15)
# After a failed connection, this process reads the primary only, for this long.
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 10)
# The replica test's header (which server answered): never in production.
REPLICA_DEBUG_HEADER = env_bool("REPLICA_DEBUG_HEADER", False)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **_database_from_url(DATABASE_REPLICA_URL),
        # The test database of `default` stands for the replica: nothing is created for it.
        "TEST": {"MIRROR": "default"},
    }
    # A stopped replica must not hold a request: fail fast, then read the primary.
    DATABASES["replica"]["OPTIONS"].setdefault("connect_timeout", 2)
    # TenantSyncRouter keeps deciding migrations; the replica router decides reads and writes.
    DATABASE_ROUTERS = ["config.replica.ReplicaRouter", *DATABASE_ROUTERS]
    # Last: its process_exception (a replica failing mid-view) is the first one called.
    MIDDLEWARE.append("config.replica.ReplicaMiddleware")

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked account before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Brute force (accounts/bruteforce.py): one counter per account and client address, in the
# public schema, shared by the web sign-in and the token endpoint of every host and process.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.bruteforce.normalised_username"
AXES_LOCKOUT_CALLABLE = "accounts.bruteforce.lockout_response"
AXES_RESET_ON_SUCCESS = True
# The waiting time runs from the 10th failure; further tries while locked do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# No log of every successful sign-in (personal data kept for nothing); failures only.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG


def _cache_from_url(url: str) -> dict:
    """One cache shared by every process (web workers, job worker) and every host.

    `redis://…` (or `rediss://`): Redis. Otherwise Django's database cache in the public schema of
    the same PostgreSQL (table `django_cache`, created by `migrate_schemas`). Keys carry no
    tenant: throttling, lockouts and the benchmark's answers are the same on every host.
    """
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "config.cache.RedisCache", "LOCATION": url}
    if url:
        raise ImproperlyConfigured(f"CACHE_URL={url!r}: redis://… attendu (ou vide).")
    return {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
        # Culling (a third of the rows) happens past this: room for the benchmark's answers of
        # a few versions and every throttle counter.
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }


CACHES = {
    "default": {
        **_cache_from_url(env_str("CACHE_URL") or env_str("REDIS_URL")),
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "registre"),
        "TIMEOUT": 300,
    }
}

# Each host keeps its own session cookie: a login on one collectivité's site is not carried to
# another's, and membership is checked on every request anyway.
SESSION_COOKIE_HTTPONLY = True
# Production (DEBUG=0 on a real domain) is HTTPS-only by default; each setting can be overridden.
HTTPS_BY_DEFAULT = not DEBUG and BASE_DOMAIN != "localhost"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", HTTPS_BY_DEFAULT)
# The public site's address in links sent outside a request (e-mails): scheme, host and port,
# without a trailing slash. A collectivité's site is the same with `<slug>.` before the host.
# Default: https://BASE_DOMAIN in production, http://BASE_DOMAIN:PORT otherwise (`make run`).
PUBLIC_BASE_URL = (
    env_str("PUBLIC_BASE_URL")
    or (f"https://{BASE_DOMAIN}" if HTTPS_BY_DEFAULT else f"http://{BASE_DOMAIN}:{RUN_PORT}")
).rstrip("/")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS_BY_DEFAULT)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS_BY_DEFAULT else 0)
# Every collectivité is a sub-domain of BASE_DOMAIN: HTTPS for them too.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS_BY_DEFAULT)
# Preloading commits the domain to browsers' lists for good: the operator's choice
# (SECURE_HSTS_PRELOAD=1), so check --deploy's reminder about it is silenced.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): nothing inline may run, nothing comes from elsewhere.
# Inline styles stay allowed: Redoc and Swagger UI inject their own <style> elements.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features the registry never uses, refused on every page (config/middleware.py).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

# Client address for throttling and lockouts: REMOTE_ADDR, or the address NUM_PROXIES trusted
# proxies put in X-Forwarded-For (never a header a client can forge when there is no proxy).
NUM_PROXIES = env_int("NUM_PROXIES", 0)
AXES_IPWARE_PROXY_COUNT = NUM_PROXIES or None
AXES_IPWARE_PROXY_ORDER = "right-most"  # as DRF: the address the nearest trusted proxy saw
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if NUM_PROXIES else ("REMOTE_ADDR",)
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.StrictTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Every API action is decided by the policy (accounts.policy), which refuses what it does
    # not list.
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.PolicyPermission"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["config.api.StrictJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "config.api.ContentNegotiation",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttling.AnonCounterThrottle",
        "config.throttling.UserCounterThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "120/min"),
        "user": env_str("API_THROTTLE_USER", "1200/min"),
    },
    "NUM_PROXIES": NUM_PROXIES,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Registre IA des collectivités",
    "DESCRIPTION": (
        "API du registre des cas d'usage de l'IA dans les collectivités territoriales. "
        "Authentification : `Authorization: Token <clé>` (POST /api/v1/auth/token/)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Redoc from static/vendor/redoc: the sidecar's bundle with its CDN logo replaced (README).
    "REDOC_DIST": f"/{STATIC_URL.strip('/')}/vendor/redoc",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation's error answers (400, 401, 403, 404, 412, 413, 429, 503…), written once.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api_schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CollectiviteKindEnum": "registry.vocabularies.CollectiviteKind",
        "AIFamilyEnum": "registry.vocabularies.AIFamily",
        "MethodPhaseEnum": "registry.vocabularies.MethodPhase",
        "HostingEnum": "registry.vocabularies.Hosting",
        "StatusEnum": "registry.vocabularies.Status",
        "ImpactAssessmentStatusEnum": "registry.vocabularies.ImpactAssessmentStatus",
    },
}

# E-mails go through the job queue (ops/mail.py): the worker sends them with the backend that
# EMAIL_BACKEND names (console by default; SMTP in production). EMAIL_QUEUE=0 sends them in the
# request instead.
EMAIL_DELIVERY_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_BACKEND = (
    "ops.mail.QueuedEmailBackend" if env_bool("EMAIL_QUEUE", True) else EMAIL_DELIVERY_BACKEND
)
# When EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (one file per message)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "outbox"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "registre-ia@cdg74.example")
# SMTP, when EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        # django-axes: lockouts and repeated failures (WARNING) are kept, the details dropped.
        "axes": {"level": "WARNING"},
        "procrastinate": {"level": "WARNING"},
        "procrastinate.worker": {"level": "WARNING"},
    },
}

# The legal pages (mentions légales, accessibility statement): who hosts the service, how to reach
# the CDG74 and its DPO. The defaults say what is still to be filled in.
TO_COMPLETE = "à compléter"
LEGAL = {
    "host_name": env_str("LEGAL_HOST_NAME") or f"Hébergeur ({TO_COMPLETE})",
    "host_address": env_str("LEGAL_HOST_ADDRESS") or f"Adresse de l'hébergeur ({TO_COMPLETE})",
    "host_phone": env_str("LEGAL_HOST_PHONE") or f"Téléphone de l'hébergeur ({TO_COMPLETE})",
    "publisher_address": env_str("LEGAL_CDG_ADDRESS") or f"Adresse du CDG74 ({TO_COMPLETE})",
    "publisher_phone": env_str("LEGAL_CDG_PHONE") or f"Téléphone du CDG74 ({TO_COMPLETE})",
    "publisher_email": env_str("LEGAL_CDG_EMAIL") or "contact@cdg74.example",
    "dpo_name": env_str("LEGAL_DPO_NAME") or f"Délégué à la protection des données ({TO_COMPLETE})",
    "dpo_email": env_str("LEGAL_DPO_EMAIL") or "dpo@cdg74.example",
    "accessibility_email": env_str("LEGAL_ACCESSIBILITY_EMAIL") or "accessibilite@cdg74.example",
    # The accessibility statement's date (ISO, AAAA-MM-JJ).
    "accessibility_date": env_str("LEGAL_ACCESSIBILITY_DATE") or "2026-12-01",
}
