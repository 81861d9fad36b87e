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


# --- Crosswalks to the other public registers (exports: registry/registers.py) ----------------
#
# One table per register, each mapping our codes onto the register's published vocabulary, value
# for value. What a table leaves out has no counterpart there (docs/interoperability.md says,
# field by field, what maps and what is lost). The status goes through STATUS_CROSSWALK above.

# The Classification of the Functions of Government (COFOG, UN / Eurostat), its ten divisions,
# by code, with the English labels the EU Public Sector Tech Watch writes.
COFOG_DIVISIONS = {
    "01": "General public services",
    "02": "Defence",
    "03": "Public order and safety",
    "04": "Economic affairs",
    "05": "Environmental protection",
    "06": "Housing and community amenities",
    "07": "Health",
    "08": "Recreation, culture and religion",
    "09": "Education",
    "10": "Social protection",
}

# Our domains of local public action (the shared vocabulary's codes, fixtures/guide_cdg74.json)
# onto COFOG: (division, group), the group as the PSTW dataset labels it. A domain that is not
# listed (one the curators add later) has no COFOG function in the exports until it is.
DOMAIN_COFOG = {
    "administration-generale-et-assemblees": (
        "01",
        "Executive and legislative organs, financial and fiscal affairs, external affairs.",
    ),
    "ressources-humaines": ("01", "General services."),
    "finances": (
        "01",
        "Executive and legislative organs, financial and fiscal affairs, external affairs.",
    ),
    "commande-publique": ("01", "General services."),
    "juridique": ("01", "General public services n.e.c."),
    "systemes-d-information": ("01", "General services."),
    "relation-usagers-et-accueil": ("01", "General public services n.e.c."),
    "communication": ("01", "General services."),
    "etat-civil-et-population": ("01", "General services."),
    "urbanisme": ("06", "Community development."),
    "voirie-et-espaces-publics": ("04", "Transport"),
    "eau-et-assainissement": ("06", "Water supply."),
    "dechets": ("05", "Waste management."),
    "energie-et-batiments": ("04", "Fuel and energy"),
    "environnement": ("05", "Environmental protection n.e.c."),
    "mobilite": ("04", "Transport"),
    "action-sociale": ("10", "Social protection n.e.c."),
    "enfance-jeunesse-scolaire": ("09", "Pre-primary and primary education."),
    "culture": ("08", "Cultural services."),
    "sport": ("08", "Recreational and sporting services."),
    "tourisme": ("04", "Other industries"),
    "developpement-economique": ("04", "General economic, commercial and labour affair"),
    "habitat": ("06", "Housing development."),
    "police-municipale": ("03", "Police Services"),
    "secours-et-risques": ("03", "Public order and safety n.e.c."),
    "sante": ("07", "Public health services."),
    "autre": ("01", "General public services n.e.c."),
}

# Département (INSEE code) → its NUTS 2021 level-3 region (Eurostat): the PSTW's « NUTS 2021 ».
NUTS_2021_BY_DEPARTEMENT = {
    "01": "FRK21", "02": "FRE21", "03": "FRK11", "04": "FRL01", "05": "FRL02", "06": "FRL03",
    "07": "FRK22", "08": "FRF21", "09": "FRJ21", "10": "FRF22", "11": "FRJ11", "12": "FRJ22",
    "13": "FRL04", "14": "FRD11", "15": "FRK12", "16": "FRI31", "17": "FRI32", "18": "FRB01",
    "19": "FRI21", "21": "FRC11", "22": "FRH01", "23": "FRI22", "24": "FRI11", "25": "FRC21",
    "26": "FRK23", "27": "FRD21", "28": "FRB02", "29": "FRH02", "2A": "FRM01", "2B": "FRM02",
    "30": "FRJ12", "31": "FRJ23", "32": "FRJ24", "33": "FRI12", "34": "FRJ13", "35": "FRH03",
    "36": "FRB03", "37": "FRB04", "38": "FRK24", "39": "FRC22", "40": "FRI13", "41": "FRB05",
    "42": "FRK25", "43": "FRK13", "44": "FRG01", "45": "FRB06", "46": "FRJ25", "47": "FRI14",
    "48": "FRJ14", "49": "FRG02", "50": "FRD12", "51": "FRF23", "52": "FRF24", "53": "FRG03",
    "54": "FRF31", "55": "FRF32", "56": "FRH04", "57": "FRF33", "58": "FRC12", "59": "FRE11",
    "60": "FRE22", "61": "FRD13", "62": "FRE12", "63": "FRK14", "64": "FRI15", "65": "FRJ26",
    "66": "FRJ15", "67": "FRF11", "68": "FRF12", "69": "FRK26", "70": "FRC23", "71": "FRC13",
    "72": "FRG04", "73": "FRK27", "74": "FRK28", "75": "FR101", "76": "FRD22", "77": "FR102",
    "78": "FR103", "79": "FRI33", "80": "FRE23", "81": "FRJ27", "82": "FRJ28", "83": "FRL05",
    "84": "FRL06", "85": "FRG05", "86": "FRI34", "87": "FRI23", "88": "FRF34", "89": "FRC14",
    "90": "FRC24", "91": "FR104", "92": "FR105", "93": "FR106", "94": "FR107", "95": "FR108",
    "971": "FRY10", "972": "FRY20", "973": "FRY30", "974": "FRY40", "976": "FRY50",
}  # fmt: skip

