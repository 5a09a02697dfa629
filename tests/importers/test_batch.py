"""The column-by-column fast path stores exactly what the per-row path stores, or steps aside.

Each file is imported twice into fresh databases: as the app does (plain batches read
column by column, the rest row by row) and with the fast path switched off. Files mix
plain rows with every kind of odd cell, so batches go both ways and switch mid-file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import OPENFIT_HEADER, openfit_row, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_helpers import stored

from practice_app.errors import UserError
from practice_app.importers import columns as columns_module
from practice_app.importers.columns import BatchReader
from practice_app.importers.importer import ImportOptions, ImportRefused, import_path
from practice_app.storage.database import open_database

# Cells of one column: plain values the fast path reads, and odd ones it must hand over.
PLAIN = {
    "item": ["5", "7.5", "0", "10", "2.25", "7,5", "10,0"],
    "date": ["2024-01-08", "2024-02-29", "2023-12-31"],
    "skip": ["N", "n", "0", "", "Y", "yes"],
    "client": ["C1", "C2", "C3", "C4"],
    "case": ["K1", "K2"],
    "number": ["1", "2", "3", "4", "5", "6"],
    "notes": ["", "talked about work"],
    "provider": ["P1", "P2"],
}
ODD = {
    "item": [" 6", "6 ", "", "11", "x", "5,5,5", "1,5.0", "-0", "nan", "10,5"],
    "date": ["2024-13-01", "", " 2024-01-09", "2024-01-10T09:30", "1899-12-31", "08/01/2024"],
    "skip": ["x", " N", "skipped"],
    "client": [" C5", "'=C6", "", "C" * 70],
    "case": ["", "'-K3", "K" * 130],
    "number": ["0", "2.0", "", "x", "100001", " 3"],
    "notes": ["=1+1", "'quoted", " padded "],
    "provider": [" P3", ""],
}


def _number(text: str) -> float:
    """A cell's number, decimal commas read as the importer reads them."""
    return float(text.replace(",", ".") if "," in text and "." not in text else text)


@st.composite
def rows(draw: Any) -> list[list[str]]:
    """A file's rows: plain cells, and odd ones at a rate drawn per file (often none)."""
    rate = draw(st.sampled_from([0.0, 0.0, 0.003, 0.02, 0.2]))
    rng = draw(st.randoms(use_true_random=False))

    def cell(kind: str) -> str:
        return rng.choice(ODD[kind] if rng.random() < rate else PLAIN[kind])

    out = []
    for _ in range(draw(st.integers(1, 30))):
        ors = [cell("item") for _ in range(4)]
        try:
            exact = f"{sum(map(_number, ors)):g}"
        except ValueError:
            exact = "20"
        row = openfit_row(
            client=cell("client"),
            date=cell("date"),
            ors=ors,
            ors_total=rng.choice(["", exact, exact, "41" if rng.random() < rate else exact]),
            srs=rng.choice([["9", "9", "9", "9"], ["", "", "", ""]]),
            srs_total=rng.choice(["36", "36", ""]),
            notes=cell("notes"),
            case=cell("case"),
            provider=cell("provider"),
            ors_skip=cell("skip"),
            srs_skip=cell("skip"),
        )
        row[OPENFIT_HEADER.index("Session_ID")] = cell("number")
        row[OPENFIT_HEADER.index("Case_Date")] = rng.choice(["", "", cell("date")])
        out.append(row)
    return out


@contextmanager
def fast_path(enabled: bool) -> Iterator[None]:
    """Switch the column-by-column path off (every batch row by row) for a while."""
    original = BatchReader.read
    if not enabled:
        BatchReader.read = lambda self, rows: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        BatchReader.read = original  # type: ignore[method-assign]


def outcome(folder: Path, csv_file: Path, fast: bool, **options: Any) -> tuple[Any, ...]:
    """Import into a fresh database: the JSON summary (or refusal) and what was stored."""
    db = open_database(str(folder / f"{'fast' if fast else 'slow'}.sqlite3"))
    try:
        with fast_path(fast):
            summary = import_path(db, csv_file, ImportOptions(batch_size=5, **options))
        result: Any = summary.as_json()
    except ImportRefused as exc:
        result = ("refused", str(exc), exc.summary.as_json())
    except UserError as exc:  # e.g. ambiguous dates: refused before any row is read
        result = ("error", str(exc))
    finally:
        db.dispose()
    assert db.location.path is not None
    return result, stored(db.location.path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=rows(), skip_invalid=st.booleans())
