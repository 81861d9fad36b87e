"""Writes of the public sources (public schema): an import reads a file through its adapter
(registry/sources/), maps and validates each row, matches French records to the directory, and
upserts each record (registry.SourceRecord) with its benchmark entry (registry.BenchmarkEntry,
origin « public_source »), in a transaction per batch. Every row lands or is reported (row,
column, French reason) on the import run (registry.ImportRun). A row whose content hash has not
changed is not written again: a re-import of the same file changes nothing.

A large file runs in the job queue (`source_import_enqueue`, registry.tasks.import_source), with
its progress on the import run.
"""

from collections.abc import Callable

from registry.models import ImportRun, SourceRecord
from registry.sources import SourceAdapter

# Rows written per transaction.
BATCH_SIZE = 500
# Above this size, the admin upload page runs the import in the job queue.
QUEUE_THRESHOLD_BYTES = 512 * 1024

Progress = Callable[[ImportRun], None]


def source_import(
    *,
    adapter: SourceAdapter,
    content: bytes,
    file_name: str,
    actor=None,
    dry_run: bool = False,
    run: ImportRun | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportRun:
    """Import a file of a source; returns its run (counts and rejections). dry_run: everything
    is read, mapped, matched and reported, nothing is written but the run."""
    raise NotImplementedError


def source_import_enqueue(
    *, adapter: SourceAdapter, content: bytes, file_name: str, actor=None, dry_run: bool = False
) -> ImportRun:
    """Record a pending run holding the file, and defer it to the job queue."""
    raise NotImplementedError


def source_import_run(run_id: int) -> ImportRun:
    """Run a pending import (the job's body)."""
    raise NotImplementedError


def source_record_match(*, record: SourceRecord, entry, actor) -> SourceRecord:
    """A curator's match of a record to a directory entry (None: no collectivité), confidence
    100, rule « curator »; its benchmark entry follows."""
    raise NotImplementedError
