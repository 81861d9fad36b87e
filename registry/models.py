from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import schema_exists

from registry import snapshot, tenancy, validators
from registry.directory import DirectoryEntry, DirectoryRelease
from registry.vocabularies import (
    AIFamily,
    CollectiviteKind,
    Hosting,
    ImportRunState,
    JoinRequestState,
    Licence,
    MappingDateFormat,
    MatchRule,
    Origin,
    QualityFlag,
    SourceAdapterKind,
    StaffSizeBand,
    SubmissionState,
    TermVocabulary,
    check_constraint_values,
    population_band,
)


class Collectivite(TenantMixin):
    """A member organisation. Its schema holds its own use cases (see casestudies)."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(
        _("identifiant"),
        max_length=63,
        unique=True,
        validators=[validators.validate_slug],
        help_text=_("Sert d'adresse au site de la collectivité : <identifiant>.<domaine>."),
    )
    kind = models.CharField(_("type"), max_length=20, choices=CollectiviteKind.choices)
    siren = models.CharField(
        _("SIREN"), max_length=9, blank=True, validators=[validators.validate_siren]
    )
    insee_code = models.CharField(
        _("code INSEE"), max_length=5, blank=True, validators=[validators.validate_insee_code]
    )
    departement = models.CharField(
        _("département"),
        max_length=3,
        default="74",
        blank=True,
        validators=[validators.validate_departement],
        help_text=_("Vide quand la source ne le dit pas (une collectivité anonyme du guide)."),
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    staff_size_band = models.CharField(
        _("effectif"), max_length=10, choices=StaffSizeBand.choices, blank=True
    )
    parent_epci = models.ForeignKey(
        "self",
        verbose_name=_("EPCI de rattachement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member_collectivites",
    )
    directory_entry = models.OneToOneField(
        DirectoryEntry,
        verbose_name=_("entrée de l'annuaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="collectivite",
        help_text=_("Son identité officielle (SIREN, code INSEE, population) dans l'annuaire."),
    )
    cdg_member = models.BooleanField(_("affiliée au CDG"), default=True)
    contact_name = models.CharField(_("contact public"), max_length=200, blank=True)
    contact_email = models.EmailField(_("adresse de contact"), blank=True)
    website = models.URLField(_("site internet"), blank=True)
    is_anonymised = models.BooleanField(
        _("anonymisée"),
        default=False,
        help_text=_("La source ne nomme pas la collectivité : aucune identité n'est inventée."),
    )
    # Last number handed out for this collectivité's public use-case ids (never goes back).
    last_use_case_number = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        verbose_name = _("collectivité")
        verbose_name_plural = _("collectivités")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=check_constraint_values(CollectiviteKind)),
                name="collectivite_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(slug__regex=validators.SLUG_RE.pattern),
                name="collectivite_slug_format",
            ),
            models.CheckConstraint(
                condition=models.Q(schema_name__regex=validators.SCHEMA_NAME_RE.pattern),
                name="collectivite_schema_name_format",
            ),
            models.CheckConstraint(
                condition=models.Q(siren="") | models.Q(siren__regex=r"^\d{9}$"),
                name="collectivite_siren_format",
            ),
            models.UniqueConstraint(
                fields=["siren"], condition=~models.Q(siren=""), name="collectivite_siren_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(insee_code="")
                | models.Q(insee_code__regex=r"^(\d{5}|2[AB]\d{3})$"),
                name="collectivite_insee_format",
            ),
        ]

    def __str__(self):
        return self.name

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):
        """A copy of the migrated template (registry/tenancy.py), with its migration rows: no
        `migrate_schemas --fake` afterwards (~0.2 s of migration graph for nothing). Without a
        template (TENANT_CREATION_FAKES_MIGRATIONS off), the library migrates the new schema."""
        if not sync_schema or tenancy.template_schema() is None:
            return super().create_schema(check_if_exists, sync_schema, verbosity)
        if check_if_exists and schema_exists(self.schema_name):
            return False
        tenancy.clone_template(self.schema_name, verbosity=verbosity)
        return True

    @property
    def population_band(self) -> str:
        return population_band(self.population)


__all__ = [
    "BenchmarkEntry",
    "BenchmarkEntryEvent",
    "BenchmarkVersion",
    "Collectivite",
    "DirectoryEntry",
    "DirectoryRelease",
    "Domain",
    "ImportRun",
    "MappingProfile",
    "Source",
    "SourceRecord",
    "SourceUpload",
    "Submission",
    "Term",
    "Tool",
    "UseCaseIdentifier",
    "Vendor",
]


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("nom de domaine")
        verbose_name_plural = _("noms de domaine")

    def __str__(self):
        return self.domain


class UseCaseIdentifier(models.Model):
    """Every public id ever handed out, in the public schema, so none is ever given twice."""

    public_id = models.CharField(max_length=80, unique=True)
    uuid = models.UUIDField(unique=True)
    collectivite = models.ForeignKey(Collectivite, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("identifiant de cas d'usage")

    def __str__(self):
        return self.public_id


class Vendor(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    website = models.URLField(_("site internet"), blank=True)
    country = models.CharField(_("pays"), max_length=2, blank=True, help_text=_("Code ISO, ex. FR"))
    aliases = ArrayField(
        models.CharField(max_length=200), verbose_name=_("autres noms"), default=list, blank=True
    )

    class Meta:
        verbose_name = _("éditeur")
        verbose_name_plural = _("éditeurs")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="vendor_name_unique_ci")]

    def __str__(self):
        return self.name


class Tool(models.Model):
    """An AI product of the shared catalogue, linked to use cases of many collectivités."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    aliases = ArrayField(
        models.CharField(max_length=200),
        verbose_name=_("autres noms"),
        default=list,
        blank=True,
        help_text=_("Orthographes rencontrées, pour éviter les doublons (ex. Délib-IA)."),
    )
    vendor = models.ForeignKey(
        Vendor,
        verbose_name=_("éditeur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tools",
    )
    kind = models.CharField(_("famille"), max_length=20, choices=AIFamily.choices)
    underlying_model = models.CharField(
        _("modèle ou fournisseur sous-jacent"), max_length=200, blank=True
    )
    licence = models.CharField(
        _("licence"), max_length=20, choices=Licence.choices, default=Licence.UNKNOWN
    )
    hosting_options = ArrayField(
        models.CharField(max_length=20, choices=Hosting.choices),
        verbose_name=_("hébergements possibles"),
        default=list,
        blank=True,
    )
    website = models.URLField(_("site internet"), blank=True)
    description = models.TextField(_("description"), blank=True)
    deprecated = models.BooleanField(
        _("obsolète"), default=False, help_text=_("Ne peut plus être associé à un nouveau cas.")
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("fusionné dans"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_tools",
        help_text=_(
            "Doublon fusionné : les cas d'usage qui le citent sont lus comme citant cet outil."
        ),
    )

    class Meta:
        verbose_name = _("outil")
        verbose_name_plural = _("outils")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="tool_name_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(kind__in=check_constraint_values(AIFamily)),
                name="tool_kind_valid",
            ),
        ]

    def __str__(self):
        return self.name


