"""Reading in a second process yields exactly what reading here does, and fails as cleanly."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import OPENFIT_HEADER, openfit_row, write_csv
from import_helpers import dump, stored

from practice_app.errors import UserError
from practice_app.importers import importer, pipeline
from practice_app.importers.importer import ImportOptions, ImportRefused, import_path
from practice_app.importers.layouts import make_plan
from practice_app.importers.records import RowParser
from practice_app.importers.source import open_table
from practice_app.progress import Cancelled, Progress
from practice_app.storage.database import Database, open_database
from practice_app.storage.instruments import load_instruments


def _rows(n_clients: int, seed: int = 7) -> list[list[str]]:
    """Plain rows with odd ones among them: batches go both ways, some rows are refused."""
    rng = random.Random(seed)
    rows = []
    for c in range(n_clients):
        for s in range(1, rng.randint(2, 6)):
            items = [str(rng.choice([2, 4.5, 7, 9.5])) for _ in range(4)]
            total = f"{sum(map(float, items)):g}"
            row = openfit_row(f"C{c}", s, f"2024-0{1 + s % 9}-1{s}", items, total, case=f"K{c}")
            odd = rng.random()
            if odd < 0.02:
                row[OPENFIT_HEADER.index("Notes")] = " padded "  # the row path
            elif odd < 0.03:
                row[OPENFIT_HEADER.index("ORSQ1")] = "11"  # refused
            rows.append(row)
    return rows


def _parser(db: Database, path: Path) -> tuple[object, RowParser]:
    table = open_table(path)
    with db.session() as session:
        plan = make_plan(table.header, load_instruments(session))
    return table, RowParser(plan, therapist=None, client=None, date_format=None)


def _read(reader: object, db: Database, path: Path) -> list[pipeline.ReadBatch]:
    table, parser = _parser(db, path)
    return list(reader(table, parser, 25))  # type: ignore[operator]


def test_reading_beside_yields_what_reading_here_yields(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "mixed.csv", [OPENFIT_HEADER, *_rows(120)])
    here = _read(pipeline.read_batches, db, path)
    beside = _read(pipeline.read_batches_beside, db, path)
    assert beside == here
    assert any(b.batch is not None for b in here) and any(b.batch is None for b in here)
    assert any(b.problems for b in here)
    assert not multiprocessing.active_children()


@pytest.fixture
def beside(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Imports read in a second process whatever the file's size; records that they did."""
    used: list[bool] = []
    original = pipeline.read_batches_beside

    def read(*args: object) -> Iterator[pipeline.ReadBatch]:
        used.append(True)
        return original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "can_read_beside", lambda table: True)
    monkeypatch.setattr(importer, "read_batches_beside", read)
    yield used


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_an_import_read_beside_stores_and_refuses_what_one_read_here_does(
    tmp_path: Path, beside: list[bool], skip_invalid: bool
) -> None:
    path = write_csv(tmp_path / "mixed.csv", [OPENFIT_HEADER, *_rows(150)])
    outcomes = []
    for read_beside in (False, True):
        db = open_database(str(tmp_path / f"{read_beside}.sqlite3"))
        options = ImportOptions(batch_size=25, skip_invalid=skip_invalid, read_beside=read_beside)
        try:
            outcome = import_path(db, path, options).as_json()
        except ImportRefused as exc:
            outcome = ("refused", str(exc), exc.summary.as_json())
        finally:
            db.dispose()
        assert db.location.path is not None
        outcomes.append((outcome, stored(db.location.path)))
    assert beside == [True]
    assert outcomes[1] == outcomes[0]
    assert outcomes[0][0][0] == "refused" if not skip_invalid else outcomes[0][0]["rejected"]


