"""The snapshot of a use case (what may leave the collectivité) and its copy in the benchmark.

The format itself is the public side's declaration (registry.snapshot): this module only reads
the use case, with everything the declaration needs, and hands it over."""

from django.db import connection

from casestudies.models import UseCase
from casestudies.selectors import usecase_full
from registry import services as registry_services
from registry import snapshot as declaration
from registry.models import Collectivite
from registry.services import claims as registry_claims


def current_collectivite() -> Collectivite:
    tenant = connection.tenant
    if not isinstance(tenant, Collectivite):
        raise RuntimeError("Use-case services run inside a collectivité's schema.")
    return tenant


def snapshot(use_case: UseCase) -> dict:
    """What may leave the collectivité, as the JSON the benchmark stores and serves."""
    return declaration.build(usecase_full().get(pk=use_case.pk), current_collectivite())


def publish(use_case: UseCase, actor, *, at=None) -> None:
    """Copy the use case's snapshot into the public benchmark table (same transaction); `at`:
    the date of the publication in the entry's history, if not now."""
    payload = snapshot(use_case)
    registry_services.benchmark_entry_write(
        collectivite=current_collectivite(),
        actor=actor,
        payload=payload,
        # Shared with peers (members) only, when the collectivité agrees: a column, not payload.
        contact_email=payload["contact_email"],
        at=at,
    )
    if use_case.claimed_from:
        # Taken from a public source's record: the record leaves the benchmark now.
        registry_claims.source_record_supersede(
            collectivite=current_collectivite(), public_id=use_case.public_id, actor=actor
        )
