"""Who may do what: the one permission policy of the registry.

Everything that decides a right reads this module: the role table of a collectivité's members,
who may perform each transition of the publication workflow, what a viewer may read of the
benchmark, the curators' rights, and the rule of every API action and admin view. The DRF
permission class and the admin mixins (accounts.permissions) are thin adapters over it.

It fails closed: an API action or an admin view that no rule lists is refused.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Role


class Action(models.TextChoices):
    VIEW = "view", _("consulter")
    CREATE = "create", _("créer")
    EDIT = "edit", _("modifier")
    SUBMIT = "submit", _("soumettre au CDG")
    UNPUBLISH = "unpublish", _("dépublier")
    ARCHIVE = "archive", _("archiver")
    MANAGE_MEMBERS = "manage_members", _("gérer les membres")
    # Take a public source's record about the collectivité into its space (it then speaks for
    # the collectivité in the benchmark once published): its administrators.
    CLAIM = "claim", _("reprendre une fiche de source publique")


# --- members of a collectivité -----------------------------------------------------------------

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.READER: frozenset({Action.VIEW}),
    Role.CONTRIBUTOR: frozenset({Action.VIEW, Action.CREATE, Action.EDIT, Action.SUBMIT}),
    Role.ADMIN: frozenset(Action.values),
}


def membership_of(user, collectivite) -> Membership | None:
    if collectivite is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, collectivite=collectivite).first()


def role_of(user, collectivite) -> str | None:
    """The user's role in the collectivité; platform superusers act as its admin."""
    if user is None or not user.is_authenticated or not user.is_active or collectivite is None:
        return None
    known = getattr(user, "role_in", None)  # read with the API token (accounts.authentication)
    if known is not None and known[0] == collectivite.pk:
        if known[1] is not None:
            return known[1]
    elif (membership := membership_of(user, collectivite)) is not None:
        return membership.role
    if user.is_superuser:
        return Role.ADMIN
    return None


def role_allows(role: str | None, action: str) -> bool:
    return role is not None and action in ROLE_ACTIONS[role]


# --- curators and operators --------------------------------------------------------------------


