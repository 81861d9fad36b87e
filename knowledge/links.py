"""Which article of the knowledge base explains which field of a use case: the use-case page
links to them. A test checks that every slug exists."""

from django.core.cache import cache

from knowledge.models import Phase, Risk

FIELD_ARTICLES = {
    "ai_family": "ia-generaliste-et-ia-metier",
    "tools": "exemples-d-outils-ia",
    "risks_and_mitigations": "limites-et-risques",
    "ai_act_risk": "risques-juridiques",
    "training_done": "formation-des-agents",
    "method_phase": "methode-projet-ia",
}


# --- the French addresses of the risk and phase pages --------------------------------------------

# Pages whose address is a French slug, though the use cases name their risk or phase by code.
ADDRESSED_BY_SLUG = {"knowledge:risk": Risk, "knowledge:phase": Phase}
SLUGS_CACHE_KEY = "knowledge:slugs:v1"


def _slugs() -> dict[str, dict[str, str]]:
    return {
        name: dict(model.objects.values_list("code", "slug"))
        for name, model in ADDRESSED_BY_SLUG.items()
    }


def page_argument(name: str, argument):
    """The argument of a page's address: a risk's or a phase's French slug for its code (one
    table in the shared cache, forgotten when a risk or a phase is saved), else as given."""
    if name not in ADDRESSED_BY_SLUG:
        return argument
    slugs = cache.get_or_set(SLUGS_CACHE_KEY, _slugs, None)
    return slugs[name].get(argument) or argument


def forget_slugs() -> None:
    cache.delete(SLUGS_CACHE_KEY)
