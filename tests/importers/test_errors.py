"""Every class of refusal names row, field, value and reason, and leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import OPENFIT_HEADER, openfit_row, write_csv
from import_helpers import dump, query

from practice_app.errors import UserError
from practice_app.importers.importer import ImportOptions, ImportRefused, import_path
from practice_app.storage.database import Database

TODAY = dt.date(2024, 3, 1)


def refused(db: Database, path: Path, **options: object) -> ImportRefused:
    with pytest.raises(ImportRefused) as info:
        import_path(db, path, ImportOptions(today=TODAY, **options))  # type: ignore[arg-type]
    return info.value


@pytest.mark.parametrize(
    ("row", "field", "value", "message"),
    [
        (openfit_row(client=""), "Client_ID", "", "the client code is missing"),
        (openfit_row(session=0), "Session_ID", "0", "a session number must be 1, 2, 3, ..."),
        (openfit_row(date="2024-13-01"), "Session_Date", "2024-13-01", "not a date in the format"),
        (openfit_row(ors_total="41"), "Total_ORS", "41", "outside the ORS total range 0-40"),
        (openfit_row(ors=("5", "11", "5", "5"), ors_total=""), "ORSQ2", "11",
         "outside the ORS item range 0-10"),
        (openfit_row(ors=("5", "x", "5", "5")), "ORSQ2", "x", "not a number"),
        (openfit_row(ors_total="25"), "Total_ORS", "25",
         "the total 25 disagrees with the items, which add up to 20"),
        (openfit_row(ors=("5", "", "5", "5"), ors_total=""), "ORSQ2", "",
         "ORS: some items are missing and no total is given"),
        (openfit_row(ors_skip="maybe"), "ORS_Skip", "maybe", "a skip flag must be Y or N"),
    ],
)  # fmt: skip
def test_bad_value_is_reported_with_row_and_field(
    db: Database, db_path: Path, tmp_path: Path, row: list[str], field: str, value: str,
    message: str,
) -> None:  # fmt: skip
    good = openfit_row("C0", 1)
    path = write_csv(tmp_path / "bad.csv", [OPENFIT_HEADER, good, [*good[:5], "C9", *good[6:]],
                                            row])  # fmt: skip
    before = dump(db_path)
    err = refused(db, path)
    problems = err.summary.rejected
    assert len(problems) == 1
    p = problems[0]
    assert (p.row, p.field, p.value) == (4, field, value)
    assert message in p.message
    assert "row 4, " + field in str(err) and "nothing was written" in str(err)
    assert dump(db_path) == before


def test_every_bad_row_is_reported(db: Database, db_path: Path, tmp_path: Path) -> None:
    rows = [OPENFIT_HEADER, openfit_row("A", 1), openfit_row("A", 2, ors_total="99"),
            openfit_row("B", 1), openfit_row("B", 2, date="yesterday"),
            openfit_row("C", 1, srs_total="-1")]  # fmt: skip
    before = dump(db_path)
    err = refused(db, write_csv(tmp_path / "f.csv", rows))
    assert [(p.row, p.field) for p in err.summary.rejected] == [
        (3, "Total_ORS"), (5, "Session_Date"), (6, "Total_SRS"),
    ]  # fmt: skip
    assert len(str(err).splitlines()) == 4  # one line per problem, then 'nothing was written'
    assert dump(db_path) == before
    # The counts describe the good rows.
    assert (err.summary.sessions, err.summary.clients) == (2, 2)


def test_skip_invalid_imports_the_good_rows(db: Database, db_path: Path, tmp_path: Path) -> None:
    rows = [OPENFIT_HEADER, openfit_row("A", 1), openfit_row("A", 2, ors_total="99")]
    summary = import_path(db, write_csv(tmp_path / "f.csv", rows),
                          ImportOptions(today=TODAY, skip_invalid=True))  # fmt: skip
    assert [p.row for p in summary.rejected] == [3]
    assert query(db_path, "SELECT count(*) FROM session") == [(1,)]
    assert summary.sessions == 1 and summary.written


def test_dry_run_writes_nothing(db: Database, db_path: Path, tmp_path: Path) -> None:
    before = dump(db_path)
    summary = import_path(db, write_csv(tmp_path / "f.csv", [OPENFIT_HEADER, openfit_row()]),
                          ImportOptions(dry_run=True))  # fmt: skip
    assert summary.new_sessions == 1 and not summary.written
    assert dump(db_path) == before


def test_session_twice_in_one_file(db: Database, db_path: Path, tmp_path: Path) -> None:
    rows = [OPENFIT_HEADER, openfit_row("A", 1), openfit_row("A", 2), openfit_row("A", 1)]
    err = refused(db, write_csv(tmp_path / "f.csv", rows))
    [p] = err.summary.rejected
    assert p.row == 4
    assert "session 1 of client A appears twice in the file (first at row 2)" in p.message
    assert query(db_path, "SELECT count(*) FROM session") == [(0,)]


def test_reimport_is_idempotent_and_conflicts_need_update(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    rows = [OPENFIT_HEADER, openfit_row("A", 1), openfit_row("A", 2, "2024-01-15")]
    path = write_csv(tmp_path / "f.csv", rows)
    first = import_path(db, path, ImportOptions(today=TODAY))
    after_first = dump(db_path)
    again = import_path(db, path, ImportOptions(today=TODAY))
    assert (first.new_sessions, first.already_present) == (2, 0)
    assert (again.new_sessions, again.already_present, again.sessions) == (0, 2, 2)
    assert dump(db_path) == after_first
    new_values = openfit_row("A", 2, "2024-01-15", ors_total="", ors=("1", "1", "1", "1"))
    changed = write_csv(tmp_path / "g.csv", [OPENFIT_HEADER, new_values])
    err = refused(db, changed)
    [p] = err.summary.rejected
    assert "already in the database with other values (ORS 20 in the database, 4 in the file)" in (
        p.message
    )
    assert dump(db_path) == after_first
    updated = import_path(db, changed, ImportOptions(today=TODAY, update=True))
    assert updated.already_present == 1
    assert query(db_path, "SELECT total FROM score JOIN session s ON s.id = score.session_id "
                          "WHERE s.number = 2 AND score.instrument_id = "
                          "(SELECT id FROM instrument WHERE name='ORS')") == [(4.0,)]  # fmt: skip


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02binary\x00\xff" * 50, "not a text file"),
        (b"a,b,c\n1,2,3\n", "no client column found"),
        (b"client,session\nA,1\n", "no instrument columns found"),
        (b"client,session,ORS,ors\nA,1,2,3\n", "appears twice in the header"),
        (b"client,wave_x\nA,1\n", "no session columns found"),
    ],
)
def test_unreadable_files(db: Database, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(UserError, match=message):
        import_path(db, path, ImportOptions())


def test_unknown_instrument_and_missing_file(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "w.csv", [["id", "bdi_1"], ["1", "20"]])
    with pytest.raises(UserError, match="unknown instrument 'BDI'"):
        import_path(db, path, ImportOptions(instrument="BDI"))
    with pytest.raises(UserError, match="no such file"):
        import_path(db, tmp_path / "missing.csv", ImportOptions())


def test_dates_inferred_only_when_unambiguous(db: Database, db_path: Path, tmp_path: Path) -> None:
    ambiguous = write_csv(tmp_path / "a.csv", [["client", "date", "ORS"], ["A", "01/02/2024", "20"],
                                               ["A", "03/04/2024", "21"]])  # fmt: skip
    with pytest.raises(UserError, match="ambiguous"):
        import_path(db, ambiguous, ImportOptions())
    import_path(db, ambiguous, ImportOptions(date_format="DD/MM/YYYY"))
    assert query(db_path, "SELECT date FROM session ORDER BY date") == [
        ("2024-02-01",), ("2024-04-03",)
    ]  # fmt: skip
    clear = write_csv(tmp_path / "b.csv", [["client", "date", "ORS"], ["B", "01/02/2024", "20"],
                                           ["B", "25/12/2024", "21"]])  # fmt: skip
    import_path(db, clear, ImportOptions())  # 25 can only be a day: the column is DD/MM/YYYY
    assert query(db_path, "SELECT s.date FROM session s JOIN episode e ON e.id = s.episode_id "
                          "JOIN client c ON c.id = e.client_id WHERE c.code = 'B' ORDER BY s.date"
                 ) == [("2024-02-01",), ("2024-12-25",)]  # fmt: skip
