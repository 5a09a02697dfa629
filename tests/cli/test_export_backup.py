"""Export, import into a fresh database, export again: the same files. Backup and restore."""

from __future__ import annotations

import csv
import datetime as dt
import filecmp
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from practice_app import cli
from practice_app.analysis.instruments import parse_instrument
from practice_app.errors import UserError
from practice_app.importers.importer import ImportOptions, import_path
from practice_app.importers.records import guard as import_guard
from practice_app.importers.records import unguard
from practice_app.storage import models as m
from practice_app.storage.backup import check_backup
from practice_app.storage.database import open_database
from practice_app.storage.export import guard
from practice_app.storage.instruments import save_instrument

OPENFIT = (
    "Provider_ID,Provider_FirstName,Provider_LastName,Client_ID,Client_FirstName,Client_Gender,"
    "Client_Modality,Case_ID,Session_ID,Session_Date,ORSQ1,ORSQ2,ORSQ3,ORSQ4,Total_ORS,"
    "Total_SRS,Notes\n"
    'P1,Ann,Lee,=A1,Zed,F,CBT,K1,1,2024-01-08,5,5,5,5,,36,"=HYPERLINK(""x"")"\n'
    'P1,Ann,Lee,=A1,Zed,F,CBT,K1,2,2024-01-15,6.5,6,6,6,,38,"-5 sessions left\nnext line"\n'
    "P1,Ann,Lee,B2,Yan,M,,,1,2024-02-01,,,,,22.5,,'=already quoted\n"
    "P2,Bob,Ng,B2,Yan,M,,,1,2024-02-03,,,,,10,,@home\n"
)
MOOD = {"name": "MOOD", "title": "Mood -5..5", "min": -5, "max": 5, "higher_is_better": True,
        "reliable_change": 2}  # fmt: skip


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
    missing = tuple(cli.CommandSpec(n, mod, n) for n, mod in extra if n not in known)
    if missing:
        monkeypatch.setattr(cli, "COMMANDS", cli.COMMANDS + missing)


def _fill(db_path: Path, tmp_path: Path) -> None:
    """A database with something in every table, awkward text included."""
    db = open_database(str(db_path))
    try:
        src = tmp_path / "openfit.csv"
        src.write_text(OPENFIT, encoding="utf-8")
        import_path(db, src, ImportOptions(today=dt.date(2024, 2, 10)))
        with db.session() as s:
            save_instrument(s, parse_instrument(MOOD, "test"))
        mood = tmp_path / "mood.csv"
        mood.write_text("client,therapist,episode,session,MOOD\nB2,P1,,1,-3\n", encoding="utf-8")
        import_path(db, mood, ImportOptions())
        with db.session() as s:
            p1 = s.scalar(select(m.Therapist).where(m.Therapist.code == "P1"))
            a1 = s.scalar(select(m.Client).where(m.Client.code == "=A1"))
            assert p1 is not None and a1 is not None
            episode = a1.episodes[0]
            objective = m.PracticeObjective(
                therapist_id=p1.id, title="+ Repair ruptures", start_date=dt.date(2024, 1, 1),
                status="active", baseline={"ors": 18.5, "n": 12}, success_criteria="SRS > 36",
            )  # fmt: skip
            s.add(objective)
            s.flush()
            entry = m.PracticeEntry(
                therapist_id=p1.id, date=dt.date(2024, 1, 9), minutes=45, activity="role-play",
                objective_id=objective.id, difficulty="right", self_rating=6.5,
                feedback_source="coach", notes="-tried slower pace",
                created_at=dt.datetime(2024, 1, 9, 18, 30, 5),
            )  # fmt: skip
            s.add(entry)
            s.flush()
            s.add(m.PracticeEntryClient(entry_id=entry.id, client_id=a1.id))
            s.add(m.PracticeActivity(key="tapes", label="Reviewing tapes"))
            lesson = m.ClientLesson(
                client_id=a1.id, episode_id=episode.id, date=dt.date(2024, 1, 20),
                taught="Silence helps", will_practise="@pauses",
            )  # fmt: skip
            s.add(lesson)
            s.flush()
            s.add_all([m.LessonTag(lesson_id=lesson.id, tag="alliance"),
                       m.LessonTag(lesson_id=lesson.id, tag="pace; slow")])  # fmt: skip
            s.add(m.WeeklyReview(therapist_id=p1.id, week_start=dt.date(2024, 1, 8), energy=7,
                                 completed_at=dt.datetime(2024, 1, 12, 17, 0), note="ok",
                                 commitment="=call supervisor"))  # fmt: skip
            s.add(m.ConsultationBrief(episode_id=episode.id, tried="CBT\nthen ACT",
                                      questions="what next?",
                                      created_at=dt.datetime(2024, 1, 21, 9, 0),
                                      updated_at=dt.datetime(2024, 1, 22, 9, 0)))  # fmt: skip
    finally:
        db.dispose()


