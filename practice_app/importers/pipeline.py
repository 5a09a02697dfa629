"""The import's reading half: batches of the file read and checked, here or in a second process.

Reading a large file (the csv module, then every cell converted and checked) takes
about as long as writing it (SQLite's inserts and the id bookkeeping). With
``read_beside`` a forked process reads and checks while this one writes, so the two
halves share the machine's cores; batches cross a pipe as pickles (a few
hundredths of a second per 5,000 rows) and the pipe's small buffer keeps the reader
at most a batch or two ahead, so memory stays that of a batch. Both ways yield the
same batches: the reader holds no database state, only the file and its parser.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from practice_app.importers.columns import Batch, BatchReader
from practice_app.importers.records import Problem, RowParser, SessionRecord
from practice_app.importers.source import Table, batches

BESIDE_MIN_WORK = 5_000_000
"""Read in a second process from this much work (bytes of a CSV, about 50,000 rows) up:
below it, starting the process and pickling cost more than they save."""
_END = b"end"


@dataclass(slots=True)
class ReadBatch:
    """One batch of the file, read: columns when every row is plain, else per-row records."""

    batch: Batch | None
    records: list[SessionRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    done: int = 0
    """Work done so far (bytes or rows), for progress."""


class ReaderStopped(RuntimeError):
    """The reading process ended without finishing the file (killed, or out of memory)."""


def read_batches(table: Table, parser: RowParser, size: int) -> Iterator[ReadBatch]:
    """Read ``table`` ``size`` rows at a time: column by column when plain, else row by row."""
    reader = BatchReader(parser)
    parse = parser.parse
    for raw, done in batches(table, size):
        batch = reader.read(raw) if raw else None
        if batch is not None:
            yield ReadBatch(batch, done=done)
            continue
        out = ReadBatch(None, done=done)
        for number, cells in raw:
            row_records, row_problems = parse(number, cells)
            if row_problems:
                out.problems.extend(row_problems)
            else:
                out.records.extend(row_records)
        yield out


def can_read_beside(table: Table) -> bool:
    """Whether reading ``table`` in a second process is worth it and safe here.

    Only a large file, only with two cores or more, and only by fork from a process
    with one thread: forking a process with other threads (the window's, Qt's own)
    can copy a lock another thread holds, and the reader would wait for it forever.
    """
    # Linux only: macOS's system libraries are not safe to use after a fork.
    return (
        table.size >= BESIDE_MIN_WORK
        and sys.platform == "linux"
        and threading.active_count() == 1
        and "PySide6.QtCore" not in sys.modules
        and len(os.sched_getaffinity(0)) > 1
    )


def read_batches_beside(table: Table, parser: RowParser, size: int) -> Iterator[ReadBatch]:
    """What ``read_batches`` yields, read by a forked process; this one only unpickles.

    An error in the reader (an unreadable row, say) is raised here as it was raised
    there. Closing the generator early (an error while writing, a cancel) stops the
    reader.
    """
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(
        target=_read_into, args=(send, table, parser, size), name="import-reader", daemon=True
    )
    process.start()
    send.close()  # the reader's end: with it closed here, the reader's exit ends recv_bytes
    try:
        while True:
            try:
                message = receive.recv_bytes()
            except EOFError:
                process.join(5)
                raise ReaderStopped(
                    f"{table.name}: the process reading the file stopped unexpectedly "
                    f"(exit code {process.exitcode}); nothing was written"
                ) from None
            if message == _END:
                break
            item = pickle.loads(message)
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        receive.close()
        if process.is_alive():
            process.terminate()
        process.join()
        process.close()


def _read_into(send: Connection, table: Table, parser: RowParser, size: int) -> None:
    """The reading process: every batch pickled into the pipe, then the end (or the error)."""
    try:
        for item in read_batches(table, parser, size):
            send.send_bytes(pickle.dumps(item, pickle.HIGHEST_PROTOCOL))
    except Exception as exc:  # raised again in the writing process
        try:
            message = pickle.dumps(exc, pickle.HIGHEST_PROTOCOL)
            pickle.loads(message)  # an exception that pickles but cannot be rebuilt
        except Exception:
            message = pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
        send.send_bytes(message)
    else:
        send.send_bytes(_END)
    finally:
        send.close()
