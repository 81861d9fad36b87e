"""The knowledge base: the guide's content, its links with use cases, search, its API."""

import re

import pytest
from django.core.exceptions import ValidationError

from knowledge.links import page_argument
from knowledge.models import Article, BibliographyEntry, GlossaryTerm, Phase, Risk
from knowledge.rendering import render_markdown
from knowledge.services import entry_save
from registry.formats import month_format
from tests.factories import PublishedUseCaseFactory

RISKS = {"bias_confirmation", "bias_halo", "bias_automation", "bias_sampling", "bias_group",
         "legal_liability", "legal_gdpr", "legal_ip", "legal_discrimination",
         "legal_international", "tech_dependency"}  # fmt: skip


# --- content -----------------------------------------------------------------------------------


def test_every_chapter_of_the_guide_has_its_articles(db):
    chapters = set(Article.objects.values_list("chapter", flat=True))
    assert {"1", "2", "3", "4", "5"} <= chapters
    assert Article.objects.filter(title__icontains="bibliographie").exists()
    assert all(
        article.source.startswith("Guide pratique du CDG74") for article in Article.objects.all()
    )


@pytest.mark.parametrize("fact", ["IA faible", "IA forte", "mémoire limitée", "théorie de l'esprit",
                                  "84 %", "SNCF", "13 %", "Mistral", "RGPD"])  # fmt: skip
def test_the_guides_facts_carry_over(db, fact):
    text = " ".join(Article.objects.values_list("body", flat=True))
    assert fact.replace("'", "\u2019") in text or fact in text, fact


def test_every_risk_and_phase_of_the_guide_exists_with_mitigations(db):
    assert set(Risk.objects.values_list("code", flat=True)) == RISKS
    assert all(len(risk.mitigations) >= 2 for risk in Risk.objects.all())
    assert list(Phase.objects.values_list("code", flat=True)) == [
        "planning",
        "generalist_rollout",
        "business_rollout",
        "governance",
    ]
    assert all(phase.steps for phase in Phase.objects.all())
    assert GlossaryTerm.objects.filter(term__iexact="Biais d'automatisation").exists()


def test_knowledge_seed_is_idempotent(db):
    import json

    from casestudies.seed import KNOWLEDGE_FILE
    from knowledge.services import load_knowledge

    created = load_knowledge(json.loads(KNOWLEDGE_FILE.read_text(encoding="utf-8")))
    assert set(created.values()) == {0}


# --- rendering ---------------------------------------------------------------------------------


def test_markdown_with_a_script_renders_inert():
    html = render_markdown(
        "Bonjour <script>alert('x')</script> [lien](javascript:alert(1)) "
        "<img src=x onerror=alert(1)> **gras**"
    )
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "<strong>gras</strong>" in html


