"""Use cases for the open-data and other-register tests: one with every field a crosswalk reads,
one seen by the network only, one kept private; and the way to publish a new version."""

from datetime import date

from django_tenants.utils import tenant_context

from casestudies.services import usecase_approve, usecase_submit, usecase_update
from tests.factories import DraftUseCaseFactory, PublishedUseCaseFactory

LONG_TITLE = (
    "Assistant de rédaction des réponses aux demandes d'état civil et des courriers de "
    "relance des usagers <en test> ok"
)


def rich_use_case(collectivite, **overrides):
    values = {
        "title": LONG_TITLE,
        "summary": "Un assistant propose un premier jet de réponse. Un agent relit chaque envoi.",
        "context": "Beaucoup de demandes répétitives R&D.",
        "purpose": "Gagner du temps sur les réponses simples.",
        "domain_codes": ["etat-civil-et-population", "mobilite"],
        "tool_slugs": ["claude"],
        "techniques": ["generative_text", "classical_ml"],
        "audiences": ["citizens", "agents"],
        "sourcing": "vendor_product",
        "status": "production",
        "ai_act_risk": "high",
        "individual_decision": True,
        "started_on": date(2024, 3, 1),
        "ended_on": None,
        "human_oversight": "Chaque réponse est relue par un agent avant l'envoi.",
        "legal_basis": "Article L2121-23 du CGCT.",
        "legal_basis_links": "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006389928",
        "data_sources": "Les demandes reçues par courriel.",
        "documentation_url": "https://code.example.org/assistant",
        "public_contact_email": "numerique@grand-annecy.test",
        "impact_assessments": [{"type": "dpia", "status": "done", "date": "2025-01-15"}],
    }
    values.update(overrides)
    return PublishedUseCaseFactory(collectivite=collectivite, **values)


def hidden_use_cases(network_collectivite, private_collectivite):
    """A use case published for the network only, and a private draft: never open data."""
    network = PublishedUseCaseFactory(
        collectivite=network_collectivite,
        title="Tri du courrier réservé au réseau",
        summary="Visible des seuls membres du réseau : jamais dans les données ouvertes.",
        visibility="network",
    )
    private = DraftUseCaseFactory(
        collectivite=private_collectivite,
        title="Projet confidentiel gardé par la collectivité",
        visibility="private",
    )
    return network, private


def republish(use_case, collectivite, **fields):
    """A new version of a published use case: changed, submitted, approved."""
    with tenant_context(collectivite):
        use_case = usecase_update(use_case=use_case, actor=None, **fields)
        usecase_submit(use_case=use_case, actor=None, message="Nouvelle version.")
        usecase_approve(use_case=use_case, actor=None)
    return use_case


def restrict(use_case, collectivite, visibility="network"):
    with tenant_context(collectivite):
        return usecase_update(use_case=use_case, actor=None, visibility=visibility)
