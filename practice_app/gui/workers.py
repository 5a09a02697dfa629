"""Background work: one serial database worker, a pool for analysis, results back on the GUI thread.

The pattern follows Anki's QueryOp/CollectionOp (work off the GUI thread, success
and failure callbacks on it) and Picard's thread.py (results posted back to the
main thread). Every job is a :class:`Job` living on the GUI thread; the worker
thread only emits the job's signals, which Qt queues to the GUI thread.

    job = workers.query(load_overview, on_success=screen.show_data, owner=screen)
    job = workers.database(lambda db: load_demo(db, progress=p), progress=p, ...)
    job = workers.analysis(lambda: heavy(numbers), on_success=...)

A job whose ``owner`` widget was deleted before it finished is dropped quietly.
"""

from __future__ import annotations

import functools
import itertools
import logging
import queue
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, QThread, QThreadPool, Signal
from PySide6.QtWidgets import QProgressBar, QProgressDialog, QWidget

from practice_app.progress import Cancelled, Progress

if TYPE_CHECKING:  # the GUI starts while SQLAlchemy still loads on another thread
    from sqlalchemy.orm import Session

    from practice_app.storage.database import Database

log = logging.getLogger(__name__)

SuccessCallback = Callable[[Any], None]
FailureCallback = Callable[[BaseException], None]

_ids = itertools.count(1)


class Job(QObject):
    """One piece of background work, seen from the GUI thread.

    Signals are emitted from the worker thread and delivered (queued) on the GUI
    thread, where the callbacks run.
    """

    progressed = Signal(int, int, str)
    """done, total, message: the job's Progress, re-emitted on the GUI thread."""
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()
    """Emitted after any of succeeded, failed or cancelled."""

    # Emitted on the worker thread; queued to the GUI thread, where the public
    # signals above are emitted, so whatever is connected to them runs there.
    _progress_posted = Signal(int, int, str)
    _result_posted = Signal(object)
    _error_posted = Signal(object)

    def __init__(
        self,
        label: str,
        on_success: SuccessCallback | None = None,
        on_failure: FailureCallback | None = None,
        owner: QObject | None = None,
        progress: Progress | None = None,
    ) -> None:
        super().__init__()
        self.id = next(_ids)
        self.label = label
        self.progress = progress or Progress()
        self.done = False
        self._on_success = on_success
        self._on_failure = on_failure
        self._owner = owner
        self._owner_gone = False
        self._on_finished: list[Callable[[Job], None]] = []
        if owner is not None:
            owner.destroyed.connect(self._forget_owner)
        self.progress.subscribe(self._progress_posted.emit)
        self._progress_posted.connect(self._relay_progress)
        self._result_posted.connect(self._deliver_result)
        self._error_posted.connect(self._deliver_error)

    def cancel(self) -> None:
        """Ask the work to stop (at its next Progress check; at once if not started)."""
        self.progress.cancel()

    @property
    def owner_alive(self) -> bool:
        """False once the widget that asked for this job has been deleted."""
        if self._owner is None:
            return True
        return not self._owner_gone and shiboken6.isValid(self._owner)

    def _forget_owner(self) -> None:
        self._owner_gone = True

    # Called on the worker thread.
    def execute(self, work: Callable[[], Any]) -> None:
        """Run ``work`` here (any thread) and post its outcome to the GUI thread."""
        try:
            self.progress.check()
            result = work()
        except BaseException as exc:  # delivered to the GUI thread, never lost
            self._error_posted.emit(exc)
        else:
            self._result_posted.emit(result)

    # Called on the GUI thread.
    def _deliver_result(self, result: object) -> None:
        if self.progress.cancelled:
            self._deliver_error(Cancelled())
            return
        if self.owner_alive:
            self.succeeded.emit(result)
            if self._on_success is not None:
                self._call(self._on_success, result)
        self._finish()

    def _relay_progress(self, done: int, total: int, message: str) -> None:
        if not self.done and self.owner_alive:
            self.progressed.emit(done, total, message)

    def _deliver_error(self, error: object) -> None:
        if self.owner_alive:
            if isinstance(error, Cancelled):
                self.cancelled.emit()
            else:
                self.failed.emit(error)
                if self._on_failure is not None:
                    self._call(self._on_failure, error)
                else:
                    log.error("job %s failed: %s", self.label, error)
        self._finish()

    def _call(self, callback: Callable[[Any], None], value: object) -> None:
        try:
            callback(value)
        except Exception:  # a broken callback must not take the event loop down
            log.exception("callback of job %s failed", self.label)

    def _finish(self) -> None:
        self.done = True
        self.finished.emit()
        for listener in self._on_finished:
            listener(self)


