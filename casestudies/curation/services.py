"""Curators' decisions, from the public site, on one collectivité's use case."""

from django_tenants.utils import tenant_context

from casestudies.models import UseCase
from casestudies.services import usecase_approve, usecase_request_changes, usecase_unpublish
from registry.models import BenchmarkEntry, Submission
from registry.services import benchmark_entry_remove

DECISIONS = {"approve": usecase_approve, "request_changes": usecase_request_changes}


def _in_collectivite_of(record: Submission | BenchmarkEntry, service, **kwargs):
    """Enter the schema of the record's collectivité for the duration of the call."""
    with tenant_context(record.collectivite):
        use_case = UseCase.objects.get(uuid=record.uuid)
        return service(use_case=use_case, **kwargs)


def submission_decide(*, submission: Submission, decision: str, actor, comment: str = "") -> None:
    """Approve a submission or ask for changes (`decision`: a key of DECISIONS)."""
    _in_collectivite_of(submission, DECISIONS[decision], actor=actor, comment=comment)
    submission.refresh_from_db()


def entry_unpublish(*, entry: BenchmarkEntry, actor, comment: str = "") -> None:
    """A declared case is unpublished in its collectivité's space; a public source's record,
    which no collectivité holds, is taken out of the benchmark (its source record stays, and an
    import of an unchanged row does not bring it back)."""
    if entry.collectivite_id is None:
        benchmark_entry_remove(uuid=entry.uuid, actor=actor, comment=comment)
        return
    _in_collectivite_of(entry, usecase_unpublish, actor=actor, comment=comment)
