"""What the curators' review page shows of a submission, read from the one declaration
(registry.snapshot): its sections in the form's order, French labels and vocabulary labels, the
rows of its lists as readable items, what changed and since which version, the exchange so far.

The version a submission is compared with is the one the curator sent back (the collectivité's
previous submission of the same use case, closed by « Corrections demandées »), else the version
published in the benchmark, else none (a first submission: everything is new)."""

import json
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from registry import snapshot
from registry.models import Collectivite, Submission
from registry.selectors import published_payloads
from registry.vocabularies import SubmissionState

# Shown in the page's header, or not read by curators (the contact address stays with members).
NOT_SHOWN = {*snapshot.NOT_COMPARED, "contact_email"}

SENT_BACK = "sent_back"
PUBLISHED = "published"


@dataclass
class Row:
    """One row of a list (a step, a lesson, an indicator…) as a person reads it."""

    main: snapshot.Cell
    # (label, value, value before or None when unchanged)
    details: list[tuple[str, snapshot.Cell, snapshot.Cell | None]]
    # "added", "removed" or "changed" (the same row, some details changed) compared with the
    # reference version; "" otherwise.
    change: str = ""


@dataclass
class Item:
    field: snapshot.Field
    value: snapshot.Cell | None = None  # a fact
    rows: list[Row] | None = None  # a list of rows
    changed: bool = False
    before: snapshot.Cell | None = None
    removed_rows: list[Row] = field(default_factory=list)

    @property
    def is_list(self) -> bool:
        return self.rows is not None


def shown_fields() -> list[snapshot.Field]:
    return [
        f
        for f in snapshot.FIELDS
        if f.audience == snapshot.PUBLISHED
        and f.name not in NOT_SHOWN
        and f.kind != snapshot.COLLECTIVITE
    ]


def _empty(value) -> bool:
    return value in (None, "", [])


def _primary(f: snapshot.Field) -> snapshot.Field:
    """The child a row is named by: its text, its name, else its first choice or reference."""
    names = [child.name for child in f.children if child.page]
    for name in ("text", "name"):
        if name in names:
            return f.child(name)
    return next(
        child
        for child in f.children
        if child.page and child.kind in (snapshot.CHOICE, snapshot.REF)
    )


def _cell(child: snapshot.Field, row: dict) -> snapshot.Cell:
    value = row.get(child.name)
    if child.kind == snapshot.REF:
        return snapshot.Cell("", ((row.get("name") or value, child.link, value),))
    return snapshot.display(child, value)


def _detail(child: snapshot.Field, row: dict) -> snapshot.Cell | None:
    if row.get(child.name) in (None, "", False):
        return None
    cell = _cell(child, row)
    unit = row.get("unit") or ""
    if child.kind == snapshot.DECIMAL and unit and not child.currency:
        cell = snapshot.Cell(f"{cell.text} {unit}")
    return cell


def row_of(f: snapshot.Field, row: dict, before: dict | None = None) -> Row:
    """A row; with `before` (the same row in the reference version), its changed details."""
    primary = _primary(f)
    details = []
    for child in f.children:
        if child is primary or not child.page or child.name == "unit":
            continue
        cell = _detail(child, row)
        previous = _detail(child, before) if before is not None else cell
        if cell is None and previous is None:
            continue
        empty = snapshot.Cell("")
        changed = before is not None and previous != cell
        details.append((child.title, cell or empty, (previous or empty) if changed else None))
    return Row(main=_cell(primary, row), details=details, change="changed" if before else "")


def _identity(f: snapshot.Field, row: dict):
    """What makes two rows of two versions the same row: their text, name or main choice."""
    return row.get(_primary(f).name)


def _key(row: dict) -> str:
    return json.dumps({k: v for k, v in row.items() if k != "position"}, sort_keys=True)


def _partners(payloads: list[dict]) -> dict[str, str]:
    slugs = {slug for p in payloads if p for slug in p.get("partner_collectivites", [])}
    return dict(Collectivite.objects.filter(slug__in=slugs).values_list("slug", "name"))


def _fact(f: snapshot.Field, value, names: dict[str, str]) -> snapshot.Cell:
    cell = snapshot.display(f, value)
    if f.kind == snapshot.COLLECTIVITES:  # by name, not by slug
        cell = snapshot.Cell("", tuple((names.get(s, s), name, s) for _l, name, s in cell.links))
    return cell


