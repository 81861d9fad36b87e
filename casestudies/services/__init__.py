"""Every write to a collectivité's use cases goes through these functions.

They run in the schema of the current collectivité (set by the request's host, or by
`tenant_context` in commands and in the curators' decisions) and take the acting user for the
audit trail. One module a job: use cases (create, update), the published snapshot, the workflow's
transitions, the maturity self-assessment.
"""

from casestudies.services.claims import usecase_claim
from casestudies.services.maturity import maturity_save
from casestudies.services.publication import snapshot
from casestudies.services.transitions import (
    usecase_approve,
    usecase_archive,
    usecase_request_changes,
    usecase_submit,
    usecase_unpublish,
    usecase_withdraw,
)
from casestudies.services.usecases import (
    USE_CASE_FIELDS,
    StaleWrite,
    current_collectivite,
    usecase_create,
    usecase_update,
    usecase_verify,
    version_of,
)

__all__ = [
    "USE_CASE_FIELDS",
    "StaleWrite",
    "current_collectivite",
    "maturity_save",
    "snapshot",
    "usecase_approve",
    "usecase_archive",
    "usecase_claim",
    "usecase_create",
    "usecase_request_changes",
    "usecase_submit",
    "usecase_unpublish",
    "usecase_update",
    "usecase_verify",
    "usecase_withdraw",
    "version_of",
]