def test_a_curators_article_with_a_script_is_served_inert(client_for, people):
    from knowledge.services import article_save

    article_save(Article(slug="test-script", title="Test", chapter="1", chapter_title="C1",
                         summary="s", body="Texte <script>document.title='pwned'</script>",
                         source="Guide pratique du CDG74, chapitre 1"))  # fmt: skip
    response = client_for(None).get("/connaissances/test-script/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<p>Texte" in html  # the article is there…
    assert "<script>document.title" not in html  # …but not its script


# --- pages and links both ways -----------------------------------------------------------------


def test_risk_and_phase_pages_list_the_published_use_cases_and_back(client_for, annecy):
    automation = Risk.objects.get(code="bias_automation")
    public_id = PublishedUseCaseFactory(
        collectivite=annecy,
        title="Aide à la décision RH",
        ai_family="business",
        automation_level="recommendation",
        personal_data="yes",
        method_phase="business_rollout",
        domain_codes=["ressources-humaines"],
        risks=[{"risk": automation, "mitigation": "Relecture par deux agents"}],
    ).public_id
    risk_page = client_for(None).get("/connaissances/risques/biais-d-automatisation/")
    risk_page = risk_page.content.decode()
    assert public_id in risk_page and "Relecture par deux agents" in risk_page
    halo = client_for(None).get("/connaissances/risques/effet-de-halo-technologique/")
    assert halo.status_code == 200 and public_id not in halo.content.decode()
    phase_page = client_for(None).get("/connaissances/methode/deploiement-des-ia-metiers/")
    assert public_id in phase_page.content.decode()
    use_case_page = client_for(None).get(f"/cas-d-usage/{public_id}/").content.decode()
    # The record names its risk and phase by code; its links are the French addresses.
    assert 'href="/connaissances/risques/biais-d-automatisation/"' in use_case_page
    assert 'href="/connaissances/methode/deploiement-des-ia-metiers/"' in use_case_page
    assert "bias_automation/" not in use_case_page and "business_rollout/" not in use_case_page


# Every risk and phase of the guide, at a French address (issue 11, « French formats »).
FRENCH_ADDRESSES = {
    "/connaissances/risques/bias_confirmation/": "/connaissances/risques/biais-de-confirmation/",
    "/connaissances/risques/legal_gdpr/": "/connaissances/risques/rgpd-et-donnees-personnelles/",
    "/connaissances/risques/tech_dependency/": "/connaissances/risques/dependance-technologique/",
    "/connaissances/methode/planning/": "/connaissances/methode/planification/",
    "/connaissances/methode/governance/": "/connaissances/methode/gouvernance-et-suivi/",
}


@pytest.mark.parametrize(("old", "new"), FRENCH_ADDRESSES.items())
def test_the_former_code_addresses_redirect_permanently_to_the_french_ones(client_for, old, new):
    client = client_for(None)
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    assert client.get(new).status_code == 200


def test_every_risk_and_phase_has_a_french_address_and_the_lists_link_to_it(client_for):
    client = client_for(None)
    for model, prefix, listing in ((Risk, "risques", "/connaissances/risques/"),
                                   (Phase, "methode", "/connaissances/methode/")):  # fmt: skip
        page = client.get(listing).content.decode()
        for item in model.objects.all():
            assert item.slug and "_" not in item.slug, item.code
            assert f'href="/connaissances/{prefix}/{item.slug}/"' in page
            assert f"/{item.code}/" not in page or item.code == item.slug
    assert client.get("/connaissances/risques/inconnu/").status_code == 404


def test_a_curators_new_risk_gets_an_address_from_its_name(client_for, api_for, people):
    response = api_for(None, people["curator"]).post(
        "/api/v1/knowledge/risks/",
        {"code": "bias_novelty", "kind": "bias", "name": "Biais de nouveauté",
         "description": "Préférer l'outil le plus récent.", "mitigations": ["Comparer"]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["slug"] == "biais-de-nouveaute"
    assert client_for(None).get("/connaissances/risques/biais-de-nouveaute/").status_code == 200
    assert client_for(None).get("/connaissances/risques/bias_novelty/")["Location"] == (
        "/connaissances/risques/biais-de-nouveaute/"
    )
    # A use case's link follows a renamed address at once (the shared cache is forgotten).
    assert page_argument("knowledge:risk", "bias_novelty") == "biais-de-nouveaute"
    risk = Risk.objects.get(code="bias_novelty")
    risk.slug = "nouveaute"
    entry_save(risk, actor=people["curator"])
    assert page_argument("knowledge:risk", "bias_novelty") == "nouveaute"


def test_use_case_page_links_to_the_articles_behind_its_fields(client_for):
    from knowledge.links import FIELD_ARTICLES

    html = client_for(None).get("/cas-d-usage/74-CDG74-0001/").content.decode()
    for slug in FIELD_ARTICLES.values():
        assert Article.objects.filter(slug=slug).exists(), slug
    # the page's links, written out (not read from FIELD_ARTICLES): the field's explanation
    assert 'href="/connaissances/ia-generaliste-et-ia-metier/"' in html  # ai_family
    assert 'href="/connaissances/methode-projet-ia/"' in html  # method_phase


def test_knowledge_pages_render(client_for):
    client = client_for(None)
    for path in ["/connaissances/", "/connaissances/glossaire/", "/connaissances/risques/",
                 "/connaissances/methode/", "/connaissances/bibliographie/",
                 f"/connaissances/{Article.objects.first().slug}/",
                 "/connaissances/methode/planification/"]:  # fmt: skip
        assert client.get(path).status_code == 200, path


# --- search ------------------------------------------------------------------------------------


def test_search_finds_biais_d_automatisation_from_biais_automatisation(client_for):
    from knowledge.selectors import search

    results = search("biais automatisation", user=None)
    assert any(t.term.lower() == "biais d'automatisation" for t in results["terms"])
    html = client_for(None).get("/connaissances/recherche/?q=biais+automatisation").content.decode()
    assert "Biais d&#x27;automatisation" in html or "Biais d'automatisation" in html


def test_one_search_covers_articles_terms_and_use_cases(client_for):
    from knowledge.selectors import search

    results = search("experimentation", user=None)
    assert results["use_cases"]  # "Expérimentation" in the guide's use cases
    assert search("generaliste", user=None)["articles"]


# --- API -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["articles", "terms", "risks", "phases"])
def test_knowledge_api_reads_for_all_and_writes_for_curators(api_for, people, endpoint):
    url = f"/api/v1/knowledge/{endpoint}/"
    assert api_for(None).get(url).status_code == 200
    assert api_for(None).post(url, {}, format="json").status_code in (401, 403)
    assert api_for(None, people["admin"]).post(url, {}, format="json").status_code == 403
    assert api_for(None, people["curator"]).post(url, {}, format="json").status_code == 400


def test_curator_edits_an_article_through_the_api_and_search_follows(api_for, people):
    slug = Article.objects.first().slug
    client = api_for(None, people["curator"])
    response = client.patch(f"/api/v1/knowledge/articles/{slug}/",
                            {"summary": "Xylophone pédagogique"}, format="json")  # fmt: skip
    assert response.status_code == 200
    from knowledge.selectors import search

    assert [a.slug for a in search("xylophone", user=None)["articles"]] == [slug]


# --- maturity ------------------------------------------------------------------------------------


def test_knowledge_entries_cannot_be_deleted_through_the_api(api_for, people):
    response = api_for(None, people["curator"]).delete("/api/v1/knowledge/risks/bias_halo/")
    assert response.status_code == 405


def test_a_nul_character_in_a_search_is_harmless(client_for):
    assert client_for(None).get("/connaissances/recherche/?q=a%00b").status_code == 200


# --- the bibliography's dates in French (issue 11, « French formats ») ---------------------------


def test_the_bibliography_writes_its_dates_as_french_months(client_for):
    page = client_for(None).get("/connaissances/bibliographie/").content.decode()
    assert '(<time datetime="2024-04">avril 2024</time>)' in page
    assert "novembre 2024" in page and "août 2024" in page
    text = re.sub(r"<[^>]+>", "", page)
    assert not re.search(r"\b2024-\d\d\b", text)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("2024-04", "avril 2024"), ("2024-08", "août 2024"), ("2025", "2025"),
     ("2024-13", "2024-13"), ("vers 2020", "vers 2020"), ("", "")],
)  # fmt: skip
def test_a_sources_month_reads_in_french(stored, shown):
    assert month_format(stored) == shown


def test_a_curator_types_a_bibliography_date_the_page_can_write(db):
    entry = BibliographyEntry(publisher="Sénat", title="Rapport", date="avril 2024")
    with pytest.raises(ValidationError, match="AAAA-MM"):
        entry.full_clean()
    entry.date = "2024-04"
    entry.full_clean()
