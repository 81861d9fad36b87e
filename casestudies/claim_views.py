"""Pages of a collectivité's site for its administrators (accounts.policy, Action.CLAIM): the
public sources' records that the directory matched to the collectivité, and taking one into its
space as a draft (casestudies.services.claims)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from casestudies import services
from casestudies.services.claims import prefill
from registry import addresses, snapshot
from registry import vocabularies as v
from registry.services import claims as registry_claims


def _rows(records) -> list[dict]:
    rows = []
    for record in records:
        entry = getattr(record, "benchmark_entry", None)
        payload = entry.payload if entry is not None else {}
        rows.append(
            {
                "record": record,
                "public_id": registry_claims.record_public_id(record),
                "title": record.mapped.get("title", ""),
                "summary": record.mapped.get("summary", ""),
                "status": dict(v.Status.choices).get(record.mapped.get("status", ""), ""),
                "match_rule": dict(v.MatchRule.choices).get(record.match_rule, ""),
                "public_url": addresses.public_page("usecase-page", entry.public_id)
                if entry is not None
                else "",
                "read_at": parse_datetime((payload.get("provenance") or {}).get("read_at") or "")
                or record.read_at,
            }
        )
    return rows


def source_records(request):
    records = list(registry_claims.claimable_records(request.collectivite))
    return render(
        request,
        "casestudies/source_records.html",
        {
            "open": _rows([r for r in records if r.claimed_by_id is None]),
            "taken": _rows([r for r in records if r.claimed_by_id is not None]),
        },
    )


def source_record_claim(request, pk):
    record = get_object_or_404(registry_claims.claimable_records(request.collectivite), pk=pk)
    if record.claimed_by_id is not None:
        messages.info(
            request,
            _("Cette fiche est déjà reprise : voici votre cas d'usage %(public_id)s.")
            % {"public_id": record.claimed_public_id},
        )
        return redirect("usecase-detail", public_id=record.claimed_public_id)
    if request.method == "POST":
        try:
            use_case = services.usecase_claim(record=record, actor=request.user)
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect("source-records")
        messages.success(
            request,
            _(
                "Fiche reprise : votre brouillon %(public_id)s est prêt. Complétez-le (étapes, "
                "risque, données…) puis soumettez-le au CDG ; une fois publié, il remplacera la "
                "fiche de la source publique."
            )
            % {"public_id": use_case.public_id},
        )
        return redirect("usecase-detail", public_id=use_case.public_id)
    values = prefill(record)
    precision = (record.mapped or {}).get("date_precision") or {}
    shown = {**values["fields"], "domains": values["domains"]}
    taken = []
    # In the declaration's order, as the draft's page will show them.
    for f in snapshot.FIELDS:
        value = shown.get(f.name)
        if f.name in ("claimed_from", "external_ref", "visibility") or value in (None, "", []):
            continue
        if f.kind == snapshot.TERMS:
            text = ", ".join(term.label_fr for term in value)
        elif f.kind == snapshot.DATE:
            text = snapshot.display(f, value.isoformat(), precision.get(f.name, "day")).text
        else:
            text = snapshot.display(f, value).text or str(value)
        taken.append((f.title, text))
    [row] = _rows([record])
    return render(
        request,
        "casestudies/source_record_claim.html",
        {"row": row, "record": record, "taken": taken},
    )
