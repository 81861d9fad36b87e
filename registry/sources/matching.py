"""Matching a French record of a public source to the directory of collectivités
(registry.DirectoryEntry): by SIRET (its SIREN), else SIREN, else INSEE code, else its name and
département, with the rule used and a confidence out of 100.

The name rule compares the words of the names once the words that only say what kind of body it
is are set aside, in French and in English (« City of Saint-Étienne », « Nantes Métropole &
Ville », « Île-de-France Regional Council »): those words say which kinds the name may stand for.
It keeps the current entries of those kinds in the départements (or région) the source gives,
whose words are the same; one: matched; several: the kind the source names first, if it tells
them apart, else unmatched with the candidates kept for a curator. Without a département, a name
is matched only if one entry in France bears it.

Codes are looked up for a whole batch in two queries; a name costs one query, cached for the
import (the same organisation comes back on many rows).
"""

import re
from dataclasses import dataclass, field

from django.db.models import Q

from registry.directory import DirectoryEntry, search_name, trigrams
from registry.sources.base import Identity
from registry.vocabularies import DIRECTORY_SUBDIVISIONS, MatchRule
from registry.vocabularies import DirectoryKind as K

CONFIDENCE = {
    MatchRule.SIRET: 100,
    MatchRule.SIREN: 100,
    MatchRule.INSEE: 95,
    MatchRule.NAME_DEPARTEMENT: 85,
    MatchRule.NAME: 60,
}
# Several bodies with the name, told apart by the kind the source names first.
KIND_CHOSEN_CONFIDENCE = 70
CANDIDATES_KEPT = 10

# Words that say what kind of body a name is (French and English, folded), and the kinds.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "metropole": (K.METROPOLE,),
    "metropolis": (K.METROPOLE,),
    "metropolitan": (K.METROPOLE,),
    "eurometropole": (K.METROPOLE,),
    "ville": (K.COMMUNE,),
    "city": (K.COMMUNE,),
    "town": (K.COMMUNE,),
    "municipality": (K.COMMUNE,),
    "municipal": (K.COMMUNE,),
    "commune": (K.COMMUNE,),
    "mairie": (K.COMMUNE,),
    "agglomeration": (K.CA,),
    "agglo": (K.CA,),
    "urbaine": (K.CU,),
    "region": (K.REGION,),
    "regional": (K.REGION,),
    "departement": (K.DEPARTEMENT,),
    "departemental": (K.DEPARTEMENT,),
    "department": (K.DEPARTEMENT,),
    "county": (K.DEPARTEMENT,),
}
# Words that carry no name (articles, « council », « communauté de communes »…).
NOISE_WORDS = {
    "de",
    "du",
    "des",
    "d",
    "la",
    "le",
    "les",
    "l",
    "et",
    "and",
    "of",
    "the",
    "en",
    "sur",
    "council",
    "conseil",
    "government",
    "authority",
    "communaute",
    "communes",
    "community",
    "collectivite",
    "territoriale",
    "ca",
    "cc",
    "cu",
}
# English words of names, in French.
TRANSLATIONS = {"greater": "grand", "european": "europeenne", "saint": "saint"}
# Words that say the organisation is not a collectivité (the State, a hospital, a port…).
NOT_LOCAL_WORDS = {
    "prefecture",
    "prefect",
    "ministry",
    "ministere",
    "hospital",
    "hopital",
    "university",
    "universite",
    "port",
    "police",
    "gendarmerie",
}


@dataclass
class Match:
    rule: str
    confidence: int | None = None
    entry: DirectoryEntry | None = None
    candidates: list[str] = field(default_factory=list)


UNMATCHED = Match(MatchRule.UNMATCHED)
NOT_LOCAL = Match(MatchRule.NOT_LOCAL)


