"""Pages of the public site: they read the public schema only (benchmark table, catalogue)."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.policy import visibility_scope
from registry import coverage as cov
from registry import exports, report, selectors, snapshot, synonyms
from registry import vocabularies as v
from registry.filters import BenchmarkFilter
from registry.models import BenchmarkEntryEvent, Collectivite, DirectoryEntry, SourceRecord, Tool
from registry.page_cache import cached_page
from registry.peers import peers_of
from registry.services import claims
from registry.services.reports import error_report_send
from registry.sources import geography

# How many comparable collectivités a collectivité's page lists.
PEERS_SHOWN = 10

SORTS = [
    ("-published_at", _("Publiés récemment")),
    ("title", _("Titre (A → Z)")),
    ("collectivite", _("Collectivité")),
    ("status", _("État d'avancement")),
]


def home(request):
    scope = visibility_scope(request.user)
    entries = selectors.benchmark_entries(scope)

    declared = entries.filter(origin=v.Origin.DECLARED)

    def figures():
        by_status = {
            row["status"]: row["count"] for row in selectors.benchmark_stats(declared, ["status"])
        }
        # Public sources' records are counted apart: never validated by a collectivité.
        sources = selectors.public_source_counts(entries)
        usage = selectors.tool_usage(scope)
        top = sorted(usage, key=lambda tool_id: -usage[tool_id]["collectivites_count"])[:5]
        return {
            "use_cases": sum(by_status.values()),
            "by_status": [(str(v.Status(code).label), n) for code, n in by_status.items()],
            "top_tools": [(tool_id, usage[tool_id]["collectivites_count"]) for tool_id in top],
            "public_sources": sources,
            "public_records": sum(row["count"] for row in sources),
            "public_french": sum(row["french"] for row in sources),
        }

    # The labels are translated when computed: one cached answer per language.
    data = selectors.cached_answer(
        "home",
        version=selectors.benchmark_version(),
        scope=scope,
        params=[get_language(), "origins"],
        compute=figures,
    )
    tools = Tool.objects.in_bulk([tool_id for tool_id, _n in data["top_tools"]])
    return render(
        request,
        "registry/home.html",
        {
            "figures": data,
            # Not cached with the benchmark's figures: collectivités join without publishing.
            "collectivites_count": Collectivite.objects.count(),
            "top_tools": [
                (tools[tool_id], n) for tool_id, n in data["top_tools"] if tool_id in tools
            ],
            "latest": list(
                declared.order_by("-published_at").values_list("payload", flat=True)[:5]
            ),
            "status_labels": dict(v.Status.choices),
        },
    )


@cached_page
def explorer(request):
    scope = visibility_scope(request.user)
    filterset = BenchmarkFilter(
        request.GET, queryset=selectors.benchmark_entries(scope), request=request
    )
    if not filterset.is_valid():
        # A hand-edited address: show the errors, with every result left out.
        return render(
            request,
            "registry/explorer.html",
            {
                "filter_errors": filterset.errors,
                "facets": [],
                "page": None,
                "count": 0,
                "sorts": SORTS,
                "query": request.GET,
            },
            status=400,
        )
    queryset = filterset.qs
    queryset = selectors.declared_first(selectors.by_relevance(queryset, request.GET), request.GET)
    q = request.GET.get("q", "").strip()
    version = selectors.benchmark_version()
    params = selectors.query_params(request.GET, ignore=("page", "ordering"))

    def facet_counts():
        return {
            dimension: selectors.benchmark_stats(filterset.qs, [dimension])
            for _param, dimension, _legend in selectors.FACETS
        }

    counts = selectors.cached_answer(
        "facets-v3", version=version, scope=scope, params=params, compute=facet_counts
    )
    total = selectors.cached_answer(
        "count", version=version, scope=scope, params=params, compute=filterset.qs.count
    )
    facets = selectors.explorer_facets(counts, request.GET)
    paginator = Paginator(
        selectors.CountedQuerySet(queryset.values_list("payload", flat=True), total), 20
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "registry/explorer.html",
        {
            "facets": facets,
            "active_filters": sum(
                1 for facet in facets for option in facet["options"] if option["checked"]
            ),
            "page": page,
            "count": total,
            "sorts": SORTS,
            "ordering": request.GET.get("ordering", ""),
            "q": q,
            "synonyms_used": synonyms.synonyms_used(q) if q else [],
            "export_query": request.GET.urlencode(),
            "status_labels": dict(v.Status.choices),
        },
    )


def published_versions(entry) -> list[dict]:
    """The public history of a record: its publications (what changed, by label) and its
    collectivité's verifications, newest first; from the benchmark's history (public schema)."""
    shown = {
        v.HistoryAction.PUBLISHED,
        v.HistoryAction.REPLACED,
        v.HistoryAction.VERIFIED,
    }
    labels = dict(v.HistoryAction.choices)
    versions = []
    for event in BenchmarkEntryEvent.objects.filter(uuid=entry.uuid, action__in=shown).order_by(
        "-created_at", "-id"
    ):
        changed = [
            snapshot.field_label(name)
            for name in event.changes
            if name not in snapshot.NOT_COMPARED
            and name in snapshot.BY_NAME
            and snapshot.BY_NAME[name].audience == snapshot.PUBLISHED
        ]
        versions.append(
            {
                "date": event.created_at,
                "action": labels.get(event.action, event.action),
                "first": event.action == v.HistoryAction.PUBLISHED,
                "verified": event.action == v.HistoryAction.VERIFIED,
                "changed": changed,
            }
        )
    return versions


@cached_page(form=report.ErrorReportForm)
def usecase_page(request, public_id, *, report_form=None, status=200):
    scope = visibility_scope(request.user)
    entry = selectors.benchmark_entries(scope).filter(public_id=public_id).first()
    if entry is None:
        # A public source's record replaced by the case its collectivité took over: its page
        # is now that case's.
        declared = claims.superseded_by(public_id)
        if declared and selectors.benchmark_entries(scope).filter(public_id=declared).exists():
            return redirect("usecase-page", public_id=declared, permanent=True)
        raise Http404(_("Aucun cas d'usage publié avec cet identifiant."))
    uc = {
        **entry.payload,
        "contact_email": entry.contact_email if v.Visibility.NETWORK in scope else "",
    }
    return render(
        request,
        "registry/usecase.html",
        {
            "entry": entry,
            "uc": uc,
            **provenance_context(entry),
            "sections": snapshot.page_sections(uc),
            "inferred": snapshot.inferred_labels(uc),
            "inferred_names": snapshot.inferred(uc),
            "declared": snapshot.BY_NAME,
            "contact_for_members": bool(entry.contact_email) and v.Visibility.NETWORK not in scope,
            "similar": selectors.similar_entries(entry, scope),
            "status_labels": dict(v.Status.choices),
            "kinds": dict(v.CollectiviteKind.choices),
            "bands": dict(v.PopulationBand.choices),
            "verified_on": parse_date(uc["verified_on"]) if uc.get("verified_on") else None,
            "versions": published_versions(entry),
            "report_form": report_form or report.ErrorReportForm(),
        },
        status=status,
    )


def provenance_context(entry) -> dict:
    """What a public source's record shows of where it comes from: its source and licence, its
    identifier and address there, the date read, its match to the directory, what was not
    mapped, and the row as the source published it. One query (none for a declared case)."""
    if entry.origin != v.Origin.PUBLIC_SOURCE:
        # A declared case taken from a public source's record: that record's provenance.
        return {"public_source": False, "claimed_record": claims.claimed_record_of(entry)}
    record = (
        SourceRecord.objects.select_related("source", "directory_entry")
        .filter(pk=entry.source_record_id)
        .first()
    )
    provenance = entry.payload.get("provenance") or {}
    match = provenance.get("match") or {}
    return {
        "public_source": True,
        "provenance": provenance,
        "record": record,
        "raw_items": record.raw_items() if record is not None else [],
        "read_at": parse_datetime(provenance["read_at"]) if provenance.get("read_at") else None,
        "country_name": geography.country_name(provenance.get("country", "")),
        "match": match,
        "match_rule": dict(v.MatchRule.choices).get(match.get("rule"), ""),
        "match_entry": record.directory_entry if record is not None else None,
    }


def usecase_report(request, public_id):
    """POST only; the form is on the record's page (registry.views.usecase_page), which shows it
    again with its errors."""
    entry = (
        selectors.benchmark_entries(visibility_scope(request.user))
        .select_related("collectivite")
        .filter(public_id=public_id)
        .first()
    )
    if entry is None:
        raise Http404(_("Aucun cas d'usage publié avec cet identifiant."))
    if request.method != "POST":
        return redirect("usecase-page", public_id=public_id)
    form = report.ErrorReportForm(request.POST)
    if report.REPORT_RATE.exceeded(request):
        form.is_valid()
        form.add_error(
            None,
            _(
                "Trop de signalements ont été envoyés depuis votre connexion. Réessayez dans "
                "une heure."
            ),
        )
        return usecase_page(request, public_id, report_form=form, status=429)
    if not form.is_valid():
        return usecase_page(request, public_id, report_form=form, status=400)
    report.REPORT_RATE.count(request)
    error_report_send(
        entry=entry, message=form.cleaned_data["message"], email=form.cleaned_data["email"]
    )
    messages.success(
        request,
        _("Merci : votre signalement a été transmis à la collectivité et aux curateurs du CDG74."),
    )
    return redirect("usecase-page", public_id=public_id)


def collectivite_list(request):
    scope = visibility_scope(request.user)
    return render(
        request,
        "registry/collectivite_list.html",
        {
            "collectivites": selectors.collectivites_with_counts(scope),
            "kinds": dict(v.CollectiviteKind.choices),
        },
    )


def collectivite_page(request, slug):
    collectivite = get_object_or_404(
        Collectivite.objects.select_related("directory_entry__parent_epci__collectivite"),
        slug=slug,
    )
    scope = visibility_scope(request.user)
    entries = (
        selectors.benchmark_entries(scope)
        .filter(collectivite=collectivite)
        .order_by("-published_at")
        .values_list("payload", flat=True)
    )
    entry = collectivite.directory_entry
    members = None
    if entry is not None and entry.kind in v.DIRECTORY_EPCI:
        members = epci_members(entry, scope)
    peers = peers_of(collectivite)
    return render(
        request,
        "registry/collectivite.html",
        {
            "c": collectivite,
            "entry": entry,
            "entries": list(entries),
            "status_labels": dict(v.Status.choices),
            "members": members,
            "members_in_registry": sum(1 for m in members or [] if m.in_registry),
            "peers": peers[:PEERS_SHOWN],
            "peers_count": len(peers),
        },
    )


def epci_members(epci: DirectoryEntry, scope: list[str]) -> list[DirectoryEntry]:
    """An EPCI's member communes (directory), each with its collectivité in the registry, if any,
    and how many cases it published (`in_registry`, `published`). One query."""
    members = list(
        DirectoryEntry.objects.current()
        .filter(parent_epci=epci)
        .select_related("collectivite")
        .annotate(
            published=Count(
                "collectivite__benchmark_entries",
                filter=Q(collectivite__benchmark_entries__visibility__in=scope),
            )
        )
        .order_by("search_name", "key")
    )
    for member in members:
        member.in_registry = getattr(member, "collectivite", None)
    return members


def coverage(request):
    figures = cov.coverage(visibility_scope(request.user))
    by_code = {dep.code: dep for dep in figures.departements}
    shapes = [
        {"code": code, "d": d, "area": by_code[code], "title": cov.area_sentence(by_code[code])}
        for code, d in cov.map_shapes()
        if code in by_code
    ]
    overseas = [
        {"code": code, "area": by_code[code], "title": cov.area_sentence(by_code[code], True)}
        for code in cov.OVERSEAS
        if code in by_code
    ]
    return render(
        request,
        "registry/coverage.html",
        {
            "figures": figures,
            "millesime": str(figures.millesime or "—"),
            "shapes": shapes,
            "overseas": overseas,
            "legend": [(css, label) for _floor, css, label in cov.MAP_CLASSES],
            "france_communes": cov.tally_sentence(cov.COMMUNE, figures.france.communes),
            "france_epci": cov.tally_sentence(cov.EPCI, figures.france.epci),
        },
    )


def coverage_csv(request):
    figures = cov.coverage(visibility_scope(request.user))
    response = HttpResponse(
        exports.rows_to_csv(cov.csv_rows(figures)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="registre-ia-couverture.csv"'
    return response


def tool_list(request):
    scope = visibility_scope(request.user)
    usage = selectors.tool_usage(scope)
    tools = [
        (tool, usage.get(tool.pk, {"collectivites_count": 0, "by_status": {}}))
        for tool in Tool.objects.filter(merged_into__isnull=True).select_related("vendor")
    ]
    tools.sort(key=lambda item: (-item[1]["collectivites_count"], item[0].name.lower()))
    return render(
        request,
        "registry/tool_list.html",
        {
            "tools": tools,
            "status_labels": dict(v.Status.choices),
        },
    )


def tool_page(request, slug):
    tool = get_object_or_404(Tool.objects.select_related("vendor", "merged_into"), slug=slug)
    if tool.merged_into_id:
        return redirect("tool-page", slug=tool.merged_into.slug)
    scope = visibility_scope(request.user)
    entries = list(
        selectors.benchmark_entries(scope)
        .filter(tool_ids__contains=[tool.pk])
        .order_by("status", "-published_at")
        .values_list("payload", flat=True)
    )
    by_status = {}
    for payload in entries:
        by_status[payload["status"]] = by_status.get(payload["status"], 0) + 1
    return render(
        request,
        "registry/tool.html",
        {
            "tool": tool,
            "entries": entries,
            "status_labels": dict(v.Status.choices),
            "by_status": sorted(by_status.items(), key=lambda item: -item[1]),
            "collectivites": len({payload["collectivite"]["slug"] for payload in entries}),
            "lesson_labels": dict(v.LessonPolarity.choices),
        },
    )


def dashboard(request):
    scope = visibility_scope(request.user)
    version = selectors.benchmark_version()
    everything = selectors.benchmark_entries(scope)
    # The collectivités' declarations; public sources' records are counted apart.
    entries = everything.filter(origin=v.Origin.DECLARED)

    def compute():
        return {
            "public_sources": selectors.public_source_counts(everything),
            "domain_status": selectors.benchmark_stats(entries, ["domain", "status"]),
            "tools": selectors.benchmark_stats(entries, ["tool"]),
            "kinds": selectors.benchmark_stats(entries, ["collectivite_kind"]),
            "adoption": {
                str(k): u["collectivites_count"] for k, u in selectors.tool_usage(scope).items()
            },
        }

    data = selectors.cached_answer(
        "dashboard", version=version, scope=scope, params=["origins"], compute=compute
    )
    tables = selectors.dashboard_tables(data)
    return render(
        request,
        "registry/dashboard.html",
        {**tables, "public_sources": data["public_sources"]},
    )


def legal_page(template_name: str):
    """A legal page (mentions légales, accessibility, personal data, licence): its template with
    the host's, the CDG74's and its DPO's contacts, read from the settings at each request."""

    def view(request):
        legal = dict(settings.LEGAL)
        legal["accessibility_day"] = parse_date(legal.get("accessibility_date") or "")
        return render(request, template_name, {"legal": legal})

    return view
