"""The open data's page and files on the public site (registry.open_data builds them).

/donnees-ouvertes/ (the page), its files (the exports, public entries only), schema.json and
catalogue.jsonld; /flux/publications.atom and /flux/collectivites/<slug>.atom. Everything here is
the same for every reader (public entries only, in French): answers carry an ETag and a
Last-Modified that follow the benchmark's version, shared caches may keep them, a conditional
request costs one query. The small answers (catalogue, feeds, figures of the page, the XLSX) are
computed once per version of the benchmark; the other files stream, a few hundred records at a
time.
"""

import hashlib
import json

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from registry import exports, open_data, selectors
from registry import vocabularies as v
from registry.models import Collectivite

PUBLIC = [v.Visibility.PUBLIC]
# Seconds a shared cache may keep an answer without asking again (it asks with its ETag).
MAX_AGE = 300


def _facts(version: int) -> dict:
    """How many public records, and when the latest changed (once per version)."""
    return selectors.cached_answer(
        "open-data-facts",
        version=version,
        scope=PUBLIC,
        params=[],
        compute=lambda: {
            "count": open_data.public_entries().count(),
            "modified": open_data.last_modified(),
        },
    )


def _etag(*parts) -> str:
    return '"' + hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32] + '"'


def _answer(request, response, etag: str, modified=None):
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified.timestamp())
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def _unchanged(request, etag: str, modified=None):
    """A 304 when the reader has this version already, else None."""
    unchanged = get_conditional_response(
        request,
        etag=etag,
        last_modified=int(modified.timestamp()) if modified is not None else None,
    )
    if unchanged is not None:
        return _answer(request, unchanged, etag, modified)
    return None


def open_data_page(request):
    facts = _facts(selectors.benchmark_version())
    distributions = [
        {"distribution": d, "url": open_data.open_data_url(d.filename)}
        for d in open_data.DISTRIBUTIONS
    ]
    return render(
        request,
        "registry/open_data.html",
        {
            "count": facts["count"],
            "modified": facts["modified"],
            "ours": distributions[:3],
            "foreign": distributions[3:],
            "schema_url": open_data.open_data_url(open_data.SCHEMA_FILENAME),
            "catalogue_url": open_data.open_data_url(open_data.CATALOGUE_FILENAME),
            "feed_url": open_data.feed_url(),
            "licence": open_data.record_licence({}),
            "source_records_rights": open_data.SOURCE_RECORDS_RIGHTS,
        },
    )


def open_data_schema(request):
    content = json.dumps(open_data.table_schema(), ensure_ascii=False, indent=2).encode("utf-8")
    etag = _etag("schema", hashlib.sha256(content).hexdigest())
    if unchanged := _unchanged(request, etag):
        return unchanged
    return _answer(
        request, HttpResponse(content, content_type="application/json; charset=utf-8"), etag
    )


def open_data_catalogue(request):
    version = selectors.benchmark_version()
    facts = _facts(version)
    etag = _etag("catalogue", version)
    if unchanged := _unchanged(request, etag, facts["modified"]):
        return unchanged

    def compute():
        body = open_data.catalogue(modified=facts["modified"], count=facts["count"])
        return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")

    content = selectors.cached_answer(
        "open-data-catalogue", version=version, scope=PUBLIC, params=[], compute=compute
    )
    response = HttpResponse(content, content_type="application/ld+json; charset=utf-8")
    return _answer(request, response, etag, facts["modified"])


def open_data_file(request, filename):
    distribution = open_data.BY_FILENAME.get(filename)
    if distribution is None:
        raise Http404(filename)
    version = selectors.benchmark_version()
    facts = _facts(version)
    etag = _etag("file", filename, version)
    if unchanged := _unchanged(request, etag, facts["modified"]):
        return unchanged
    fmt = distribution.fmt
    content_type = exports.EXPORT_TYPES[fmt]

    def payloads():
        return (
            open_data.public_entries()
            .order_by("public_id")
            .values_list("payload", flat=True)
            .iterator(chunk_size=500)
        )

    if fmt == "xlsx":
        # Written whole (a workbook is a zip), once per version of the benchmark.
        content = selectors.cached_answer(
            "open-data-xlsx",
            version=version,
            scope=PUBLIC,
            params=[],
            compute=lambda: b"".join(exports.in_language(exports.chunks(fmt, payloads()), "fr")),
        )
        response = HttpResponse(content, content_type=content_type)
    else:
        response = StreamingHttpResponse(
            exports.in_language(exports.chunks(fmt, payloads()), "fr"), content_type=content_type
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _answer(request, response, etag, facts["modified"])


def _feed_answer(request, collectivite):
    version = selectors.benchmark_version()
    facts = _facts(version)
    key = collectivite.slug if collectivite else ""
    etag = _etag("feed", key, version)
    if unchanged := _unchanged(request, etag, facts["modified"]):
        return unchanged
    content = selectors.cached_answer(
        "open-data-feed",
        version=version,
        scope=PUBLIC,
        params=[key],
        compute=lambda: open_data.feed(collectivite),
    )
    response = HttpResponse(content, content_type="application/atom+xml; charset=utf-8")
    return _answer(request, response, etag, facts["modified"])


def feed_publications(request):
    return _feed_answer(request, None)


def feed_collectivite(request, slug):
    return _feed_answer(request, get_object_or_404(Collectivite, slug=slug))


# Mounted by config/urls_public.py: (route, view, URL name).
public_urls = [
    ("donnees-ouvertes/", open_data_page, "open-data"),
    ("donnees-ouvertes/schema.json", open_data_schema, "open-data-schema"),
    ("donnees-ouvertes/catalogue.jsonld", open_data_catalogue, "open-data-catalogue"),
    ("donnees-ouvertes/<str:filename>", open_data_file, "open-data-file"),
    ("flux/publications.atom", feed_publications, "feed-publications"),
    ("flux/collectivites/<slug:slug>.atom", feed_collectivite, "feed-collectivite"),
]