def is_curator(user) -> bool:
    """CDG curators (and platform operators) decide what reaches the shared benchmark."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.is_curator)
    )


def is_operator(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


# --- the publication workflow's transitions (casestudies.workflow holds their states) -----------


@dataclass(frozen=True)
class Actors:
    # A member whose role allows this action, and/or a curator.
    member_action: str | None
    curator: bool


TRANSITION_ACTORS: dict[str, Actors] = {
    "submit": Actors(Action.SUBMIT, curator=False),
    "withdraw": Actors(Action.SUBMIT, curator=False),
    "request_changes": Actors(None, curator=True),
    "approve": Actors(None, curator=True),
    "unpublish": Actors(Action.UNPUBLISH, curator=True),
    "archive": Actors(Action.ARCHIVE, curator=False),
}


def may_transition(user, collectivite, name: str) -> bool:
    """May this user make this transition on a use case of this collectivité? (Unknown: no.)"""
    actors = TRANSITION_ACTORS.get(name)
    if actors is None:
        return False
    if actors.curator and is_curator(user):
        return True
    if actors.member_action is None:
        return False
    return role_allows(role_of(user, collectivite), actors.member_action)


def members_may(name: str, role: str | None) -> bool:
    """May a member with this role make this transition (the pages offer it or not)?"""
    actors = TRANSITION_ACTORS.get(name)
    return (
        actors is not None
        and actors.member_action is not None
        and role_allows(role, actors.member_action)
    )


def curators_only(name: str) -> bool:
    actors = TRANSITION_ACTORS.get(name)
    return actors is not None and actors.curator and actors.member_action is None


# --- what a viewer may read of the benchmark ----------------------------------------------------

# Values of registry.vocabularies.Visibility (a test checks they match): accounts imports nothing
# of the apps above it.
PUBLIC = "public"
NETWORK = "network"


def visibility_scope(user) -> list[str]:
    """Visibilities a viewer may read in the benchmark: anonymous callers see `public` entries;
    members of a collectivité, curators and operators also `network` ones."""
    if (
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.is_curator or user.memberships.exists())
    ):
        return [PUBLIC, NETWORK]
    return [PUBLIC]


# --- every API action ---------------------------------------------------------------------------

ANYONE = "anyone"  # read by anyone (what they see is then narrowed by visibility_scope)
CURATOR = "curator"  # CDG curators and operators
WORKFLOW = "workflow"  # a member; the transition table decides, in the service, with a reason

# By view (its `policy_name`) and action (a viewset's action, or the HTTP method of a view): an
# Action is a member's right in the collectivité of the host (non-members get a 404).
API_RULES: dict[str, dict[str, str]] = {
    # A collectivité's API (its host)
    "usecase": {
        "list": Action.VIEW,
        "retrieve": Action.VIEW,
        "history": Action.VIEW,
        "create": Action.CREATE,
        "update": Action.EDIT,
        "partial_update": Action.EDIT,
        "destroy": WORKFLOW,
        "submit": WORKFLOW,
        "withdraw": WORKFLOW,
        "publish": WORKFLOW,
        "unpublish": WORKFLOW,
        # « Je confirme que cette fiche est à jour »: whoever may edit it.
        "verify": Action.EDIT,
    },
    # Both hosts
    "auth-token": {"post": ANYONE},
    # The public API
    "benchmark": {"list": ANYONE, "retrieve": ANYONE},
    "benchmark-stats": {"get": ANYONE},
    "benchmark-export": {"get": ANYONE},
    "collectivite-list": {"get": ANYONE},
    "tool-list": {"get": ANYONE},
    # The official directory: public open data (communes, EPCI…), for the pickers.
    "directory": {"get": ANYONE},
    # How much of France the registry covers: counts of public bodies, open data.
    "coverage": {"get": ANYONE},
    "benchmark-curation": {"annotations": CURATOR},
    "review-queue": {
        "list": CURATOR,
        "retrieve": CURATOR,
        "approve": CURATOR,
        "request_changes": CURATOR,
    },
    "benchmark-decision": {"unpublish": CURATOR},
    # The OpenAPI documents and their viewers (both hosts): the API's shape, no data.
    "api-docs": {"get": ANYONE},
    "knowledge": {
        "list": ANYONE,
        "retrieve": ANYONE,
        "create": CURATOR,
        "update": CURATOR,
        "partial_update": CURATOR,
    },
}

# The answers of an API decision.
ALLOWED = "allowed"
NOT_FOUND = "not_found"  # nothing is revealed to a non-member
NOT_AUTHENTICATED = "not_authenticated"
FORBIDDEN = "forbidden"


def api_rule(view_name: str | None, action: str | None) -> str | None:
    rules = API_RULES.get(view_name or "", {})
    if action in ("metadata", "head", "options"):
        # OPTIONS and HEAD are answered as the view's reading is (or its one action's rule).
        action = next((name for name in ("list", "retrieve", "get") if name in rules), None)
        if action is None and rules:
            action = next(iter(rules))
    return rules.get(action or "")


def api_decision(user, collectivite, view_name: str | None, action: str | None) -> str:
    """ALLOWED, or why not. An action no rule lists is FORBIDDEN."""
    rule = api_rule(view_name, action)
    if collectivite is not None and rule != ANYONE:
        # On a collectivité's host, only its members get anything but the token endpoint and
        # the documentation: nothing, not even a refusal, tells anyone else what exists.
        role = role_of(user, collectivite)
        if role is None:
            return NOT_FOUND
        if rule is None:
            return FORBIDDEN
        if rule == WORKFLOW:
            return ALLOWED if role_allows(role, Action.VIEW) else FORBIDDEN
        if rule == CURATOR:
            return FORBIDDEN
        return ALLOWED if role_allows(role, rule) else FORBIDDEN
    if rule == ANYONE:
        return ALLOWED
    if rule == CURATOR:
        if user is None or not user.is_authenticated:
            return NOT_AUTHENTICATED
        return ALLOWED if is_curator(user) else FORBIDDEN
    return FORBIDDEN


# --- every page of a collectivité's site -------------------------------------------------------

# By URL name and HTTP method ("*": any): an Action is a member's right; ANYONE: the pages that
# let a person sign in; WORKFLOW: a member, then the transition table, in the service. The admin
# and the API are decided by their own rules below and above.
PAGE_RULES: dict[str, dict[str, str]] = {
    "home": {"*": Action.VIEW},
    "maturity": {"get": Action.VIEW, "post": Action.EDIT},
    "maturity-result": {"*": Action.VIEW},
    "usecase-create": {"*": Action.CREATE},
    "usecase-detail": {"*": Action.VIEW},
    "usecase-edit": {"*": Action.EDIT},
    "usecase-action": {"post": WORKFLOW},
    # « Je confirme que cette fiche est à jour »: whoever may edit it.
    "usecase-verify": {"post": Action.EDIT},
    # The public sources' records matched to the collectivité, and taking one as a draft.
    "source-records": {"get": Action.CLAIM},
    "source-record-claim": {"get": Action.CLAIM, "post": Action.CLAIM},
    # Every member sees who the members are (and whom to ask for a role); admins manage them.
    "members": {"get": Action.VIEW},
    "member-invite": {"post": Action.MANAGE_MEMBERS},
    "member-role": {"post": Action.MANAGE_MEMBERS},
    "member-remove": {"get": Action.MANAGE_MEMBERS, "post": Action.MANAGE_MEMBERS},
    "invitation-resend": {"post": Action.MANAGE_MEMBERS},
    "invitation-revoke": {"post": Action.MANAGE_MEMBERS},
    # The link of an invitation: opened before the invitee has an account or a membership.
    "accounts:invitation": {"*": ANYONE},
    "accounts:login": {"*": ANYONE},
    "accounts:logout": {"*": ANYONE},
    "accounts:password_reset": {"*": ANYONE},
    "accounts:password_reset_done": {"*": ANYONE},
    "accounts:password_reset_confirm": {"*": ANYONE},
    "accounts:password_reset_complete": {"*": ANYONE},
    "set_language": {"*": ANYONE},
}
# The API authenticates by token inside DRF and is decided there (API_RULES); the admin lets its
# members in, then decides by model (COLLECTIVITE_ADMIN_RULES).
API_URL_NAMES = ("v1:", "schema", "swagger-ui", "redoc", "api-index")
ADMIN_URL_NAMES = ("collectivite_admin:",)


def page_rule(url_name: str | None, method: str) -> str | None:
    if url_name is not None and url_name.startswith(ADMIN_URL_NAMES):
        return Action.VIEW
    rules = PAGE_RULES.get(url_name or "", {})
    return rules.get(method.lower(), rules.get("*"))


_UNKNOWN = object()


def page_decision(user, collectivite, url_name: str | None, method: str, *, role=_UNKNOWN) -> str:
    """ALLOWED, or why not, for a page of a collectivité's site. A page no rule lists is
    FORBIDDEN; a non-member gets NOT_FOUND (or the sign-in page, when anonymous). `role`: the
    user's role when the caller knows it already (the request's), saving a query."""
    if url_name is not None and url_name.startswith(API_URL_NAMES):
        return ALLOWED
    rule = page_rule(url_name, method)
    if rule == ANYONE:
        return ALLOWED
    if role is _UNKNOWN:
        role = role_of(user, collectivite)
    if role is None:
        return NOT_AUTHENTICATED if user is None or not user.is_authenticated else NOT_FOUND
    if rule is None:
        return FORBIDDEN
    if rule == WORKFLOW:
        return ALLOWED if role_allows(role, Action.VIEW) else FORBIDDEN
    return ALLOWED if role_allows(role, rule) else FORBIDDEN


# --- the curators' pages of the public site -----------------------------------------------------

# The public site is open to anyone, except its curators' area (URL names "curation:…"): there,
# a page no rule lists is refused, like everywhere else. By URL name and HTTP method ("*": any).
CURATION_URL_NAMES = ("curation:",)
PUBLIC_PAGE_RULES: dict[str, dict[str, str]] = {
    "curation:queue": {"get": CURATOR},
    "curation:review": {"get": CURATOR, "post": CURATOR},
    # Onboarding a collectivité from the official directory, and inviting its first admin.
    "curation:onboarding": {"get": CURATOR},
    "curation:onboarding-entry": {"get": CURATOR, "post": CURATOR},
    "curation:first-admin": {"get": CURATOR, "post": CURATOR},
    # The requests to join sent from the public site (/rejoindre/, open to anyone).
    "curation:join-requests": {"get": CURATOR},
    "curation:join-request": {"get": CURATOR, "post": CURATOR},
    # A network's or a city's list read by column mapping: upload, map, preview, import.
    "curation:mapping": {"get": CURATOR, "post": CURATOR},
    "curation:mapping-file": {"get": CURATOR, "post": CURATOR},
    "curation:mapping-run": {"get": CURATOR},
}


def public_page_rule(url_name: str | None, method: str) -> str | None:
    rules = PUBLIC_PAGE_RULES.get(url_name or "", {})
    return rules.get(method.lower(), rules.get("*"))


def public_page_decision(user, url_name: str | None, method: str) -> str:
    """ALLOWED, or why not, for a page of the public site. Outside the curators' area every page
    is public; inside it, a page (or a method) no rule lists is FORBIDDEN."""
    if url_name is None or not url_name.startswith(CURATION_URL_NAMES):
        return ALLOWED
    rule = public_page_rule(url_name, method)
    if rule == ANYONE:
        return ALLOWED
    if user is None or not user.is_authenticated:
        return NOT_AUTHENTICATED
    if rule == CURATOR and is_curator(user):
        return ALLOWED
    return FORBIDDEN


# --- every admin view ---------------------------------------------------------------------------

NOBODY = "nobody"
OPERATOR = "operator"  # platform operators (superusers) only
PERMISSIONS = ("view", "add", "change", "delete")


def _all(rule: str, **exceptions: str) -> dict[str, str]:
    return {permission: exceptions.get(permission, rule) for permission in PERMISSIONS}


# The public admin (BASE_DOMAIN/admin/): curators and operators, by model.
PUBLIC_ADMIN_RULES: dict[str, dict[str, str]] = {
    # Accounts are deactivated, not deleted: collectivités' histories point to them.
    "accounts.user": _all(CURATOR, delete=NOBODY),
    # A membership opens a collectivité's private use cases: curators see them, only operators
    # give or take them (until a collectivité's administrators invite their own members).
    "accounts.membership": _all(OPERATOR, view=CURATOR),
    "accounts.auditevent": _all(NOBODY, view=CURATOR),
    # Invitations are sent, resent and revoked by their services (pages of the collectivité's
    # site, curators' onboarding); the admin only shows them (never their link).
    "accounts.invitation": _all(NOBODY, view=CURATOR),
    # Deleting a collectivité would orphan or drop its schema: an operator's job, not a click.
    "registry.collectivite": _all(CURATOR, delete=NOBODY),
    # The directory: official entries change with the loaded millésime; curators add the bodies
    # it does not list. Never deleted (a collectivité may point to an entry).
    "registry.directoryentry": _all(CURATOR, delete=NOBODY),
    "registry.domain": _all(CURATOR),
    "registry.vendor": _all(CURATOR),
    # Use cases in the collectivités' schemas link to tools and terms: merge or deactivate.
    "registry.tool": _all(CURATOR, delete=NOBODY),
    "registry.term": _all(CURATOR, delete=NOBODY),
    # Published entries are annotated; publication goes through the review queue.
    "registry.benchmarkentry": _all(CURATOR, add=NOBODY, delete=NOBODY),
    "registry.benchmarkentryevent": _all(NOBODY, view=CURATOR),
    # A submission is read and decided (its change view), never created or deleted here.
    "registry.submission": _all(CURATOR, add=NOBODY, delete=NOBODY),
    # Requests to join are decided on /curation/demandes/ by their services; the admin shows them.
    "registry.joinrequest": _all(NOBODY, view=CURATOR),
    # The search's synonyms: curators keep the list (registry.services.synonyms).
    "registry.synonymgroup": _all(CURATOR),
    # Public sources: created by their first import; curators edit their licence and
    # attribution. Their records are written by imports; curators only match them to the
    # directory (their change view). Import runs are a history.
    "registry.source": _all(CURATOR, add=NOBODY, delete=NOBODY),
    "registry.sourcerecord": _all(CURATOR, add=NOBODY, delete=NOBODY),
    "registry.importrun": _all(NOBODY, view=CURATOR),
    "knowledge.article": _all(CURATOR),
    "knowledge.glossaryterm": _all(CURATOR),
    # Use cases in the collectivités' schemas record the risks they met.
    "knowledge.risk": _all(CURATOR, delete=NOBODY),
    "knowledge.phase": _all(CURATOR),
    "knowledge.bibliographyentry": _all(CURATOR),
    "knowledge.maturityaxis": _all(CURATOR),
    "knowledge.maturityquestion": _all(CURATOR),
    # The job queue: its jobs' arguments hold e-mails, password-reset links included.
    "procrastinate.procrastinatejob": _all(NOBODY, view=OPERATOR),
    "procrastinate.procrastinateevent": _all(NOBODY, view=OPERATOR),
}

# A collectivité's admin (<slug>.BASE_DOMAIN/admin/): its members, by role.
COLLECTIVITE_ADMIN_RULES: dict[str, dict[str, str]] = {
    # Use cases are archived (workflow), never destroyed.
    "casestudies.usecase": {
        "view": Action.VIEW,
        "add": Action.CREATE,
        "change": Action.EDIT,
        "delete": NOBODY,
    },
    # Rows are edited through their use case.
    **{
        f"casestudies.{model}": {
            "view": Action.VIEW,
            "add": Action.CREATE,
            "change": Action.EDIT,
            "delete": Action.EDIT,
        }
        for model in (
            "approachstep",
            "lesson",
            "metric",
            "cost",
            "impactassessment",
            "usecaserisk",
        )
    },
    # The history is written by the services only.
    "casestudies.usecaseevent": _all(NOBODY, view=Action.VIEW),
}

ADMIN_RULES = {"public_admin": PUBLIC_ADMIN_RULES, "collectivite_admin": COLLECTIVITE_ADMIN_RULES}

# Pages added to the public admin besides its models' (URL name: rule).
ADMIN_PAGE_RULES: dict[str, str] = {"usecase-import": CURATOR, "source-import": CURATOR}


def admin_page_allows(url_name: str, user) -> bool:
    return ADMIN_PAGE_RULES.get(url_name) == CURATOR and is_curator(user)


def admin_allows(site: str, model_label: str, permission: str, user, role=None) -> bool:
    """May this user do this (view, add, change, delete) on this model in this admin site?"""
    rule = ADMIN_RULES.get(site, {}).get(model_label, {}).get(permission)
    if rule is None or rule == NOBODY:
        return False
    if rule == CURATOR:
        return is_curator(user)
    if rule == OPERATOR:
        return is_operator(user)
    return role_allows(role, rule)


def admin_site_allows(site: str, user, role=None, collectivite=None) -> bool:
    """Who enters an admin site at all: curators the public one (on the public host), members
    the collectivité's one (on its host)."""
    if site == "public_admin":
        return collectivite is None and is_curator(user)
    if site == "collectivite_admin":
        return collectivite is not None and role_allows(role, Action.VIEW)
    return False


