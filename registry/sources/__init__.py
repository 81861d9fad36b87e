"""Public sources read into the benchmark: one adapter per format (see registry/sources/base.py
for what an adapter does), found by its kind. The import itself (store, match, publish) is
registry.services.sources."""

from django.utils.translation import gettext as _

from registry.sources.base import (
    Identity,
    Mapped,
    MapResult,
    RawRow,
    Rejected,
    RowError,
    Skipped,
    SourceAdapter,
    SourceFileError,
    SourceInfo,
)
from registry.sources.mapping import MappingAdapter
from registry.sources.pstw import PSTWAdapter
from registry.sources.us_inventory import USInventoryAdapter

# kind → adapter class (registry.vocabularies.SourceAdapterKind). A new format: its module in
# this package, its class here.
ADAPTERS: dict[str, type[SourceAdapter]] = {
    PSTWAdapter.kind: PSTWAdapter,
    USInventoryAdapter.kind: USInventoryAdapter,
    MappingAdapter.kind: MappingAdapter,
}


def adapter_for(kind: str, profile=None) -> SourceAdapter:
    """The adapter of this kind (registry.vocabularies.SourceAdapterKind), with its profile."""
    adapter_class = ADAPTERS.get(kind)
    if adapter_class is None:
        raise SourceFileError(
            _("Le format « %(kind)s » n'est pas encore disponible. Formats connus : %(known)s.")
            % {"kind": kind, "known": ", ".join(sorted(ADAPTERS))}
        )
    return adapter_class(profile=profile)


__all__ = [
    "ADAPTERS",
    "Identity",
    "MapResult",
    "Mapped",
    "RawRow",
    "Rejected",
    "RowError",
    "Skipped",
    "SourceAdapter",
    "SourceFileError",
    "SourceInfo",
    "adapter_for",
]
