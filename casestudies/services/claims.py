"""A collectivité's administrators take a public source's record about it into their own space
(issue 13, « claiming »): a draft use case pre-filled from the record's mapped fields, its
provenance kept (`claimed_from`, the record's public id, shown on its pages; the source's
attribution in « source »), that they complete and submit like any other. Once the CDG publishes
it, the record leaves the benchmark in the same transaction (casestudies.services.publication
calls registry.services.claims.source_record_supersede).

Who: the collectivité's administrators (accounts.policy, Action.CLAIM): a claimed record speaks
for the collectivité in the benchmark once published, a decision of its administrators, while its
contributors complete the draft afterwards."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import policy
from casestudies.models import UseCase
from casestudies.services.publication import current_collectivite
from casestudies.services.usecases import USE_CASE_FIELDS, record_event, usecase_create
from registry import snapshot as declaration
from registry.models import SourceRecord, Term
from registry.services import claims as registry_claims
from registry.sources import common
from registry.vocabularies import TermVocabulary, Visibility

# Of a record's mapped fields, those the draft does not take (the registry decides them).
NOT_TAKEN = {"visibility", "status_inferred", "source", "claimed_from", "external_ref"}


def _max_length(name: str) -> int | None:
    return getattr(UseCase._meta.get_field(name), "max_length", None)


def prefill(record: SourceRecord) -> dict:
    """The draft's fields from the record's mapped ones (registry.snapshot names and codes):
    text within the model's limits (the record keeps it whole), dates, codes, domains as terms;
    the funding a source gives without an amount goes into the context (a cost needs one)."""
    mapped = dict(record.mapped or {})
    values: dict = {}
    for name, value in mapped.items():
        if name in NOT_TAKEN or name not in USE_CASE_FIELDS or value in (None, "", []):
            continue
        f = declaration.BY_NAME[name]
        if f.kind == declaration.DATE:
            values[name] = date.fromisoformat(value)
        elif f.kind == declaration.CHOICES:
            values[name] = list(value)
        elif f.kind in (declaration.TEXT, declaration.URLS, declaration.EMAIL):
            limit = _max_length(name)
            values[name] = common.shorten(value, limit) if limit and len(value) > limit else value
        else:
            values[name] = value
    values.setdefault("title", common.shorten(record.organisation_name or record.original_id, 120))
    if not values.get("summary"):
        values["summary"] = values["title"]
    funding = [row.get("funding_source") for row in mapped.get("costs") or []]
    funding = [text for text in funding if text]
    if funding:
        line = _("Financement, selon la source : %s.") % ", ".join(funding)
        values["context"] = f"{values['context']}\n\n{line}" if values.get("context") else line
    source = record.source
    values["source"] = _("Reprise de « %(name)s » (%(licence)s) — %(attribution)s") % {
        "name": source.name,
        "licence": source.licence,
        "attribution": source.attribution,
    }
    values["visibility"] = Visibility.PUBLIC
    values["claimed_from"] = registry_claims.record_public_id(record)
    values["external_ref"] = f"{source.slug}:{record.original_id}"[:80]
    domains = list(
        Term.objects.filter(
            vocabulary=TermVocabulary.DOMAIN, active=True, code__in=mapped.get("domains") or []
        )
    )
    return {"fields": values, "domains": domains}


@transaction.atomic
def usecase_claim(*, record: SourceRecord, actor) -> UseCase:
    """Take the record into the current collectivité's space as a draft (its administrators
    only; a record the directory matched to it, not taken yet), with a line of its history."""
    collectivite = current_collectivite()
    if not policy.role_allows(policy.role_of(actor, collectivite), policy.Action.CLAIM):
        raise PermissionDenied(
            _("Seuls les administrateurs de la collectivité reprennent une fiche publique.")
        )
    record = registry_claims.source_record_lock_for_claim(
        record_id=record.pk, collectivite=collectivite
    )
    values = prefill(record)
    use_case = usecase_create(actor=actor, domains=values["domains"], **values["fields"])
    registry_claims.source_record_claimed(
        record=record, collectivite=collectivite, public_id=use_case.public_id, actor=actor
    )
    record_event(
        use_case,
        actor,
        "claimed",
        comment=_("Reprise de la fiche %(public_id)s de « %(source)s ».")
        % {"public_id": use_case.claimed_from, "source": record.source.name},
    )
    return use_case
