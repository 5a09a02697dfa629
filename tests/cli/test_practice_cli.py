"""`practice` and `objectives` commands: entries come back exactly, summed by week."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from practice_app.cli import main
from practice_app.storage.database import open_database
from practice_app.storage.models import Client, Therapist

# Monday 2 March to Sunday 22 March 2026 and beyond (weeks start on Monday).
ENTRIES = [
    ["--date", "2026-03-01", "--minutes", "20", "--activity", "study"],  # a Sunday
    [
        "--date", "2026-03-02", "--minutes", "45", "--activity", "Rehearsal",
        "--domain", "relationship", "--difficulty", "too-hard", "--rating", "6.5",
        "--feedback", "peer", "--notes", "Rupture repair; three takes", "--client", "C-2", "C-1",
    ],
    [
        "--date", "2026-03-08", "--minutes", "30",
        "--activity", "Reviewing own session recordings", "--domain", "Hope & Expectancy",
    ],
    ["--date", "2026-03-23", "--minutes", "90", "--activity", "coaching", "--feedback", "Coach"],
]  # fmt: skip


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    path = str(tmp_path / "journal.sqlite3")
    db = open_database(path)
    with db.session() as s:
        s.add(Therapist(code="T1", display_name="T"))
        s.add_all([Client(code="C-1"), Client(code="C-2")])
    db.dispose()
    return path


def run(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", db, *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def listed(capsys: pytest.CaptureFixture[str], db: str) -> list[dict[str, object]]:
    code, out, _ = run(capsys, db, "practice", "list", "--json")
    assert code == 0
    result: list[dict[str, object]] = json.loads(out)
    return result


def test_entries_come_back_exactly_and_sum_by_week(
    db_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in ENTRIES:
        code, out, err = run(capsys, db_path, "practice", "add", *argv)
        assert (code, err) == (0, "")
        assert out.startswith("Logged entry")
    entries = listed(capsys, db_path)
    assert [e["id"] for e in entries] == [1, 2, 3, 4]
    second = entries[1]
    assert second == {
        "id": 2,
        "date": "2026-03-02",
        "minutes": 45,
        "activity": "rehearsal",
        "activity_label": "Role-play or rehearsal with scripted client statements",
        "domain": "Relationship",
        "objective_id": None,
        "objective": None,
        "difficulty": "too-hard",
        "rating": 6.5,
        "feedback": "peer",
        "notes": "Rupture repair; three takes",
        "clients": ["C-1", "C-2"],
    }
    assert entries[2]["activity"] == "recording-review"
    assert entries[3]["feedback"] == "coach"
    code, out, _ = run(
        capsys, db_path, "practice", "summary", "--by", "week",
        "--since", "2026-02-23", "--until", "2026-03-29", "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out) == [
        {"period_start": "2026-02-23", "minutes": 20, "entries": 1},
        {"period_start": "2026-03-02", "minutes": 75, "entries": 2},
        {"period_start": "2026-03-09", "minutes": 0, "entries": 0},
        {"period_start": "2026-03-16", "minutes": 0, "entries": 0},
        {"period_start": "2026-03-23", "minutes": 90, "entries": 1},
    ]
    code, out, _ = run(
        capsys, db_path, "practice", "summary", "--by", "month", "--until", "2026-04-30", "--json"
    )
    assert json.loads(out) == [
        {"period_start": "2026-03-01", "minutes": 185, "entries": 4},
        {"period_start": "2026-04-01", "minutes": 0, "entries": 0},
    ]
    code, out, _ = run(
        capsys, db_path, "practice", "list", "--since", "2026-03-02", "--until", "2026-03-08"
    )
    assert code == 0 and "2 entries, 75 minutes (1.2 hours)" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--minutes", "0", "--activity", "study"], "minutes must be from 1 to 1440"),
        (["--minutes", "1441", "--activity", "study"], "minutes must be from 1 to 1440"),
        (["--minutes", "30", "--activity", "rehersal"], "did you mean 'rehearsal'?"),
        (["--minutes", "30", "--activity", "study", "--objective", "3"], "unknown objective '3'"),
        (
            ["--minutes", "30", "--activity", "study", "--client", "C-9"],
            "unknown client code 'C-9'",
        ),
        (
            ["--minutes", "30", "--activity", "study", "--rating", "12"],
            "rating must be from 0 to 10",
        ),
        (
            ["--minutes", "30", "--activity", "study", "--feedback", "boss"],
            "unknown feedback source",
        ),
        (["--minutes", "thirty", "--activity", "study"], "not a whole number of minutes"),
    ],
)
def test_bad_entries_exit_2_with_one_line_and_write_nothing(
    db_path: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, db_path, "practice", "add", "--date", "2026-03-02", *argv)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1
    assert listed(capsys, db_path) == []


def test_a_date_far_in_the_future_is_refused(
    db_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    code, _, err = run(
        capsys,
        db_path,
        "practice",
        "add",
        "--date",
        future,
        "--minutes",
        "30",
        "--activity",
        "study",
    )
    assert code == 2 and "in the future" in err
    assert listed(capsys, db_path) == []


def test_objectives_add_list_close_and_link_an_entry(
    db_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, db_path, "objectives", "add", "Respond to every low SRS",
        "--domain", "relationship", "--criteria", "8 weeks running", "--json",
    )  # fmt: skip
    added = json.loads(out)
    assert (code, added["status"], added["domain"]) == (0, "active", "Relationship")
    assert added["baseline"]["n"] == 0 and added["baseline"]["enough"] is False
    code, out, _ = run(
        capsys, db_path, "objectives", "add", "Hope", "--domain", "Hope & Expectancy"
    )
    assert "(planned)" in out and "current focus is 'Relationship'" in out
    run(capsys, db_path, "practice", "add", "--date", "2026-03-02", "--minutes", "25",
        "--activity", "rehearsal", "--objective", "respond to every low srs")  # fmt: skip
    assert listed(capsys, db_path)[0]["objective_id"] == added["id"]
    code, _, err = run(capsys, db_path, "objectives", "close", "1", "--status", "done")
    assert code == 2 and "invalid choice" in err
    code, out, _ = run(capsys, db_path, "objectives", "close", "1", "--status", "achieved")
    assert code == 0 and "achieved" in out
    code, out, _ = run(capsys, db_path, "objectives", "list", "--json")
    rows = json.loads(out)
    assert [(r["id"], r["status"], r["practice_minutes"]) for r in rows] == [
        (2, "planned", 0),
        (1, "achieved", 25),
    ]
    code, out, _ = run(capsys, db_path, "objectives", "start", "2")
    assert code == 0 and "now active" in out


def test_weekly_target(db_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, db_path, "practice", "target")
    assert (code, out) == (0, "Weekly practice target: 180 minutes (3.0 hours).\n")
    code, out, _ = run(capsys, db_path, "practice", "target", "150")
    assert (code, out) == (0, "Weekly practice target: 150 minutes (2.5 hours).\n")
    code, _, err = run(capsys, db_path, "practice", "target", "20000")
    assert code == 2 and "weekly target must be from 0 to 10080 minutes" in err
    assert run(capsys, db_path, "practice", "target")[1].startswith("Weekly practice target: 150")


def test_reading_an_empty_database_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(tmp_path / "empty.sqlite3")
    for argv in (("practice", "list", "--json"), ("objectives", "list", "--json")):
        code, out, _ = run(capsys, path, *argv)
        assert (code, json.loads(out)) == (0, [])
    code, out, _ = run(capsys, path, "practice", "summary", "--by", "week", "--json")
    assert (code, json.loads(out)) == (0, [])
    db = open_database(path)
    with db.session() as s:
        assert s.query(Therapist).count() == 0
    db.dispose()