def name_words(name: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The words of a name that name it, and the kinds its other words say it is."""
    words, kinds = set(), []
    for word in search_name(name).split():
        word = TRANSLATIONS.get(word, word)
        if word in KIND_WORDS:
            kinds.extend(kind for kind in KIND_WORDS[word] if kind not in kinds)
        elif word not in NOISE_WORDS:
            words.add(word)
    return frozenset(words), tuple(kinds)


def _siren_of(identity: Identity) -> str:
    digits = re.sub(r"\D", "", identity.siret or "")
    if len(digits) == 14:
        return digits[:9]
    return re.sub(r"\D", "", identity.siren or "")


class Matcher:
    """Matches many identities, for one import (codes in bulk, names cached)."""

    def __init__(self):
        self._names: dict[tuple, Match] = {}

    def match_many(self, identities: list[Identity | None]) -> list[Match | None]:
        """One match per identity (None: not a French record, nothing to match)."""
        sirens = {_siren_of(i) for i in identities if i is not None} - {""}
        insee = {i.insee_code.strip() for i in identities if i is not None and i.insee_code} - {""}
        by_siren, by_insee = {}, {}
        if sirens:
            for entry in DirectoryEntry.objects.current().filter(siren__in=sirens):
                by_siren.setdefault(entry.siren, entry)
        if insee:
            entries = (
                DirectoryEntry.objects.current()
                .filter(Q(insee_code__in=insee) | Q(former_codes__overlap=list(insee)))
                .exclude(kind__in=DIRECTORY_SUBDIVISIONS)
                .order_by("kind")
            )
            for entry in entries:
                # A commune first (a département's code is two characters: never five).
                for code in (entry.insee_code, *entry.former_codes):
                    if code in insee and (code not in by_insee or entry.kind == K.COMMUNE):
                        by_insee[code] = entry
        return [self._match(i, by_siren, by_insee) for i in identities]

    def _match(self, identity, by_siren, by_insee) -> Match | None:
        if identity is None:
            return None
        siren = _siren_of(identity)
        if siren in by_siren:
            rule = MatchRule.SIRET if identity.siret else MatchRule.SIREN
            return Match(rule, CONFIDENCE[rule], by_siren[siren])
        code = identity.insee_code.strip()
        if code in by_insee:
            return Match(MatchRule.INSEE, CONFIDENCE[MatchRule.INSEE], by_insee[code])
        if not identity.local:
            return NOT_LOCAL
        if not identity.name:
            return UNMATCHED
        return self.match_name(identity)

    def match_name(self, identity: Identity) -> Match:
        words, named_kinds = name_words(identity.name)
        if set(search_name(identity.name).split()) & NOT_LOCAL_WORDS:
            return NOT_LOCAL
        kinds = named_kinds or identity.kinds
        cache_key = (words, kinds, identity.departements, identity.region)
        if cache_key not in self._names:
            self._names[cache_key] = self._by_name(words, kinds, identity)
        return self._names[cache_key]

    def _by_name(self, words, kinds, identity: Identity) -> Match:
        if not words:
            return UNMATCHED
        longest = max(words, key=len)
        entries = DirectoryEntry.objects.current().filter(
            search_trigrams__contains=trigrams(longest)
        )
        if kinds:
            entries = entries.filter(kind__in=kinds)
        else:
            entries = entries.exclude(kind__in=DIRECTORY_SUBDIVISIONS)
        placed = bool(identity.departements or identity.region)
        if placed:
            place = Q(departement__in=identity.departements) if identity.departements else Q()
            if identity.region:
                place |= Q(kind=K.REGION, insee_code=identity.region)
                if not identity.departements:
                    place |= Q(region=identity.region)
            entries = entries.filter(place)
        same = [entry for entry in entries if name_words(entry.name)[0] == words]
        if not same:
            return UNMATCHED
        rule = MatchRule.NAME_DEPARTEMENT if placed else MatchRule.NAME
        if len(same) == 1:
            return Match(rule, CONFIDENCE[rule], same[0])
        order = {kind: rank for rank, kind in enumerate(kinds)}
        same.sort(key=lambda entry: (order.get(entry.kind, len(order)), entry.key))
        first, second = same[0], same[1]
        if placed and kinds and order.get(first.kind) != order.get(second.kind):
            return Match(rule, KIND_CHOSEN_CONFIDENCE, first)
        return Match(
            MatchRule.UNMATCHED, candidates=[entry.key for entry in same[:CANDIDATES_KEPT]]
        )