class Term(models.Model):
    """A curator-maintained vocabulary entry (local service domains, common usages)."""

    vocabulary = models.CharField(_("vocabulaire"), max_length=20, choices=TermVocabulary.choices)
    code = models.SlugField(_("code"), max_length=80)
    label_fr = models.CharField(_("libellé"), max_length=200)
    label_en = models.CharField(_("libellé anglais"), max_length=200, blank=True)
    definition = models.TextField(_("définition"), blank=True)
    position = models.PositiveIntegerField(_("ordre"), default=0)
    active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("terme")
        verbose_name_plural = _("termes")
        ordering = ["vocabulary", "position", "label_fr"]
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "code"], name="term_code_unique"),
            models.CheckConstraint(
                condition=models.Q(vocabulary__in=check_constraint_values(TermVocabulary)),
                name="term_vocabulary_valid",
            ),
        ]

    def __str__(self):
        return self.label_fr


class BenchmarkEntry(models.Model):
    """The published snapshot of a use case, in the public schema.

    Written in the same transaction as the publication, by casestudies' publishing service. The
    cross-collectivité benchmark reads only this table: filter columns are copied out of the
    snapshot, and `payload` is the JSON the API serves as is.
    """

    uuid = models.UUIDField(_("identifiant universel"), unique=True)
    public_id = models.CharField(_("identifiant public"), max_length=80, unique=True)
    origin = models.CharField(
        _("origine"), max_length=20, choices=Origin.choices, default=Origin.DECLARED
    )
    # A declared case: its collectivité. A public source's record has none (it never declared
    # anything): organisation_name names who the source says runs it, and its match to the
    # directory (source_record.directory_entry) gives its kind, département and population band.
    collectivite = models.ForeignKey(
        Collectivite,
        verbose_name=_("collectivité"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="benchmark_entries",
    )
    source_record = models.OneToOneField(
        "SourceRecord",
        verbose_name=_("fiche de la source publique"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="benchmark_entry",
    )
    organisation_name = models.CharField(_("organisation"), max_length=300, blank=True)
    collectivite_slug = models.CharField(
        _("identifiant de la collectivité"), max_length=63, blank=True
    )
    collectivite_kind = models.CharField(
        _("type de collectivité"), max_length=20, choices=CollectiviteKind.choices, blank=True
    )
    population_band = models.CharField(_("tranche de population"), max_length=20, blank=True)
    departement = models.CharField(_("département"), max_length=3, blank=True)
    title = models.CharField(snapshot.label("title"), max_length=120)
    visibility = models.CharField(
        snapshot.label("visibility"), max_length=10, choices=snapshot.choices("visibility")
    )
    status = models.CharField(
        snapshot.label("status"), max_length=20, choices=snapshot.choices("status")
    )
    ai_family = models.CharField(
        snapshot.label("ai_family"), max_length=20, choices=snapshot.choices("ai_family")
    )
    ai_act_risk = models.CharField(
        snapshot.label("ai_act_risk"), max_length=20, choices=snapshot.choices("ai_act_risk")
    )
    automation_level = models.CharField(
        snapshot.label("automation_level"),
        max_length=20,
        choices=snapshot.choices("automation_level"),
    )
    personal_data = models.CharField(
        snapshot.label("personal_data"), max_length=20, choices=snapshot.choices("personal_data")
    )
    method_phase = models.CharField(
        snapshot.label("method_phase"),
        max_length=20,
        blank=True,
        choices=snapshot.choices("method_phase"),
    )
    domains = ArrayField(models.CharField(max_length=80), default=list)
    tool_ids = ArrayField(models.BigIntegerField(), default=list)
    techniques = ArrayField(models.CharField(max_length=20), default=list)
    risk_codes = ArrayField(models.CharField(max_length=40), default=list)
    started_on = models.DateField(null=True)
    production_on = models.DateField(null=True)
    published_at = models.DateTimeField(_("publiée le"))
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    payload = models.JSONField(_("fiche publiée"))
    # Shown to members of the network only, when the collectivité accepts questions from peers.
    contact_email = models.EmailField(_("adresse de contact"), blank=True)
    search_vector = SearchVectorField(null=True)
    # Curators' annotations: they survive republication and never change the collectivité's text.
    featured = models.BooleanField(_("mis en avant"), default=False)
    curator_note = models.TextField(_("note du curateur"), blank=True)
    curated_domains = ArrayField(
        models.CharField(max_length=80),
        verbose_name=_("domaines normalisés"),
        default=list,
        blank=True,
    )
    curated_tool_ids = ArrayField(
        models.BigIntegerField(), verbose_name=_("outils normalisés"), default=list, blank=True
    )
    quality_flags = ArrayField(
        models.CharField(max_length=30, choices=QualityFlag.choices),
        verbose_name=_("signalements qualité"),
        default=list,
        blank=True,
    )

    class Meta:
        verbose_name = _("entrée du référentiel commun")
        verbose_name_plural = _("référentiel commun")
        ordering = ["-published_at", "public_id"]
        indexes = [
            models.Index(fields=["status", "visibility"], name="bench_status_vis_idx"),
            models.Index(fields=["-published_at", "public_id"], name="bench_published_idx"),
            models.Index(fields=["collectivite_kind"], name="bench_kind_idx"),
            models.Index(fields=["population_band"], name="bench_band_idx"),
            GinIndex(fields=["domains"], name="bench_domains_gin"),
            GinIndex(fields=["tool_ids"], name="bench_tools_gin"),
            GinIndex(fields=["techniques"], name="bench_techniques_gin"),
            GinIndex(fields=["risk_codes"], name="bench_risks_gin"),
            models.Index(fields=["method_phase"], name="bench_phase_idx"),
            models.Index(fields=["origin"], name="bench_origin_idx"),
            # The explorer's default order: declared cases first, then public sources' records.
            models.Index(
                fields=["origin", "-published_at", "public_id"], name="bench_origin_published_idx"
            ),
            GinIndex(fields=["search_vector"], name="bench_search_gin"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visibility__in=["network", "public"]),
                name="bench_visibility_shared",
                violation_error_message=_("Un cas d'usage privé ne sort pas de sa collectivité."),
            ),
            models.CheckConstraint(
                condition=models.Q(origin__in=check_constraint_values(Origin)),
                name="bench_origin_valid",
            ),
            # A declared case always has its collectivité; a public source's record always its
            # source record.
            models.CheckConstraint(
                condition=(
                    models.Q(origin=Origin.DECLARED, collectivite__isnull=False)
                    | models.Q(origin=Origin.PUBLIC_SOURCE, source_record__isnull=False)
                ),
                name="bench_origin_link",
                violation_error_message=_(
                    "Un cas déclaré a sa collectivité ; une fiche de source publique, sa source."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.public_id} — {self.title}"


class BenchmarkVersion(models.Model):
    """One row whose number goes up with every change of the benchmark (for ETags)."""

    version = models.BigIntegerField(default=0)

    def __str__(self):
        return str(self.version)


class BenchmarkEntryEvent(models.Model):
    """History of a benchmark entry: publications, replacements, annotations, removals."""

    uuid = models.UUIDField(_("identifiant universel"), db_index=True)
    public_id = models.CharField(_("identifiant public"), max_length=80)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=30)
    changes = models.JSONField(_("changements"), default=dict, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    created_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("historique du référentiel")
        verbose_name_plural = _("historique du référentiel")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.public_id} {self.action}"


class Submission(models.Model):
    """A use case submitted to the CDG's curators, recorded in the public schema so that the review
    queue never reads a collectivité's schema. Holds the proposed snapshot as submitted (each
    submission its own: the one sent back for corrections stays, to compare the next one with)."""

    uuid = models.UUIDField(_("identifiant universel"))
    public_id = models.CharField(_("identifiant public"), max_length=80)
    collectivite = models.ForeignKey(
        Collectivite,
        verbose_name=_("collectivité"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    title = models.CharField(_("titre"), max_length=120)
    state = models.CharField(
        _("état"),
        max_length=20,
        choices=SubmissionState.choices,
        default=SubmissionState.PENDING,
    )
    previous_state = models.CharField(_("état de publication avant la soumission"), max_length=20)
    payload = models.JSONField(_("fiche soumise"))
    completeness = models.PositiveSmallIntegerField(_("complétude (sur 100)"))
    missing = models.JSONField(_("ce qui manque"), default=list)
    message = models.TextField(_("message de la collectivité"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("soumise par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("soumise le"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decision_comment = models.TextField(_("commentaire du curateur"), blank=True)

    class Meta:
        verbose_name = _("soumission")
        verbose_name_plural = _("soumissions")
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["uuid"],
                condition=models.Q(state="pending"),
                name="submission_one_pending_per_use_case",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=check_constraint_values(SubmissionState)),
                name="submission_state_valid",
            ),
        ]

    def __str__(self):
        return f"{self.public_id} ({self.get_state_display()})"


class JoinRequest(models.Model):
    """An agent of a body of the official directory that is not yet in the registry asks to join
    it, from the public site (/rejoindre/). Nothing else is created until a curator accepts it
    (registry.services.join_requests): then the collectivité, its schema and its first
    administrator's invitation, to the requester's address."""

    entry = models.ForeignKey(
        DirectoryEntry,
        verbose_name=_("collectivité de l'annuaire"),
        on_delete=models.PROTECT,
        related_name="join_requests",
    )
    name = models.CharField(_("prénom et nom"), max_length=150)
    function = models.CharField(_("fonction"), max_length=150)
    email = models.EmailField(_("adresse électronique professionnelle"), max_length=254)
    message = models.TextField(_("message"), blank=True, max_length=2000)
    state = models.CharField(
        _("état"),
        max_length=20,
        choices=JoinRequestState.choices,
        default=JoinRequestState.PENDING,
    )
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    reason = models.TextField(_("motif du refus"), blank=True)
    collectivite = models.ForeignKey(
        Collectivite,
        verbose_name=_("collectivité inscrite"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("demande d'inscription")
        verbose_name_plural = _("demandes d'inscription")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "entry",
                Lower("email"),
                condition=models.Q(state="pending"),
                name="joinrequest_one_pending_per_entry_email",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=check_constraint_values(JoinRequestState)),
                name="joinrequest_state_valid",
            ),
        ]

    def __str__(self):
        return f"{self.entry.name} — {self.email} ({self.get_state_display()})"


class SynonymGroup(models.Model):
    """Words the French search treats alike (registry.search), in the explorer, the benchmark's
    API and the knowledge base: « RH » finds « ressources humaines », « Scrum » the guide's
    « SCUM ». Edited by the curators (admin), written by registry.services.synonyms."""

    terms = ArrayField(
        models.CharField(max_length=100),
        verbose_name=_("termes"),
        help_text=_(
            "Un terme par ligne (un mot, un sigle ou une expression de plusieurs mots). Les "
            "accents et les majuscules ne comptent pas."
        ),
    )
    one_way = models.BooleanField(
        _("à sens unique"),
        default=False,
        help_text=_(
            "Coché : chercher le premier terme trouve aussi les suivants, mais chercher un des "
            "suivants ne trouve pas le premier (« délibération » trouve « conseil municipal »). "
            "Décoché : chaque terme trouve tous les autres."
        ),
    )
    note = models.CharField(
        _("remarque"),
        max_length=300,
        blank=True,
        help_text=_("Pour les curateurs : pourquoi ce groupe existe (non affiché au public)."),
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("groupe de synonymes")
        verbose_name_plural = _("synonymes de la recherche")
        ordering = [Lower(F("terms__0")), "pk"]

    def __str__(self):
        return (" → " if self.one_way else " ↔ ").join(self.terms)[:200]


# --- public sources ------------------------------------------------------------------------------


class Source(models.Model):
    """A public register whose records are read into the benchmark (registry/sources/): who
    publishes it, under which licence and attribution, and the millésime last read."""

    slug = models.SlugField(_("identifiant"), max_length=50, unique=True)
    adapter = models.CharField(
        _("format"),
        max_length=20,
        choices=SourceAdapterKind.choices,
        help_text=_("Comment ses fichiers sont lus (registry/sources/)."),
    )
    name = models.CharField(_("nom"), max_length=200)
    publisher = models.CharField(_("éditeur"), max_length=200)
    licence = models.CharField(_("licence"), max_length=100)
    licence_url = models.URLField(_("texte de la licence"), max_length=500, blank=True)
    attribution = models.TextField(
        _("mention d'attribution"),
        help_text=_("Le texte à citer avec chaque fiche reprise de cette source."),
    )
    url = models.URLField(_("adresse de la source"), max_length=500, blank=True)
    millesime = models.CharField(
        _("millésime"), max_length=20, blank=True, help_text=_("Ex. 2025-11, 2025.")
    )
    # Prefix of the public ids of its records (« PSTW » → PSTW-41).
    id_prefix = models.CharField(_("préfixe des identifiants"), max_length=20, unique=True)
    # The source's columns as last read, in their order (the raw rows are shown in it).
    columns = models.JSONField(_("colonnes"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("source publique")
        verbose_name_plural = _("sources publiques")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(adapter__in=check_constraint_values(SourceAdapterKind)),
                name="source_adapter_valid",
            ),
        ]

    def __str__(self):
        return self.name


class ImportRun(models.Model):
    """One reading of a file of a source (command, admin upload or job): counts, every rejected
    row with its row number, column and French reason, and its progress while it runs."""

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="runs"
    )
    adapter = models.CharField(_("format"), max_length=20, choices=SourceAdapterKind.choices)
    profile = models.CharField(
        _("profil de correspondance"),
        max_length=100,
        blank=True,
        help_text=_("Pour un fichier lu par correspondance de colonnes."),
    )
    file_name = models.CharField(_("fichier"), max_length=255)
    file_sha256 = models.CharField(_("empreinte du fichier"), max_length=64, blank=True)
    # The file itself while a job waits to read it (emptied once read).
    content = models.BinaryField(null=True, blank=True, editable=False)
    millesime = models.CharField(_("millésime"), max_length=20, blank=True)
    dry_run = models.BooleanField(_("essai à blanc"), default=False)
    state = models.CharField(
        _("état"), max_length=20, choices=ImportRunState.choices, default=ImportRunState.PENDING
    )
    rows_total = models.PositiveIntegerField(_("lignes à lire"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("lignes lues"), default=0)
    # {read, created, updated, unchanged, skipped, rejected, matched}
    counts = models.JSONField(_("effectifs"), default=dict, blank=True)
    # [{row, column, reason, original_id}]: every row that did not land, and why.
    rejections = models.JSONField(_("lignes rejetées"), default=list, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lancé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("import d'une source")
        verbose_name_plural = _("imports des sources")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=check_constraint_values(ImportRunState)),
                name="importrun_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(adapter__in=check_constraint_values(SourceAdapterKind)),
                name="importrun_adapter_valid",
            ),
        ]

    def __str__(self):
        return f"{self.source} — {self.file_name} ({self.get_state_display()})"

    @property
    def progress(self) -> int | None:
        """Percentage read, while it runs (None: the total is not known yet)."""
        if not self.rows_total:
            return None
        return min(100, 100 * self.rows_done // self.rows_total)


class SourceRecord(models.Model):
    """A record read from a public source, in the public schema: its identifier and address in
    the source, the row exactly as read, the fields mapped onto ours, its match to the directory
    of collectivités, and whether a collectivité took it into its own space (claiming)."""

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="records"
    )
    original_id = models.CharField(_("identifiant dans la source"), max_length=200)
    original_url = models.URLField(_("adresse dans la source"), max_length=2000, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=300, blank=True)
    country = models.CharField(_("pays"), max_length=2, blank=True, help_text=_("Code ISO, ex. FR"))
    read_at = models.DateTimeField(_("lue le"))
    # The row as the file gives it: {column: value}, values untouched (spaces, line breaks);
    # the columns' order is the source's (Source.columns).
    raw = models.JSONField(_("ligne d'origine"))
    # The fields mapped onto ours, in the published format (registry.snapshot field names).
    mapped = models.JSONField(_("champs repris"), default=dict)
    # What was read but not mapped onto our vocabularies (kept in the raw row), in French.
    notes = models.JSONField(_("remarques"), default=list, blank=True)
    # SHA-256 of the adapter's version and the raw row: a re-import of the same row is a no-op.
    content_hash = models.CharField(_("empreinte"), max_length=64)
    last_run = models.ForeignKey(
        ImportRun,
        verbose_name=_("dernier import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Matching to the directory (registry.sources.matching).
    directory_entry = models.ForeignKey(
        DirectoryEntry,
        verbose_name=_("collectivité de l'annuaire"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_records",
    )
    match_rule = models.CharField(
        _("règle de rapprochement"), max_length=20, choices=MatchRule.choices, blank=True
    )
    match_confidence = models.PositiveSmallIntegerField(
        _("confiance du rapprochement (sur 100)"), null=True, blank=True
    )
    # Directory keys of the entries that could have matched (ambiguous names), for the curator.
    match_candidates = ArrayField(
        models.CharField(max_length=50),
        verbose_name=_("entrées possibles"),
        default=list,
        blank=True,
    )
    # Claiming: the collectivité that took this record into its own space, and its use case.
    claimed_by = models.ForeignKey(
        Collectivite,
        verbose_name=_("reprise par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claimed_source_records",
    )
    claimed_public_id = models.CharField(
        _("cas d'usage de la collectivité"), max_length=80, blank=True
    )
    claimed_at = models.DateTimeField(_("reprise le"), null=True, blank=True)
    # Once the collectivité's case is published, the record leaves the benchmark for good (its
    # entry is deleted, and the next imports do not write it again): registry.services.claims.
    superseded_at = models.DateTimeField(
        _("remplacée par la fiche déclarée le"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("fiche d'une source publique")
        verbose_name_plural = _("fiches des sources publiques")
        ordering = ["source", "original_id"]
        indexes = [
            models.Index(fields=["country", "match_rule"], name="sourcerecord_match_idx"),
            # A re-import finds the rows it read already by their hash, before mapping them.
            models.Index(fields=["source", "content_hash"], name="sourcerecord_hash_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "original_id"], name="sourcerecord_original_id_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(match_rule="")
                | models.Q(match_rule__in=check_constraint_values(MatchRule)),
                name="sourcerecord_match_rule_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(match_confidence__isnull=True)
                | models.Q(match_confidence__lte=100),
                name="sourcerecord_confidence_range",
            ),
        ]

    def __str__(self):
        return f"{self.source.id_prefix} {self.original_id}"

    def raw_items(self) -> list[tuple[str, object]]:
        """The raw row in the source's column order (columns it did not know last)."""
        order = [column for column in self.source.columns if column in self.raw]
        return [(column, self.raw[column]) for column in order] + [
            (column, value) for column, value in self.raw.items() if column not in order
        ]


# --- files read by column mapping (registry/sources/mapping.py) ---------------------------------


class MappingProfile(models.Model):
    """How the columns of a network's or a city's published list (CSV or XLSX) map onto our
    fields, saved to be used again with the next edition of the same list
    (`manage.py import_source mapping FILE --profile NAME`, the curators' pages).

    `column_map`: {column of the file: target} (registry.sources.mapping.TARGETS; a column left
    out stays in the raw row only). `value_maps`: {target: {value as written, folded: our code}}
    for the targets that take a vocabulary (« Statut du projet » « Déployé » → production); ""
    leaves the value out (kept in the raw row, said in the record's notes)."""

    name = models.CharField(
        _("nom du profil"),
        max_length=100,
        unique=True,
        help_text=_("Ex. « Réseau IA Occitanie ». La commande d'import le cite (--profile)."),
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="mapping_profiles",
        help_text=_("Qui publie la liste, sous quelle licence."),
    )
    # The file's columns when the profile was saved, in their order.
    columns = models.JSONField(_("colonnes du fichier"), default=list, blank=True)
    column_map = models.JSONField(_("correspondance des colonnes"), default=dict, blank=True)
    value_maps = models.JSONField(_("correspondance des valeurs"), default=dict, blank=True)
    date_format = models.CharField(
        _("format des dates"),
        max_length=20,
        choices=MappingDateFormat.choices,
        default=MappingDateFormat.AUTO,
    )
    list_separator = models.CharField(
        _("séparateur des listes"),
        max_length=3,
        default=";",
        help_text=_("Entre deux thèmes d'une même case, ex. « ; » pour « Mobilité ; Voirie »."),
    )
    country = models.CharField(
        _("pays"), max_length=2, default="FR", help_text=_("Code ISO du pays des fiches, ex. FR.")
    )
    description = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("profil de correspondance de colonnes")
        verbose_name_plural = _("profils de correspondance de colonnes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_format__in=check_constraint_values(MappingDateFormat)),
                name="mappingprofile_date_format_valid",
            ),
        ]

    def __str__(self):
        return self.name


class SourceUpload(models.Model):
    """A file a curator uploaded to map its columns (the curators' pages), kept while they map,
    preview and import it; the uploads of more than a week are deleted at the next upload."""

    file_name = models.CharField(_("fichier"), max_length=255)
    content = models.BinaryField(editable=False)
    file_sha256 = models.CharField(_("empreinte du fichier"), max_length=64)
    # The header, as read (registry.sources.files), and how many rows follow it.
    columns = models.JSONField(_("colonnes"), default=list)
    rows_total = models.PositiveIntegerField(_("lignes"), default=0)
    profile = models.ForeignKey(
        MappingProfile,
        verbose_name=_("profil de correspondance"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("fichier déposé pour correspondance")
        verbose_name_plural = _("fichiers déposés pour correspondance")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.file_name
