"""Each layout and each encoding, delimiter and line ending reads into the same stored rows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import OPENFIT_HEADER, csv_text, openfit_row, write_csv
from import_helpers import query, scores
from openpyxl import Workbook

from practice_app.importers.importer import ImportOptions, import_path
from practice_app.importers.layouts import detect_layout
from practice_app.storage.database import Database

TODAY = dt.date(2024, 3, 1)


def _openfit_rows() -> list[list[str]]:
    return [
        OPENFIT_HEADER,
        openfit_row("C1", 1, "2024-01-08", notes="Café: talked about\nwork"),
        openfit_row("C1", 2, "2024-01-15", ors=("6", "6.5", "7", "7"), ors_total="26.5"),
        openfit_row("C2", 1, "2024-01-09", case="K2", first="Émile", last="Brontë"),
    ]


EXPECTED = [
    ("C1", "K1", 1, "2024-01-08", "ORS", 20.0, "[5.0, 5.0, 5.0, 5.0]"),
    ("C1", "K1", 1, "2024-01-08", "SRS", 36.0, "[9.0, 9.0, 9.0, 9.0]"),
    ("C1", "K1", 2, "2024-01-15", "ORS", 26.5, "[6.0, 6.5, 7.0, 7.0]"),
    ("C1", "K1", 2, "2024-01-15", "SRS", 36.0, "[9.0, 9.0, 9.0, 9.0]"),
    ("C2", "K2", 1, "2024-01-09", "ORS", 20.0, "[5.0, 5.0, 5.0, 5.0]"),
    ("C2", "K2", 1, "2024-01-09", "SRS", 36.0, "[9.0, 9.0, 9.0, 9.0]"),
]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "newline"),
    [
        ("utf-8", ",", "\n"),
        ("utf-8-sig", ",", "\r\n"),
        ("utf-16", ";", "\r\n"),
        ("utf-16-le", "\t", "\n"),
        ("cp1252", ";", "\r\n"),
        ("cp1252", "\t", "\n"),
    ],
)
def test_openfit_in_every_encoding_and_delimiter(
    db: Database, db_path: Path, tmp_path: Path, encoding: str, delimiter: str, newline: str
) -> None:
    path = write_csv(tmp_path / "openfit.csv", _openfit_rows(), encoding=encoding,
                     delimiter=delimiter, newline=newline)  # fmt: skip
    summary = import_path(db, path, ImportOptions(today=TODAY))
    assert summary.layout == "openfit"
    assert scores(db_path) == EXPECTED
    # The quoted note with an embedded newline and an accented letter survives intact.
    assert query(db_path, "SELECT notes FROM session WHERE notes IS NOT NULL") == [
        ("Café: talked about\nwork",)
    ]
    assert query(db_path, "SELECT code, display_name FROM therapist WHERE code = 'P1'") == [
        ("P1", "Ann Therapist")
    ]
    assert query(db_path, "SELECT code, gender, group_name FROM client ORDER BY code") == [
        ("C1", "F", "adult"),
        ("C2", "F", "adult"),
    ]
    assert (summary.sessions, summary.new_sessions, summary.clients, summary.episodes) == (
        3,
        3,
        2,
        2,
    )
    assert summary.scores == {"ORS": 3, "SRS": 3}
    assert summary.dropped_columns == ["Client_FirstName", "Client_LastName"]


def test_xlsx_read_only(db: Database, db_path: Path, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in _openfit_rows():
        values: list[object] = list(row)
        if row[0] != "Service_Location":
            values[13] = dt.datetime.fromisoformat(row[13])  # a real date cell
            values[15:19] = [float(v) for v in row[15:19]]
            values[12] = int(row[12])
        sheet.append(values)
    path = tmp_path / "history.xlsx"
    book.save(path)
    summary = import_path(db, path, ImportOptions(today=TODAY))
    assert summary.description == "XLSX"
    assert scores(db_path) == EXPECTED


def test_items_only_and_total_only_and_skip(db: Database, db_path: Path, tmp_path: Path) -> None:
    rows = [
        OPENFIT_HEADER,
        openfit_row("C1", 1, ors_total=""),  # items only: total is their sum
        openfit_row("C1", 2, "2024-01-15", ors=("", "", "", ""), ors_total="31.5"),  # total only
        openfit_row("C1", 3, "2024-01-22", ors_skip="Y", srs_skip="1"),  # both skipped
        openfit_row(
            "C1", 4, "2024-01-29", srs_skip="yes", ors=("1", "2", "3", "4"), ors_total="10.05"
        ),  # total within 0.1 of the items' sum
    ]
    import_path(db, write_csv(tmp_path / "f.csv", rows), ImportOptions(today=TODAY))
    got = [(r[2], r[4], r[5], r[6]) for r in scores(db_path)]
    assert got == [
        (1, "ORS", 20.0, "[5.0, 5.0, 5.0, 5.0]"),
        (1, "SRS", 36.0, "[9.0, 9.0, 9.0, 9.0]"),
        (2, "ORS", 31.5, None),
        (2, "SRS", 36.0, "[9.0, 9.0, 9.0, 9.0]"),
        (4, "ORS", 10.05, "[1.0, 2.0, 3.0, 4.0]"),
    ]
    # Session 3 exists (attended) with no scores.
    assert query(db_path, "SELECT count(*) FROM session") == [(4,)]


def test_camcops_ors_and_srs_join_on_sessions(db: Database, db_path: Path, tmp_path: Path) -> None:
    ors = [["patient_id", "q_session", "q_date", "q_who", "q_who_other", "q_individual",
            "q_interpersonal", "q_social", "q_overall"],
           ["77", "1", "2024-01-08T10:00:00.000000+00:00", "2", "my mum Mary", "4", "5", "6", "7"],
           ["77", "2", "2024-01-15T10:00:00", "1", "", "5", "5", "6", "7.5"]]  # fmt: skip
    srs = [["patient_id", "q_session", "q_date", "q_relationship", "q_goals", "q_approach",
            "q_overall"],
           ["77", "1", "2024-01-08", "9", "8", "9", "9.5"]]  # fmt: skip
    a = import_path(db, write_csv(tmp_path / "ors.csv", ors), ImportOptions(today=TODAY))
    b = import_path(db, write_csv(tmp_path / "srs.csv", srs), ImportOptions(today=TODAY))
    assert (a.layout, b.layout) == ("camcops-ors", "camcops-srs")
    assert "q_who_other" in a.dropped_columns  # free text that may name someone
    assert [(r[2], r[3], r[4], r[5]) for r in scores(db_path)] == [
        (1, "2024-01-08", "ORS", 22.0),
        (1, "2024-01-08", "SRS", 35.5),
        (2, "2024-01-15", "ORS", 23.5),
    ]
    assert b.already_present == 1 and b.new_sessions == 0
    assert query(db_path, "SELECT count(*) FROM episode") == [(1,)]


def test_long_layout_with_dates_only_numbers_sessions_by_date(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    rows = [["Client", "Date", "PHQ-9", "gad7", "Referral source", "Client_Modality", "Surname"],
            ["A", "2024-02-01", "15", "10", "GP", "CBT", "Smith"],
            ["A", "2024-01-01", "20", "12", "", "", "Smith"],
            ["B", "2024-01-05", "9", "", "self", "", "Jones"]]  # fmt: skip
    summary = import_path(db, write_csv(tmp_path / "long.csv", rows), ImportOptions(today=TODAY))
    assert summary.layout == "long"
    assert summary.dropped_columns == ["Surname"]
    got = [(r[0], r[2], r[3], r[4], r[5]) for r in scores(db_path)]
    assert got == [
        ("A", 1, "2024-01-01", "GAD-7", 12.0),
        ("A", 1, "2024-01-01", "PHQ-9", 20.0),
        ("A", 2, "2024-02-01", "GAD-7", 10.0),
        ("A", 2, "2024-02-01", "PHQ-9", 15.0),
        ("B", 1, "2024-01-05", "PHQ-9", 9.0),
    ]
    assert query(db_path, "SELECT code, referral_source FROM client ORDER BY code") == [
        ("A", "GP"), ("B", "self")
    ]  # fmt: skip
    assert query(db_path, "SELECT name, value FROM client_attribute") == [("Modality", "CBT")]
    assert query(db_path, "SELECT code FROM therapist") == [("me",)]


def test_long_layout_items_by_name_and_number(db: Database, db_path: Path, tmp_path: Path) -> None:
    rows = [["client", "session", "GAD7_1", "GAD7_2", "GAD7_3", "GAD7_4", "GAD7_5", "GAD7_6",
             "GAD7_7", "Relationship", "Goals and topics", "Approach or method", "SRS_4"],
            ["A", "1", "1", "2", "3", "0", "1", "2", "3", "9", "9", "8", "7"]]  # fmt: skip
    import_path(db, write_csv(tmp_path / "items.csv", rows), ImportOptions(therapist="T9"))
    got = [(r[4], r[5], json.loads(r[6])) for r in scores(db_path)]
    assert got == [("GAD-7", 12.0, [1, 2, 3, 0, 1, 2, 3]), ("SRS", 33.0, [9, 9, 8, 7])]
    assert query(db_path, "SELECT code FROM therapist") == [("T9",)]


def test_wide_layout(db: Database, db_path: Path, tmp_path: Path) -> None:
    rows = [["client", "Gender", "ors_1", "ors_2", "ors_3", "srs_1", "srs_2", "Full name"],
            ["A", "F", "12", "18.5", "", "35", "38", "Ann Example"],
            ["B", "M", "", "20", "25", "", "", "Bob Example"]]  # fmt: skip
    summary = import_path(db, write_csv(tmp_path / "wide.csv", rows), ImportOptions())
    assert summary.layout == "wide"
    assert summary.dropped_columns == ["Full name"]
    got = [(r[0], r[2], r[4], r[5]) for r in scores(db_path)]
    assert got == [
        ("A", 1, "ORS", 12.0), ("A", 1, "SRS", 35.0), ("A", 2, "ORS", 18.5),
        ("A", 2, "SRS", 38.0), ("B", 2, "ORS", 20.0), ("B", 3, "ORS", 25.0),
    ]  # fmt: skip
    assert summary.sessions == 4 and summary.scores == {"ORS": 4, "SRS": 2}


def test_layout_detection_and_forcing() -> None:
    assert detect_layout(OPENFIT_HEADER) == "openfit"
    assert detect_layout(["q_session", "q_individual", "q_interpersonal"]) == "camcops-ors"
    assert detect_layout(["q_session", "q_relationship", "q_goals"]) == "camcops-srs"
    assert detect_layout(["client", "session", "ORS"]) == "long"
    assert detect_layout(["client", "ors_1", "ors_2"]) == "wide"


def test_semicolon_decimal_commas(db: Database, db_path: Path, tmp_path: Path) -> None:
    text = csv_text([["client", "session", "ORS"], ["A", "1", "12,5"]], delimiter=";")
    path = tmp_path / "de.csv"
    path.write_text(text, encoding="cp1252")
    import_path(db, path, ImportOptions())
    assert [r[5] for r in scores(db_path)] == [12.5]


def test_inactive_after_45_days(db: Database, db_path: Path, tmp_path: Path) -> None:
    rows = [OPENFIT_HEADER,
            openfit_row("OLD", 1, "2024-01-01", case="K1"),
            openfit_row("OLD", 2, "2024-01-10", case="K1"),
            openfit_row("NEW", 1, "2024-02-10", case="K2")]  # fmt: skip
    # Today 2024-02-25: OLD was last seen 46 days ago, NEW 15 days ago.
    import_path(db, write_csv(tmp_path / "f.csv", rows), ImportOptions(today=dt.date(2024, 2, 25)))
    assert query(
        db_path,
        "SELECT external_id, start_date, end_date, ending_reason FROM episode ORDER BY external_id",
    ) == [("K1", "2024-01-08", "2024-01-10", "inactive"), ("K2", "2024-01-08", None, None)]
    # Exactly 45 days is not yet inactive; the window is a parameter.
    db2 = tmp_path / "f2.csv"
    write_csv(db2, [OPENFIT_HEADER, openfit_row("X", 1, "2024-01-10", case="K3")])
    import_path(db, db2, ImportOptions(today=dt.date(2024, 2, 24)))
    assert query(db_path, "SELECT ending_reason FROM episode WHERE external_id='K3'") == [(None,)]


def test_an_episode_mixing_numbered_and_unnumbered_sessions_is_numbered_by_date(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    # Session numbers left out of some rows of an episode (found by hypothesis: the
    # provisional number of an unnumbered session equalled a numbered one's, and the
    # import failed on the database's unique index).
    rows = [["client", "session", "date", "PHQ-9"],
            ["A", "", "2024-01-08", "20"],
            ["A", "1", "2024-01-15", "18"],
            ["A", "", "2024-01-22", "15"],
            ["A", "2", "2024-01-01", "22"]]  # fmt: skip
    summary = import_path(db, write_csv(tmp_path / "mixed.csv", rows), ImportOptions(today=TODAY))
    assert summary.new_sessions == 4 and not summary.rejected
    got = [(r[2], r[3], r[5]) for r in scores(db_path)]
    assert got == [
        (1, "2024-01-01", 22.0),
        (2, "2024-01-08", 20.0),
        (3, "2024-01-15", 18.0),
        (4, "2024-01-22", 15.0),
    ]
