"""The import's reading half: batches of the file read and checked, here or in a second process.

Reading a large file (the csv module, then every cell converted and checked) takes
about as long as writing it (SQLite's inserts and the id bookkeeping). A
``BesideReader`` is a forked process that reads and checks while this one writes, so
the two halves share the machine's cores. The ``import`` command starts it before it
opens the database (``start_early``): the reader is well into the file by the time
SQLAlchemy is loaded and the database migrated. Batches cross a pipe as pickles (a
hundredth of a second per 2,000 rows); the reader runs at most ``RUN_AHEAD``
batches ahead, so memory stays that of a few batches whatever the file's size. Both
ways yield the same batches: the reader holds no database state, only the file and
its parser.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
from collections.abc import Generator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from practice_app.analysis.instruments import InstrumentDef, builtin_instruments
from practice_app.errors import AppError, UserError
from practice_app.importers.columns import Batch, BatchReader
from practice_app.importers.reading import ImportOptions, Reading, prepare_reading
from practice_app.importers.records import Problem, RowParser, SessionRecord
from practice_app.importers.source import XLSX_MAGIC, Table, batches, open_table
from practice_app.storage import plain_sqlite

BESIDE_MIN_WORK = 5_000_000
"""Read in a second process from this much work (bytes of a CSV, about 50,000 rows) up:
below it, starting the process and pickling cost more than they save."""
RUN_AHEAD = 32
"""Batches the reader may have read before the writer takes them (it starts early, and
about half a second's reading is ready by the time the database is open)."""
_END = b"end"


@dataclass(slots=True)
class ReadBatch:
    """One batch of the file, read: columns when every row is plain, else per-row records."""

    batch: Batch | None
    records: list[SessionRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    done: int = 0
    """Work done so far (bytes or rows), for progress."""


class ReaderStopped(AppError):
    """The reading process ended without finishing the file (killed, or out of memory)."""


def read_batches(table: Table, parser: RowParser, size: int) -> Generator[ReadBatch, None, None]:
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


class BesideReader:
    """A forked process reading ``table`` with ``parser``; ``batches()`` yields what it read.

    An error in the reader (an unreadable row, say) is raised here as it was raised
    there. ``stop()`` ends the reader early (an error while writing, a cancel); call it
    in a ``finally`` (it does nothing once the reader has finished).
    """

    def __init__(self, table: Table, parser: RowParser, size: int) -> None:
        self.name = table.name
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_read_into,
            args=(send, self._receive, table, parser, size),
            name="import-reader",
            daemon=True,
        )
        self._process.start()
        send.close()  # the reader's end: with it closed here, the reader's exit ends recv_bytes
        self._stopped = False

    def batches(self) -> Generator[ReadBatch, None, None]:
        """Every batch, in the file's order; stops the reader when done or abandoned."""
        try:
            while True:
                try:
                    message = self._receive.recv_bytes()
                except EOFError:
                    self._process.join(5)
                    raise ReaderStopped(
                        f"{self.name}: the process reading the file stopped unexpectedly "
                        f"(exit code {self._process.exitcode}); nothing was written"
                    ) from None
                if message == _END:
                    return
                item = pickle.loads(message)
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.stop()

    def stop(self) -> None:
        """End the reader (if it still runs) and release the pipe and the process."""
        if self._stopped:
            return
        self._stopped = True
        self._receive.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._process.close()


def read_batches_beside(
    table: Table, parser: RowParser, size: int
) -> Generator[ReadBatch, None, None]:
    """What ``read_batches`` yields, read by a forked process; this one only unpickles."""
    yield from BesideReader(table, parser, size).batches()


def _read_into(
    send: Connection, receive: Connection, table: Table, parser: RowParser, size: int
) -> None:
    """The reading process: every batch pickled into the pipe, then the end (or the error).

    A thread sends while this one reads on, up to ``RUN_AHEAD`` batches ahead: the
    writer starts late (it first opens the database) and then takes them quickly.
    """
    # The writer's end, copied by the fork: closed, so that the pipe breaks (and this
    # process ends) when the writer is gone.
    receive.close()
    gc.disable()  # many small objects and no cycles (as in the writing process)
    # Ctrl+C is the writer's to handle: it stops this process (no second traceback).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out: queue.Queue[bytes | None] = queue.Queue(RUN_AHEAD)
    sender = threading.Thread(target=_send_all, args=(out, send), daemon=True)
    sender.start()
    try:
        for item in read_batches(table, parser, size):
            out.put(pickle.dumps(item, pickle.HIGHEST_PROTOCOL))
    except Exception as exc:  # raised again in the writing process
        try:
            message = pickle.dumps(exc, pickle.HIGHEST_PROTOCOL)
            pickle.loads(message)  # an exception that pickles but cannot be rebuilt
        except Exception:
            message = pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
        out.put(message)
    else:
        out.put(_END)
    out.put(None)
    sender.join()


def _send_all(out: queue.Queue[bytes | None], send: Connection) -> None:
    """Send what the reading thread queues, until None.

    A closed pipe means the writer is gone (it failed, was cancelled or was killed):
    the whole reading process ends then, or its reading thread would wait forever on
    the full queue. It holds nothing to clean up.
    """
    try:
        while (message := out.get()) is not None:
            send.send_bytes(message)
    except OSError:
        os._exit(1)
    finally:
        send.close()


@dataclass
class EarlyStart:
    """A file already being read beside, before the database was opened."""

    reading: Reading
    reader: BesideReader


def start_early(target: str | None, path: Path, options: ImportOptions) -> EarlyStart | None:
    """Start reading a large file in a second process before the database is opened.

    Only when the instruments can be known without opening the database (a new file
    gets the built-in ones; an up-to-date one is read with plain sqlite3); the import
    checks them against the open database and reads again if they differ. None
    whenever anything is unusual: the import then runs as usual and reports it.
    """
    if not options.read_beside or not _large_csv(path):
        return None
    try:
        instruments = _instruments_before_opening(target)
        if instruments is None:
            return None
        table = open_table(path)
        if not can_read_beside(table):
            return None
        reading = prepare_reading(table, instruments, options)
        reader = BesideReader(table, reading.parser, options.batch_size)
    except (UserError, OSError):  # OSError: also no process to be had (fork refused)
        return None
    return EarlyStart(reading, reader)


def _large_csv(path: Path) -> bool:
    """Whether ``path`` is a file of ``BESIDE_MIN_WORK`` bytes or more and not a workbook
    (found out without opening a workbook: that alone can take seconds)."""
    try:
        if not path.is_file() or path.stat().st_size < BESIDE_MIN_WORK:
            return False
        with path.open("rb") as fh:
            return fh.read(len(XLSX_MAGIC)) != XLSX_MAGIC
    except OSError:
        return False


def _instruments_before_opening(target: str | None) -> dict[str, InstrumentDef] | None:
    """The instruments the database will hold once open, when known without SQLAlchemy."""
    try:
        path = plain_sqlite.plain_sqlite_path(target)
    except ValueError:  # a server database
        return None
    if not path.exists():
        return builtin_instruments()
    connection = plain_sqlite.open_for_reading(str(path))
    if connection is None:
        return None
    try:
        return plain_sqlite.read_instruments(connection)
    finally:
        connection.close()
