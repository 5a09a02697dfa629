"""Fixtures for the importer tests: a fresh database file per test and file writers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from practice_app.storage.database import Database, open_database

OPENFIT_HEADER = [
    "Service_Location", "Provider_FirstName", "Provider_LastName", "Provider_Email",
    "Provider_ID", "Client_ID", "Client_FirstName", "Client_LastName", "Client_Gender",
    "Client_Group", "Case_ID", "Case_Date", "Session_ID", "Session_Date", "ORS_Skip",
    "ORSQ1", "ORSQ2", "ORSQ3", "ORSQ4", "Total_ORS", "SRS_Skip", "SRSQ1", "SRSQ2", "SRSQ3",
    "SRSQ4", "Total_SRS", "Notes",
]  # fmt: skip


def openfit_row(
    client: str = "C1",
    session: int = 1,
    date: str = "2024-01-08",
    ors: Sequence[str] = ("5", "5", "5", "5"),
    ors_total: str = "20",
    srs: Sequence[str] = ("9", "9", "9", "9"),
    srs_total: str = "36",
    notes: str = "",
    first: str = "Zelda",
    last: str = "Quixote",
    case: str = "K1",
    provider: str = "P1",
    ors_skip: str = "N",
    srs_skip: str = "N",
) -> list[str]:
    """One OpenFIT row with sensible defaults."""
    return ["Main St", "Ann", "Therapist", "ann@example.org", provider, client, first, last,
            "F", "adult", case, "2024-01-08", str(session), date, ors_skip, *ors, ors_total,
            srs_skip, *srs, srs_total, notes]  # fmt: skip


def csv_text(rows: Sequence[Sequence[str]], delimiter: str = ",", newline: str = "\n") -> str:
    """Render rows as CSV text with the given delimiter and line ending."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerows(rows)
    return buf.getvalue()


def write_csv(
    path: Path,
    rows: Sequence[Sequence[str]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    newline: str = "\n",
) -> Path:
    """Write rows as a CSV file in the given encoding."""
    path.write_bytes(csv_text(rows, delimiter, newline).encode(encoding))
    return path


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite database file."""
    database = open_database(str(tmp_path / "practice.sqlite3"))
    yield database
    database.dispose()


@pytest.fixture
def db_path(db: Database) -> Path:
    """The file of the fresh database."""
    assert db.location.path is not None
    return db.location.path