_LOCAL_KINDS = (
    CollectiviteKind.COMMUNE,
    CollectiviteKind.CC,
    CollectiviteKind.CA,
    CollectiviteKind.CU,
    CollectiviteKind.METROPOLE,
    CollectiviteKind.EPCI_OTHER,
    CollectiviteKind.SYNDICAT,
    CollectiviteKind.CCAS,
    CollectiviteKind.CDG,
    CollectiviteKind.OTHER,
)

# The Dutch Algoritmeregister, publication standard 1.0 (its published configuration: MinBZK's
# Algoritmeregister repository, backend/app/schemas/config/v1_0.json).
ALGORITMEREGISTER_CROSSWALK = {
    "status": {code: row[0] for code, row in STATUS_CROSSWALK.items()},
    # « Thema »: the register's permitted values (its TOP-lijst themes).
    "category": {
        "administration-generale-et-assemblees": "Organisatie en bedrijfsvoering",
        "ressources-humaines": "Organisatie en bedrijfsvoering",
        "finances": "Overheidsfinanciën",
        "commande-publique": "Organisatie en bedrijfsvoering",
        "juridique": "Recht",
        "systemes-d-information": "Organisatie en bedrijfsvoering",
        "relation-usagers-et-accueil": "Organisatie en bedrijfsvoering",
        "communication": "Organisatie en bedrijfsvoering",
        "etat-civil-et-population": "Organisatie en bedrijfsvoering",
        "urbanisme": "Ruimte en infrastructuur",
        "voirie-et-espaces-publics": "Ruimte en infrastructuur",
        "eau-et-assainissement": "Natuur en milieu",
        "dechets": "Natuur en milieu",
        "energie-et-batiments": "Economie",
        "environnement": "Natuur en milieu",
        "mobilite": "Verkeer",
        "action-sociale": "Sociale zekerheid",
        "enfance-jeunesse-scolaire": "Onderwijs en wetenschap",
        "culture": "Cultuur en recreatie",
        "sport": "Cultuur en recreatie",
        "tourisme": "Economie",
        "developpement-economique": "Economie",
        "habitat": "Wonen",
        "police-municipale": "Openbare orde en veiligheid",
        "secours-et-risques": "Openbare orde en veiligheid",
        "sante": "Zorg en gezondheid",
    },
    # « Publicatiecategorie »: a high-risk (or prohibited) AI system under the AI Act; else an
    # « impactful » algorithm when it grounds individual decisions; else « other ».
    "publication_category": {
        AIActRisk.PROHIBITED: "Hoog-risico AI-systeem",
        AIActRisk.HIGH: "Hoog-risico AI-systeem",
    },
    "publication_category_individual_decision": "Impactvolle algoritmes",
    "publication_category_other": "Overige algoritmes",
    "lang": "nld",
    "standard_version": "1.0",
}