class _DatabaseThread(QThread):
    """Runs database jobs one at a time, in the order they were submitted."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.setObjectName("practice-app database worker")
        self.db = db
        self.jobs: queue.Queue[tuple[Job, Callable[[Database], Any]] | None] = queue.Queue()

    def run(self) -> None:
        """Drain the queue until the stop marker (None) arrives."""
        while True:
            item = self.jobs.get()
            if item is None:
                return
            job, work = item
            job.execute(functools.partial(work, self.db))


class Workers(QObject):
    """The background-work hub of one window: a serial database worker and an analysis pool."""

    idle = Signal()
    """Emitted on the GUI thread whenever the last pending job finishes."""

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = _DatabaseThread(db)
        self._pool = QThreadPool.globalInstance()
        self._pending: dict[int, Job] = {}
        self._closed = False
        self._thread.start()

    @property
    def db(self) -> Database:
        """The database jobs submitted from now on will use."""
        return self._thread.db

    @property
    def closed(self) -> bool:
        """Whether shutdown was called (no new work is accepted)."""
        return self._closed

    @property
    def busy(self) -> bool:
        """Whether any job is queued or running."""
        return bool(self._pending)

    def query(
        self,
        work: Callable[[Session], Any],
        *,
        on_success: SuccessCallback | None = None,
        on_failure: FailureCallback | None = None,
        owner: QObject | None = None,
        progress: Progress | None = None,
        label: str = "",
    ) -> Job:
        """Run ``work(session)`` on the database worker in one transaction (commit on success)."""

        def in_session(db: Database) -> Any:
            with db.session() as session:
                return work(session)

        return self.database(
            in_session,
            on_success=on_success,
            on_failure=on_failure,
            owner=owner,
            progress=progress,
            label=label or getattr(work, "__name__", "query"),
        )

    def database(
        self,
        work: Callable[[Database], Any],
        *,
        on_success: SuccessCallback | None = None,
        on_failure: FailureCallback | None = None,
        owner: QObject | None = None,
        progress: Progress | None = None,
        label: str = "",
    ) -> Job:
        """Run ``work(db)`` on the database worker, after every job submitted before it."""
        job = self._new_job(
            label or getattr(work, "__name__", "database job"),
            on_success,
            on_failure,
            owner,
            progress,
        )
        self._thread.jobs.put((job, work))
        return job

    def analysis(
        self,
        work: Callable[[], Any],
        *,
        on_success: SuccessCallback | None = None,
        on_failure: FailureCallback | None = None,
        owner: QObject | None = None,
        progress: Progress | None = None,
        label: str = "",
    ) -> Job:
        """Run ``work()`` on the thread pool (CPU work that needs no database session)."""
        job = self._new_job(
            label or getattr(work, "__name__", "analysis"), on_success, on_failure, owner, progress
        )
        self._pool.start(lambda: job.execute(work))
        return job

    def swap_database(
        self, new_db: Database, on_done: Callable[[Database], None] | None = None
    ) -> Job:
        """Make later jobs use ``new_db``; dispose the old one once the jobs before it are done."""

        def swap(old: Database) -> Database:
            self._thread.db = new_db
            old.dispose()
            return new_db

        return self.database(swap, on_success=on_done, label="swap database")

    def _new_job(
        self,
        label: str,
        on_success: SuccessCallback | None,
        on_failure: FailureCallback | None,
        owner: QObject | None,
        progress: Progress | None,
    ) -> Job:
        if self._closed:
            raise RuntimeError("background work was already shut down")
        job = Job(label, on_success, on_failure, owner, progress)
        self._pending[job.id] = job
        job._on_finished.append(self._job_finished)
        return job

    def _job_finished(self, job: Job) -> None:
        self._pending.pop(job.id, None)
        if not self._pending:
            self.idle.emit()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel what is pending, stop the database worker and wait for all threads.

        Safe to call twice. Returns False when a thread did not stop in time.
        """
        if self._closed:
            return True
        self._closed = True
        for job in list(self._pending.values()):
            job.cancel()
        self._thread.jobs.put(None)
        stopped = self._thread.wait(timeout_ms)
        stopped = self._pool.waitForDone(timeout_ms) and stopped
        # Outcomes already posted to the GUI thread would run callbacks on a closing
        # window; drop them.
        for job in self._pending.values():
            job._owner_gone = True
        return stopped


def bind_progress_bar(job: Job, bar: QProgressBar) -> None:
    """Show the job's progress in ``bar`` (busy indicator until a total is known)."""
    bar.setRange(0, 0)

    def show(done: int, total: int, message: str) -> None:
        if not shiboken6.isValid(bar):
            return
        if total > 0:
            bar.setRange(0, total)
            bar.setValue(min(done, total))
        if message:
            bar.setFormat(f"{message} (%p%)")

    job.progressed.connect(show)


def progress_dialog(job: Job, parent: QWidget, title: str) -> QProgressDialog:
    """Open a window-modal progress dialog for ``job`` whose Cancel button cancels it."""
    dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setMinimumDuration(300)  # quick jobs never flash a dialog
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.canceled.connect(job.cancel)

    def show(done: int, total: int, message: str) -> None:
        if total > 0:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))
        if message:
            dialog.setLabelText(message)

    job.progressed.connect(show)
    job.finished.connect(dialog.deleteLater)
    return dialog
