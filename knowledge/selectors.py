from django.contrib.postgres.search import SearchRank
from django.db.models import F

from accounts.policy import visibility_scope
from knowledge.models import Article, GlossaryTerm
from registry import selectors as registry_selectors
from registry.synonyms import search_query


def search(query: str, user, limit: int = 20) -> dict[str, list]:
    """One French, accent-insensitive search across articles, glossary terms and the published
    use cases the viewer may see: three indexed queries."""
    if not query.strip():
        return {"articles": [], "terms": [], "use_cases": []}
    tsquery = search_query(query)
    rank = SearchRank(F("search_vector"), tsquery)
    articles = list(
        Article.objects.filter(search_vector=tsquery).annotate(rank=rank).order_by("-rank")[:limit]
    )
    terms = list(
        GlossaryTerm.objects.filter(search_vector=tsquery)
        .select_related("article")
        .annotate(rank=rank)
        .order_by("-rank")[:limit]
    )
    use_cases = list(
        registry_selectors.benchmark_entries(visibility_scope(user))
        .filter(search_vector=tsquery)
        .annotate(rank=rank)
        .order_by("-rank", "public_id")
        .values_list("payload", flat=True)[:limit]
    )
    return {"articles": articles, "terms": terms, "use_cases": use_cases}