# The UK Algorithmic Transparency Recording Standard (ATRS v3.0 attribute names; the vocabularies
# of GOV.UK's record finder, alphagov/specialist-publisher, algorithmic_transparency_records.json).
ATRS_CROSSWALK = {
    "phase": {code: row[1] for code, row in STATUS_CROSSWALK.items()},
    # Territorial authorities are « local authorities »; their public bodies (syndicats, CCAS,
    # SDIS, centres de gestion) « agencies or public bodies ».
    "organisation_type": {
        CollectiviteKind.COMMUNE: "Local authority",
        CollectiviteKind.CC: "Local authority",
        CollectiviteKind.CA: "Local authority",
        CollectiviteKind.CU: "Local authority",
        CollectiviteKind.METROPOLE: "Local authority",
        CollectiviteKind.EPCI_OTHER: "Local authority",
        CollectiviteKind.DEPARTEMENT: "Local authority",
        CollectiviteKind.REGION: "Local authority",
        CollectiviteKind.SYNDICAT: "Agency or public body",
        CollectiviteKind.CCAS: "Agency or public body",
        CollectiviteKind.SDIS: "Agency or public body",
        CollectiviteKind.CDG: "Agency or public body",
        CollectiviteKind.OTHER: "Agency or public body",
    },
    # « Function »: the COFOG divisions as the finder labels them.
    "function": {
        "01": "General public services",
        "02": "Defence",
        "03": "Public order and safety",
        "04": "Economic affairs",
        "05": "Environmental protection",
        "06": "Housing and community amenities",
        "07": "Health",
        "08": "Recreation culture and religion",
        "09": "Education",
        "10": "Social protection",
    },
    "standard_version": "3.0",
}

# The EU Public Sector Tech Watch dataset (JRC; columns of its 2025-11 CSV).
PSTW_CROSSWALK = {
    "status": {code: row[3] for code, row in STATUS_CROSSWALK.items()},
    "geographical_extent": {
        **{kind: "Local" for kind in _LOCAL_KINDS},
        CollectiviteKind.SDIS: "Regional",
        CollectiviteKind.DEPARTEMENT: "Regional",
        CollectiviteKind.REGION: "Regional",
    },
    "organisation_category": {
        **{kind: "Local Government" for kind in _LOCAL_KINDS},
        CollectiviteKind.SDIS: "Regional Government",
        CollectiviteKind.DEPARTEMENT: "Regional Government",
        CollectiviteKind.REGION: "Regional Government",
    },
    # « AI Classification (I) » and « Subdomain (II) » (the JRC's AI Watch taxonomy).
    "ai_classification": {
        Technique.RULES: ("Reasoning", "Automated reasoning"),
        Technique.CLASSICAL_ML: ("Learning", "Machine learning"),
        Technique.COMPUTER_VISION: ("Perception", "Computer vision"),
        Technique.NLP: ("Communication", "Natural language processing"),
        Technique.SPEECH: ("Perception", "Audio processing"),
        Technique.GENERATIVE_TEXT: ("Communication", "Natural language processing"),
        Technique.GENERATIVE_MEDIA: ("Learning", "Machine learning"),
        Technique.AGENTIC: ("Integration and Interaction", "Multi-agent systems"),
        Technique.OPTIMISATION: ("Planning", "Optimisation"),
        Technique.RPA: ("Integration and Interaction", "Robotics and Automation"),
    },
    "collaboration_type": {
        Sourcing.VENDOR_PRODUCT: "Private corporation",
        Sourcing.IN_HOUSE: "Fully internal",
        Sourcing.MIXED: "Private corporation",
        Sourcing.MUTUALISED: "Other PAs",
        Sourcing.STATE_SERVICE: "Other PAs",
        Sourcing.FREE_CONSUMER_TOOL: "Private corporation",
        Sourcing.RESEARCH_PARTNERSHIP: "Universities/Research organisations",
    },
    # « Interaction »: whom the system serves (citizens first, then businesses, else the
    # administration itself).
    "interaction": {
        Audience.CITIZENS: "G2C",
        Audience.BUSINESSES: "G2B",
        Audience.AGENTS: "G2G",
        Audience.ELECTED: "G2G",
    },
    # « Process type »: a service to the public, else internal management.
    "process_type_public": "Public services and engagement",
    "process_type_internal": "Internal management",
    "country": "France",
    "primary_technology": "Artificial Intelligence",
    "yes": "Yes",
    "no": "No",
}
