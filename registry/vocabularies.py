"""Controlled vocabularies of the registry (codes in English, labels in French).

Codes are stable: exports and the crosswalks to other public AI registers rely on them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CollectiviteKind(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    CC = "cc", _("Communauté de communes")
    CA = "ca", _("Communauté d'agglomération")
    CU = "cu", _("Communauté urbaine")
    METROPOLE = "metropole", _("Métropole")
    DEPARTEMENT = "departement", _("Département")
    REGION = "region", _("Région")
    SYNDICAT = "syndicat", _("Syndicat")
    CCAS = "ccas", _("CCAS / CIAS")
    SDIS = "sdis", _("SDIS")
    CDG = "cdg", _("Centre de gestion")
    EPCI_OTHER = "epci_other", _("Autre EPCI")
    OTHER = "other", _("Autre")


class DirectoryKind(models.TextChoices):
    """Kinds of the official directory's entries: the bodies (same codes as CollectiviteKind)
    and the parts of a commune that the data lists but that are not bodies themselves."""

    COMMUNE = "commune", _("Commune")
    CC = "cc", _("Communauté de communes")
    CA = "ca", _("Communauté d'agglomération")
    CU = "cu", _("Communauté urbaine")
    METROPOLE = "metropole", _("Métropole")
    DEPARTEMENT = "departement", _("Département")
    REGION = "region", _("Région")
    SYNDICAT = "syndicat", _("Syndicat")
    CCAS = "ccas", _("CCAS / CIAS")
    SDIS = "sdis", _("SDIS")
    CDG = "cdg", _("Centre de gestion")
    EPCI_OTHER = "epci_other", _("Autre EPCI")
    OTHER = "other", _("Autre")
    COMMUNE_DELEGUEE = "commune_deleguee", _("Commune déléguée")
    COMMUNE_ASSOCIEE = "commune_associee", _("Commune associée")
    ARRONDISSEMENT = "arrondissement", _("Arrondissement municipal")


# Parts of a commune: listed (and findable) but not bodies; ranked after the bodies in a search.
DIRECTORY_SUBDIVISIONS = (
    DirectoryKind.COMMUNE_DELEGUEE,
    DirectoryKind.COMMUNE_ASSOCIEE,
    DirectoryKind.ARRONDISSEMENT,
)
DIRECTORY_EPCI = (DirectoryKind.CC, DirectoryKind.CA, DirectoryKind.CU, DirectoryKind.METROPOLE)


class DirectorySource(models.TextChoices):
    OFFICIAL = "official", _("Découpage administratif officiel")
    CURATORS = "curators", _("Saisie des curateurs")


class PopulationBand(models.TextChoices):
    UNDER_1000 = "<1000", _("Moins de 1 000 habitants")
    FROM_1000 = "1000-3499", _("1 000 à 3 499 habitants")
    FROM_3500 = "3500-9999", _("3 500 à 9 999 habitants")
    FROM_10000 = "10000-49999", _("10 000 à 49 999 habitants")
    FROM_50000 = "50000-199999", _("50 000 à 199 999 habitants")
    FROM_200000 = ">=200000", _("200 000 habitants et plus")


POPULATION_BAND_FLOORS = [
    (200_000, PopulationBand.FROM_200000),
    (50_000, PopulationBand.FROM_50000),
    (10_000, PopulationBand.FROM_10000),
    (3_500, PopulationBand.FROM_3500),
    (1_000, PopulationBand.FROM_1000),
    (0, PopulationBand.UNDER_1000),
]


def population_band(population: int | None) -> str:
    if population is None:
        return ""
    return next(band for floor, band in POPULATION_BAND_FLOORS if population >= floor)


class StaffSizeBand(models.TextChoices):
    UNDER_10 = "1-9", _("1 à 9 agents")
    FROM_10 = "10-49", _("10 à 49 agents")
    FROM_50 = "50-249", _("50 à 249 agents")
    FROM_250 = "250-999", _("250 à 999 agents")
    FROM_1000 = ">=1000", _("1 000 agents et plus")


class Licence(models.TextChoices):
    OPEN_SOURCE = "open_source", _("Libre / open source")
    FREE_OF_CHARGE = "free", _("Gratuit (propriétaire)")
    PROPRIETARY = "proprietary", _("Propriétaire")
    UNKNOWN = "unknown", _("Non renseignée")


class Hosting(models.TextChoices):
    SAAS_EU = "saas_eu", _("SaaS hébergé dans l'UE")
    SAAS_NON_EU = "saas_non_eu", _("SaaS hébergé hors UE")
    SOVEREIGN_CLOUD = "sovereign_cloud", _("Cloud souverain (SecNumCloud)")
    ON_PREMISE = "on_premise", _("Hébergé sur site")
    SHARED_INFRA = "shared_infra", _("Infrastructure mutualisée (CDG, OPSN)")
    LOCAL_DEVICE = "local_device", _("Sur le poste de travail")
    UNKNOWN = "unknown", _("Inconnu")


class TermVocabulary(models.TextChoices):
    DOMAIN = "domain", _("Domaine d'action publique")
    USAGE = "usage", _("Usage courant")


class AIFamily(models.TextChoices):
    GENERALIST = "generalist", _("IA généraliste")
    BUSINESS = "business", _("IA métier")


class Technique(models.TextChoices):
    RULES = "rules", _("Règles / système expert")
    CLASSICAL_ML = "classical_ml", _("Apprentissage automatique")
    COMPUTER_VISION = "computer_vision", _("Vision par ordinateur")
    NLP = "nlp", _("Traitement du langage")
    SPEECH = "speech", _("Voix (reconnaissance, synthèse)")
    GENERATIVE_TEXT = "generative_text", _("IA générative texte")
    GENERATIVE_MEDIA = "generative_media", _("IA générative image, son, vidéo")
    AGENTIC = "agentic", _("IA agentique")
    OPTIMISATION = "optimisation", _("Optimisation / planification")
    RPA = "rpa", _("Automatisation robotisée")
    OTHER = "other", _("Autre")


class AutomationLevel(models.TextChoices):
    INFORMATION = "information", _("Information / recherche")
    ASSISTANCE = "assistance", _("Aide à la rédaction relue par un agent")
    RECOMMENDATION = "recommendation", _("Aide à la décision")
    DECISION_VALIDATED = "decision_validated", _("Décision automatisée validée par un agent")
    FULLY_AUTOMATED = "fully_automated", _("Décision entièrement automatisée")


class Audience(models.TextChoices):
    AGENTS = "agents", _("Agents")
    ELECTED = "elected", _("Élus")
    CITIZENS = "citizens", _("Usagers")
    BUSINESSES = "businesses", _("Entreprises et associations")


class Status(models.TextChoices):
    IDEA = "idea", _("Idée / veille")
    DESIGN = "design", _("Cadrage")
    BUILD = "build", _("Développement ou acquisition")
    PILOT = "pilot", _("Expérimentation")
    EVALUATION = "evaluation", _("Évaluation")
    PRODUCTION = "production", _("En production")
    SUSPENDED = "suspended", _("Suspendu")
    RETIRED = "retired", _("Arrêté")
    ABANDONED = "abandoned", _("Abandonné avant production")


# Crosswalk to the other public registers, used by exports.
STATUS_CROSSWALK = {
    # code: (NL v1.0, UK ATRS phase, US 2025 stage, EU PSTW)
    Status.IDEA: ("In ontwikkeling", "Pre-deployment", "Pre-deployment", "Planned"),
    Status.DESIGN: ("In ontwikkeling", "Pre-deployment", "Pre-deployment", "In development"),
    Status.BUILD: ("In ontwikkeling", "Pre-deployment", "Pre-deployment", "In development"),
    Status.PILOT: ("In gebruik", "Beta/Pilot", "Pilot", "Pilot"),
    Status.EVALUATION: ("In gebruik", "Beta/Pilot", "Pilot", "Pilot"),
    Status.PRODUCTION: ("In gebruik", "Production", "Deployed", "Implemented"),
    Status.SUSPENDED: ("Buiten gebruik", "Retired", "Retired", "Not in use"),
    Status.RETIRED: ("Buiten gebruik", "Retired", "Retired", "Not in use"),
    Status.ABANDONED: ("Buiten gebruik", "Retired", "Retired", "Not in use"),
}


class StatusReason(models.TextChoices):
    COST = "cost", _("Coût")
    PERFORMANCE = "performance", _("Performance insuffisante")
    LEGAL = "legal", _("Raison juridique")
    ACCEPTANCE = "acceptance", _("Acceptation par les agents ou les élus")
    VENDOR = "vendor", _("Fournisseur")
    REPLACED = "replaced", _("Remplacé par une autre solution")
    SECURITY = "security", _("Sécurité")
    OTHER = "other", _("Autre")


class MethodPhase(models.TextChoices):
    PLANNING = "planning", _("Planification")
    GENERALIST_ROLLOUT = "generalist_rollout", _("Mise en place des IA généralistes")
    BUSINESS_ROLLOUT = "business_rollout", _("Déploiement des IA métiers")
    GOVERNANCE = "governance", _("Gouvernance et suivi")


class AIActRisk(models.TextChoices):
    PROHIBITED = "prohibited", _("Pratique interdite (art. 5)")
    HIGH = "high", _("Haut risque")
    LIMITED = "limited", _("Risque limité, obligation de transparence (art. 50)")
    MINIMAL = "minimal", _("Risque minimal")
    NOT_AI = "not_ai", _("Pas un système d'IA")
    TO_ASSESS = "to_assess", _("À qualifier")


class PersonalData(models.TextChoices):
    YES = "yes", _("Oui")
    NO = "no", _("Non")
    PSEUDONYMISED = "pseudonymised", _("Pseudonymisées")


class Sourcing(models.TextChoices):
    VENDOR_PRODUCT = "vendor_product", _("Produit d'un éditeur")
    IN_HOUSE = "in_house", _("Développement interne")
    MIXED = "mixed", _("Mixte")
    MUTUALISED = "mutualised", _("Mutualisé")
    OPEN_SOURCE_REUSE = "open_source_reuse", _("Réutilisation d'un logiciel libre")
    STATE_SERVICE = "state_service", _("Service de l'État")
    FREE_CONSUMER_TOOL = "free_consumer_tool", _("Outil grand public gratuit")
    RESEARCH_PARTNERSHIP = "research_partnership", _("Partenariat de recherche")


class UsersCountBand(models.TextChoices):
    UP_TO_10 = "1-10", _("1 à 10 utilisateurs")
    UP_TO_50 = "11-50", _("11 à 50 utilisateurs")
    UP_TO_250 = "51-250", _("51 à 250 utilisateurs")
    UP_TO_1000 = "251-1000", _("251 à 1 000 utilisateurs")
    OVER_1000 = ">1000", _("Plus de 1 000 utilisateurs")


class WouldRecommend(models.TextChoices):
    YES = "yes", _("Oui")
    NO = "no", _("Non")
    WITH_CONDITIONS = "with_conditions", _("Sous conditions")


class LessonCategory(models.TextChoices):
    DATA = "data", _("Données")
    SKILLS = "skills", _("Compétences")
    ACCEPTANCE = "acceptance", _("Adhésion des agents et des élus")
    LEGAL = "legal", _("Juridique")
    PROCUREMENT = "procurement", _("Achat public")
    COST = "cost", _("Coût")
    QUALITY = "quality", _("Qualité des résultats")
    SECURITY = "security", _("Sécurité")
    VENDOR = "vendor", _("Dépendance au fournisseur")
    GOVERNANCE = "governance", _("Gouvernance")
    USERS = "users", _("Usagers")
    ENVIRONMENT = "environment", _("Environnement")
    OTHER = "other", _("Autre")


class LessonPolarity(models.TextChoices):
    SUCCESS = "success", _("Réussite")
    DIFFICULTY = "difficulty", _("Difficulté")
    RECOMMENDATION = "recommendation", _("Recommandation")


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Collectivité seule")
    NETWORK = "network", _("Réseau des membres")
    PUBLIC = "public", _("Public (données ouvertes)")


class PublicationState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Soumis au CDG")
    CHANGES_REQUESTED = "changes_requested", _("À corriger")
    PUBLISHED = "published", _("Publié")
    UNPUBLISHED = "unpublished", _("Dépublié")
    ARCHIVED = "archived", _("Archivé")


class CostKind(models.TextChoices):
    ACQUISITION = "acquisition", _("Acquisition")
    ANNUAL_LICENCE = "annual_licence", _("Licence annuelle")
    INTERNAL_DAYS = "internal_days", _("Jours de travail internes")
    TRAINING = "training", _("Formation")
    OTHER = "other", _("Autre")


class ImpactAssessmentType(models.TextChoices):
    DPIA = "dpia", _("AIPD (analyse d'impact relative à la protection des données)")
    FRIA = "fria", _("Analyse d'impact sur les droits fondamentaux")
    SECURITY = "security", _("Analyse de risques de sécurité (EBIOS)")
    ETHICS_REVIEW = "ethics_review", _("Revue éthique")
    OTHER = "other", _("Autre")


class ImpactAssessmentStatus(models.TextChoices):
    DONE = "done", _("Réalisée")
    IN_PROGRESS = "in_progress", _("En cours")
    NOT_REQUIRED = "not_required", _("Non requise")
    NOT_DONE = "not_done", _("Non réalisée")


class HistoryAction(models.TextChoices):
    """What a line of a use case's history says was done (UseCaseEvent, BenchmarkEntryEvent)."""

    CREATED = "created", _("Création de la fiche")
    UPDATED = "updated", _("Modification")
    SUBMITTED = "submitted", _("Soumission au CDG")
    WITHDRAWN = "withdrawn", _("Soumission retirée")
    CHANGES_REQUESTED = "changes_requested", _("Corrections demandées par le CDG")
    PUBLISHED = "published", _("Publication")
    UNPUBLISHED = "unpublished", _("Dépublication")
    ARCHIVED = "archived", _("Archivage")
    REMOVED = "removed", _("Retrait du registre commun")
    RESTRICTED = "restricted", _("Diffusion restreinte aux membres")
    ANNOTATED = "annotated", _("Annotation du CDG")
    REPLACED = "replaced", _("Nouvelle version publiée")
    VERIFIED = "verified", _("Fiche confirmée à jour par la collectivité")
    # A collectivité took a public source's record into its own space as a draft.
    CLAIMED = "claimed", _("Reprise d'une fiche de source publique")
    # A public source's record, replaced by the case its collectivité took over and published.
    SUPERSEDED = "superseded", _("Remplacée par la fiche déclarée par la collectivité")


