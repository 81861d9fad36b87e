"""Writes of the shared catalogue: tool and vendor merges (curators)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.services import audit_record
from registry import snapshot
from registry.models import BenchmarkEntry, Tool, Vendor
from registry.services.benchmark import apply_curation, benchmark_changed, entry_event


@transaction.atomic
def tool_merge(*, source: Tool, target: Tool, actor) -> int:
    """Merge a duplicate tool into another: its names become aliases of the target, and every
    benchmark entry is relinked. Use cases in the collectivités' schemas keep their link to the
    old row, which now points to the target (`merged_into`): they are read through it, and no
    request has to visit every schema. Returns the number of benchmark entries relinked."""
    if source.pk == target.pk:
        raise ValidationError(_("Un outil ne peut pas être fusionné avec lui-même."))
    if target.merged_into_id:
        raise ValidationError(
            _("L'outil cible a lui-même été fusionné : choisissez l'outil final.")
        )
    target.aliases = sorted(
        {*target.aliases, source.name, *source.aliases} - {target.name}, key=str.lower
    )
    target.save(update_fields=["aliases"])
    Tool.objects.filter(merged_into=source).update(merged_into=target)
    source.merged_into = target
    source.deprecated = True
    source.save(update_fields=["merged_into", "deprecated"])
    reference = snapshot.tool_ref(target)
    entries = list(
        BenchmarkEntry.objects.select_for_update().filter(
            Q(tool_ids__contains=[source.pk]) | Q(curated_tool_ids__contains=[source.pk])
        )
    )
    for entry in entries:
        tools, seen = [], set()
        for tool in entry.payload["tools"]:
            tool = reference if tool["id"] == source.pk else tool
            if tool["id"] not in seen:
                seen.add(tool["id"])
                tools.append(tool)
        entry.payload = {**entry.payload, "tools": tools}
        entry.curated_tool_ids = _replace_id(entry.curated_tool_ids, source.pk, target.pk)
        columns = snapshot.entry_columns(entry.payload)
        apply_curation(entry, columns["domains"], columns["tool_ids"])
        entry.save(update_fields=["payload", "curated_tool_ids", "tool_ids", "domains"])
        entry_event(
            uuid=entry.uuid,
            public_id=entry.public_id,
            actor=actor,
            action="tool_merged",
            changes={"tools": {"before": source.name, "after": target.name}},
        )
    benchmark_changed()
    audit_record(
        actor=actor,
        action="tool_merged",
        target=target,
        changes={"merged": {"before": source.name, "after": target.name}},
    )
    return len(entries)


def _replace_id(ids: list[int], old: int, new: int) -> list[int]:
    result = []
    for value in ids:
        value = new if value == old else value
        if value not in result:
            result.append(value)
    return result


@transaction.atomic
def vendor_merge(*, source: Vendor, target: Vendor, actor) -> int:
    if source.pk == target.pk:
        raise ValidationError(_("Un éditeur ne peut pas être fusionné avec lui-même."))
    moved = Tool.objects.filter(vendor=source).update(vendor=target)
    target.aliases = sorted({*target.aliases, source.name, *source.aliases} - {target.name})
    target.save(update_fields=["aliases"])
    audit_record(
        actor=actor,
        action="vendor_merged",
        target=target,
        changes={"merged": {"before": source.name, "after": target.name}},
    )
    source.delete()
    return moved
