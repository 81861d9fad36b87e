"""Factories of the test data: accounts, and use cases in a collectivité's schema.

Everything is made through the services, never with `Model.objects.create`: `user_create` and
`membership_set` for accounts; `usecase_create`, then `usecase_submit` and `usecase_approve`,
inside `tenant_context(collectivite)`, for use cases (the services allocate the public id, record
it federation-wide, write the history and the public benchmark table).

    DraftUseCaseFactory(collectivite=annecy)                # valid: it can be submitted as is
    SubmittedUseCaseFactory(collectivite=cdg74, visibility="network")
    PublishedUseCaseFactory(domain_codes=["finances"], tool_slugs=["claude"], title="Cas")
    use_case_values(title="")                               # the same values, as a dict

`collectivite` defaults to the Grand Annecy; `actor` (who creates it, None = the system) is
recorded in the history. The transitions are made by the system (actor None).
"""

import factory
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from accounts.services import membership_set, user_create
from casestudies.models import UseCase
from casestudies.services import usecase_approve, usecase_create, usecase_submit
from registry.models import Collectivite, Term, Tool, UseCaseIdentifier
from registry.vocabularies import (
    AIActRisk,
    AIFamily,
    AutomationLevel,
    PersonalData,
    Status,
    TermVocabulary,
    Visibility,
)

PASSWORD = "mot-de-passe-de-test-42"


def _grand_annecy() -> Collectivite:
    return Collectivite.objects.get(slug="grand-annecy")


# --- accounts ----------------------------------------------------------------------------------


class UserFactory(factory.Factory):
    """An account without membership. `collectivite` and `role` make it a member."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"agent{n}@registre.test")
    password = PASSWORD
    full_name = ""
    is_curator = False
    is_superuser = False
    collectivite = None
    role = Role.READER

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("Accounts are made by accounts.services: use create(), not build().")

    @classmethod
    def _create(cls, model_class, *, collectivite, role, is_superuser, **fields):
        user = user_create(**fields)
        if is_superuser:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        if collectivite is not None:
            membership_set(user=user, collectivite=collectivite, role=role)
        return user


class ReaderFactory(UserFactory):
    """A reader of the Grand Annecy (another collectivité with `collectivite=`)."""

    collectivite = factory.LazyFunction(_grand_annecy)
    role = Role.READER


class ContributorFactory(ReaderFactory):
    role = Role.CONTRIBUTOR


class AdminMemberFactory(ReaderFactory):
    """The collectivité's admin (a member's role, not a superuser)."""

    role = Role.ADMIN


class CuratorFactory(UserFactory):
    """A CDG74 curator: no membership, the curator flag."""

    email = factory.Sequence(lambda n: f"curateur{n}@cdg74.test")
    is_curator = True


# --- use cases ---------------------------------------------------------------------------------


def _terms(codes) -> list[Term]:
    terms = list(Term.objects.filter(vocabulary=TermVocabulary.DOMAIN, code__in=codes))
    assert len(terms) == len(set(codes)), f"unknown domain codes among {codes}"
    return terms


def _tools(slugs) -> list[Tool]:
    tools = list(Tool.objects.filter(slug__in=slugs))
    assert len(tools) == len(set(slugs)), f"unknown tool slugs among {slugs}"
    return tools


class DraftUseCaseFactory(factory.Factory):
    """A valid draft: the core fields (the core fields of registry.snapshot) and a domain are filled
    in and the visibility is public, so that it can be submitted as it is."""

    class Meta:
        model = UseCase

    class Params:
        # Catalogue entries by code, resolved in the seeded tables (or pass `domains`/`tools`).
        domain_codes = ("juridique",)
        tool_slugs = ()

    collectivite = factory.LazyFunction(_grand_annecy)
    actor = None

    title = factory.Sequence(lambda n: f"Cas d'usage de test n° {n}")
    summary = "Un assistant propose aux agents un premier jet de réponse aux demandes courantes."
    ai_family = AIFamily.GENERALIST
    automation_level = AutomationLevel.ASSISTANCE
    status = Status.PILOT
    ai_act_risk = AIActRisk.TO_ASSESS
    personal_data = PersonalData.NO
    visibility = Visibility.PUBLIC
    domains = factory.LazyAttribute(lambda o: _terms(o.domain_codes))
    tools = factory.LazyAttribute(lambda o: _tools(o.tool_slugs))

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError(
            "Use cases are made by casestudies.services: use create(), or use_case_values()."
        )

    @classmethod
    def _create(cls, model_class, *, collectivite, actor, **values):
        with tenant_context(collectivite):
            use_case = usecase_create(actor=actor, **values)
            cls._advance(use_case)
        return use_case

    @classmethod
    def _advance(cls, use_case: UseCase) -> None:
        """Take the new draft along the workflow (nothing to do for a draft)."""


class SubmittedUseCaseFactory(DraftUseCaseFactory):
    """Submitted to the CDG's curators: in the review queue, not yet in the benchmark."""

    @classmethod
    def _advance(cls, use_case):
        usecase_submit(use_case=use_case, actor=None, message="Soumis pour les tests.")


class PublishedUseCaseFactory(DraftUseCaseFactory):
    """Submitted, then approved: in the benchmark (unless its visibility keeps it to members)."""

    @classmethod
    def _advance(cls, use_case):
        usecase_submit(use_case=use_case, actor=None, message="Soumis pour les tests.")
        usecase_approve(use_case=use_case, actor=None)


def use_case_values(**overrides) -> dict:
    """The keyword arguments of `usecase_create` for a valid draft, with `overrides` (e.g. for a
    test of the service itself). Call it where the database is reachable."""
    values = vars(DraftUseCaseFactory.stub(**overrides))
    values.pop("collectivite")
    values.pop("actor")
    return values


def next_public_id(collectivite: Collectivite) -> str:
    """The public id that the collectivité's next use case gets: its ids follow on from 0001 and
    are never handed out twice (every one ever allocated is in UseCaseIdentifier)."""
    taken = UseCaseIdentifier.objects.filter(collectivite=collectivite).count()
    return f"{collectivite.departement}-{collectivite.slug.upper()}-{taken + 1:04d}"