class SubmissionState(models.TextChoices):
    PENDING = "pending", _("En attente d'examen")
    CHANGES_REQUESTED = "changes_requested", _("Corrections demandées")
    APPROVED = "approved", _("Publiée")
    WITHDRAWN = "withdrawn", _("Retirée")


class JoinRequestState(models.TextChoices):
    """A collectivité's request to join the registry, from the public site."""

    PENDING = "pending", _("En attente")
    ACCEPTED = "accepted", _("Acceptée")
    REFUSED = "refused", _("Refusée")


class QualityFlag(models.TextChoices):
    INCOMPLETE = "incomplete", _("Fiche incomplète")
    UNCLEAR = "unclear", _("Description peu claire")
    UNVERIFIED_STATUS = "unverified_status", _("État d'avancement à vérifier")
    POSSIBLE_DUPLICATE = "possible_duplicate", _("Doublon possible")
    OUTDATED = "outdated", _("Information ancienne")
    MISSING_OUTCOMES = "missing_outcomes", _("Résultats non renseignés")


def check_constraint_values(choices: type[models.TextChoices]) -> list[str]:
    return [value for value, _label in choices.choices]


# --- public sources (registry.Source, registry.SourceRecord, registry/sources/) ------------------


class Origin(models.TextChoices):
    """Where a benchmark entry comes from: a collectivité's declaration, reviewed by the CDG, or
    a record read from a public source (never validated by the collectivité)."""

    DECLARED = "declared", _("Déclaré par la collectivité")
    PUBLIC_SOURCE = "public_source", _("Source publique")


