"""French full-text search without the unaccent extension (absent from the embedded server):
accents are folded in Python, for the stored document and for the query alike.

A query is expanded with the curators' synonyms (registry.models.SynonymGroup, loaded and cached
by registry.synonyms): each term of the query that is a synonym, a word or several (« RH »,
« ressources humaines »), is searched as any of its group's terms. Pure functions here: the
directory and the models import this module."""

import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.exceptions import ValidationError
from django.db.models import Value
from django.utils.translation import gettext as _

CONFIG = "french"
# PostgreSQL refuses a tsvector over 1 MB: the indexed text of one record is capped well below it
# (what is beyond is rarely what a search is after, and the record keeps all of it).
MAX_INDEXED_CHARACTERS = 200_000
# A query longer than this is searched as typed, without synonyms: the expanded query grows with
# each synonym, and nobody types forty words into a search box.
MAX_EXPANDED_WORDS = 40
TERM_MAX_LENGTH = 100

WORD = re.compile(r"\w+")
# websearch_to_tsquery's syntax: « "a phrase" », « -excluded », « or ».
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").replace("\x00", ""))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def _singular(word: str) -> str:
    # « délibérations » is a synonym of « délibération », « RH » stays « rh ».
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


def words_of(text: str) -> tuple[str, ...]:
    """The folded words of a text, in the singular: what a synonym is matched on (« Délib-IA »
    → delib, ia; « ressources humaines » → ressource, humaine)."""
    return tuple(_singular(word) for word in WORD.findall(fold(text)))


def search_vector(*texts: str) -> SearchVector:
    text = fold(" ".join(t for t in texts if t))[:MAX_INDEXED_CHARACTERS]
    return SearchVector(Value(text), config=CONFIG)


@dataclass(frozen=True)
class Thesaurus:
    """The synonyms as the search uses them: for each term (its folded words), every term it
    also finds, itself first. `digest` names this version of the list (cache keys carry it)."""

    expansions: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    digest: str = ""
    # Each term as searched → as the curators wrote it (« deliberation » → « délibération »).
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def longest(self) -> int:
        return max((len(key) for key in self.expansions), default=0)


def labels_of(groups) -> dict[str, str]:
    """{term as searched: term as written}, the first spelling of each."""
    labels: dict[str, str] = {}
    for terms, _one_way in groups:
        for term in terms:
            labels.setdefault(" ".join(WORD.findall(fold(term))), " ".join(term.split()))
    return labels


def thesaurus_of(groups) -> dict[tuple[str, ...], tuple[str, ...]]:
    """{term's words: the terms it finds} from groups given as (terms, one_way): every term of a
    group finds all the others, or only the first term finds the others when it is one way.
    A term in several groups finds the terms of each (no chaining from one group to the next)."""
    expansions: dict[tuple[str, ...], list[str]] = {}
    for terms, one_way in groups:
        # Each term as it is searched (folded, its words in a row), and as it is matched.
        alternatives = {words_of(term): " ".join(WORD.findall(fold(term))) for term in terms}
        alternatives.pop((), None)
        if len(alternatives) < 2:
            continue
        keys = list(alternatives)
        for key in keys[:1] if one_way else keys:
            found = expansions.setdefault(key, [alternatives[key]])
            found.extend(alt for alt in alternatives.values() if alt not in found)
    return {key: tuple(found) for key, found in expansions.items()}


def clean_terms(terms) -> list[str]:
    """A group's terms as a curator typed them: trimmed, each once (accents and case aside), at
    least two, each with a letter or a digit. ValidationError in French otherwise."""
    cleaned, seen = [], set()
    for term in terms:
        term = " ".join((term or "").split())
        if not term:
            continue
        if len(term) > TERM_MAX_LENGTH:
            raise ValidationError(
                _("« %(term)s » est trop long (%(max)s caractères au plus).")
                % {"term": term[:40] + "…", "max": TERM_MAX_LENGTH}
            )
        key = words_of(term)
        if not key:
            raise ValidationError(
                _("« %(term)s » ne contient ni lettre ni chiffre.") % {"term": term}
            )
        if key in seen:
            raise ValidationError(
                _("« %(term)s » figure deux fois dans le groupe.") % {"term": term}
            )
        seen.add(key)
        cleaned.append(term)
    if len(cleaned) < 2:
        raise ValidationError(_("Un groupe réunit au moins deux termes, un par ligne."))
    return cleaned


