import copy
import time

from django.conf import settings
from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import set_urlconf
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name


def public_hosts() -> set[str]:
    return {settings.BASE_DOMAIN, *settings.PUBLIC_EXTRA_HOSTS}


# host name -> (monotonic deadline, collectivité), per process (CollectiviteMiddleware.get_tenant).
_HOSTS: dict[str, tuple[float, object]] = {}
MAX_KEPT_HOSTS = 10_000


def forget_hosts(**_kwargs) -> None:
    """Signal receiver (registry/apps.py): a collectivité or a host name changed."""
    _HOSTS.clear()


class CollectiviteMiddleware(TenantMainMiddleware):
    """Route a request by its host: the public site, a collectivité's site, or a clear 404.

    The public site has no tenant row: BASE_DOMAIN (and PUBLIC_EXTRA_HOSTS) select the public
    schema directly, so the collectivités table holds only real collectivités.
    `request.collectivite` is the collectivité of the host, or None on the public site.
    """

    def process_request(self, request):
        if request.path == "/healthz":
            return healthz(request)
        if request.path == "/favicon.ico":
            # Asked by browsers of pages without our <link rel="icon"> (JSON, files): on every
            # host, signed in or not, the site's icon rather than a 404 page.
            return HttpResponsePermanentRedirect(static("favicon.svg"))
        if connection.schema_name != get_public_schema_name():
            connection.set_schema_to_public()
        request.collectivite = None
        try:
            hostname = self.hostname_from_request(request)
        except Exception:  # DisallowedHost and malformed Host headers
            return unknown_host(request, "")
        if hostname in public_hosts():
            # Already on public: keep the connection's cached search_path (no extra SET).
            request.tenant = connection.tenant
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            return None
        response = super().process_request(request)
        if response is None:
            request.collectivite = request.tenant
        return response

    def get_tenant(self, domain_model, hostname):
        """The collectivité of a host name, kept per process for TENANT_HOST_CACHE_SECONDS.

        Saves the `registry_domain ⋈ registry_collectivite` query of each request. A change of a
        collectivité or of a host name empties this process's cache at once (signals,
        `forget_hosts`); the other processes see it within the delay. Unknown hosts are not
        kept. Each request gets its own copy (the middleware sets attributes on it)."""
        seconds = getattr(settings, "TENANT_HOST_CACHE_SECONDS", 0)
        if seconds <= 0:
            return super().get_tenant(domain_model, hostname)
        now = time.monotonic()
        kept = _HOSTS.get(hostname)
        if kept is None or kept[0] <= now:
            if len(_HOSTS) >= MAX_KEPT_HOSTS:
                _HOSTS.clear()
            kept = (now + seconds, super().get_tenant(domain_model, hostname))
            _HOSTS[hostname] = kept
        return copy.copy(kept[1])

    @staticmethod
    def hostname_from_request(request):
        """Host names are case-insensitive and may end with the root's dot (`GRAND-ANNECY.
        localhost.`): both route like their normal form, which is how domains are stored."""
        return TenantMainMiddleware.hostname_from_request(request).lower().rstrip(".")

    def no_tenant_found(self, request, hostname):
        return unknown_host(request, hostname)


def unknown_host(request, hostname):
    # Rendered with the public site's links, since this host belongs to no collectivité.
    request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
    set_urlconf(request.urlconf)
    return render(
        request,
        "registry/unknown_host.html",
        {"hostname": hostname, "public_url": f"//{settings.BASE_DOMAIN}{_port(request)}/"},
        status=404,
    )


def _port(request) -> str:
    try:
        host = request.get_host()
    except Exception:
        return ""
    _name, sep, port = host.rpartition(":")
    return f":{port}" if sep and port.isascii() and port.isdigit() else ""


def healthz(request):
    """Answered on every host, before routing, so load balancers can probe by IP."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception as error:  # the point is to report any failure, not to crash
        return JsonResponse(
            {"status": "error", "database": str(error.__class__.__name__)}, status=503
        )
    return JsonResponse({"status": "ok", "database": database})