class SourceAdapterKind(models.TextChoices):
    """How a source's files are read (registry/sources/): the argument of `import_source`."""

    PSTW = "pstw", _("Public Sector Tech Watch (Commission européenne, JRC)")
    US_INVENTORY = "us-inventory", _("Inventaire fédéral américain des usages de l'IA (OMB)")
    MAPPING = "mapping", _("Fichier CSV ou XLSX, par correspondance de colonnes")


class ImportRunState(models.TextChoices):
    PENDING = "pending", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("Échoué")


class MatchRule(models.TextChoices):
    """How a record of a public source was matched to the directory of collectivités."""

    SIRET = "siret", _("SIRET")
    SIREN = "siren", _("SIREN")
    INSEE = "insee", _("Code INSEE")
    NAME_DEPARTEMENT = "name_departement", _("Nom et département")
    NAME = "name", _("Nom seul (un seul homonyme)")
    CURATOR = "curator", _("Choisi par un curateur")
    UNMATCHED = "unmatched", _("Sans correspondance")
    # A French record of the State or of another body than a collectivité (a ministry…).
    NOT_LOCAL = "not_local", _("Administration de l'État ou autre organisme")


# Rules that name a directory entry (the others leave it empty).
MATCHED_RULES = (
    MatchRule.SIRET,
    MatchRule.SIREN,
    MatchRule.INSEE,
    MatchRule.NAME_DEPARTEMENT,
    MatchRule.NAME,
    MatchRule.CURATOR,
)


class MappingDateFormat(models.TextChoices):
    """How the dates of a file read through a column-mapping profile are written
    (registry.MappingProfile, registry/sources/mapping.py)."""

    AUTO = "auto", _("Reconnaître (JJ/MM/AAAA, MM/AAAA, AAAA-MM-JJ, AAAA, « mars 2024 »)")
    DAY_MONTH_YEAR = "dd/mm/yyyy", _("JJ/MM/AAAA (ex. 15/03/2024)")
    MONTH_YEAR = "mm/yyyy", _("MM/AAAA (ex. 03/2024)")
    ISO = "yyyy-mm-dd", _("AAAA-MM-JJ (ex. 2024-03-15)")
    YEAR = "yyyy", _("AAAA (ex. 2024)")
