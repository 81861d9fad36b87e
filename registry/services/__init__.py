"""Every write to the public schema's registry goes through these functions: collectivités,
the shared catalogue, the official directory, and the benchmark (public ids, submissions,
published entries)."""

from registry.services.benchmark import (
    ANNOTATION_FIELDS,
    benchmark_entry_annotate,
    benchmark_entry_remove,
    benchmark_entry_restrict,
    benchmark_entry_verified,
    benchmark_entry_write,
    public_id_allocate,
    submission_close,
    submission_open,
    submission_pending,
)
from registry.services.catalogue import tool_merge, vendor_merge
from registry.services.collectivites import (
    COLLECTIVITE_EDITABLE_FIELDS,
    collectivite_create,
    collectivite_ensure_primary_domain,
    collectivite_from_directory,
    collectivite_provision,
    collectivite_update,
    primary_host,
)
from registry.services.directory import (
    SHIPPED_DIRECTORY,
    SHIPPED_MILLESIME,
    DirectoryLoadReport,
    directory_body_create,
    directory_body_update,
    directory_load,
    directory_loaded,
)
from registry.services.synonyms import synonym_group_delete, synonym_group_save, synonyms_load

__all__ = [
    "ANNOTATION_FIELDS",
    "COLLECTIVITE_EDITABLE_FIELDS",
    "SHIPPED_DIRECTORY",
    "SHIPPED_MILLESIME",
    "DirectoryLoadReport",
    "benchmark_entry_annotate",
    "benchmark_entry_remove",
    "benchmark_entry_restrict",
    "benchmark_entry_verified",
    "benchmark_entry_write",
    "collectivite_create",
    "collectivite_ensure_primary_domain",
    "collectivite_from_directory",
    "collectivite_provision",
    "collectivite_update",
    "directory_body_create",
    "directory_body_update",
    "directory_load",
    "directory_loaded",
    "primary_host",
    "public_id_allocate",
    "submission_close",
    "submission_open",
    "submission_pending",
    "synonym_group_delete",
    "synonym_group_save",
    "synonyms_load",
    "tool_merge",
    "vendor_merge",
]
