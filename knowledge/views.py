"""Pages of the knowledge base (public site)."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.policy import visibility_scope
from knowledge import selectors
from knowledge.models import Article, BibliographyEntry, GlossaryTerm, Phase, Risk, RiskKind
from registry import selectors as registry_selectors
from registry import synonyms
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


def _by_address(queryset, slug: str):
    """The risk or phase at this French address; at its code (the former address), a permanent
    redirect to it."""
    found = queryset.filter(slug=slug).first()
    if found is not None:
        return found, None
    by_code = get_object_or_404(queryset.model.objects.only("slug"), code=slug)
    return None, redirect(_page_path(queryset.model, by_code.slug), permanent=True)


def _page_path(model, slug: str) -> str:
    return reverse("knowledge:risk" if model is Risk else "knowledge:phase", args=[slug])


def risk_page(request, slug):
    risk, moved = _by_address(Risk.objects.select_related("article"), slug)
    if moved:
        return moved
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


def phase_page(request, slug):
    phase, moved = _by_address(Phase.objects.select_related("article"), slug)
    if moved:
        return moved
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
            "synonyms_used": synonyms.synonyms_used(query) if query else [],
            "status_labels": dict(v.Status.choices),
        },
    )
