import json
from pathlib import Path

from django.core.management import call_command
from django_tenants.utils import tenant_context

from accounts.models import Membership, User
from casestudies.models import ApproachStep, UseCase, UseCaseEvent
from casestudies.seed import GUIDE_FILE, seed
from registry.models import (
    BenchmarkEntry,
    Collectivite,
    Domain,
    ImportRun,
    Source,
    Term,
    Tool,
    UseCaseIdentifier,
)

GUIDE_NAME = "000_5f3b5456e9a71642.txt"
# The guide sits beside the checkout on our machines (../shared/seeds); CI may clone elsewhere.
# (This file is tests/casestudies/test_seed.py: parents[3] is the folder around the checkout.)
GUIDE = next(
    (
        path
        for path in (
            Path(__file__).resolve().parents[3] / "shared" / "seeds" / GUIDE_NAME,
            Path("/work/shared/seeds") / GUIDE_NAME,
        )
        if path.exists()
    ),
    Path("/work/shared/seeds") / GUIDE_NAME,
)
SLUGS = ["cdg74", "filiere", "grand-annecy", "collectivite-a", "epci-a", "collectivite-b", "epci-b"]
ANONYMOUS = {"collectivite-a", "epci-a", "collectivite-b", "epci-b"}


def _guide_bullets():
    """The bullets of the guide's chapter 5 table, read from the guide itself when present."""
    data = json.loads(GUIDE_FILE.read_text(encoding="utf-8"))
    return [row["steps"] for row in data["use_cases"]]


def test_the_seven_collectivites_exist_with_their_host(db):
    assert sorted(Collectivite.objects.values_list("slug", flat=True)) == sorted(SLUGS)
    for slug in SLUGS:
        assert Domain.objects.filter(domain=f"{slug}.localhost", tenant__slug=slug).exists()


def test_each_seeded_collectivite_has_one_published_public_use_case(db):
    for collectivite in Collectivite.objects.all():
        with tenant_context(collectivite):
            use_cases = list(UseCase.objects.all())
            assert len(use_cases) == 1, collectivite.slug
            use_case = use_cases[0]
            assert use_case.publication_state == "published"
            assert use_case.visibility == "public"
            assert use_case.status_inferred is True
            # The anonymous bodies have no département (the guide does not place them).
            prefix = "" if collectivite.slug in ANONYMOUS else "74-"
            assert use_case.public_id == f"{prefix}{collectivite.slug.upper()}-0001"
            assert UseCaseEvent.objects.filter(use_case=use_case, action="published").count() == 1


def test_approach_steps_are_the_guide_bullets_in_order(db):
    total = 0
    for slug, expected in zip(SLUGS, _guide_bullets(), strict=True):
        with tenant_context(Collectivite.objects.get(slug=slug)):
            steps = list(ApproachStep.objects.order_by("position").values_list("text", flat=True))
        assert steps == expected, slug
        total += len(steps)
    assert total == 21


def test_seed_file_reproduces_the_guide_table_exactly(db):
    if not GUIDE.exists():
        import pytest

        pytest.skip(f"guide not found at {GUIDE}")
    text = GUIDE.read_text(encoding="utf-8")
    for bullets in _guide_bullets():
        for bullet in bullets:
            assert f"• {bullet}" in text, bullet


def test_tools_are_linked_to_their_use_cases(db):
    expected = {
        "cdg74": {"whatsnext"},
        "grand-annecy": {"lexisnexis"},
        "collectivite-a": {"delibia"},
        "epci-b": {"delibia"},
        "filiere": set(),
        "epci-a": set(),
        "collectivite-b": set(),
    }
    for slug, tools in expected.items():
        with tenant_context(Collectivite.objects.get(slug=slug)):
            linked = set(UseCase.objects.get().tools.values_list("slug", flat=True))
        assert linked == tools, slug
    assert set(Tool.objects.values_list("slug", flat=True)) >= {
        "whatsnext",
        "lexisnexis",
        "delibia",
        "mistral",
        "chatgpt",
        "copilot",
        "gemini",
        "claude",
    }
    assert "Délib-IA" in Tool.objects.get(slug="delibia").aliases


def test_seed_a_second_time_changes_nothing(db, settings):
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    counts = lambda: (  # noqa: E731
        Collectivite.objects.count(),
        Domain.objects.count(),
        Tool.objects.count(),
        Term.objects.count(),
        UseCaseIdentifier.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        BenchmarkEntry.objects.count(),
        ImportRun.objects.count(),
    )
    seed(demo=True)
    before = counts()
    # The shipped PSTW dataset, beside the guide's cases, with its licence and attribution.
    assert BenchmarkEntry.objects.filter(origin="public_source").count() == 1616
    pstw = Source.objects.get(slug="pstw")
    assert (pstw.licence, pstw.attribution) == (
        "CC BY 4.0",
        "Public Sector Tech Watch, European Commission JRC",
    )
    report, _collectivites, _password = seed(demo=True)
    assert not report.changed
    assert counts() == before
    with tenant_context(Collectivite.objects.get(slug="cdg74")):
        assert UseCase.objects.count() == 1
        assert ApproachStep.objects.count() == 5


def test_demo_seed_creates_the_documented_accounts(db, settings):
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    seed(demo=True)
    curator = User.objects.get(email="curateur@cdg74.example")
    assert curator.is_curator and curator.check_password("demo-password-for-tests")
    for slug in SLUGS:
        for prefix, role in (
            ("admin", "admin"),
            ("contributeur", "contributor"),
            ("lecteur", "reader"),
        ):
            user = User.objects.get(email=f"{prefix}@{slug}.example")
            assert Membership.objects.get(user=user).collectivite.slug == slug
            assert Membership.objects.get(user=user).role == role


def test_plain_seed_creates_no_account(db):
    before = User.objects.count()
    call_command("seed")
    assert User.objects.count() == before