def item_of(f: snapshot.Field, value, before, compared: bool, names) -> Item:
    changed = compared and before != value
    if f.kind != snapshot.CHILDREN:
        return Item(
            field=f,
            value=_fact(f, value, names),
            changed=changed,
            before=_fact(f, before, names) if changed else None,
        )
    before = (before or []) if compared else []
    value = value or []
    before_keys = {_key(row) for row in before}
    after_keys = {_key(row) for row in value}
    # Rows that are not in the other version as they are, by their identity (an indicator
    # whose value changed is the same indicator).
    gone = {_identity(f, row): row for row in before if _key(row) not in after_keys}
    rows = []
    for row in value:
        if not compared or _key(row) in before_keys:
            rows.append(row_of(f, row))
        elif _identity(f, row) in gone:
            rows.append(row_of(f, row, before=gone.pop(_identity(f, row))))
        else:
            shown = row_of(f, row)
            shown.change = "added"
            rows.append(shown)
    removed = []
    for row in gone.values():
        shown = row_of(f, row)
        shown.change = "removed"
        removed.append(shown)
    return Item(field=f, rows=rows, changed=changed, removed_rows=removed)


def sections(payload: dict, reference: dict | None, names) -> list[dict]:
    """The form's sections, each with its filled or changed items and the names of its empty
    fields (said in one line, so that the page stays short)."""
    compared = reference is not None
    out = []
    for section in snapshot.SECTIONS:
        items, empty = [], []
        for f in shown_fields():
            if f.section != section.name:
                continue
            value = payload.get(f.name)
            before = reference.get(f.name) if compared else None
            if _empty(value) and not (compared and not _empty(before)):
                empty.append(f.title)
                continue
            items.append(item_of(f, value, before, compared, names))
        if items or empty:
            out.append(
                {
                    "section": section,
                    "items": items,
                    "empty": empty,
                    "changed": sum(item.changed for item in items),
                }
            )
    return out


def sent_back_version(submission: Submission) -> Submission | None:
    """The collectivité's previous submission of this use case, if the curators sent it back."""
    previous = (
        Submission.objects.filter(uuid=submission.uuid, submitted_at__lt=submission.submitted_at)
        .exclude(pk=submission.pk)
        .select_related("decided_by", "submitted_by")
        .order_by("-submitted_at", "-id")
        .first()
    )
    if previous is not None and previous.state == SubmissionState.CHANGES_REQUESTED:
        return previous
    return None


def exchange(submission: Submission) -> list[Submission]:
    """Every submission of this use case up to this one, oldest first."""
    return list(
        Submission.objects.filter(uuid=submission.uuid, submitted_at__lte=submission.submitted_at)
        .select_related("submitted_by", "decided_by")
        .order_by("submitted_at", "id")
    )


def changes(items_by_section: list[dict]) -> list[tuple[dict, Item]]:
    return [(part, item) for part in items_by_section for item in part["items"] if item.changed]


COMPARED_WITH = {
    SENT_BACK: _("la version renvoyée pour corrections"),
    PUBLISHED: _("la version publiée"),
}


def review(submission: Submission) -> dict:
    """Everything the review page shows of a submission."""
    payload = submission.payload
    sent_back = sent_back_version(submission)
    published = published_payloads([submission.uuid]).get(submission.uuid)
    if sent_back is not None:
        reference, compared_with = sent_back.payload, SENT_BACK
    elif published is not None:
        reference, compared_with = published, PUBLISHED
    else:
        reference, compared_with = None, None
    names = _partners([payload, reference])
    parts = sections(payload, reference, names)
    since_published = None
    if compared_with == SENT_BACK and published is not None:
        # The curator also sees what would change in the benchmark, in a second list.
        since_published = changes(sections(payload, published, _partners([published])))
    missing = [snapshot.field_label(entry["field"]) for entry in submission.missing]
    return {
        "sections": parts,
        "changes": changes(parts),
        "compared_with": compared_with,
        "compared_with_label": COMPARED_WITH.get(compared_with),
        "sent_back": sent_back,
        "published": published is not None,
        "since_published": since_published,
        "exchange": exchange(submission),
        "missing": missing,
    }


def queue_kinds(submissions: list[Submission]) -> dict[int, str]:
    """Of each pending submission: « sent_back » (a resubmission after corrections), « published »
    (a change to a published case) or « new » (two queries, whatever the queue's length)."""
    uuids = [s.uuid for s in submissions]
    sent_back = set(
        Submission.objects.filter(
            uuid__in=uuids, state=SubmissionState.CHANGES_REQUESTED
        ).values_list("uuid", flat=True)
    )
    published = set(published_payloads(uuids))
    return {
        s.pk: SENT_BACK if s.uuid in sent_back else PUBLISHED if s.uuid in published else "new"
        for s in submissions
    }
