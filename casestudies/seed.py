"""Load the guide's data (fixtures/guide_cdg74.json) and, on demand, the demo accounts.

Idempotent: every object is looked up by a stable key first (slug, code, external_ref, e-mail),
so a second run changes nothing.
"""

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from accounts.services import membership_set, user_create
from casestudies.models import UseCase
from casestudies.services import usecase_approve, usecase_create, usecase_submit
from knowledge.services import load_knowledge
from registry import services as registry_services
from registry.models import Collectivite, Term, Tool, Vendor

GUIDE_FILE = Path(settings.BASE_DIR) / "fixtures" / "guide_cdg74.json"
KNOWLEDGE_FILE = Path(settings.BASE_DIR) / "fixtures" / "knowledge.json"
DEMO_PASSWORD_FILE = Path(settings.BASE_DIR) / "var" / "demo-password"
CURATOR_EMAIL = "curateur@cdg74.example"
SEED_MESSAGE = "Cas d'usage publié par le guide pratique du CDG74 (chapitre 5)."
DEMO_ROLES = {"admin": Role.ADMIN, "contributeur": Role.CONTRIBUTOR, "lecteur": Role.READER}


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        self.created[kind] = self.created.get(kind, 0) + int(created)

    @property
    def changed(self) -> bool:
        return any(self.created.values())


def load_guide() -> dict:
    return json.loads(GUIDE_FILE.read_text(encoding="utf-8"))


@transaction.atomic
def seed_catalogue(data: dict, report: SeedReport) -> None:
    vendors = {}
    for row in data["vendors"]:
        vendor = Vendor.objects.filter(name__iexact=row["name"]).first()
        report.count("vendors", vendor is None)
        if vendor is None:
            vendor = Vendor.objects.create(**row)
        vendors[row["name"]] = vendor
    for row in data["tools"]:
        values = dict(row)
        vendor_name = values.pop("vendor")
        values["vendor"] = vendors[vendor_name] if vendor_name else None
        _tool, created = Tool.objects.get_or_create(slug=values.pop("slug"), defaults=values)
        report.count("tools", created)
    for row in data["terms"]:
        values = dict(row)
        _term, created = Term.objects.get_or_create(
            vocabulary=values.pop("vocabulary"), code=values.pop("code"), defaults=values
        )
        report.count("terms", created)


def seed_collectivites(data: dict, report: SeedReport) -> dict[str, Collectivite]:
    collectivites = {}
    for row in data["collectivites"]:
        values = dict(row)
        slug = values.pop("slug")
        collectivite = Collectivite.objects.filter(slug=slug).first()
        if collectivite is None:
            collectivite = registry_services.collectivite_create(slug=slug, **values)
            report.count("collectivites", True)
        else:
            report.count(
                "domains", registry_services.collectivite_ensure_primary_domain(collectivite)
            )
        collectivites[slug] = collectivite
    return collectivites


def seed_use_cases(data: dict, collectivites: dict[str, Collectivite], report: SeedReport) -> None:
    tools = {tool.slug: tool for tool in Tool.objects.all()}
    domains = {term.code: term for term in Term.objects.filter(vocabulary="domain")}
    for row in data["use_cases"]:
        values = dict(row)
        collectivite = collectivites[values.pop("collectivite")]
        with tenant_context(collectivite), transaction.atomic():
            if UseCase.objects.filter(external_ref=values["external_ref"]).exists():
                report.count("use_cases", False)
                continue
            use_case = usecase_create(
                actor=None,
                tools=[tools[slug] for slug in values.pop("tools")],
                domains=[domains[code] for code in values.pop("domains")],
                **values,
            )
            # The same workflow as any collectivité: submitted, then approved (by the system).
            usecase_submit(use_case=use_case, actor=None, message=SEED_MESSAGE)
            usecase_approve(use_case=use_case, actor=None, comment=SEED_MESSAGE)
            report.count("use_cases", True)


def demo_password() -> tuple[str, str]:
    """The demo password and where it comes from: DEMO_PASSWORD, or one generated once."""
    from_env = getattr(settings, "DEMO_PASSWORD", "")
    if from_env:
        return from_env, "DEMO_PASSWORD"
    if DEMO_PASSWORD_FILE.exists():
        return DEMO_PASSWORD_FILE.read_text(encoding="utf-8").strip(), str(DEMO_PASSWORD_FILE)
    password = secrets.token_urlsafe(12)
    DEMO_PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
    DEMO_PASSWORD_FILE.write_text(password + "\n", encoding="utf-8")
    DEMO_PASSWORD_FILE.chmod(0o600)
    return password, str(DEMO_PASSWORD_FILE)


def demo_accounts(slugs) -> list[tuple[str, str, str | None, bool]]:
    """(e-mail, full name, collectivité slug, curator) of every demo account."""
    accounts = [(CURATOR_EMAIL, "Curateur CDG74", None, True)]
    for slug in slugs:
        for prefix in DEMO_ROLES:
            accounts.append(
                (f"{prefix}@{slug}.example", f"{prefix.capitalize()} {slug}", slug, False)
            )
    return accounts


@transaction.atomic
def seed_demo_accounts(
    collectivites: dict[str, Collectivite], password: str, report: SeedReport
) -> None:
    for email, full_name, slug, curator in demo_accounts(collectivites):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(
                email=email, password=password, full_name=full_name, is_curator=curator
            )
            report.count("accounts", True)
        elif not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
            report.count("passwords", True)
        if slug is not None:
            role = DEMO_ROLES[email.split("@")[0]]
            existing = user.memberships.filter(collectivite=collectivites[slug]).first()
            if existing is None or existing.role != role:
                membership_set(user=user, collectivite=collectivites[slug], role=role)
                report.count("memberships", True)


def seed(*, demo: bool = False) -> tuple[SeedReport, dict[str, Collectivite], str | None]:
    data = load_guide()
    report = SeedReport()
    knowledge = load_knowledge(json.loads(KNOWLEDGE_FILE.read_text(encoding="utf-8")))
    for kind, count in knowledge.items():
        report.created[f"knowledge_{kind}"] = count
    seed_catalogue(data, report)
    collectivites = seed_collectivites(data, report)
    seed_use_cases(data, collectivites, report)
    password = None
    if demo:
        password, _origin = demo_password()
        seed_demo_accounts(collectivites, password, report)
    return report, collectivites, password
