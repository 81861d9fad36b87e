"""Whole answers for anonymous visitors of the public site, kept per version of the benchmark.

The explorer, a use case's page and the benchmark API's list are what most visitors ask, and
they are the same for every anonymous visitor until the benchmark changes. Their rendered body
is kept in the shared cache under a key that carries the benchmark's version
(`registry.BenchmarkVersion`, bumped in the same transaction as every write of the benchmark):
the next write changes the key, so a kept answer is not served after the data it shows changed,
except for up to `BENCHMARK_VERSION_SECONDS` (1 s) by another process than the writer's, which
reads the version again only that often for anonymous visitors (registry.selectors.
recent_benchmark_version: the lag they already accept from the replica). `PAGE_CACHE_SECONDS`
bounds what the version does not follow (a knowledge-base article linked from a record, a
vocabulary label), and the cache's memory.

Kept and served only for a GET from a visitor who is not signed in, on the public site, without
an `Authorization` header, whose cookies are at most the CSRF and language ones (a session or a
pending message makes the page personal), for a 200 answer that sets no cookie itself. The key
also carries the host, the scheme, the whole address, the active language, `Accept` and, for a
search, the version of the curators' synonym list (registry.synonyms).

Per-visitor values inside a kept page are refreshed each time it is served: the CSRF token of
its forms (a token of this visitor's, which sets their cookie) and the signed time of the
spam-guarded forms (`registry.spam_guard`), so that neither a form nor the robots' guard lose
anything to the cache.

Why not Django's per-site cache middleware: it keeps answers for a fixed time (stale after a
publication), runs after every other middleware anyway, and would share one CSRF token between
visitors.
"""

import hashlib
import json
import re
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from registry import selectors, synonyms
from registry.spam_guard import signed_now

SECONDS = getattr(settings, "PAGE_CACHE_SECONDS", 300)
KEPT_HEADERS = ("Content-Type", "ETag", "Vary")
# The per-visitor fields: `name="[prefix-]csrfmiddlewaretoken" value="…"` and the same for
# `started`. Found by their rare literal tail (bytes.find), then the `name="` before it checked:
# a regular expression starting at each of a page's ~1,000 `name="` cost 0.5 ms on the explorer.
_FRESH_FIELDS = {
    b'csrfmiddlewaretoken" value="': "csrfmiddlewaretoken",
    b'started" value="': "started",
}
_NAME_BEFORE = re.compile(rb'name="(?:[\w-]+-)?\Z')


def _allowed_cookies() -> set[str]:
    return {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}


def anonymous_visitor(request) -> bool:
    """A visitor whose answer is the same as every other anonymous visitor's."""
    return (
        request.method == "GET"
        and getattr(request, "collectivite", None) is None
        and "HTTP_AUTHORIZATION" not in request.META
        and set(request.COOKIES) <= _allowed_cookies()
        and not request.user.is_authenticated
    )


def benchmark_version_for(request) -> int:
    """The benchmark's version that keys this request's kept answers and ETags: the one this
    process read in the last second for an anonymous visitor (registry.selectors.
    recent_benchmark_version), the version itself for everyone else."""
    if anonymous_visitor(request):
        return selectors.recent_benchmark_version()
    return selectors.benchmark_version()


def page_key(request, kind: str, version, audience: str = "anonymous") -> str:
    key = json.dumps(
        [
            kind,
            version,
            audience,
            request.scheme,
            request.get_host(),
            request.get_full_path(),
            get_language(),
            request.headers.get("Accept", ""),
            # A search's answer also changes with the curators' synonym list.
            synonyms.digest() if request.GET.get("q", "").strip() else "",
        ]
    )
    return "page:" + hashlib.sha256(key.encode()).hexdigest()[:40]


def _fresh_fields(content: bytes, names: set[str]):
    """(start, end, name) of the values of the per-visitor fields `names` in `content`."""
    for marker, name in _FRESH_FIELDS.items():
        if name not in names:
            continue
        found = content.find(marker)
        while found != -1:
            start = found + len(marker)
            end = content.find(b'"', start)
            if end == -1:
                break
            if _NAME_BEFORE.search(content, max(0, found - 100), found):
                yield start, end, name
            found = content.find(marker, end)


def refresh(request, content: bytes, salt: str | None) -> bytes:
    """A kept page's per-visitor values, made anew for this visitor (`salt`: that of the page's
    spam-guarded form, if it has one)."""
    names = {"csrfmiddlewaretoken", "started"} if salt else {"csrfmiddlewaretoken"}
    fields = sorted(_fresh_fields(content, names))
    if not fields:
        return content
    values = {}
    pieces, position = [], 0
    for start, end, name in fields:
        if name not in values:
            value = get_token(request) if name == "csrfmiddlewaretoken" else signed_now(salt)
            values[name] = value.encode()
        pieces += [content[position:start], values[name]]
        position = end
    pieces.append(content[position:])
    return b"".join(pieces)


def kept(
    request,
    kind: str,
    compute,
    *,
    salt: str | None = None,
    version: int | None = None,
    read=None,
):
    """The answer of `compute()` for this request, from the cache when an anonymous visitor's
    same question was answered under the benchmark's current version. `read(key)`: how the kept
    answer is read (the benchmark API's counts its caller in the same round trip)."""
    if not anonymous_visitor(request):
        return compute()
    if version is None:
        version = benchmark_version_for(request)
    return _kept(request, page_key(request, kind, version), compute, salt, read or cache.get)


def kept_for_members(request, kind: str, compute, *, version, read=None):
    """The same for the members of the request's collectivité, once the policy has let this
    request through: `version` must change with every write of what the answer shows."""
    audience = f"members:{connection.schema_name}"
    key = page_key(request, kind, version, audience)
    return _kept(request, key, compute, None, read or cache.get)


def _kept(request, key: str, compute, salt: str | None, read):
    stored = read(key)
    if stored is not None:
        status, headers, content = stored
        if dict(headers).get("Content-Type", "").startswith("text/html"):  # forms: pages only
            content = refresh(request, content, salt)
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        return response
    response = compute()
    if (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
    ):
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
        cache.set(key, (response.status_code, headers, response.content), SECONDS)
    return response


def cached_page(view=None, *, form=None):
    """Decorator of a public site's view: its answer to anonymous visitors is kept (see above).
    `form`: the class of the page's spam-guarded form, whose signed time is made anew."""

    def decorate(view):
        salt = form.signing_salt if form else None

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return kept(request, view.__name__, lambda: view(request, *args, **kwargs), salt=salt)

        return wrapper

    return decorate(view) if view else decorate
