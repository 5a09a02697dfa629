"""Import one file (or an export folder) atomically: validate every row, write all or nothing."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session as OrmSession

from practice_app.errors import UserError
from practice_app.importers.batch import write_batch
from practice_app.importers.bulk import bulk_mode, rebuilt_indexes
from practice_app.importers.pipeline import (
    EarlyStart,
    ReadBatch,
    can_read_beside,
    read_batches,
    read_batches_beside,
)
from practice_app.importers.reading import (
    BATCH_SIZE,
    ImportOptions,
    Reading,
    normalise_date_format,
    prepare_reading,
)
from practice_app.importers.records import Problem
from practice_app.importers.source import Table, open_table
from practice_app.importers.writer import Writer
from practice_app.progress import Progress
from practice_app.storage.database import Database
from practice_app.storage.instruments import instrument_ids, load_instruments

__all__ = [  # ImportOptions and friends live in reading.py (free of SQLAlchemy)
    "BATCH_SIZE",
    "ImportOptions",
    "ImportRefused",
    "ImportSummary",
    "import_path",
    "import_table",
    "normalise_date_format",
]

MAX_REPORTED = 10_000
"""Beyond this many problems the rest are counted, not listed (a wrong file, not bad rows)."""


@dataclass
class ImportSummary:
    """What the file held and what happened to it."""

    file: str
    layout: str = ""
    description: str = ""
    therapists: int = 0
    clients: int = 0
    episodes: int = 0
    sessions: int = 0
    scores: dict[str, int] = field(default_factory=dict)
    new_sessions: int = 0
    already_present: int = 0
    updated: int = 0
    rejected: list[Problem] = field(default_factory=list)
    more_rejected: int = 0
    dropped_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    extra: dict[str, int] = field(default_factory=dict)
    """Counts of other tables restored from an export folder."""

    def as_json(self) -> dict[str, Any]:
        """The JSON summary with exactly the keys the command promises."""
        return {
            "therapists": self.therapists,
            "clients": self.clients,
            "episodes": self.episodes,
            "sessions": self.sessions,
            "scores": dict(sorted(self.scores.items())),
            "new_sessions": self.new_sessions,
            "already_present": self.already_present,
            "rejected": [p.as_dict() for p in self.rejected],
            "dropped_columns": list(self.dropped_columns),
        }


class ImportRefused(UserError):
    """The input was refused; nothing was written. Carries the summary with every problem."""

    def __init__(self, summary: ImportSummary, message: str) -> None:
        super().__init__(message)
        self.summary = summary


def import_table(
    db: Database,
    table: Table,
    options: ImportOptions,
    progress: Progress | None = None,
    *,
    connection: Connection | None = None,
    prepare: Callable[[Writer], None] | None = None,
    early: EarlyStart | None = None,
) -> ImportSummary:
    """Validate and import one table; raise ImportRefused (nothing written) on bad rows.

    ``early``: the table already being read beside (pipeline.start_early); used when it
    was read with the instruments the database holds, else stopped and read again.
    """
    try:
        if connection is not None:
            # Inside the caller's transaction: see the instruments it may have just added.
            with OrmSession(bind=connection, join_transaction_mode="create_savepoint") as session:
                instruments = load_instruments(session)
                ids = instrument_ids(session)
        else:
            with db.session() as session:
                instruments = load_instruments(session)
                ids = instrument_ids(session)
        if early is not None and early.reading.instruments == instruments:
            reading = early.reading
            read: Generator[ReadBatch, None, None] = early.reader.batches()
        else:
            if early is not None:
                early.reader.stop()
            reading = prepare_reading(table, instruments, options)
            beside = options.read_beside and connection is None and can_read_beside(table)
            reader = read_batches_beside if beside else read_batches
            read = reader(table, reading.parser, options.batch_size)
        try:
            return _import(db, reading, read, ids, options, progress, connection, prepare)
        finally:
            read.close()  # a reader process, if any, stops now (not when collected)
    finally:
        if early is not None:
            early.reader.stop()


def _import(
    db: Database,
    reading: Reading,
    read: Iterator[ReadBatch],
    ids: dict[str, int],
    options: ImportOptions,
    progress: Progress | None,
    connection: Connection | None,
    prepare: Callable[[Writer], None] | None,
) -> ImportSummary:
    table, plan = reading.table, reading.plan
    summary = ImportSummary(
        table.name,
        plan.layout,
        table.description,
        dropped_columns=list(plan.dropped),
        ignored_columns=list(plan.ignored),
        dry_run=options.dry_run,
    )
    if connection is not None:
        _run(connection, table, read, ids, options, summary, progress, prepare)
        return summary
    # The loop allocates many small objects and no cycles: the cyclic collector would
    # rescan the growing heap again and again (it tripled the time of a 300k-row file).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with db.engine.connect() as conn, bulk_mode(conn, table.size // 100) as bulk:
            trans = conn.begin()
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA cache_size=-65536")
            try:
                with rebuilt_indexes(conn, table.size // 100):
                    defer = bulk.foreign_keys_deferred
                    _run(conn, table, read, ids, options, summary, progress, prepare, defer)
                bulk.check(conn)
            except BaseException:
                trans.rollback()
                raise
            if options.dry_run or (summary.rejected and not options.skip_invalid):
                trans.rollback()
            else:
                trans.commit()
                summary.written = True
    finally:
        if gc_was_enabled:
            gc.enable()
    if summary.rejected and not options.skip_invalid:
        raise ImportRefused(summary, refusal_message(summary))
    return summary


def refusal_message(summary: ImportSummary) -> str:
    """One line per problem, then that nothing was written."""
    lines = [
        f"{summary.file}: row {p.row}, {p.field}: {p.value!r}: {p.message}"
        for p in summary.rejected
    ]
    if summary.more_rejected:
        lines.append(f"{summary.file}: and {summary.more_rejected} more problems")
    n = len(summary.rejected) + summary.more_rejected
    lines.append(
        f"{summary.file}: {n} problem{'s' if n != 1 else ''}; nothing was written "
        "(fix the rows, or use --skip-invalid to import the good rows)"
    )
    return "\n".join(lines)


def _run(
    conn: Connection,
    table: Table,
    read: Iterator[ReadBatch],
    ids: dict[str, int],
    options: ImportOptions,
    summary: ImportSummary,
    progress: Progress | None,
    prepare: Callable[[Writer], None] | None = None,
    defer_new_episodes: bool = False,
) -> None:
    writer = Writer(
        conn,
        ids,
        update=options.update,
        today=options.today or dt.date.today(),
        inactive_days=options.inactive_days,
        manage_episodes=not options.keep_episodes,
    )
    # Foreign keys are checked at the end: new episodes may go in last, with their dates.
    writer.defer_new_episodes = defer_new_episodes
    if prepare is not None:
        prepare(writer)
    problems: list[Problem] = []
    for item in read:
        _write(item, writer, problems)
        if progress is not None:
            progress.update(item.done, table.size, "importing")
    writer.finish()
    writer.fix_sequences()
    if progress is not None:
        progress.update(table.size, table.size, "imported")
    problems.extend(writer.problems)
    problems.sort(key=lambda p: p.row)
    summary.rejected = problems[:MAX_REPORTED]
    summary.more_rejected = max(0, len(problems) - MAX_REPORTED)
    c = writer.counts
    summary.therapists, summary.clients = len(c.therapists), len(c.clients)
    summary.episodes, summary.sessions = len(c.episodes), c.sessions
    summary.scores = dict(c.scores)
    summary.new_sessions, summary.already_present = c.new_sessions, c.already_present
    summary.updated = c.updated
    if summary.rejected and not options.skip_invalid:
        # Counts of a refused file describe the good rows; nothing of them was kept.
        summary.written = False


def _write(item: ReadBatch, writer: Writer, problems: list[Problem]) -> None:
    """Write one batch: column by column when it was read so and fits, else row by row."""
    problems.extend(item.problems)
    if item.batch is not None:
        if write_batch(writer, item.batch):
            return
        writer.write(item.batch.records())
        return
    writer.write(item.records)


def import_path(
    db: Database,
    path: Path,
    options: ImportOptions,
    progress: Progress | None = None,
    *,
    early: EarlyStart | None = None,
) -> ImportSummary:
    """Import a CSV or XLSX file, or a folder written by ``export`` (``early``: the file,
    already being read beside; see ``import_table``)."""
    if early is not None:
        return import_table(db, early.reading.table, options, progress, early=early)
    if path.is_dir():
        from practice_app.importers.folder import import_export_folder, is_export_folder

        if not is_export_folder(path):
            raise UserError(f"{path}: a folder, but not one written by 'practice-app export'")
        return import_export_folder(db, path, options, progress)
    return import_table(db, open_table(path), options, progress)
