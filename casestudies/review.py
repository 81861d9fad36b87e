"""Reading a use case's snapshot as a curator does: how complete it is, what changed."""

from casestudies.models import UseCase

# (weight, field, test on the snapshot). Weights add up to 100: the core fields of the data
# model weigh most, then what makes a use case useful to peers (approach, outcomes, lessons).
CRITERIA = [
    (8, "title", lambda p: bool(p["title"])),
    (10, "summary", lambda p: len(p["summary"]) >= 40),
    (5, "context", lambda p: bool(p["context"])),
    (5, "purpose", lambda p: bool(p["purpose"])),
    (3, "department_service", lambda p: bool(p["department_service"])),
    (4, "representative", lambda p: bool(p["representative"])),
    (8, "tools", lambda p: bool(p["tools"] or p["tool_other"])),
    (5, "domains", lambda p: bool(p["domains"])),
    (3, "techniques", lambda p: bool(p["techniques"])),
    (2, "audiences", lambda p: bool(p["audiences"])),
    (3, "method_phase", lambda p: bool(p["method_phase"])),
    (3, "started_on", lambda p: bool(p["started_on"])),
    (5, "ai_act_risk", lambda p: p["ai_act_risk"] != "to_assess"),
    (2, "hosting", lambda p: p["hosting"] != "unknown"),
    (4, "human_oversight", lambda p: bool(p["human_oversight"])),
    (5, "risks_and_mitigations", lambda p: bool(p["risks_and_mitigations"])),
    (7, "steps", lambda p: len(p["steps"]) >= 2),
    (7, "lessons", lambda p: bool(p["lessons"])),
    (5, "metrics", lambda p: bool(p["metrics"])),
    (4, "training_done", lambda p: bool(p["training_done"])),
    (2, "users_count_band", lambda p: bool(p["users_count_band"])),
]
assert sum(weight for weight, _field, _test in CRITERIA) == 100

EXTRA_LABELS = {
    "steps": "étapes de la démarche",
    "lessons": "enseignements",
    "metrics": "indicateurs",
    "collectivite": "collectivité",
    "tools": "outils",
    "domains": "domaines",
}


def field_label(name: str) -> str:
    if name in EXTRA_LABELS:
        return EXTRA_LABELS[name]
    try:
        return str(UseCase._meta.get_field(name).verbose_name)
    except Exception:
        return name


def completeness(payload: dict) -> tuple[int, list[dict]]:
    """Score from 0 to 100 and the list of what is missing (field and its French label)."""
    score = 0
    missing = []
    for weight, field, test in CRITERIA:
        if test(payload):
            score += weight
        else:
            missing.append({"field": field, "label": field_label(field), "weight": weight})
    return score, missing


IGNORED_IN_DIFF = {"published_at", "curation", "uuid", "public_id", "collectivite"}


def payload_diff(before: dict | None, after: dict) -> list[dict]:
    """Field-by-field differences between two snapshots (before=None: everything is new)."""
    before = before or {}
    changes = []
    for field in after:
        if field in IGNORED_IN_DIFF:
            continue
        old, new = before.get(field), after[field]
        if old != new:
            changes.append(
                {"field": field, "label": field_label(field), "before": old, "after": new}
            )
    return changes
