"""Client lessons: storing, editing, deleting, tag normalisation and counting, refusals."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from practice_app.cli import main
from practice_app.errors import UserError
from practice_app.services.lessons import (
    LessonRow,
    add_lesson,
    count_tags,
    delete_lesson,
    edit_lesson,
    list_lessons,
    normalise_tags,
    restore_lesson,
)
from practice_app.storage.database import Database, open_database
from practice_app.storage.models import Client, ClientLesson, Episode, LessonTag, Therapist

TODAY = dt.date(2026, 6, 1)


def _write_clients(db: Database) -> None:
    """K-1 with an older case 'OLD' and a newer case 'NEW'; K-2 with one episode; K-3 none."""
    with db.session() as s:
        t = Therapist(code="T1")
        other = Therapist(code="T2")
        k1, k2, k3 = Client(code="K-1"), Client(code="K-2"), Client(code="K-3")
        s.add_all([t, other, k1, k2, k3])
        s.add(Episode(client=k1, therapist=t, external_id="OLD", start_date=dt.date(2024, 1, 1)))
        s.add(Episode(client=k1, therapist=t, external_id="NEW", start_date=dt.date(2025, 3, 1)))
        s.add(Episode(client=k2, therapist=other, start_date=dt.date(2025, 1, 1)))


@pytest.fixture
def people(db: Database) -> Database:
    """The test database with the clients above."""
    _write_clients(db)
    return db


def test_normalise_tags_trims_dedupes_and_keeps_the_display_form() -> None:
    assert normalise_tags(["  Work  context ", "#goals", "GOALS", "", "a,b , A"]) == (
        "Work context",
        "goals",
        "a",
        "b",
    )
    with pytest.raises(UserError, match="longer than 80"):
        normalise_tags(["x" * 81])


def test_add_defaults_to_latest_episode_and_today(people: Database) -> None:
    with people.session() as s:
        row = add_lesson(s, client_code="K-1", taught=" Listen first. ", today=TODAY)
        assert (row.client, row.episode, row.date, row.taught) == (
            "K-1",
            "NEW",
            TODAY,
            "Listen first.",
        )
        assert row.new_or_different is None and row.tags == ()
        older = add_lesson(s, client_code="K-1", taught="x", episode="OLD", today=TODAY)
        assert older.episode == "OLD"
        none = add_lesson(s, client_code="K-3", taught="No episode yet", today=TODAY)
        assert none.episode is None and none.episode_id is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"client_code": "NOPE", "taught": "x"}, "unknown client 'NOPE'"),
        ({"client_code": "K-1", "taught": "   "}, "empty"),
        ({"client_code": "K-1", "taught": "x", "episode": "ZZZ"}, "no episode 'ZZZ'"),
        ({"client_code": "K-2", "taught": "x", "episode": "OLD"}, "no episode 'OLD'"),
        ({"client_code": "K-1", "taught": "x", "day": dt.date(2026, 6, 2)}, "future"),
    ],
)
def test_bad_input_is_refused(people: Database, kwargs: dict[str, object], message: str) -> None:
    with people.session() as s, pytest.raises(UserError, match=message):
        add_lesson(s, today=TODAY, **kwargs)  # type: ignore[arg-type]


def test_edit_delete_restore(people: Database) -> None:
    with people.session() as s:
        row = add_lesson(s, client_code="K-1", taught="a", tags=["Pace", "hope"], today=TODAY)
        edited = edit_lesson(s, row.id, will_practise="Slow down", tags=["pace", "Hope", "new"])
        assert edited.taught == "a" and edited.will_practise == "Slow down"
        assert sorted(edited.tags) == ["Hope", "new", "pace"]
        cleared = edit_lesson(s, row.id, will_practise=None)
        assert cleared.will_practise is None
        with pytest.raises(UserError, match="empty"):
            edit_lesson(s, row.id, taught="")
        gone = delete_lesson(s, row.id)
        assert s.scalar(select(func.count()).select_from(LessonTag)) == 0
        back = restore_lesson(s, gone)
        assert back == gone
        with pytest.raises(UserError, match="no lesson"):
            delete_lesson(s, 999)


def _row(i: int, tags: tuple[str, ...]) -> LessonRow:
    return LessonRow(i, "K", None, None, dt.date(2026, 1, i), "t", None, None, tags)


def test_count_tags_folds_case_and_prefers_the_common_form() -> None:
    rows = [
        _row(1, ("Referral", "hope")),
        _row(2, ("referral",)),
        _row(3, ("referral", "Hope")),
        _row(4, ("pace",)),
    ]
    counts = [(t.tag, t.count, t.recurring) for t in count_tags(rows)]
    # referral: 3 lessons, "referral" written twice; hope: a tie, the earliest form wins.
    assert counts == [("referral", 3, True), ("hope", 2, True), ("pace", 1, False)]


def test_list_filters(people: Database) -> None:
    with people.session() as s:
        add_lesson(s, client_code="K-1", taught="one", tags=["Goals"], day=dt.date(2026, 1, 1))
        add_lesson(s, client_code="K-2", taught="two", tags=["goals", "x"], day=dt.date(2026, 2, 1))
        add_lesson(s, client_code="K-1", taught="three", day=dt.date(2026, 3, 1))
        assert [r.taught for r in list_lessons(s)] == ["three", "two", "one"]
        assert [r.taught for r in list_lessons(s, client_code="K-1")] == ["three", "one"]
        assert [r.taught for r in list_lessons(s, tag=" GOALS")] == ["two", "one"]
        assert [r.taught for r in list_lessons(s, therapist_code="T2")] == ["two"]
        with pytest.raises(UserError, match="unknown therapist"):
            list_lessons(s, therapist_code="T9")


# ----- the command line ------------------------------------------------------------------
@pytest.fixture
def cli_db(tmp_path: Path) -> str:
    """A closed database file holding the clients above."""
    path = str(tmp_path / "lessons.sqlite3")
    db = open_database(path)
    _write_clients(db)
    db.dispose()
    return path


def _count(path: str) -> tuple[int, int]:
    db = open_database(path)
    try:
        with db.session() as s:
            return (
                s.scalar(select(func.count()).select_from(ClientLesson)) or 0,
                s.scalar(select(func.count()).select_from(LessonTag)) or 0,
            )
    finally:
        db.dispose()


def test_cli_round_trip_with_tag_counts(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--db", cli_db, "lessons", "add"]
    assert main([*base, "--client", "K-1", "--text", "Ask about goals", "--tag", "Goals",
                 "--tag", "referral", "--new", "New idea", "--practise", "Goal talk",
                 "--date", "2026-01-05"]) == 0  # fmt: skip
    assert main([*base, "--client", "K-2", "--text", "Hope matters", "--tag", " goals ",
                 "--date", "2026-02-05"]) == 0  # fmt: skip
    assert main([*base, "--client", "K-1", "--episode", "OLD", "--text", "Third",
                 "--tag", "GOALS", "--tag", "pace", "--date", "2026-03-05"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["--db", cli_db, "lessons", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["taught"] for r in rows] == ["Third", "Hope matters", "Ask about goals"]
    first = rows[2]
    assert set(first) == {"id", "client", "episode", "episode_id", "date", "taught",
                          "new_or_different", "will_practise", "tags"}  # fmt: skip
    assert (first["client"], first["episode"], first["date"]) == ("K-1", "NEW", "2026-01-05")
    assert (first["new_or_different"], first["will_practise"]) == ("New idea", "Goal talk")
    assert sorted(first["tags"]) == ["Goals", "referral"]
    assert rows[0]["episode"] == "OLD"
    assert main(["--db", cli_db, "lessons", "list"]) == 0
    out = capsys.readouterr().out
    recurring = out.split("Tags recurring across the 3 lessons:")[1]
    assert "goals" in recurring.lower() and " 3" in recurring
    assert "Used once: pace, referral" in out
    assert main(["--db", cli_db, "lessons", "list", "--tag", "Pace", "--json"]) == 0
    assert [r["taught"] for r in json.loads(capsys.readouterr().out)] == ["Third"]


@pytest.mark.parametrize(
    "argv",
    [
        ["add", "--client", "NOPE", "--text", "x", "--tag", "t"],
        ["add", "--client", "K-1", "--text", "  ", "--tag", "t"],
        ["add", "--client", "K-1", "--episode", "ZZZ", "--text", "x"],
        ["add", "--client", "K-1", "--text", "x", "--date", "01/02/2026"],
        ["add", "--client", "K-1", "--text", "x", "--tag", "y" * 81],
        ["add", "--text", "x"],
        ["delete", "42"],
    ],
)
def test_cli_bad_input_exits_2_and_writes_nothing(
    cli_db: str, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", cli_db, "lessons", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error" in err
    assert _count(cli_db) == (0, 0)


def test_cli_delete(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", cli_db, "lessons", "add", "--client", "K-2", "--text", "x",
                 "--tag", "a", "--json"]) == 0  # fmt: skip
    stored = json.loads(capsys.readouterr().out)
    assert main(["--db", cli_db, "lessons", "delete", str(stored["id"])]) == 0
    assert _count(cli_db) == (0, 0)


def test_cli_edit_changes_only_what_is_given(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", cli_db, "lessons", "add", "--client", "K-1", "--text", "Old",
                 "--new", "N", "--practise", "P", "--tag", "a", "--json"]) == 0  # fmt: skip
    lesson_id = str(json.loads(capsys.readouterr().out)["id"])
    edit = ["--db", cli_db, "lessons", "edit", lesson_id]
    assert main([*edit, "--text", "New text", "--tag", "B", "--tag", "c", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert (row["taught"], row["new_or_different"], row["will_practise"]) == ("New text", "N", "P")
    assert sorted(row["tags"]) == ["B", "c"]
    assert main([*edit, "--new", "", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["new_or_different"] is None and row["taught"] == "New text"
    assert main([*edit, "--text", " "]) == 2
    assert main(["--db", cli_db, "lessons", "edit", "999", "--text", "x"]) == 2
