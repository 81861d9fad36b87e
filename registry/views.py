"""Pages of the public site: they read the public schema only (benchmark table, catalogue)."""

from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from registry import selectors
from registry import vocabularies as v
from registry.filters import BenchmarkFilter
from registry.models import Collectivite, Term, Tool

FACETS = [
    # (parameter, stats dimension, legend)
    ("domain", "domain", _("Domaine")),
    ("status", "status", _("État d'avancement")),
    ("tool", "tool", _("Outil")),
    ("collectivite_kind", "collectivite_kind", _("Type de collectivité")),
    ("population_band", "population_band", _("Population")),
    ("ai_family", "ai_family", _("Famille d'IA")),
    ("ai_act_risk", "ai_act_risk", _("Risque (règlement européen sur l'IA)")),
]
SORTS = [
    ("-published_at", _("Publiés récemment")),
    ("title", _("Titre (A → Z)")),
    ("collectivite", _("Collectivité")),
    ("status", _("État d'avancement")),
]


def _labels() -> dict[str, dict[str, str]]:
    """Labels of every facet's values, for the page (one query for terms, one for tools)."""
    return {
        "domain": dict(Term.objects.filter(vocabulary="domain").values_list("code", "label_fr")),
        "tool": {str(pk): name for pk, name in Tool.objects.values_list("pk", "name")},
        "status": dict(v.Status.choices),
        "collectivite_kind": dict(v.CollectiviteKind.choices),
        "population_band": dict(v.PopulationBand.choices),
        "ai_family": dict(v.AIFamily.choices),
        "ai_act_risk": dict(v.AIActRisk.choices),
    }


def home(request):
    scope = selectors.viewer_scope(request.user)
    entries = selectors.benchmark_entries(scope)

    def figures():
        by_status = {
            row["status"]: row["count"] for row in selectors.benchmark_stats(entries, ["status"])
        }
        usage = selectors.tool_usage(scope)
        top = sorted(usage, key=lambda tool_id: -usage[tool_id]["collectivites_count"])[:5]
        return {
            "use_cases": sum(by_status.values()),
            "by_status": [(str(v.Status(code).label), n) for code, n in by_status.items()],
            "top_tools": [(tool_id, usage[tool_id]["collectivites_count"]) for tool_id in top],
        }

    # The labels are translated when computed: one cached answer per language.
    data = selectors.cached_answer(
        "home",
        version=selectors.benchmark_version(),
        scope=scope,
        params=[get_language()],
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
            "latest": list(entries.order_by("-published_at").values_list("payload", flat=True)[:5]),
            "status_labels": dict(v.Status.choices),
        },
    )


def explorer(request):
    scope = selectors.viewer_scope(request.user)
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
    queryset = selectors.by_relevance(queryset, request.GET)
    q = request.GET.get("q", "").strip()
    version = selectors.benchmark_version()
    params = selectors.query_params(request.GET, ignore=("page", "ordering"))

    def facet_counts():
        return {
            dimension: selectors.benchmark_stats(filterset.qs, [dimension])
            for _param, dimension, _legend in FACETS
        }

    counts = selectors.cached_answer(
        "facets", version=version, scope=scope, params=params, compute=facet_counts
    )
    total = selectors.cached_answer(
        "count", version=version, scope=scope, params=params, compute=filterset.qs.count
    )
    labels = _labels()
    selected = {param: request.GET.getlist(param) for param, _d, _l in FACETS}
    facets = []
    for param, dimension, legend in FACETS:
        options = [
            {
                "value": str(row[dimension]),
                "label": labels[param].get(str(row[dimension]), row[dimension]),
                "count": row["count"],
                "checked": str(row[dimension]) in selected[param],
            }
            for row in counts[dimension]
            if row[dimension] not in ("", None)
        ]
        # Keep a checked value visible even when it now matches nothing.
        shown = {option["value"] for option in options}
        options += [
            {"value": value, "label": labels[param].get(value, value), "count": 0, "checked": True}
            for value in selected[param]
            if value not in shown
        ]
        options.sort(key=lambda option: (-option["count"], str(option["label"])))
        facets.append({"param": param, "legend": legend, "options": options})
    paginator = Paginator(
        selectors.CountedQuerySet(queryset.values_list("payload", flat=True), total), 20
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "registry/explorer.html",
        {
            "facets": facets,
            "page": page,
            "count": total,
            "sorts": SORTS,
            "ordering": request.GET.get("ordering", ""),
            "q": q,
            "export_query": request.GET.urlencode(),
            "status_labels": dict(v.Status.choices),
        },
    )