def test_the_fast_path_stores_what_the_row_path_stores(
    data: list[list[str]], skip_invalid: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = write_csv(folder / "file.csv", [OPENFIT_HEADER, *data])
        fast = outcome(folder, path, True, skip_invalid=skip_invalid)
        slow = outcome(folder, path, False, skip_invalid=skip_invalid)
        assert fast == slow


def test_plain_batches_take_the_fast_path_and_odd_ones_the_row_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken: list[bool] = []
    original = columns_module.BatchReader.read

    def read(self: BatchReader, rows: Any) -> Any:
        result = original(self, rows)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(columns_module.BatchReader, "read", read)
    plain = [openfit_row(client=f"C{i // 3}", session=i % 3 + 1) for i in range(10)]
    odd = [*plain[:5], openfit_row(client="C9", notes=" padded "), *plain[5:]]
    db = open_database(str(tmp_path / "a.sqlite3"))
    import_path(db, write_csv(tmp_path / "plain.csv", [OPENFIT_HEADER, *plain]),
                ImportOptions(batch_size=5))  # fmt: skip
    assert taken == [True, True]
    taken.clear()
    db2 = open_database(str(tmp_path / "b.sqlite3"))
    import_path(db2, write_csv(tmp_path / "odd.csv", [OPENFIT_HEADER, *odd]),
                ImportOptions(batch_size=5))  # fmt: skip
    assert taken == [True, False, True]  # only the batch with the padded note goes row by row
    db.dispose()
    db2.dispose()


@pytest.mark.parametrize("size", [1, 2, 3, 100])
def test_batches_number_the_rows_as_rows_does(tmp_path: Path, size: int) -> None:
    from practice_app.importers.source import CsvTable

    text = (
        "\n,,\n"  # blank records before the header
        "client,session,ORS\r\n"
        "C1,1,20\r\n"
        "\r\n"
        ",,\n"  # a blank row between
        'C1,2,"21"\n'
        "C2,1\n"  # short: padded
        '"C3\nwith a newline",1,30\n'
        "C4,1,25,extra\n"
    )
    path = tmp_path / "odd.csv"
    path.write_text(text, encoding="utf-8")
    table = CsvTable(path)
    expected = [(n, cells) for n, cells, _done in table.rows()]
    got = [pair for chunk, _done in table.batches(size) for pair in chunk]
    assert got == expected
    assert [n for n, _c in got] == [4, 7, 8, 9, 10]


def test_a_broken_file_is_refused_naming_the_row(tmp_path: Path) -> None:
    import csv

    from practice_app.importers.source import CsvTable

    path = tmp_path / "broken.csv"
    path.write_text("client,session,ORS\nC1,1,20\nC2,1,21\nC3,1," + "9" * 200 + "\n")
    table = CsvTable(path)
    limit = csv.field_size_limit(100)  # the third data row's field is now too large
    try:
        with pytest.raises(UserError) as by_rows:
            list(table.rows())
        with pytest.raises(UserError) as by_batches:
            list(table.batches(2))
    finally:
        csv.field_size_limit(limit)
    assert "row 4:" in str(by_rows.value)  # header = row 1
    assert str(by_batches.value) == str(by_rows.value)


PIECES = [
    "a",
    "b1",
    " c ",
    "",
    "é€",
    ",",
    ";",
    "\t",
    "\n",
    "\r\n",
    "\r",
    '"',
    '""',
    '"x\ny"',
]


@settings(max_examples=300, deadline=None)
@given(
    body=st.lists(st.sampled_from(PIECES), max_size=60),
    plain_lines=st.integers(0, 40),
    line_end=st.sampled_from(["\n", "\r\n", "\r"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
    chunk=st.integers(1, 64),
    size=st.integers(1, 7),
)
def test_batches_read_any_text_as_the_csv_module_does(
    body: list[str], plain_lines: int, line_end: str, delimiter: str, chunk: int, size: int
) -> None:
    """Lines split in C until the first quote or lone CR, then the csv module: the same
    records and row numbers as the csv module alone, whatever the text and chunk size."""
    from practice_app.importers import source

    head = delimiter.join(["client", "session", "ORS"]) + line_end
    plain = "".join(f"C{i}{delimiter}{i}{delimiter}2{i % 3}{line_end}" for i in range(plain_lines))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "any.csv"
        path.write_bytes((head + plain + "".join(body)).encode("utf-8"))
        table = source.CsvTable(path, encoding="utf-8", delimiter=delimiter)
        try:
            expected: Any = [(n, cells) for n, cells, _done in table.rows()]
        except UserError as exc:
            expected = str(exc)
        original = source._TEXT_CHUNK
        source._TEXT_CHUNK = chunk  # record boundaries fall anywhere in a chunk
        try:
            got: Any = [pair for part, _done in table.batches(size) for pair in part]
        except UserError as exc:
            got = str(exc)
        finally:
            source._TEXT_CHUNK = original
        assert got == expected
