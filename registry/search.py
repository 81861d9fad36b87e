"""French full-text search without the unaccent extension (absent from the embedded server):
accents are folded in Python, for the stored document and for the query alike."""

import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Value

CONFIG = "french"
# PostgreSQL refuses a tsvector over 1 MB: the indexed text of one record is capped well below it
# (what is beyond is rarely what a search is after, and the record keeps all of it).
MAX_INDEXED_CHARACTERS = 200_000


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").replace("\x00", ""))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def search_vector(*texts: str) -> SearchVector:
    text = fold(" ".join(t for t in texts if t))[:MAX_INDEXED_CHARACTERS]
    return SearchVector(Value(text), config=CONFIG)


def search_query(query: str) -> SearchQuery:
    return SearchQuery(fold(query), search_type="websearch", config=CONFIG)