def _query(text: str, search_type: str) -> SearchQuery:
    return SearchQuery(text, search_type=search_type, config=CONFIG)


def _any_of(alternatives: tuple[str, ...]) -> SearchQuery:
    # A phrase: « ressources humaines » is the two words in a row, not each anywhere.
    query = _query(alternatives[0], "phrase")
    for alternative in alternatives[1:]:
        query = query | _query(alternative, "phrase")
    return query


def _none_of(alternatives: tuple[str, ...]) -> SearchQuery:
    # Django cannot negate a combined query: not (a or b) is written (not a) and (not b).
    query = ~_query(alternatives[0], "phrase")
    for alternative in alternatives[1:]:
        query = query & ~_query(alternative, "phrase")
    return query


def _expand_words(
    words: list[tuple[str, int]], thesaurus: Thesaurus, used: list
) -> list[SearchQuery]:
    """The queries of a run of plain words (each with the index of the token it came from):
    the longest synonym first at each position; the other words of one token stay a phrase
    (« sous-traitance »), as websearch_to_tsquery keeps them."""
    units: list[SearchQuery] = []
    pending: list[tuple[str, int]] = []

    def flush():
        by_token: dict[int, list[str]] = {}
        for word, token in pending:
            by_token.setdefault(token, []).append(word)
        for token_words in by_token.values():
            kind = "phrase" if len(token_words) > 1 else "plain"
            units.append(_query(" ".join(token_words), kind))
        pending.clear()

    position, longest = 0, thesaurus.longest
    while position < len(words):
        for length in range(min(longest, len(words) - position), 0, -1):
            key = tuple(_singular(word) for word, _token in words[position : position + length])
            if key in thesaurus.expansions:
                flush()
                used.append(thesaurus.expansions[key])
                units.append(_any_of(thesaurus.expansions[key]))
                position += length
                break
        else:
            pending.append(words[position])
            position += 1
    flush()
    return units


def search_query(
    query: str, thesaurus: Thesaurus | None = None, used: list | None = None
) -> SearchQuery:
    """The query as PostgreSQL's websearch syntax reads it (phrases in quotes, « -mot » excluded,
    « or »), each synonym searched as any term of its group. `used`, when given, receives the
    groups that were searched for (each its terms, the typed one first), excluded ones aside."""
    used = [] if used is None else used
    folded = fold(query)
    plain = _query(folded, "websearch")
    if thesaurus is None or not thesaurus.expansions:
        return plain
    if len(WORD.findall(folded)) > MAX_EXPANDED_WORDS:
        return plain
    branches: list[list[SearchQuery]] = [[]]
    run: list[tuple[str, int]] = []

    def end_run():
        branches[-1].extend(_expand_words(run, thesaurus, used))
        run.clear()

    for index, match in enumerate(TOKEN.finditer(folded)):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare == "or":
            end_run()
            if branches[-1]:
                branches.append([])
            continue
        if bare is not None and not (bare.startswith("-") and len(bare) > 1):
            run.extend((word, index) for word in WORD.findall(bare))
            continue
        end_run()
        text = phrase if bare is None else bare[1:]
        words = WORD.findall(text)
        if not words:
            continue
        alternatives = thesaurus.expansions.get(tuple(_singular(word) for word in words))
        if negated or bare is not None:
            unit = _none_of(alternatives or (" ".join(words),))
        else:
            unit = _any_of(alternatives or (" ".join(words),))
            if alternatives:
                used.append(alternatives)
        branches[-1].append(unit)
    end_run()
    branches = [units for units in branches if units]
    if not branches:
        return plain
    combined = None
    for units in branches:
        every = units[0]
        for unit in units[1:]:
            every = every & unit
        combined = every if combined is None else combined | every
    return combined
