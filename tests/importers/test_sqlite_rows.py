"""Many rows per INSERT: every row arrives once, in order, whatever the count."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from practice_app.importers import sqlite_rows


@pytest.mark.parametrize("count", [0, 1, 199, 200, 201, 999, 1000, 4321])
def test_every_row_goes_in_once_and_in_order(tmp_path: Path, count: int) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 't.sqlite3'}")
    rows = [(i, f"text {i}", i / 3 if i % 7 else None) for i in range(count)]
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, value REAL)")
        sqlite_rows.insert_rows(conn, "t", ("id", "name", "value"), rows[: count // 2])
        columns = list(zip(*rows[count // 2 :], strict=True)) or [(), (), ()]
        sqlite_rows.insert_columns(conn, "t", ("id", "name", "value"), columns)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT * FROM t ORDER BY rowid").fetchall() == rows
    engine.dispose()


def test_values_that_do_not_make_whole_rows_are_refused(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 't.sqlite3'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (a, b)")
        with pytest.raises(ValueError, match="3 values do not make rows of 2"):
            sqlite_rows.insert_flat(conn, "t", ("a", "b"), [1, 2, 3])
    engine.dispose()
