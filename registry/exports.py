"""Exports of the benchmark: one row per published use case, with stable ids everywhere
(public id, the collectivité's slug, SIREN and INSEE code, tool ids) and the status crosswalk
to the Dutch, UK, US and EU registers."""

import csv
import io
import json
from collections.abc import Iterable

from openpyxl import Workbook

from registry.vocabularies import STATUS_CROSSWALK, Status

COLUMNS = [
    "public_id",
    "uuid",
    "collectivite_slug",
    "collectivite_name",
    "siren",
    "insee_code",
    "departement",
    "collectivite_kind",
    "population_band",
    "title",
    "summary",
    "context",
    "purpose",
    "department_service",
    "representative",
    "status",
    "status_label",
    "status_inferred",
    "status_nl",
    "status_uk",
    "status_us",
    "status_eu",
    "ai_family",
    "automation_level",
    "ai_act_risk",
    "personal_data",
    "domains",
    "tool_ids",
    "tool_names",
    "tool_other",
    "techniques",
    "method_phase",
    "hosting",
    "sourcing",
    "human_oversight",
    "risks_and_mitigations",
    "training_done",
    "users_count_band",
    "started_on",
    "production_on",
    "visibility",
    "published_at",
    "steps",
    "source",
]
LIST_SEPARATOR = " | "


def row_of(payload: dict) -> dict:
    collectivite = payload["collectivite"]
    status = payload["status"]
    crosswalk = STATUS_CROSSWALK.get(status, ("", "", "", ""))
    return {
        "public_id": payload["public_id"],
        "uuid": payload["uuid"],
        "collectivite_slug": collectivite["slug"],
        "collectivite_name": collectivite["name"],
        "siren": collectivite["siren"],
        "insee_code": collectivite["insee_code"],
        "departement": collectivite["departement"],
        "collectivite_kind": collectivite["kind"],
        "population_band": collectivite["population_band"],
        "title": payload["title"],
        "summary": payload["summary"],
        "context": payload["context"],
        "purpose": payload["purpose"],
        "department_service": payload["department_service"],
        "representative": payload["representative"],
        "status": status,
        "status_label": str(Status(status).label) if status in Status.values else "",
        "status_inferred": payload["status_inferred"],
        "status_nl": crosswalk[0],
        "status_uk": crosswalk[1],
        "status_us": crosswalk[2],
        "status_eu": crosswalk[3],
        "ai_family": payload["ai_family"],
        "automation_level": payload["automation_level"],
        "ai_act_risk": payload["ai_act_risk"],
        "personal_data": payload["personal_data"],
        "domains": LIST_SEPARATOR.join(d["code"] for d in payload["domains"]),
        "tool_ids": LIST_SEPARATOR.join(str(t["id"]) for t in payload["tools"]),
        "tool_names": LIST_SEPARATOR.join(t["name"] for t in payload["tools"]),
        "tool_other": payload["tool_other"],
        "techniques": LIST_SEPARATOR.join(payload["techniques"]),
        "method_phase": payload["method_phase"],
        "hosting": payload["hosting"],
        "sourcing": payload["sourcing"],
        "human_oversight": payload["human_oversight"],
        "risks_and_mitigations": payload["risks_and_mitigations"],
        "training_done": payload["training_done"],
        "users_count_band": payload["users_count_band"],
        "started_on": payload["started_on"] or "",
        "production_on": payload["production_on"] or "",
        "visibility": payload["visibility"],
        "published_at": payload["published_at"],
        "steps": LIST_SEPARATOR.join(step["text"] for step in payload["steps"]),
        "source": payload["source"],
    }


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value):
    """Text a spreadsheet would run as a formula (=, +, -, @…) is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(payloads: Iterable[dict], delimiter: str = ";") -> bytes:
    """UTF-8 with a byte-order mark, so French spreadsheets read the accents right."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, delimiter=delimiter)
    writer.writeheader()
    for payload in payloads:
        row = {key: _inert(value) for key, value in row_of(payload).items()}
        row["status_inferred"] = "oui" if row["status_inferred"] else "non"
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(payloads: Iterable[dict]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("cas_d_usage")
    sheet.append(COLUMNS)
    for payload in payloads:
        row = row_of(payload)
        sheet.append([_inert(row[column]) for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_json(payloads: Iterable[dict]) -> bytes:
    return json.dumps(list(payloads), ensure_ascii=False, indent=1).encode("utf-8")
