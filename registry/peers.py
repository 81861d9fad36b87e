"""Comparable collectivités (« pairs »), computed from the official directory, each with the rule
that picked it. One function, `peers_of`, in two queries whatever the number of peers; read by
the "similar cases" of a published case, the maturity self-assessment's medians and the public
page of a collectivité.

The rules, best first (a peer picked by several keeps them all, the best one leads):

1. the same EPCI: for a commune, the other communes of its EPCI and the EPCI itself; for an EPCI,
   its member communes (the directory's `parent_epci`);
2. a comparable population: the same kind, and a population (the directory's municipal
   population, else the one entered for the collectivité) between half and twice its own. A ratio
   rather than the INSEE size bands: a commune of 3 499 inhabitants and one of 3 500 are peers,
   one of 1 000 and one of 3 499 are not;
3. the same département: the same kind, in the same département.
"""

import math
from dataclasses import dataclass

from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.models import Collectivite
from registry.vocabularies import DIRECTORY_EPCI, CollectiviteKind

# A peer's population lies within [population / RATIO, population * RATIO].
POPULATION_RATIO = 2

SAME_EPCI = "same_epci"
OWN_EPCI = "own_epci"
EPCI_MEMBER = "epci_member"
POPULATION = "population"
DEPARTEMENT = "departement"
# Rank of each rule (lower is closer).
RULE_RANK = {SAME_EPCI: 0, OWN_EPCI: 0, EPCI_MEMBER: 0, POPULATION: 1, DEPARTEMENT: 2}
RULE_LABELS = {
    SAME_EPCI: gettext_lazy("même EPCI"),
    OWN_EPCI: gettext_lazy("son EPCI"),
    EPCI_MEMBER: gettext_lazy("commune membre de l'EPCI"),
    POPULATION: gettext_lazy("population comparable"),
    DEPARTEMENT: gettext_lazy("même département"),
}


@dataclass(frozen=True)
class Profile:
    """What the rules compare: the directory's figures, else those entered by hand."""

    pk: int
    kind: str
    population: int | None
    departement: str
    entry_id: int | None
    parent_epci_id: int | None


@dataclass(frozen=True)
class Peer:
    pk: int
    name: str
    slug: str
    kind: str
    population: int | None
    rules: tuple[str, ...]  # best first

    @property
    def rank(self) -> int:
        return RULE_RANK[self.rules[0]]

    @property
    def reasons(self) -> list[str]:
        return [rule_label(rule, self.population) for rule in self.rules]

    @property
    def reason(self) -> str:
        """« même EPCI », « population comparable (12 000 hab.) », « même département »…"""
        return ", ".join(self.reasons)


def rule_label(rule: str, population: int | None = None) -> str:
    if rule == POPULATION and population:
        return _("population comparable (%(population)s hab.)") % {
            "population": number_format(population, force_grouping=True)
        }
    return str(RULE_LABELS[rule])


PROFILE_FIELDS = (
    "pk",
    "name",
    "slug",
    "kind",
    "p_population",
    "p_departement",
    "p_entry",
    "p_epci",
)


def _with_profile(queryset):
    return queryset.annotate(
        p_population=Coalesce("directory_entry__population", "population"),
        p_departement=Coalesce(NullIf("directory_entry__departement", Value("")), "departement"),
        p_entry=F("directory_entry_id"),
        p_epci=F("directory_entry__parent_epci_id"),
    )


def profile_of(collectivite: Collectivite | int) -> Profile | None:
    """The figures the rules compare, read in one query."""
    pk = collectivite if isinstance(collectivite, int) else collectivite.pk
    row = _with_profile(Collectivite.objects.filter(pk=pk)).values(*PROFILE_FIELDS).first()
    if row is None:
        return None
    return Profile(
        pk=row["pk"],
        kind=row["kind"],
        population=row["p_population"],
        departement=row["p_departement"],
        entry_id=row["p_entry"],
        parent_epci_id=row["p_epci"],
    )


def peers_of(collectivite: Collectivite | int) -> list[Peer]:
    """The comparable collectivités of the registry, closest first (rule, then population
    closeness, then name), each with the rules that picked it. Two queries."""
    me = profile_of(collectivite)
    if me is None:
        return []
    picks = Q()
    if me.kind == CollectiviteKind.COMMUNE and me.parent_epci_id:
        picks |= Q(p_epci=me.parent_epci_id) | Q(p_entry=me.parent_epci_id)
    if me.kind in DIRECTORY_EPCI and me.entry_id:
        picks |= Q(p_epci=me.entry_id)
    if me.population:
        low, high = math.ceil(me.population / POPULATION_RATIO), me.population * POPULATION_RATIO
        picks |= Q(kind=me.kind, p_population__gte=low, p_population__lte=high)
    if me.departement:
        picks |= Q(kind=me.kind, p_departement=me.departement)
    if not picks:
        return []
    rows = _with_profile(Collectivite.objects.exclude(pk=me.pk)).filter(picks)
    peers = [_peer(me, row) for row in rows.values(*PROFILE_FIELDS)]
    return sorted(peers, key=lambda peer: (peer.rank, _distance(me, peer), peer.name, peer.pk))


def _peer(me: Profile, row: dict) -> Peer:
    rules = []
    if me.parent_epci_id and row["p_epci"] == me.parent_epci_id:
        rules.append(SAME_EPCI)
    if me.parent_epci_id and row["p_entry"] == me.parent_epci_id:
        rules.append(OWN_EPCI)
    if me.entry_id and row["p_epci"] == me.entry_id:
        rules.append(EPCI_MEMBER)
    if row["kind"] == me.kind:
        population = row["p_population"]
        if me.population and population and _comparable(me.population, population):
            rules.append(POPULATION)
        if me.departement and row["p_departement"] == me.departement:
            rules.append(DEPARTEMENT)
    return Peer(
        pk=row["pk"],
        name=row["name"],
        slug=row["slug"],
        kind=row["kind"],
        population=row["p_population"],
        rules=tuple(rules),
    )


def _comparable(mine: int, theirs: int) -> bool:
    return math.ceil(mine / POPULATION_RATIO) <= theirs <= mine * POPULATION_RATIO


def _distance(me: Profile, peer: Peer) -> float:
    if not me.population or not peer.population:
        return math.inf
    return abs(math.log(peer.population / me.population))