def usecase_page(request, public_id):
    scope = selectors.viewer_scope(request.user)
    entry = selectors.benchmark_entries(scope).filter(public_id=public_id).first()
    if entry is None:
        raise Http404(_("Aucun cas d'usage publié avec cet identifiant."))
    similar = (
        selectors.benchmark_entries(scope)
        .exclude(pk=entry.pk)
        .filter(Q(domains__overlap=entry.domains) | Q(tool_ids__overlap=entry.tool_ids or [0]))
        .annotate(
            peer=Case(
                When(
                    collectivite_kind=entry.collectivite_kind,
                    population_band=entry.population_band,
                    then=Value(0),
                ),
                When(collectivite_kind=entry.collectivite_kind, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("peer", "-published_at")
        .values_list("payload", flat=True)[:5]
    )
    return render(
        request,
        "registry/usecase.html",
        {
            "entry": entry,
            "uc": {
                **entry.payload,
                "contact_email": entry.contact_email if v.Visibility.NETWORK in scope else "",
            },
            "contact_for_members": bool(entry.contact_email) and v.Visibility.NETWORK not in scope,
            "similar": list(similar),
            "status_labels": dict(v.Status.choices),
            "labels": _vocabulary_labels(),
            "articles": _field_articles(),
        },
    )


def _field_articles() -> dict:
    """The knowledge base's articles behind a use case's fields (one query)."""
    from knowledge.links import FIELD_ARTICLES
    from knowledge.models import Article

    found = Article.objects.in_bulk(list(FIELD_ARTICLES.values()), field_name="slug")
    return {field: found[slug] for field, slug in FIELD_ARTICLES.items() if slug in found}


def _vocabulary_labels() -> dict:
    return {
        "ai_family": dict(v.AIFamily.choices),
        "automation_level": dict(v.AutomationLevel.choices),
        "ai_act_risk": dict(v.AIActRisk.choices),
        "personal_data": dict(v.PersonalData.choices),
        "hosting": dict(v.Hosting.choices),
        "sourcing": dict(v.Sourcing.choices),
        "method_phase": dict(v.MethodPhase.choices),
        "technique": dict(v.Technique.choices),
        "audience": dict(v.Audience.choices),
        "lesson_category": dict(v.LessonCategory.choices),
        "polarity": dict(v.LessonPolarity.choices),
        "kind": dict(v.CollectiviteKind.choices),
        "band": dict(v.PopulationBand.choices),
        "users": dict(v.UsersCountBand.choices),
        "recommend": dict(v.WouldRecommend.choices),
        "status": dict(v.Status.choices),
        "cost": dict(v.CostKind.choices),
        "impact": dict(v.ImpactAssessmentType.choices),
        "impact_status": dict(v.ImpactAssessmentStatus.choices),
    }


def collectivite_list(request):
    scope = selectors.viewer_scope(request.user)
    return render(
        request,
        "registry/collectivite_list.html",
        {
            "collectivites": selectors.collectivites_with_counts(scope),
            "kinds": dict(v.CollectiviteKind.choices),
        },
    )


def collectivite_page(request, slug):
    collectivite = get_object_or_404(Collectivite, slug=slug)
    scope = selectors.viewer_scope(request.user)
    entries = (
        selectors.benchmark_entries(scope)
        .filter(collectivite=collectivite)
        .order_by("-published_at")
        .values_list("payload", flat=True)
    )
    return render(
        request,
        "registry/collectivite.html",
        {
            "c": collectivite,
            "entries": list(entries),
            "status_labels": dict(v.Status.choices),
        },
    )


def tool_list(request):
    scope = selectors.viewer_scope(request.user)
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
    scope = selectors.viewer_scope(request.user)
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
            "labels": _vocabulary_labels(),
        },
    )


def dashboard(request):
    scope = selectors.viewer_scope(request.user)
    version = selectors.benchmark_version()
    entries = selectors.benchmark_entries(scope)

    def compute():
        return {
            "domain_status": selectors.benchmark_stats(entries, ["domain", "status"]),
            "tools": selectors.benchmark_stats(entries, ["tool"]),
            "kinds": selectors.benchmark_stats(entries, ["collectivite_kind"]),
            "adoption": {
                str(k): u["collectivites_count"] for k, u in selectors.tool_usage(scope).items()
            },
        }

    data = selectors.cached_answer(
        "dashboard", version=version, scope=scope, params=[], compute=compute
    )
    labels = _labels()
    statuses = [
        code
        for code, _label in v.Status.choices
        if any(row["status"] == code for row in data["domain_status"])
    ]
    domains = sorted(
        {row["domain"] for row in data["domain_status"]},
        key=lambda code: labels["domain"].get(code, code),
    )
    matrix = {(row["domain"], row["status"]): row["count"] for row in data["domain_status"]}
    domain_rows = [
        {
            "label": labels["domain"].get(d, d),
            "counts": [matrix.get((d, s), 0) for s in statuses],
            "total": sum(matrix.get((d, s), 0) for s in statuses),
        }
        for d in domains
    ]
    tool_rows = sorted(
        [
            {"label": labels["tool"].get(str(k), k), "collectivites": n}
            for k, n in data["adoption"].items()
        ],
        key=lambda row: -row["collectivites"],
    )
    kind_rows = [
        {
            "label": labels["collectivite_kind"].get(
                row["collectivite_kind"], row["collectivite_kind"]
            ),
            "count": row["count"],
        }
        for row in data["kinds"]
    ]
    chart_data = {
        "domainStatus": {
            "labels": [row["label"] for row in domain_rows],
            "series": [
                {"label": str(v.Status(s).label), "data": [row["counts"][i] for row in domain_rows]}
                for i, s in enumerate(statuses)
            ],
        },
        "tools": {
            "labels": [r["label"] for r in tool_rows],
            "data": [r["collectivites"] for r in tool_rows],
        },
        "kinds": {
            "labels": [r["label"] for r in kind_rows],
            "data": [r["count"] for r in kind_rows],
        },
    }
    return render(
        request,
        "registry/dashboard.html",
        {
            "status_headers": [v.Status(s).label for s in statuses],
            "domain_rows": domain_rows,
            "tool_rows": tool_rows,
            "kind_rows": kind_rows,
            "chart_data": chart_data,
        },
    )
