"""The published data sets in ../shared/reference-data import as wide and long layouts."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from import_helpers import query

from practice_app.analysis.instruments import parse_instrument
from practice_app.importers.importer import ImportOptions, import_path
from practice_app.storage.database import Database
from practice_app.storage.instruments import save_instrument

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference-data"
if not REFERENCE.is_dir():  # a checkout elsewhere: look beside the repository's parent
    REFERENCE = Path("/work/shared/reference-data")

BDI = {
    "name": "BDI",
    "title": "Beck Depression Inventory II",
    "min": 0,
    "max": 63,
    "higher_is_better": False,
    "cutoff": 14,
    "reliable_change": 8.46,
}

pytestmark = pytest.mark.skipif(not REFERENCE.is_dir(), reason="reference data not present")


def _add_bdi(db: Database) -> None:
    with db.session() as session:
        save_instrument(session, parse_instrument(BDI, "test BDI"))


def test_sgdata_as_wide_layout(db: Database, db_path: Path) -> None:
    _add_bdi(db)
    path = REFERENCE / "sgdata.csv"
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    session_cols = [f"bdi_s{i}" for i in range(13)]
    expected = sum(1 for r in rows for c in session_cols if r[c].strip())
    summary = import_path(db, path, ImportOptions(instrument="BDI", therapist="sg"))
    assert summary.layout == "wide"
    assert summary.clients == len(rows) == 43
    assert summary.scores == {"BDI": expected}
    assert "bdi_fu1" in summary.ignored_columns and "rq_s1" in summary.ignored_columns
    # Client 1: bdi_s0 = 33 is session 1, bdi_s12 = 7 is session 13.
    got = query(db_path, "SELECT s.number, sc.total FROM score sc JOIN session s ON s.id = "
                         "sc.session_id JOIN episode e ON e.id = s.episode_id JOIN client c ON "
                         "c.id = e.client_id WHERE c.code = '1' ORDER BY s.number")  # fmt: skip
    assert got[0] == (1, 33.0) and got[-1] == (13, 7.0) and len(got) == 13
    # Client 2 misses bdi_s2: its sessions are 1, 2, 4, ...
    numbers = query(db_path, "SELECT s.number FROM session s JOIN episode e ON e.id = "
                             "s.episode_id JOIN client c ON c.id = e.client_id WHERE c.code = '2' "
                             "ORDER BY s.number")  # fmt: skip
    assert [n for (n,) in numbers][:4] == [1, 2, 4, 6]


def test_claus_2020_as_long_layout(db: Database, db_path: Path) -> None:
    _add_bdi(db)
    path = REFERENCE / "claus_2020.csv"
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    summary = import_path(db, path, ImportOptions(therapist="claus"))
    assert summary.layout == "long"
    assert summary.sessions == len(rows) == 172
    assert summary.clients == 43
    assert summary.scores == {"BDI": sum(1 for r in rows if r["bdi"].strip())}
    assert {"shaps", "who", "hamd", "treatment"} <= set(summary.ignored_columns)
    first = rows[0]
    got = query(db_path, "SELECT c.gender, c.age_group, s.number, sc.total FROM score sc "
                         "JOIN session s ON s.id = sc.session_id JOIN episode e ON "
                         "e.id = s.episode_id JOIN client c ON c.id = e.client_id "
                         "WHERE c.code = ? ORDER BY s.number LIMIT 1", first["id"])  # fmt: skip
    assert got == [(first["sex"], first["age"], 1, float(first["bdi"]))]
