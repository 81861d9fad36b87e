from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person, identified by e-mail. Rights come from memberships and the curator flag."""

    email = models.EmailField(_("adresse électronique"), unique=True)
    full_name = models.CharField(_("nom complet"), max_length=200, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    is_curator = models.BooleanField(
        _("curateur CDG"),
        default=False,
        help_text=_("Agent du CDG qui organise le référentiel commun entre collectivités."),
    )
    date_joined = models.DateTimeField(_("inscrit le"), auto_now_add=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    @property
    def is_staff(self) -> bool:
        # Django's admin checks is_staff; here the public admin belongs to curators and operators.
        return self.is_superuser or self.is_curator

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name or self.email


class Role(models.TextChoices):
    READER = "reader", _("Lecteur")
    CONTRIBUTOR = "contributor", _("Contributeur")
    ADMIN = "admin", _("Administrateur")


class Membership(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("utilisateur"), on_delete=models.CASCADE, related_name="memberships"
    )
    collectivite = models.ForeignKey(
        # By name: accounts sits below registry and imports none of it.
        "registry.Collectivite",
        verbose_name=_("collectivité"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.READER)
    created_at = models.DateTimeField(_("depuis le"), auto_now_add=True)

    class Meta:
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        ordering = ["collectivite__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "collectivite"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=[value for value, _label in Role.choices]),
                name="membership_role_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.collectivite} ({self.get_role_display()})"


class AuditEvent(models.Model):
    """Who changed what in the public schema (collectivités, catalogue, knowledge base, accounts):
    one row per write of a service, with its actor. A use case's own history is its UseCaseEvent
    rows (its schema), a benchmark entry's its BenchmarkEntryEvent rows."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(_("type d'objet"), max_length=80)
    object_id = models.CharField(_("identifiant de l'objet"), max_length=80)
    object_repr = models.CharField(_("objet"), max_length=200)
    changes = models.JSONField(_("modifications"), default=dict, blank=True)
    created_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("journal des modifications")
        verbose_name_plural = _("journal des modifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.action} {self.object_repr}"


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither accepted nor revoked (an expired one is still open: it can be sent again)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """An e-mail address invited to join a collectivité with a role.

    Its link carries a random secret, of which only the SHA-256 digest is stored (see
    accounts.invitations): the link is in the e-mail, never in the database. Sending it again
    gives a new secret and kills the old one (its digest is kept to say so)."""

    email = models.EmailField(_("adresse électronique"))
    collectivite = models.ForeignKey(
        "registry.Collectivite",
        verbose_name=_("collectivité"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.READER)
    invited_by = models.ForeignKey(
        User,
        verbose_name=_("invitée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    replaced_token_hashes = ArrayField(
        models.CharField(max_length=64), default=list, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyée le"))
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User,
        verbose_name=_("acceptée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("annulée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-sent_at", "-id"]
        constraints = [
            # One open invitation per address and collectivité: inviting again sends it again.
            models.UniqueConstraint(
                fields=["collectivite", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[value for value, _label in Role.choices]),
                name="invitation_role_valid",
            ),
        ]
        indexes = [
            GinIndex(fields=["replaced_token_hashes"], name="invitation_replaced_gin"),
        ]

    def __str__(self):
        return f"{self.email} → {self.collectivite} ({self.get_role_display()})"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    @property
    def is_expired(self) -> bool:
        return self.is_open and self.expires_at <= timezone.now()
