"""Writes of the search's synonym list (curators, in the admin; the seed): each with its audit
row, each making every process read the list again."""

from django.db import transaction

from accounts.services import audited_delete, audited_save
from registry import search, synonyms
from registry.models import SynonymGroup


def _forget_after_commit() -> None:
    # Now, for the rest of this transaction; and after the commit, in case another request read
    # the list in between and cached it as it was.
    synonyms.forget()
    transaction.on_commit(synonyms.forget)


@transaction.atomic
def synonym_group_save(group: SynonymGroup, *, actor) -> SynonymGroup:
    group.terms = search.clean_terms(group.terms)
    audited_save(group, actor=actor)
    _forget_after_commit()
    return group


@transaction.atomic
def synonym_group_delete(group: SynonymGroup, *, actor) -> None:
    audited_delete(group, actor=actor)
    _forget_after_commit()


@transaction.atomic
def synonyms_load(rows: list[dict], *, actor=None) -> int:
    """The seed's groups (fixtures/synonyms.json) that are not there yet, found by their first
    term (accents and case aside): never overwrites what the curators changed. Returns how
    many were created."""
    known = {
        search.words_of(terms[0])
        for terms in SynonymGroup.objects.values_list("terms", flat=True)
        if terms
    }
    created = 0
    for row in rows:
        if search.words_of(row["terms"][0]) in known:
            continue
        group = SynonymGroup(
            terms=row["terms"], one_way=row.get("one_way", False), note=row.get("note", "")
        )
        synonym_group_save(group, actor=actor)
        known.add(search.words_of(group.terms[0]))
        created += 1
    return created
