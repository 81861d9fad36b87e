"""The search's synonyms (issue 11, « Search »): a French list the curators edit in the admin,
used by the explorer, the benchmark's API and the knowledge base, cached in the shared cache and
forgotten when it changes."""

import html
import json

import pytest
from django.contrib.postgres.search import SearchVector
from django.core.cache import cache
from django.db.models import Value

from accounts.models import AuditEvent
from casestudies.seed import SYNONYMS_FILE
from knowledge.selectors import search as knowledge_search
from registry import search, services, synonyms
from registry.models import BenchmarkEntry, SynonymGroup, Term

DRH = "Une DRH qui projette l'usage de l'IA à l'échelle de sa collectivité"
CAREERS = "Modernisation de la gestion des arrêtés de carrière"
SCUM = (
    "Déploiement d'une gouvernance interne et de projets flash et mise en place d'une méthode agile"
)
DELIBIA = "Collectivité expérimentant l'outil"
ASSEMBLIES = "administration-generale-et-assemblees"


def explorer(client, q) -> str:
    return html.unescape(client.get("/cas-d-usage/", {"q": q}).content.decode())


def knowledge(client, q) -> str:
    return html.unescape(client.get("/connaissances/recherche/", {"q": q}).content.decode())


def explorer_titles(q) -> set[str]:
    return set(
        BenchmarkEntry.objects.filter(search_vector=synonyms.search_query(q)).values_list(
            "title", flat=True
        )
    )


def article_slugs(q) -> set[str]:
    return {article.slug for article in knowledge_search(q, user=None)["articles"]}


def term_slugs(q) -> set[str]:
    return {term.slug for term in knowledge_search(q, user=None)["terms"]}


def without_synonyms(actor=None):
    for group in SynonymGroup.objects.all():
        services.synonym_group_delete(group, actor=actor)


# --- the examples, in both searches -----------------------------------------------------


def test_rh_finds_ressources_humaines_both_ways(client_for):
    client = client_for(None)
    # The two cases say « ressources humaines » / « DRH », never « RH ».
    page = explorer(client, "RH")
    assert DRH in page and CAREERS in page
    # « formation-des-agents » speaks of « ressources humaines » only; the GPEC term of « RH ».
    assert "formation-des-agents" in article_slugs("RH")
    assert "gpec" in term_slugs("ressources humaines")
    assert "Former les agents à l" in knowledge(client, "rh")


def test_agent_conversationnel_and_chatbot_find_each_other(client_for):
    client = client_for(None)
    assert SCUM in explorer(client, "agent conversationnel")  # its « chatbot interne »
    # The introduction speaks of chatbots only; the « IA faible » term of « assistant virtuel ».
    assert "introduction-ia-et-collectivites" in article_slugs("agent conversationnel")
    assert "ia-faible" in term_slugs("chatbot")
    assert "Chatbot et callbot" in knowledge(client, "assistant virtuel")


def test_deliberation_finds_the_assemblies_and_delibia(client_for):
    client = client_for(None)
    assemblies = set(
        BenchmarkEntry.objects.filter(domains__contains=[ASSEMBLIES]).values_list(
            "title", flat=True
        )
    )
    assert len(assemblies) >= 3
    assert explorer_titles("délibération") >= assemblies
    page = explorer(client, "Deliberation")
    assert all(title in page for title in assemblies)
    # The article of chapter 5 names Delibia, never « délibération ».
    assert "cas-d-usage-collectivites" in article_slugs("délibération")
    assert "Sept démarches de collectivités" in knowledge(client, "délibérations")


def test_deliberation_is_one_way(db):
    # « conseil municipal » finds what speaks of a conseil municipal, not every délibération.
    assert explorer_titles("Delibia") <= explorer_titles("délibération")
    assert not explorer_titles("conseil municipal")


def test_scrum_finds_the_guides_scum_row(client_for, api_for):
    client = client_for(None)
    assert SCUM in explorer(client, "Scrum")
    assert "Sept démarches de collectivités" in knowledge(client, "SCUM")
    titles = [row["title"] for row in api_for(None).get("/api/v1/benchmark/use-cases/?q=scrum").json()["results"]]  # fmt: skip
    assert SCUM in titles


