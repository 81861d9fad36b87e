"""Reads of the public, anonymous-safe pages from a PostgreSQL streaming replica (issue 14).

With `DATABASE_REPLICA_URL` set, the settings add a second alias, `replica`, install
`ReplicaRouter` before django-tenants' `TenantSyncRouter` (which keeps deciding migrations) and
`ReplicaMiddleware`. Without it, nothing here is installed: one database, as before.

How a request chooses its database:

* The middleware sets a context variable for the request: `primary` unless the view is one of
  `REPLICA_VIEWS` (the benchmark API's list, detail, stats and export, the explorer and a use
  case's public page, the dashboard, the knowledge base's pages and API reads), reached on the
  public site by a safe method (GET, HEAD, OPTIONS).
* The router sends to the replica only the reads of the public apps' models (`REPLICA_APPS`:
  registry, knowledge) while that variable says `replica`. Sessions, accounts, tokens, the
  database cache, lockouts and the job queue are always read on the primary: a token just created
  or a session just changed must not be missed because of replication lag.
* Any write switches the rest of the request to the primary (`db_for_write`).
* "A client who just wrote reads their own writes": every unsafe request (POST, PUT, PATCH,
  DELETE) pins its client to the primary for `REPLICA_PIN_SECONDS`, by two marks:
  - a short-lived cookie (`registre_primaire`), set on the parent domain `BASE_DOMAIN` when the
    host is under it, so a contributor who publishes on their collectivité's site and then opens
    the public explorer (another host, another session cookie) is pinned there too. It needs no
    server state, works for anonymous writers (the join request), on every node behind the load
    balancer, and expires by itself;
  - a cache key per `Authorization` header (hashed), for API clients that keep no cookie: the
    shared cache (Redis in production) makes it visible to every node.
* If the replica cannot be reached, the request reads the primary (and the replica is not tried
  again by this process for `REPLICA_RETRY_SECONDS`); if it fails during a read-only view, the
  view is run again on the primary: no 500 because a replica is down.

django-tenants: the `replica` alias uses the same tenant backend, whose connection carries its
own `search_path`. Routed requests are public-site requests only, and the middleware puts the
replica connection on the public schema before the view (a no-op when it already is).
"""

import contextlib
import contextvars
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections

from config.errors import DATABASE_ERRORS

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "registre_primaire"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The apps whose tables the routed pages read and which may lag a little behind the primary.
REPLICA_APPS = frozenset({"registry", "knowledge"})
# View names (resolver_match.view_name) of the public site whose reads may come from the replica.
REPLICA_VIEWS = frozenset(
    {
        "explorer",
        "usecase-page",
        "dashboard",
        "v1:benchmark-list",
        "v1:benchmark-detail",
        "v1:benchmark-stats",
        "v1:benchmark-export",
    }
)
REPLICA_VIEW_PREFIXES = ("knowledge:", "v1:knowledge-")
DEBUG_HEADER = "X-Registre-Base"

_target = contextvars.ContextVar("registre_database", default=PRIMARY)
_replica_down_until = 0.0


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def current_target() -> str:
    return _target.get()


class ReplicaRouter:
    """Reads of the public apps to the replica while the request allows it; all else to the
    primary, named explicitly (else Django would follow an instance read on the replica)."""

    def db_for_read(self, model, **hints):
        if _target.get() == REPLICA and model._meta.app_label in REPLICA_APPS:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        _target.set(PRIMARY)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == REPLICA:
            return False  # a replica is read-only: it receives the primary's schema by WAL
        return None  # TenantSyncRouter decides for the primary


def _pin_key(authorization: str) -> str:
    return "replica-pin:" + hashlib.sha256(authorization.encode()).hexdigest()[:32]


def _is_pinned(request) -> bool:
    if PIN_COOKIE in request.COOKIES:
        return True
    authorization = request.META.get("HTTP_AUTHORIZATION")
    return bool(authorization) and cache.get(_pin_key(authorization)) is not None


def _pin(request, response) -> None:
    seconds = settings.REPLICA_PIN_SECONDS
    domain = None
    base = settings.BASE_DOMAIN
    host = request.get_host().rsplit(":", 1)[0].lower() if _host_ok(request) else ""
    if "." in base and (host == base or host.endswith("." + base)):
        domain = base
    response.set_cookie(
        PIN_COOKIE,
        "1",
        max_age=seconds,
        domain=domain,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    authorization = request.META.get("HTTP_AUTHORIZATION")
    if authorization:
        cache.set(_pin_key(authorization), 1, seconds)


def _host_ok(request) -> bool:
    try:
        request.get_host()
    except Exception:  # DisallowedHost: the answer is an error page anyway
        return False
    return True


def _replica_usable() -> bool:
    """Connect (or health-check) the replica now, rather than fail in the middle of a view."""
    global _replica_down_until
    if time.monotonic() < _replica_down_until:
        return False
    replica = connections[REPLICA]
    try:
        replica.close_if_health_check_failed()
        replica.ensure_connection()
        if replica.schema_name != "public":
            replica.set_schema_to_public()
    except DatabaseError:
        _mark_replica_down()
        return False
    return True


def _mark_replica_down() -> None:
    global _replica_down_until
    _replica_down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
    with contextlib.suppress(DatabaseError):
        connections[REPLICA].close()


def _routable(request, view_name: str) -> bool:
    if request.method not in SAFE_METHODS or getattr(request, "collectivite", None) is not None:
        return False
    return view_name in REPLICA_VIEWS or view_name.startswith(REPLICA_VIEW_PREFIXES)


class ReplicaMiddleware:
    """Chooses the database of each request (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _target.set(PRIMARY)
        try:
            response = self.get_response(request)
            if request.method not in SAFE_METHODS:
                _pin(request, response)
            if settings.REPLICA_DEBUG_HEADER:
                response[DEBUG_HEADER] = _describe(getattr(request, "_registre_base", PRIMARY))
            return response
        finally:
            _target.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            match is not None
            and _routable(request, match.view_name)
            and not _is_pinned(request)
            and _replica_usable()
        ):
            _target.set(REPLICA)
            request._registre_base = REPLICA
        return None

    def process_exception(self, request, exception):
        """The replica failed during a read-only view: run it again on the primary."""
        if getattr(request, "_registre_base", None) != REPLICA:
            return None
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        _mark_replica_down()
        _target.set(PRIMARY)
        request._registre_base = PRIMARY
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response


def _describe(alias: str) -> str:
    """For the replica test only (REPLICA_DEBUG_HEADER): which server answered, in recovery or
    not, and the search_path the tenant backend set on that connection."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery(), current_setting('search_path')")
            recovery, search_path = cursor.fetchone()
    except DatabaseError:
        return f"{alias}; recovery=?; search_path=?"
    return f"{alias}; recovery={'on' if recovery else 'off'}; search_path={search_path}"
