"""Atomicity under injected failures and cancel; no client name anywhere in the database file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import OPENFIT_HEADER, openfit_row, write_csv
from import_helpers import dump, query

from practice_app.importers.importer import ImportOptions, import_path
from practice_app.progress import Cancelled, Progress
from practice_app.storage.database import Database


def _file(tmp_path: Path, n_clients: int = 30, prefix: str = "C") -> Path:
    rows = [OPENFIT_HEADER]
    for c in range(n_clients):
        for s in range(1, 4):
            rows.append(openfit_row(f"{prefix}{c}", s, f"2024-01-{s + 10}", case=f"K{prefix}{c}"))
    return write_csv(tmp_path / f"{prefix}.csv", rows)


class Boom(RuntimeError):
    pass


@pytest.mark.parametrize("existing", [False, True])
def test_failure_in_second_batch_leaves_database_unchanged(
    db: Database, db_path: Path, tmp_path: Path, existing: bool
) -> None:
    if existing:
        import_path(db, _file(tmp_path, 5, "OLD"), ImportOptions())
    before = dump(db_path)
    calls: list[int] = []

    def listener(done: int, total: int, message: str) -> None:
        calls.append(done)
        if len(calls) == 2:
            raise Boom("disk on fire")

    progress = Progress()
    progress.subscribe(listener)
    with pytest.raises(Boom):
        import_path(db, _file(tmp_path), ImportOptions(batch_size=20), progress)
    assert len(calls) == 2  # the first batch was written (inside the transaction) before it
    assert dump(db_path) == before
    # And the database still works: the same file then imports in full.
    summary = import_path(db, _file(tmp_path), ImportOptions(batch_size=20))
    assert summary.new_sessions == 90


def test_cancel_mid_import_rolls_back(db: Database, db_path: Path, tmp_path: Path) -> None:
    before = dump(db_path)
    progress = Progress()
    progress.subscribe(lambda done, total, message: progress.cancel())
    with pytest.raises(Cancelled):
        import_path(db, _file(tmp_path), ImportOptions(batch_size=25), progress)
    assert dump(db_path) == before


def test_progress_reports_batches_to_the_end(db: Database, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    progress = Progress()
    progress.subscribe(lambda done, total, message: seen.append((done, total)))
    path = _file(tmp_path)
    import_path(db, path, ImportOptions(batch_size=30), progress)
    size = path.stat().st_size
    assert len(seen) == 4  # 90 rows in batches of 30, then the final update
    assert seen[-1] == (size, size)
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)


NAMES = ["Zebulon", "Quennell", "Fitzwilliam", "Marguerite", "Oyelaran"]


def test_no_client_name_anywhere_in_the_database_file(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    openfit = [OPENFIT_HEADER,
               openfit_row("A", 1, first="Zebulon", last="Quennell", notes="session went well"),
               openfit_row("A", 2, "2024-01-15", first="Zebulon", last="Quennell")]  # fmt: skip
    import_path(db, write_csv(tmp_path / "o.csv", openfit), ImportOptions())
    long = [
        ["client", "session", "ORS", "First name", "Last Name", "Client Name", "name"],
        ["B", "1", "20", "Fitzwilliam", "Marguerite", "Fitzwilliam Marguerite", "Oyelaran"],
    ]
    summary = import_path(db, write_csv(tmp_path / "l.csv", long), ImportOptions())
    assert summary.dropped_columns == ["First name", "Last Name", "Client Name", "name"]
    wide = [["id", "surname", "ors_1", "ors_2"], ["C", "Oyelaran", "10", "12"]]
    import_path(db, write_csv(tmp_path / "w.csv", wide), ImportOptions())
    db.dispose()  # checkpoint the WAL into the main file
    raw = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    assert b"session went well" in raw  # the file is readable as text: the check can fail
    for name in NAMES:
        assert name.encode() not in raw
        assert name.encode("utf-16-le") not in raw
    assert query(db_path, "SELECT count(*) FROM session") == [(5,)]


def test_provider_names_are_kept_as_display_names(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    row = openfit_row("A", 1, provider="")
    import_path(db, write_csv(tmp_path / "o.csv", [OPENFIT_HEADER, row]),
                ImportOptions(today=dt.date(2024, 1, 9)))  # fmt: skip
    # No Provider_ID: the code comes from the email.
    assert query(db_path, "SELECT code, display_name FROM therapist") == [
        ("ann@example.org", "Ann Therapist")
    ]