def may_change_account(user, account) -> bool:
    """Who changes an account (its address and password included): operators any; curators the
    accounts of the CDG's team only, never an operator's nor a collectivité member's (changing a
    member's address or password would be a way into that collectivité)."""
    if is_operator(user):
        return True
    return is_curator(user) and not account.is_superuser and not account.memberships.exists()


def may_make_member(user, account) -> bool:
    """Nobody but an operator makes a CDG account (a curator's, an operator's) a member of a
    collectivité, whoever invites it (a curator, the collectivité's administrators): a private use
    case never leaves its collectivité. `user` is who grants the membership (the invitation's
    author when it is accepted)."""
    return is_operator(user) or not (account.is_curator or account.is_superuser)


# --- members of a collectivité: who manages them -------------------------------------------------


def has_administrator(collectivite) -> bool:
    """Does the collectivité have an administrator (an active account)?"""
    return Membership.objects.filter(
        collectivite=collectivite, role=Role.ADMIN, user__is_active=True
    ).exists()


def may_manage_members(user, collectivite, *, role=None) -> bool:
    """Its administrators (and operators, who act as one) manage a collectivité's members: invite,
    change a role, remove. `role`: the user's role when the caller knows it (the request's)."""
    if role is None:
        role = role_of(user, collectivite)
    return role_allows(role, Action.MANAGE_MEMBERS)


def may_invite(user, collectivite, invited_role: str) -> bool:
    """Who invites someone into a collectivité with this role: its administrators, any role; a CDG
    curator its FIRST administrator only, while it has none (issue 10, defect 1: beyond that, a
    curator could open a collectivité's private cases to an account they control). Asked again
    when the invitation is sent again, revoked and accepted: an invitation is worth what its
    author may still do."""
    if may_manage_members(user, collectivite):
        return True
    return is_curator(user) and invited_role == Role.ADMIN and not has_administrator(collectivite)
