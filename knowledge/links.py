"""Which article of the knowledge base explains which field of a use case: the use-case page
links to them. A test checks that every slug exists."""

FIELD_ARTICLES = {
    "ai_family": "ia-generaliste-et-ia-metier",
    "tools": "exemples-d-outils-ia",
    "risks_and_mitigations": "limites-et-risques",
    "ai_act_risk": "risques-juridiques",
    "training_done": "formation-des-agents",
    "method_phase": "methode-projet-ia",
}