@pytest.mark.parametrize("read_beside", [True, False])
def test_an_unreadable_row_is_named_exactly_and_nothing_is_written(
    db: Database, db_path: Path, tmp_path: Path, beside: list[bool], read_beside: bool
) -> None:
    # UTF-16 up to a lone surrogate far into the file.
    plain = [openfit_row(f"C{i}", case=f"K{i}") for i in range(1000)]
    good = write_csv(tmp_path / "good.csv", [OPENFIT_HEADER, *plain], encoding="utf-16")
    path = tmp_path / "broken.csv"
    path.write_bytes(good.read_bytes() + "Main St,".encode("utf-16-le") + b"\x00\xd8A\x00\n\x00")
    before = dump(db_path)
    with pytest.raises(UserError, match=r"broken\.csv: row 1002: the text is not valid utf-16"):
        import_path(db, path, ImportOptions(batch_size=25, read_beside=read_beside))
    assert beside == [True] * read_beside
    assert dump(db_path) == before
    assert not multiprocessing.active_children()


def test_a_reader_that_dies_stops_the_import_and_nothing_is_written(
    db: Database, db_path: Path, tmp_path: Path, beside: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = pipeline.read_batches

    def dies(*args: object) -> Iterator[pipeline.ReadBatch]:
        batches = original(*args)  # type: ignore[arg-type]
        yield next(batches)
        os._exit(9)  # as if killed (the reader is the forked process)

    monkeypatch.setattr(pipeline, "read_batches", dies)
    path = write_csv(tmp_path / "file.csv", [OPENFIT_HEADER, *_rows(60)])
    before = dump(db_path)
    with pytest.raises(pipeline.ReaderStopped, match=r"stopped unexpectedly \(exit code 9\)"):
        import_path(db, path, ImportOptions(batch_size=25, read_beside=True))
    assert dump(db_path) == before
    assert not multiprocessing.active_children()


def test_cancel_stops_the_reader_and_rolls_back(
    db: Database, db_path: Path, tmp_path: Path, beside: list[bool]
) -> None:
    path = write_csv(tmp_path / "file.csv", [OPENFIT_HEADER, *_rows(200)])
    before = dump(db_path)
    progress = Progress()
    progress.subscribe(lambda done, total, message: progress.cancel())
    with pytest.raises(Cancelled):
        import_path(db, path, ImportOptions(batch_size=25, read_beside=True), progress)
    assert beside == [True]
    assert dump(db_path) == before
    assert not multiprocessing.active_children()


def test_only_a_large_file_in_a_process_without_qt_is_read_beside(tmp_path: Path) -> None:
    small = open_table(write_csv(tmp_path / "small.csv", [OPENFIT_HEADER, *_rows(10)]))
    assert not pipeline.can_read_beside(small)
    # The test process may have Qt loaded (the GUI tests); a fresh one has not.
    probe = (
        "import sys\n"
        "from practice_app.importers import pipeline\n"
        "class Big:\n"
        f"    size = {pipeline.BESIDE_MIN_WORK}\n"
        "print(pipeline.can_read_beside(Big()))\n"
        "import PySide6.QtCore\n"
        "print(pipeline.can_read_beside(Big()))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    cores = len(os.sched_getaffinity(0))
    assert done.stdout.split() == [str(cores > 1), "False"]


def test_the_import_command_reads_a_large_file_beside_and_stores_it_all(tmp_path: Path) -> None:
    rows = [OPENFIT_HEADER]
    for c in range(9000):  # about 5.6 MB: above the size that is read beside
        for s in range(1, 5):
            rows.append(openfit_row(f"C{c}", s, f"2024-02-1{s}", case=f"K{c}", notes="x" * 20))
    path = write_csv(tmp_path / "large.csv", rows)
    assert path.stat().st_size >= pipeline.BESIDE_MIN_WORK
    out = []
    for name, beside in (("cli", True), ("here", False)):
        db_file = tmp_path / f"{name}.sqlite3"
        if beside:
            cmd = [sys.executable, "-m", "practice_app", "--db", str(db_file), "import", str(path)]
            done = subprocess.run(cmd, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
            assert "36000 sessions (36000 new" in done.stdout
        else:
            db = open_database(str(db_file))
            import_path(db, path, ImportOptions())
            db.dispose()
        out.append(stored(db_file))
    assert out[0] == out[1]


@pytest.fixture
def any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any file may be read beside (the test files are small, the test process has Qt)."""
    monkeypatch.setattr(pipeline, "can_read_beside", lambda table: True)
    monkeypatch.setattr(pipeline, "BESIDE_MIN_WORK", 1)


def test_an_early_start_knows_the_instruments_of_a_new_or_up_to_date_database(
    tmp_path: Path, any_size: None
) -> None:
    path = write_csv(tmp_path / "file.csv", [OPENFIT_HEADER, *_rows(20)])
    options = ImportOptions(read_beside=True)
    new = pipeline.start_early(str(tmp_path / "new.sqlite3"), path, options)
    assert new is not None
    new.reader.stop()
    assert not (tmp_path / "new.sqlite3").exists()  # nothing created before the import
    db = open_database(str(tmp_path / "old.sqlite3"))
    with db.session() as session:
        held = load_instruments(session)
    db.dispose()
    assert new.reading.instruments == held  # the built-ins, as a new database holds them
    old = pipeline.start_early(str(tmp_path / "old.sqlite3"), path, options)
    assert old is not None
    old.reader.stop()
    assert old.reading.instruments == held
    assert not multiprocessing.active_children()


@pytest.mark.parametrize(
    "case", ["not asked", "folder", "workbook", "server", "empty file", "refused layout"]
)
def test_no_early_start_when_anything_is_unusual(tmp_path: Path, any_size: None, case: str) -> None:
    path = write_csv(tmp_path / "file.csv", [OPENFIT_HEADER, *_rows(20)])
    target = str(tmp_path / "db.sqlite3")
    options = ImportOptions(read_beside=True)
    if case == "not asked":
        options = ImportOptions()
    elif case == "folder":
        path = tmp_path
    elif case == "workbook":
        from openpyxl import Workbook

        book = Workbook()
        for row in [OPENFIT_HEADER, *_rows(20)]:
            book.active.append(row)
        path = tmp_path / "file.xlsx"
        book.save(path)
    elif case == "server":
        target = "postgresql://localhost/practice"
    elif case == "empty file":
        Path(target).write_bytes(b"")
    elif case == "refused layout":
        options = ImportOptions(read_beside=True, layout="wide")  # refused by the plan
    assert pipeline.start_early(target, path, options) is None
    assert not multiprocessing.active_children()


def test_an_early_start_read_with_other_instruments_is_read_again(
    db: Database, db_path: Path, tmp_path: Path, any_size: None
) -> None:
    path = write_csv(tmp_path / "file.csv", [OPENFIT_HEADER, *_rows(60)])
    options = ImportOptions(batch_size=25, skip_invalid=True, read_beside=True)
    early = pipeline.start_early(str(db_path), path, options)
    assert early is not None
    del early.reading.instruments["SRS"]  # as if another program had changed them
    summary = import_path(db, path, options, early=early)
    assert summary.scores["SRS"] > 0  # read again with the database's instruments
    reference = open_database(str(tmp_path / "reference.sqlite3"))
    expected = import_path(reference, path, ImportOptions(batch_size=25, skip_invalid=True))
    reference.dispose()
    assert summary.as_json() == expected.as_json()
    assert stored(db_path) == stored(tmp_path / "reference.sqlite3")
    assert not multiprocessing.active_children()


def test_a_reader_whose_writer_is_gone_ends_by_itself(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "file.csv", [OPENFIT_HEADER, *_rows(300)])
    table, parser = _parser(db, path)
    reader = pipeline.BesideReader(table, parser, 2)  # many more batches than run ahead
    process = reader._process
    batches = reader.batches()
    next(batches)
    reader._receive.close()  # as if the writing process had died: nobody reads the pipe
    process.join(20)
    assert process.exitcode == 1  # it ended by itself (stop() would have terminated it)
    reader._stopped = True  # nothing left to stop
    batches.close()
    process.close()


def test_ctrl_c_is_left_to_the_writer(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "file.csv", [OPENFIT_HEADER, *_rows(120)])
    table, parser = _parser(db, path)
    reader = pipeline.BesideReader(table, parser, 2)
    batches = reader.batches()
    first = next(batches)
    assert reader._process.pid is not None
    os.kill(reader._process.pid, signal.SIGINT)  # the terminal sends it to both processes
    rest = list(batches)
    table, parser = _parser(db, path)
    assert [first, *rest] == list(pipeline.read_batches(table, parser, 2))