def test_both_searches_say_which_synonyms_they_used(client_for):
    client = client_for(None)
    said = "Recherche élargie aux synonymes : «\xa0Scrum\xa0» (aussi «\xa0SCUM\xa0»)."
    assert said in explorer(client, "scrum")
    assert "«\xa0délibération\xa0» (aussi «\xa0assemblée\xa0», " in knowledge(
        client, "délibérations"
    )
    assert "élargie" not in explorer(client, "whatsnext")
    assert "élargie" not in explorer(client, "-scrum")  # an excluded word widens nothing


def test_without_the_list_the_same_searches_find_less(client_for):
    """The examples above owe their results to the list (this test fails if they do not)."""
    without_synonyms()
    assert SCUM not in explorer(client_for(None), "Scrum")
    assert DRH not in explorer_titles("RH")
    assert "cas-d-usage-collectivites" not in article_slugs("délibération")
    assert "introduction-ia-et-collectivites" not in article_slugs("agent conversationnel")


def test_every_seeded_group_finds_something(db):
    """Each group of the seed was chosen from the guide's and the knowledge base's text: each of
    its terms finds at least one article, term or case."""
    rows = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))["groups"]
    assert SynonymGroup.objects.count() == len(rows)
    for row in rows:
        for term in row["terms"][:1] if row.get("one_way") else row["terms"]:
            found = explorer_titles(term) or article_slugs(term) or term_slugs(term)
            assert found, term


def test_the_seed_is_idempotent_and_keeps_the_curators_changes(db, people):
    group = SynonymGroup.objects.get(terms__0="Scrum")
    group.terms = ["Scrum", "mêlée"]
    services.synonym_group_save(group, actor=people["curator"])
    rows = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))["groups"]
    assert services.synonyms_load(rows) == 0
    assert SynonymGroup.objects.get(pk=group.pk).terms == ["Scrum", "mêlée"]


# --- the query: syntax, accents, several words -------------------------------------------------


def thesaurus(*groups):
    return search.Thesaurus(expansions=search.thesaurus_of(groups), digest="t")


def test_a_group_expands_each_term_into_all_and_a_one_way_group_its_first_only():
    expansions = search.thesaurus_of(
        [(["Ressources humaines", "RH"], False), (["délibération", "Conseil municipal"], True)]
    )
    assert expansions[("rh",)] == ("rh", "ressources humaines")
    assert expansions[("ressource", "humaine")] == ("ressources humaines", "rh")
    assert expansions[("deliberation",)] == ("deliberation", "conseil municipal")
    assert ("conseil", "municipal") not in expansions


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("RH", True),
        ("rh", True),
        ("Ressources-Humaines", True),  # a hyphen, capitals
        ('"ressources humaines"', True),
        ("ressources humaines", True),
        ("humaines ressources", True),  # each word anywhere, as websearch does
        ('"humaines ressources"', False),  # a phrase: in this order only
        ("ressource humaine", True),  # the singular
        ("rh -gpec", True),
        ("RHs", False),  # no plural of a two-letter acronym
        ("rh -carriere", False),
        ("-rh", False),
        ("xylophone or rh", True),
        ("xylophone rh", False),
    ],
)
def test_the_websearch_syntax_still_works_with_synonyms(db, query, found):
    vector = SearchVector(
        Value("gestion des ressources humaines et des carrieres"), config="french"
    )
    rows = Term.objects.annotate(v=vector).filter(
        v=search.search_query(query, thesaurus((["RH", "ressources humaines"], False)))
    )
    assert rows.exists() is found


def test_a_curator_cannot_save_a_group_of_one_or_a_term_twice():
    with pytest.raises(Exception, match="au moins deux termes"):
        search.clean_terms(["RH", " "])
    with pytest.raises(Exception, match="deux fois"):
        search.clean_terms(["Délibération", "deliberation"])
    with pytest.raises(Exception, match="ni lettre ni chiffre"):
        search.clean_terms(["RH", "?!"])
    assert search.clean_terms(["  ressources   humaines ", "RH", ""]) == [
        "ressources humaines",
        "RH",
    ]


