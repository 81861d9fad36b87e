"""Load the guide's data (fixtures/guide_cdg74.json) and, on demand, the demo accounts.

Idempotent: every object is looked up by a stable key first (slug, code, external_ref, e-mail),
so a second run changes nothing.

Faithful to the guide: what it does not say is either left blank (the anonymous bodies'
département, a service it does not name) or, when a core field needs a value, deduced and listed
in the record's `inferred_fields` (shown « déduit de la source, à confirmer par la collectivité »
on the record); its spelling corrections are written in the record's source; its cases are
published at the date of the guide's data (`published_at` of the fixture, and why), not at the
time the seed runs.
"""

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
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
from registry.models import Collectivite, DirectoryEntry, Term, Tool, Vendor
from registry.services.synonyms import synonyms_load
from registry.vocabularies import DirectoryKind, DirectorySource

GUIDE_FILE = Path(settings.BASE_DIR) / "fixtures" / "guide_cdg74.json"
KNOWLEDGE_FILE = Path(settings.BASE_DIR) / "fixtures" / "knowledge.json"
SYNONYMS_FILE = Path(settings.BASE_DIR) / "fixtures" / "synonyms.json"
DEMO_PASSWORD_FILE = Path(settings.BASE_DIR) / "var" / "demo-password"
CURATOR_EMAIL = "curateur@cdg74.example"
SEED_MESSAGE = "Cas d'usage publié par le guide pratique du CDG74 (chapitre 5)."
# The guide's named bodies in the official directory (epci.json, communes.json); the anonymous
# ones stay anonymous. EPCI first: a commune's parent EPCI is looked up among the collectivités.
DIRECTORY_IDENTITIES = {"grand-annecy": "epci:200066793", "filiere": "commune:74282"}
# The CDG74 is not in the official data: a body entered as the curators would.
CDG74_BODY = {
    "kind": DirectoryKind.CDG,
    "name": "Centre de gestion de la fonction publique territoriale de la Haute-Savoie",
    "departement": "74",
    "region": "84",
}
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


def guide_date(data: dict) -> datetime:
    """When the guide's cases are published: the date of its data (see `published_at_note`)."""
    return datetime.fromisoformat(data["published_at"])


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


def seed_directory(report: SeedReport) -> None:
    """The shipped millésime, when no millésime as recent is loaded yet (3 s, once)."""
    if registry_services.directory_loaded():
        return
    loaded = registry_services.directory_load()
    report.created["directory_entries"] = loaded.created.total()


@transaction.atomic
def seed_identities(collectivites: dict[str, Collectivite], report: SeedReport) -> None:
    """The guide's named bodies get their official identity from the directory, when loaded."""
    for slug, key in DIRECTORY_IDENTITIES.items():
        entry = DirectoryEntry.objects.filter(key=key).select_related("parent_epci").first()
        collectivite = collectivites.get(slug)
        if entry is None or collectivite is None:
            continue
        parent = getattr(entry.parent_epci, "collectivite", None) if entry.parent_epci else None
        _identify(collectivite, entry, report, parent_epci=parent)
    cdg = collectivites.get("cdg74")
    if cdg is None or not DirectoryEntry.objects.exists():
        return
    body = cdg.directory_entry or (
        DirectoryEntry.objects.filter(
            source=DirectorySource.CURATORS, kind=DirectoryKind.CDG, departement="74"
        ).first()
    )
    if body is None:
        body = registry_services.directory_body_create(**CDG74_BODY)
        report.count("directory_bodies", True)
    _identify(cdg, body, report)


def _identify(collectivite, entry, report, **extra) -> None:
    values = {
        "directory_entry": entry,
        "siren": entry.siren,
        "insee_code": entry.insee_code,
        "population": entry.population,
        **extra,
    }
    values = {name: value for name, value in values.items() if value not in (None, "")}
    if any(getattr(collectivite, name) != value for name, value in values.items()):
        registry_services.collectivite_update(collectivite, **values)
        report.count("identities", True)


def seed_use_cases(data: dict, collectivites: dict[str, Collectivite], report: SeedReport) -> None:
    tools = {tool.slug: tool for tool in Tool.objects.all()}
    domains = {term.code: term for term in Term.objects.filter(vocabulary="domain")}
    published_at = guide_date(data)
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
            usecase_approve(
                use_case=use_case, actor=None, comment=SEED_MESSAGE, published_at=published_at
            )
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


def seed_public_sources(report: SeedReport) -> None:
    """The PSTW dataset shipped in fixtures/sources/ (CC BY 4.0), beside the guide's cases:
    read once (the same file again is not even opened twice)."""
    run = registry_services.sources.shipped_sources_load()
    if run is not None:
        report.created["public_source_records"] = run.counts.get("created", 0)


def seed(
    *, demo: bool = False, directory: bool = True, sources: bool = True
) -> tuple[SeedReport, dict[str, Collectivite], str | None]:
    """`directory=False`: without loading the shipped directory (the tests load small ones);
    `sources=False`: without the shipped public source (the tests import their own)."""
    data = load_guide()
    report = SeedReport()
    if directory:
        seed_directory(report)
    knowledge = load_knowledge(json.loads(KNOWLEDGE_FILE.read_text(encoding="utf-8")))
    for kind, count in knowledge.items():
        report.created[f"knowledge_{kind}"] = count
    report.created["synonyms"] = synonyms_load(
        json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))["groups"]
    )
    seed_catalogue(data, report)
    collectivites = seed_collectivites(data, report)
    seed_identities(collectivites, report)
    seed_use_cases(data, collectivites, report)
    if sources:
        seed_public_sources(report)
    password = None
    if demo:
        password, _origin = demo_password()
        seed_demo_accounts(collectivites, password, report)
    return report, collectivites, password
