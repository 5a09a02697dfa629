"""``practice-app import``: exit codes, the JSON summary's keys, refusals naming row and field."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from practice_app import cli

HEADER = ("Provider_ID,Client_ID,Client_FirstName,Client_LastName,Case_ID,Session_ID,"
          "Session_Date,ORSQ1,ORSQ2,ORSQ3,ORSQ4,Total_ORS,SRS_Skip,Total_SRS,Notes\n")  # fmt: skip
GOOD = (
    "P1,A,Ann,Smith,K1,1,2024-01-08,5,5,5,5,20,N,36,first\n"
    "P1,A,Ann,Smith,K1,2,2024-01-15,6,6,6,6,,Y,,\n"
)
KEYS = ["therapists", "clients", "episodes", "sessions", "scores", "new_sessions",
        "already_present", "rejected", "dropped_columns"]  # fmt: skip


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the commands for these tests when practice_app.cli does not list them yet."""
    extra = [
        ("import", "practice_app.cli.import_cmd"),
        ("export", "practice_app.cli.export_cmd"),
        ("backup", "practice_app.cli.backup_cmd"),
        ("restore", "practice_app.cli.backup_cmd"),
    ]
    known = cli.command_specs()
    missing = tuple(cli.CommandSpec(n, m, n) for n, m in extra if n not in known)
    if missing:
        monkeypatch.setattr(cli, "COMMANDS", cli.COMMANDS + missing)


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_import_json_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "openfit.csv"
    src.write_text(HEADER + GOOD, encoding="utf-8")
    db = tmp_path / "p.sqlite3"
    assert cli.main(["--db", str(db), "import", str(src), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == KEYS
    assert out == {
        "therapists": 1, "clients": 1, "episodes": 1, "sessions": 2,
        "scores": {"ORS": 2, "SRS": 1}, "new_sessions": 2, "already_present": 0,
        "rejected": [], "dropped_columns": ["Client_FirstName", "Client_LastName"],
    }  # fmt: skip
    assert cli.main(["--db", str(db), "import", str(src), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["new_sessions"], again["already_present"], again["sessions"]) == (0, 2, 2)
    assert _rows(db, "SELECT number, notes FROM session ORDER BY number") == [
        (1, "first"),
        (2, None),
    ]


def test_import_text_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "openfit.csv"
    src.write_text(HEADER + GOOD, encoding="utf-8")
    assert cli.main(["--db", str(tmp_path / "p.sqlite3"), "import", str(src)]) == 0
    out = capsys.readouterr().out
    assert f"Imported {src} (openfit layout" in out
    assert "2 sessions (2 new, 0 already present)" in out
    assert "dropped (client names, never stored): Client_FirstName, Client_LastName" in out


def test_refusal_names_file_row_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "bad.csv"
    src.write_text(HEADER + GOOD + "P1,B,Bo,Lee,K2,1,2024-02-30,5,5,5,5,20,N,36,\n"
                   "P1,B,Bo,Lee,K2,2,2024-03-01,5,5,5,5,21,N,36,\n", encoding="utf-8")  # fmt: skip
    db = tmp_path / "p.sqlite3"
    assert cli.main(["--db", str(db), "import", str(src)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"{src}: row 4, Session_Date: '2024-02-30': not a date in the format YYYY-MM-DD "
        "(give --date-format for another)",
        f"{src}: row 5, Total_ORS: '21': the total 21 disagrees with the items, which add up to 20",
        f"{src}: 2 problems; nothing was written (fix the rows, or use --skip-invalid to import "
        "the good rows)",
    ]
    assert _rows(db, "SELECT count(*) FROM session") == [(0,)]
    assert cli.main(["--db", str(db), "import", str(src), "--json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["rejected"][0] == {"row": 4, "field": "Session_Date", "value": "2024-02-30",
                                  "message": "not a date in the format YYYY-MM-DD "
                                  "(give --date-format for another)"}  # fmt: skip
    assert cli.main(["--db", str(db), "import", str(src), "--skip-invalid"]) == 0
    assert "skipped row 4, Session_Date" in capsys.readouterr().out
    assert _rows(db, "SELECT count(*) FROM session") == [(2,)]


def test_dry_run_and_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "openfit.csv"
    src.write_text(HEADER + GOOD, encoding="utf-8")
    db = tmp_path / "p.sqlite3"
    assert cli.main(["--db", str(db), "import", str(src), "--dry-run"]) == 0
    assert "dry run: nothing was written" in capsys.readouterr().out
    assert _rows(db, "SELECT count(*) FROM session") == [(0,)]
    assert cli.main(["--db", str(db), "import", str(tmp_path / "none.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert cli.main(["--db", str(db), "import", str(src), "--layout", "wide"]) == 2
    assert "no session columns found as wide layout" in capsys.readouterr().err