def _same_folders(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    _match, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert (mismatch, errors) == ([], [])


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_round_trip_is_lossless(tmp_path: Path, fmt: str) -> None:
    first_db, second_db = tmp_path / "one.sqlite3", tmp_path / "two.sqlite3"
    _fill(first_db, tmp_path)
    out1, out2 = tmp_path / "out1", tmp_path / "out2"
    assert cli.main(["--db", str(first_db), "export", "--out", str(out1), "--format", fmt]) == 0
    assert cli.main(["--db", str(second_db), "import", str(out1)]) == 0
    assert cli.main(["--db", str(second_db), "export", "--out", str(out2), "--format", fmt]) == 0
    _same_folders(out1, out2)
    counts = json.loads((out1 / "manifest.json").read_text())["files"]
    assert counts == {
        f"therapists.{fmt}": 2, f"clients.{fmt}": 2, f"client_attributes.{fmt}": 1,
        f"episodes.{fmt}": 3, f"sessions.{fmt}": 4, "instruments.json": 1,
        f"practice_activities.{fmt}": 1, f"practice_objectives.{fmt}": 1,
        f"practice_entries.{fmt}": 1, f"lessons.{fmt}": 1, f"weekly_reviews.{fmt}": 1,
        f"consultation_briefs.{fmt}": 1,
    }  # fmt: skip
    # Importing the folder again adds nothing.
    before = list(sqlite3.connect(second_db).iterdump())
    assert cli.main(["--db", str(second_db), "import", str(out1)]) == 0
    assert list(sqlite3.connect(second_db).iterdump()) == before


def test_csv_cells_are_neutralised_but_numbers_stay_numbers(tmp_path: Path) -> None:
    db = tmp_path / "one.sqlite3"
    _fill(db, tmp_path)
    out = tmp_path / "out"
    assert cli.main(["--db", str(db), "export", "--out", str(out)]) == 0
    with (out / "sessions.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    notes = {r["notes"] for r in rows}
    # The source's "'=already quoted" was read as a neutralised cell: stored as "=already quoted".
    assert notes == {
        "'=HYPERLINK(\"x\")", "'-5 sessions left\nnext line", "'=already quoted", "'@home"
    }  # fmt: skip
    assert {r["client"] for r in rows} == {"'=A1", "B2"}
    assert "-3" in {r["MOOD"] for r in rows}  # a negative score is data, not a formula
    assert "'=call supervisor" in (out / "weekly_reviews.csv").read_text(encoding="utf-8")
    # sessions.csv alone is a long-layout file that imports back with its text restored.
    fresh = open_database(str(tmp_path / "three.sqlite3"))
    try:
        with fresh.session() as s:
            save_instrument(s, parse_instrument(MOOD, "test"))
        summary = import_path(fresh, out / "sessions.csv", ImportOptions())
        assert summary.layout == "long" and summary.sessions == 4
        with fresh.session() as s:
            got = set(s.scalars(select(m.Session.notes)))
            codes = set(s.scalars(select(m.Client.code)))
    finally:
        fresh.dispose()
    assert got == {'=HYPERLINK("x")', "-5 sessions left\nnext line", "=already quoted", "@home"}
    assert codes == {"=A1", "B2"}
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "sessions.csv" in readme and "single quote" in readme


@pytest.mark.parametrize(
    "text", ["=1", "+1", "-x", "@a", "\tx", "'=1", "''=1", "'a", "''a", "a", ""]
)
def test_guard_and_unguard_are_inverse(text: str) -> None:
    assert guard(text) == import_guard(text)
    assert unguard(guard(text)) == text


def test_export_refuses_a_non_empty_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x").write_text("keep me")
    db = tmp_path / "p.sqlite3"
    open_database(str(db)).dispose()
    assert cli.main(["--db", str(db), "export", "--out", str(tmp_path / "out")]) == 2
    assert "not an empty folder" in capsys.readouterr().err


def test_backup_and_restore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "p.sqlite3"
    _fill(db, tmp_path)
    backup = tmp_path / "backup.sqlite3"
    held = open_database(str(db))  # the app is open while the backup runs
    try:
        assert cli.main(["--db", str(db), "backup", "--out", str(backup)]) == 0
    finally:
        held.dispose()
    assert check_backup(backup).revision
    original = list(sqlite3.connect(backup).iterdump())
    # Change the database, then restore: the change is gone and the changed file is kept.
    con = sqlite3.connect(db)
    con.execute("DELETE FROM weekly_review")
    con.commit()
    con.close()
    assert cli.main(["--db", str(db), "restore", str(backup)]) == 0
    out = capsys.readouterr().out
    assert "The database as it was is kept in" in out
    kept = list(tmp_path.glob("p.sqlite3.before-restore-*.bak"))
    assert len(kept) == 1
    assert sqlite3.connect(kept[0]).execute("SELECT count(*) FROM weekly_review").fetchone() == (0,)
    assert list(sqlite3.connect(db).iterdump()) == original
    # Backing up over an existing file is refused.
    assert cli.main(["--db", str(db), "backup", "--out", str(backup)]) == 2
    assert "exists" in capsys.readouterr().err


def test_restore_checks_the_file_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "p.sqlite3"
    open_database(str(db)).dispose()
    before = db.read_bytes()
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    assert cli.main(["--db", str(db), "restore", str(text)]) == 2
    assert "not an SQLite database file" in capsys.readouterr().err
    foreign = tmp_path / "foreign.sqlite3"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    assert cli.main(["--db", str(db), "restore", str(foreign)]) == 2
    assert "not a practice-app database" in capsys.readouterr().err
    newer = tmp_path / "newer.sqlite3"
    con = sqlite3.connect(newer)
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
    con.execute("INSERT INTO alembic_version VALUES ('ffff9999')")
    con.commit()
    con.close()
    assert cli.main(["--db", str(db), "restore", str(newer)]) == 2
    assert "newer version of practice-app" in capsys.readouterr().err
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_backup_needs_sqlite(tmp_path: Path) -> None:
    from practice_app.storage.backup import backup_database, restore_database

    with pytest.raises(UserError, match="server database"):
        backup_database("postgresql://user@localhost/practice", tmp_path / "b.sqlite3")
    with pytest.raises(UserError, match="server database"):
        restore_database("postgresql://user@localhost/practice", tmp_path / "b.sqlite3")