def test_a_very_long_query_is_searched_as_typed(db):
    assert SCUM in explorer_titles(" ".join(["scrum"] * search.MAX_EXPANDED_WORDS))
    # One word more: « scrum » as written, which no case says.
    assert not explorer_titles(" ".join(["scrum"] * (search.MAX_EXPANDED_WORDS + 1)))


# --- curators edit the list in the admin; it takes effect at once ------------------------------


def test_a_curator_adds_a_group_in_the_admin_and_both_searches_follow(client_for, people):
    curator = client_for(None, people["curator"])
    visitor = client_for(None)
    # First read: the list is cached, and so are the explorer's count and facets for this search.
    assert "0 cas d" in explorer(visitor, "xylophone")
    assert cache.get(synonyms.CACHE_KEY) is not None
    response = curator.post(
        "/admin/registry/synonymgroup/add/",
        {"terms": "xylophone\nchatbot", "note": "Essai", "one_way": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    group = SynonymGroup.objects.get(terms__0="xylophone")
    assert group.terms == ["xylophone", "chatbot"]
    event = AuditEvent.objects.get(action="synonymgroup_created", object_id=str(group.pk))
    assert event.actor == people["curator"]
    assert SCUM in explorer(visitor, "xylophone")
    assert "Chatbot et callbot" in knowledge(visitor, "xylophone")
    # Changed, then deleted: each time read again.
    response = curator.post(
        f"/admin/registry/synonymgroup/{group.pk}/change/",
        {"terms": "xylophone\nScrum", "note": "", "one_way": "on"},
    )
    assert response.status_code == 302
    assert "methode-agile-scrum" in term_slugs("xylophone")
    assert "chatbot-callbot" not in term_slugs("xylophone")
    assert curator.post(f"/admin/registry/synonymgroup/{group.pk}/delete/", {"post": "yes"}).status_code == 302  # fmt: skip
    assert not term_slugs("xylophone")
    assert AuditEvent.objects.filter(object_type="registry.synonymgroup", object_id=str(group.pk)).count() == 3  # fmt: skip


def test_the_admin_explains_a_bad_group_in_french(client_for, people):
    response = client_for(None, people["curator"]).post(
        "/admin/registry/synonymgroup/add/", {"terms": "RH\nrh", "note": ""}
    )
    assert response.status_code == 200
    assert "figure deux fois dans le groupe" in response.content.decode()
    assert not SynonymGroup.objects.filter(terms__0="RH").exclude(terms__contains=["GRH"]).exists()


def test_the_admin_page_is_in_french(client_for, people):
    page = client_for(None, people["curator"]).get("/admin/registry/synonymgroup/").content.decode()
    assert "Synonymes de la recherche" in page and "Scrum ↔ SCUM" in page
    form = (
        client_for(None, people["curator"])
        .get("/admin/registry/synonymgroup/add/")
        .content.decode()
    )
    assert "Un terme par ligne" in form and "À sens unique" in form


@pytest.mark.parametrize("who", ["anonymous", "reader", "admin", "other"])
def test_only_curators_edit_the_list(client_for, people, who):
    client = client_for(None, None if who == "anonymous" else people[who])
    response = client.post(
        "/admin/registry/synonymgroup/add/", {"terms": "xylophone\nchatbot", "note": ""}
    )
    assert response.status_code in (302, 403)
    assert not SynonymGroup.objects.filter(terms__0="xylophone").exists()
    if who != "anonymous":
        assert client.get("/admin/registry/synonymgroup/").status_code in (302, 403)


def test_a_change_of_the_list_changes_the_apis_etag(api_for, people):
    client = api_for(None)
    first = client.get("/api/v1/benchmark/use-cases/?q=xylophone")
    assert first.json()["count"] == 0
    services.synonym_group_save(
        SynonymGroup(terms=["xylophone", "chatbot"]), actor=people["curator"]
    )
    again = client.get("/api/v1/benchmark/use-cases/?q=xylophone", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again.json()["count"] == 1
    assert again["ETag"] != first["ETag"]
