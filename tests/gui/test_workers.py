"""Background work: results and errors arrive on the GUI thread, cancel works, nothing dangles."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QProgressBar, QWidget
from sqlalchemy import func, select

from practice_app.gui.workers import Workers, bind_progress_bar
from practice_app.progress import Progress
from practice_app.storage.database import Database, open_database
from practice_app.storage.models import Client, Instrument

TIMEOUT = 20_000


@pytest.fixture
def workers(qapp: QApplication, db: Database) -> Iterator[Workers]:
    hub = Workers(db)
    yield hub
    assert hub.shutdown()


def _main_thread(qapp: QApplication) -> QThread:
    return qapp.thread()


def test_query_result_arrives_on_the_gui_thread(
    qtbot: Any, qapp: QApplication, workers: Workers
) -> None:
    seen: dict[str, Any] = {}

    def count(session: Any) -> int:
        seen["work_thread"] = QThread.currentThread()
        return int(session.scalar(select(func.count(Instrument.id))))

    def done(result: int) -> None:
        seen["result"] = result
        seen["callback_thread"] = QThread.currentThread()

    job = workers.query(count, on_success=done)
    with qtbot.waitSignal(job.finished, timeout=TIMEOUT):
        pass
    assert seen["result"] == 8  # the built-in instruments in resources/instruments
    assert seen["callback_thread"] is _main_thread(qapp)
    assert seen["work_thread"] is not _main_thread(qapp)
    assert job.done and not workers.busy


def test_query_commits_its_session(qtbot: Any, workers: Workers, db: Database) -> None:
    job = workers.query(lambda session: session.add(Client(code="X-1")))
    with qtbot.waitSignal(job.succeeded, timeout=TIMEOUT):
        pass
    with db.session() as session:
        assert session.scalar(select(func.count(Client.id))) == 1


def test_an_error_reaches_the_failure_callback_on_the_gui_thread(
    qtbot: Any, qapp: QApplication, workers: Workers
) -> None:
    seen: dict[str, Any] = {}

    def broken(session: Any) -> None:
        raise ValueError("no such client")

    def failed(error: BaseException) -> None:
        seen["error"] = error
        seen["thread"] = QThread.currentThread()

    job = workers.query(broken, on_success=lambda _: seen.setdefault("ok", True), on_failure=failed)
    with qtbot.waitSignal(job.failed, timeout=TIMEOUT):
        pass
    assert isinstance(seen["error"], ValueError) and str(seen["error"]) == "no such client"
    assert seen["thread"] is _main_thread(qapp)
    assert "ok" not in seen


def test_database_jobs_run_one_at_a_time_in_order(qtbot: Any, workers: Workers) -> None:
    order: list[int] = []
    jobs = [workers.database(lambda db, n=n: order.append(n)) for n in range(20)]
    with qtbot.waitSignal(jobs[-1].finished, timeout=TIMEOUT):
        pass
    assert order == list(range(20))


def test_analysis_runs_on_the_pool_and_reports_back(
    qtbot: Any, qapp: QApplication, workers: Workers
) -> None:
    seen: dict[str, Any] = {}
    job = workers.analysis(
        lambda: (QThread.currentThread() is not _main_thread(qapp), sum(range(1001))),
        on_success=lambda result: seen.setdefault("result", result),
    )
    with qtbot.waitSignal(job.finished, timeout=TIMEOUT):
        pass
    assert seen["result"] == (True, 500500)


def test_cancel_before_start_never_runs_the_work(qtbot: Any, workers: Workers) -> None:
    gate = threading.Event()
    ran: list[str] = []
    blocker = workers.database(lambda db: gate.wait(10))
    waiting = workers.database(lambda db: ran.append("ran"), on_success=lambda _: ran.append("cb"))
    waiting.cancel()
    with qtbot.waitSignal(waiting.cancelled, timeout=TIMEOUT):
        gate.set()
    assert ran == []
    assert blocker.done


def test_cancel_stops_running_work_at_its_next_progress_check(qtbot: Any, workers: Workers) -> None:
    started = threading.Event()
    steps: list[int] = []
    progress = Progress()

    def long_work(db: Database) -> str:
        started.set()
        for step in range(1000):
            progress.update(step, 1000, "working")  # raises Cancelled once cancelled
            steps.append(step)
            threading.Event().wait(0.005)
        return "finished"

    failures: list[BaseException] = []
    job = workers.database(long_work, progress=progress, on_failure=failures.append)
    assert started.wait(10)
    qtbot.waitUntil(lambda: len(steps) > 0, timeout=TIMEOUT)  # it is really running
    with qtbot.waitSignal(job.cancelled, timeout=TIMEOUT):
        job.cancel()
    assert 0 < len(steps) < 1000
    assert failures == []  # a cancel is not a failure


def test_progress_reaches_a_progress_bar_on_the_gui_thread(qtbot: Any, workers: Workers) -> None:
    progress = Progress()
    bar = QProgressBar()
    qtbot.addWidget(bar)
    updates: list[tuple[int, int, str]] = []

    def work(db: Database) -> None:
        for step in range(1, 5):
            progress.update(step, 4, f"step {step}")

    job = workers.database(work, progress=progress)
    job.progressed.connect(lambda d, t, m: updates.append((d, t, m)))
    bind_progress_bar(job, bar)
    with qtbot.waitSignal(job.finished, timeout=TIMEOUT):
        pass
    assert updates == [(s, 4, f"step {s}") for s in range(1, 5)]
    assert (bar.maximum(), bar.value()) == (4, 4)


def test_a_job_whose_widget_is_gone_is_dropped_quietly(qtbot: Any, workers: Workers) -> None:
    gate = threading.Event()
    owner = QWidget()
    called: list[Any] = []
    job = workers.database(lambda db: gate.wait(10) and 42, on_success=called.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not job.owner_alive, timeout=TIMEOUT)
    with qtbot.waitSignal(job.finished, timeout=TIMEOUT):
        gate.set()
    assert called == []


def test_swap_database_disposes_the_old_one_after_earlier_jobs(
    qtbot: Any, workers: Workers, db: Database, tmp_path: Any
) -> None:
    other = open_database(str(tmp_path / "other.sqlite3"))
    with other.session() as session:
        session.add(Client(code="ONLY-IN-OTHER"))
    before = workers.query(lambda s: s.scalar(select(func.count(Client.id))))
    swapped: list[Database] = []
    workers.swap_database(other, on_done=swapped.append)
    seen: list[Any] = []
    after = workers.query(lambda s: s.scalar(select(Client.code)), on_success=seen.append)
    results: list[int] = []
    before.succeeded.connect(results.append)
    with qtbot.waitSignal(after.finished, timeout=TIMEOUT):
        pass
    assert results == [0]
    assert swapped == [other] and workers.db is other
    assert seen == ["ONLY-IN-OTHER"]
    other.dispose()


def test_shutdown_waits_and_refuses_new_work(workers: Workers) -> None:
    gate = threading.Event()
    threading.Timer(0.05, gate.set).start()
    workers.database(lambda db: gate.wait(10))
    assert workers.shutdown()
    assert workers.shutdown()  # twice is fine
    with pytest.raises(RuntimeError):
        workers.query(lambda s: None)
