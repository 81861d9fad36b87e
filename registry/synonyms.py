"""The curators' synonyms as the search reads them: loaded once into the shared cache (every
process, every host), forgotten when a curator changes the list (registry.services.synonyms).

The explorer's, the API's and the knowledge base's searches call `search_query` here; the cached
answers of a search (the explorer's counts, the API's ETags) carry the list's `digest()`."""

import hashlib
import json

from django.core.cache import cache

from registry import search
from registry.models import SynonymGroup

CACHE_KEY = "search:synonyms:v2"


def _load() -> search.Thesaurus:
    groups = list(SynonymGroup.objects.order_by("pk").values_list("terms", "one_way"))
    digest = hashlib.sha256(json.dumps(groups, ensure_ascii=False).encode()).hexdigest()[:16]
    return search.Thesaurus(
        expansions=search.thesaurus_of(groups), digest=digest, labels=search.labels_of(groups)
    )


def thesaurus() -> search.Thesaurus:
    return cache.get_or_set(CACHE_KEY, _load, None)


def forget() -> None:
    cache.delete(CACHE_KEY)


def digest() -> str:
    return thesaurus().digest


def search_query(query: str):
    """The French search query of what was typed, each synonym expanded into its group."""
    return search.search_query(query, thesaurus())


def synonyms_used(query: str) -> list[dict]:
    """What a search was widened to, for the page to say so: each synonym of the query that is in
    the list, as the curators wrote it, and the terms it also searched (« RH » → ressources
    humaines, GRH, DRH)."""
    found = thesaurus()
    used: list[tuple[str, ...]] = []
    search.search_query(query, found, used)
    shown, seen = [], set()
    for alternatives in used:
        if alternatives in seen:
            continue
        seen.add(alternatives)
        labels = [found.labels.get(term, term) for term in alternatives]
        shown.append({"term": labels[0], "also": labels[1:]})
    return shown
