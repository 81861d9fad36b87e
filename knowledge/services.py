"""Writes of the knowledge base: every article and term gets its search vector here."""

from statistics import median

from django.db import transaction
from django.utils.text import slugify

from accounts.services import audited_delete, audited_save
from knowledge.links import forget_slugs
from knowledge.models import (
    Article,
    BibliographyEntry,
    GlossaryTerm,
    MaturityAxis,
    MaturityQuestion,
    MaturityScore,
    Phase,
    Risk,
)
from registry.peers import RULE_LABELS, peers_of
from registry.search import search_vector


@transaction.atomic
def article_save(article: Article, *, actor=None) -> Article:
    audited_save(article, actor=actor)
    Article.objects.filter(pk=article.pk).update(
        search_vector=search_vector(article.title, article.summary, article.body, article.section)
    )
    return article


@transaction.atomic
def term_save(term: GlossaryTerm, *, actor=None) -> GlossaryTerm:
    audited_save(term, actor=actor)
    GlossaryTerm.objects.filter(pk=term.pk).update(
        search_vector=search_vector(term.term, term.definition)
    )
    return term


@transaction.atomic
def entry_save(instance, *, actor=None):
    """Any other entry of the knowledge base (risks, phases, bibliography, maturity axes). A risk
    or a phase without an address gets one from its name."""
    if isinstance(instance, Risk | Phase):
        if not instance.slug:
            instance.slug = _free_slug(type(instance), slugify(instance.name)[:90], instance.pk)
        _forget_slugs()
    return audited_save(instance, actor=actor)


@transaction.atomic
def entry_delete(instance, *, actor=None) -> None:
    if isinstance(instance, Risk | Phase):
        _forget_slugs()
    audited_delete(instance, actor=actor)


def _free_slug(model, slug: str, pk) -> str:
    candidate, n = slug or "page", 2
    while model.objects.filter(slug=candidate).exclude(pk=pk).exists():
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def _forget_slugs() -> None:
    # Now and after the commit (another request may read the old table in between).
    forget_slugs()
    transaction.on_commit(forget_slugs)


@transaction.atomic
def load_knowledge(data: dict) -> dict[str, int]:
    """Create what is missing from the seed file (looked up by slug or code): idempotent, and it
    never overwrites what curators have edited since."""
    created = {
        "articles": 0,
        "terms": 0,
        "risks": 0,
        "phases": 0,
        "bibliography": 0,
        "axes": 0,
        "questions": 0,
    }
    articles = {}
    for row in data["articles"]:
        article = Article.objects.filter(slug=row["slug"]).first()
        if article is None:
            article = article_save(Article(**row))
            created["articles"] += 1
        articles[article.slug] = article
    for row in data["terms"]:
        if not GlossaryTerm.objects.filter(slug=row["slug"]).exists():
            term_save(GlossaryTerm(**{**row, "article": articles.get(row.get("article"))}))
            created["terms"] += 1
    for position, row in enumerate(data["risks"], start=1):
        _risk, was_created = Risk.objects.get_or_create(
            code=row["code"],
            defaults={**row, "article": articles.get(row.get("article")), "position": position},
        )
        created["risks"] += was_created
    for row in data["phases"]:
        _phase, was_created = Phase.objects.get_or_create(
            code=row["code"], defaults={**row, "article": articles.get(row.get("article"))}
        )
        created["phases"] += was_created
    if created["risks"] or created["phases"]:
        _forget_slugs()
    for position, row in enumerate(data["bibliography"], start=1):
        _entry, was_created = BibliographyEntry.objects.get_or_create(
            title=row["title"],
            publisher=row["publisher"],
            defaults={**row, "position": position},
        )
        created["bibliography"] += was_created
    for position, row in enumerate(data["maturity"]["axes"], start=1):
        values = {key: value for key, value in row.items() if key != "questions"}
        axis, was_created = MaturityAxis.objects.get_or_create(
            code=row["code"],
            defaults={**values, "article": articles.get(row.get("article")), "position": position},
        )
        created["axes"] += was_created
        for index, question in enumerate(row["questions"], start=1):
            _question, was_created = MaturityQuestion.objects.get_or_create(
                code=question["code"], defaults={**question, "axis": axis, "position": index}
            )
            created["questions"] += was_created
    return created


def axis_scores(answers: dict[str, int]) -> dict[str, int]:
    """Score per axis, from 0 to 100: the mean of the axis' answers over the best possible (4)."""
    scores = {}
    for axis in MaturityAxis.objects.prefetch_related("questions"):
        questions = list(axis.questions.all())
        if not questions:
            continue
        total = sum(answers.get(question.code, 0) for question in questions)
        scores[axis.code] = round(100 * total / (4 * len(questions)))
    return scores


MIN_PEERS = 3


def peer_medians(collectivite) -> tuple[dict[str, float], int, list[tuple[str, int]]]:
    """Median score per axis among the collectivité's peers (registry.peers: same EPCI,
    comparable population, same département), from the public aggregate only. With fewer than
    MIN_PEERS peers who answered, no median (privacy and meaning): an empty dict. Also how many
    answered, and how many of them each rule picked (its label and count, best rule first)."""
    peers = {peer.pk: peer for peer in peers_of(collectivite)}
    rows = MaturityScore.objects.filter(collectivite_id__in=list(peers)).values_list(
        "axis", "score", "collectivite_id"
    )
    by_axis: dict[str, list[int]] = {}
    answered = set()
    for axis, score, collectivite_id in rows:
        by_axis.setdefault(axis, []).append(score)
        answered.add(collectivite_id)
    by_rule: dict[str, int] = {}
    for pk in sorted(answered, key=lambda pk: peers[pk].rank):
        # Under the rule that picked it first, without its population: nobody is recognisable.
        label = str(RULE_LABELS[peers[pk].rules[0]])
        by_rule[label] = by_rule.get(label, 0) + 1
    if len(answered) < MIN_PEERS:
        return {}, len(answered), list(by_rule.items())
    medians = {axis: median(scores) for axis, scores in by_axis.items()}
    return medians, len(answered), list(by_rule.items())
