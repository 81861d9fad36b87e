"""French full-text search without the unaccent extension (absent from the embedded server):
accents are folded in Python, for the stored document and for the query alike."""

import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Value

CONFIG = "french"


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").replace("\x00", ""))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def search_vector(*texts: str) -> SearchVector:
    return SearchVector(Value(fold(" ".join(t for t in texts if t))), config=CONFIG)


def search_query(query: str) -> SearchQuery:
    return SearchQuery(fold(query), search_type="websearch", config=CONFIG)
