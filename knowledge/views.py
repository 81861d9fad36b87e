"""Pages of the knowledge base (public site)."""

from django.shortcuts import get_object_or_404, render

from accounts.policy import visibility_scope
from knowledge import selectors
from knowledge.models import Article, BibliographyEntry, GlossaryTerm, Phase, Risk, RiskKind
from registry import selectors as registry_selectors
from registry import vocabularies as v


def index(request):
    return render(
        request,
        "knowledge/index.html",
        {
            "articles": Article.objects.all(),
            "phases": Phase.objects.all(),
            "risks": Risk.objects.all(),
            "kinds": dict(RiskKind.choices),
        },
    )


def article(request, slug):
    item = get_object_or_404(Article, slug=slug)
    return render(
        request,
        "knowledge/article.html",
        {
            "article": item,
            "terms": item.terms.all(),
            "risks": item.risks.all(),
            "phases": item.phases.all(),
            "siblings": Article.objects.only("slug", "title", "position"),
        },
    )


def glossary(request):
    return render(
        request,
        "knowledge/glossary.html",
        {
            "terms": GlossaryTerm.objects.select_related("article"),
        },
    )


def risk_list(request):
    return render(
        request,
        "knowledge/risk_list.html",
        {
            "risks": Risk.objects.all(),
            "kinds": dict(RiskKind.choices),
        },
    )


def _entries(request):
    return registry_selectors.benchmark_entries(visibility_scope(request.user))


def risk_page(request, code):
    risk = get_object_or_404(Risk.objects.select_related("article"), code=code)
    entries = (
        _entries(request)
        .filter(risk_codes__contains=[risk.code])
        .order_by("-published_at")
        .values_list("payload", flat=True)
    )
    return render(
        request,
        "knowledge/risk.html",
        {
            "risk": risk,
            "entries": list(entries),
            "kinds": dict(RiskKind.choices),
            "status_labels": dict(v.Status.choices),
        },
    )


def phase_list(request):
    return render(request, "knowledge/phase_list.html", {"phases": Phase.objects.all()})


def phase_page(request, code):
    phase = get_object_or_404(Phase.objects.select_related("article"), code=code)
    entries = (
        _entries(request)
        .filter(method_phase=phase.code)
        .order_by("-published_at")
        .values_list("payload", flat=True)
    )
    return render(
        request,
        "knowledge/phase.html",
        {
            "phase": phase,
            "entries": list(entries),
            "status_labels": dict(v.Status.choices),
        },
    )


def bibliography(request):
    return render(
        request,
        "knowledge/bibliography.html",
        {
            "entries": BibliographyEntry.objects.all(),
        },
    )


def search(request):
    query = request.GET.get("q", "").strip()
    return render(
        request,
        "knowledge/search.html",
        {
            "q": query,
            "results": selectors.search(query, request.user),
            "status_labels": dict(v.Status.choices),
        },
    )
