"""The practice journal: checks that write nothing, round trips, weekly and monthly sums."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from practice_app.errors import UserError
from practice_app.services import practice as p
from practice_app.storage.database import Database
from practice_app.storage.models import Client, PracticeEntry, PracticeEntryClient, Therapist

TODAY = dt.date(2026, 3, 18)  # a Wednesday


@pytest.fixture
def journal(db: Database) -> Database:
    """One therapist, two clients, no entries yet."""
    with db.session() as s:
        s.add(Therapist(code="T1", display_name="Test", weekly_practice_target_minutes=150))
        s.add_all([Client(code="C-001"), Client(code="C-002")])
    return db


def count(db: Database) -> tuple[int, int]:
    with db.session() as s:
        return (
            s.scalar(select(func.count(PracticeEntry.id))) or 0,
            s.scalar(select(func.count()).select_from(PracticeEntryClient)) or 0,
        )


def add(db: Database, **fields: object) -> p.EntryRow:
    data = {"date": TODAY, "minutes": 30, "activity": "study", **fields}
    with db.session() as s:
        return p.add_entry(s, p.EntryInput(**data), today=TODAY)  # type: ignore[arg-type]


def test_builtin_activities_and_domains_are_the_issue_lists() -> None:
    assert [(a.key, a.label) for a in p.BUILTIN_ACTIVITIES] == [
        ("recording-review", "Reviewing own session recordings"),
        ("rehearsal", "Role-play or rehearsal with scripted client statements"),
        ("coaching", "Coaching or feedback on a recording"),
        ("mental-rehearsal", "Mental rehearsal and planning"),
        ("case-review", "Reviewing not-on-track clients' data"),
        ("study", "Study applied to a case"),
        ("other", "Other"),
    ]
    assert p.DOMAINS == (
        "Structure", "Hope & Expectancy", "Relationship", "Client Factors", "Therapist Factors",
    )  # fmt: skip
    assert p.find_domain("hope AND expectancy") == "Hope & Expectancy"
    assert p.find_domain("  client   factors") == "Client Factors"


def test_every_field_round_trips(journal: Database) -> None:
    with journal.session() as s:
        objective = p.PracticeObjective(
            therapist_id=1, title="Respond to low SRS", start_date=TODAY, status="active"
        )
        s.add(objective)
    row = add(
        journal,
        date=dt.date(2026, 3, 2),
        minutes=47,
        activity="ROLE-PLAY OR REHEARSAL WITH SCRIPTED CLIENT STATEMENTS",
        domain="relationship",
        objective="respond to low srs",
        difficulty="Too hard",
        rating=6.5,
        feedback="Supervisor",
        notes="  Rupture repair, three takes  ",
        clients=("C-002", "C-001"),
    )
    with journal.session() as s:
        (back,) = p.list_entries(s)
    assert back == row
    assert (back.date, back.minutes, back.activity, back.domain) == (
        dt.date(2026, 3, 2), 47, "rehearsal", "Relationship",
    )  # fmt: skip
    assert (back.objective_id, back.objective_title) == (1, "Respond to low SRS")
    assert (back.difficulty, back.self_rating, back.feedback_source) == (
        "too-hard",
        6.5,
        "supervisor",
    )
    assert back.notes == "Rupture repair, three takes"
    assert back.clients == ("C-001", "C-002")
    assert p.input_of(back).objective == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"minutes": 0}, "minutes must be from 1 to 1440"),
        ({"minutes": 1441}, "minutes must be from 1 to 1440"),
        ({"activity": "rehersal"}, "did you mean 'rehearsal'"),
        ({"activity": "reviewing own sesion recordings"}, "did you mean 'Reviewing own session"),
        ({"domain": "Strcture"}, "did you mean 'Structure'"),
        ({"objective": "7"}, "unknown objective '7'"),
        ({"clients": ("C-001", "C-099")}, "unknown client code 'C-099'"),
        ({"date": TODAY + dt.timedelta(days=30)}, "in the future"),
        ({"difficulty": "impossible"}, "unknown difficulty"),
        ({"rating": 11.0}, "rating must be from 0 to 10"),
        ({"rating": -1.0}, "rating must be from 0 to 10"),
        ({"feedback": "mentor"}, "unknown feedback source"),
    ],
)
def test_bad_entries_are_refused_and_write_nothing(
    journal: Database, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(UserError, match=message.replace("(", r"\(")):
        add(journal, **fields)
    assert count(journal) == (0, 0)


def test_tomorrow_is_allowed_for_time_zones(journal: Database) -> None:
    assert add(journal, date=TODAY + dt.timedelta(days=1)).date == dt.date(2026, 3, 19)


def test_update_delete_and_restore_under_the_same_id(journal: Database) -> None:
    first = add(journal, clients=("C-001",))
    with journal.session() as s:
        changed = p.update_entry(
            s, first.id, p.EntryInput(TODAY, 90, "coaching", clients=("C-002",)), today=TODAY
        )
    assert (changed.minutes, changed.activity, changed.clients) == (90, "coaching", ("C-002",))
    with journal.session() as s, pytest.raises(UserError):
        p.update_entry(s, first.id, p.EntryInput(TODAY, 90, "nonsense"), today=TODAY)
    with journal.session() as s:
        assert p.get_entry(s, first.id) == changed  # the refused update changed nothing
        gone = p.delete_entry(s, first.id)
    assert count(journal) == (0, 0)
    with journal.session() as s:
        back = p.add_entry(s, p.input_of(gone), today=TODAY, entry_id=gone.id)
    assert back == changed


def test_own_activities(journal: Database) -> None:
    with journal.session() as s:
        p.add_activity(s, "Journal-Club", "Journal club on alliance research")
        with pytest.raises(UserError, match="already exists"):
            p.add_activity(s, "rehearsal", "Something")
    row = add(journal, activity="journal club on alliance research")
    assert (row.activity, row.activity_label) == (
        "journal-club",
        "Journal club on alliance research",
    )


def test_weeks_start_on_monday_and_empty_weeks_are_zero() -> None:
    items = [
        (dt.date(2026, 3, 1), 20),  # Sunday: week of Monday 23 February
        (dt.date(2026, 3, 2), 30),  # Monday: a new week
        (dt.date(2026, 3, 8), 15),  # Sunday: same week as the 2nd
        (dt.date(2026, 3, 23), 60),  # two empty weeks before
    ]
    weeks = p.period_totals(items, "week")
    assert [(w.period_start, w.minutes, w.entries) for w in weeks] == [
        (dt.date(2026, 2, 23), 20, 1),
        (dt.date(2026, 3, 2), 45, 2),
        (dt.date(2026, 3, 9), 0, 0),
        (dt.date(2026, 3, 16), 0, 0),
        (dt.date(2026, 3, 23), 60, 1),
    ]
    # A range: items outside it do not count, empty weeks at both ends are kept.
    ranged = p.period_totals(items, "week", dt.date(2026, 3, 4), dt.date(2026, 4, 1))
    assert [(w.period_start, w.minutes) for w in ranged] == [
        (dt.date(2026, 3, 2), 15),
        (dt.date(2026, 3, 9), 0),
        (dt.date(2026, 3, 16), 0),
        (dt.date(2026, 3, 23), 60),
        (dt.date(2026, 3, 30), 0),
    ]


def test_months_across_year_end_and_february() -> None:
    items = [(dt.date(2025, 12, 31), 10), (dt.date(2026, 1, 1), 20), (dt.date(2026, 3, 31), 5)]
    months = p.period_totals(items, "month")
    assert [(m.period_start, m.minutes, m.entries) for m in months] == [
        (dt.date(2025, 12, 1), 10, 1),
        (dt.date(2026, 1, 1), 20, 1),
        (dt.date(2026, 2, 1), 0, 0),
        (dt.date(2026, 3, 1), 5, 1),
    ]
    assert p.period_totals([], "month") == ()


def test_summary_reads_the_database_up_to_today(journal: Database) -> None:
    add(journal, date=dt.date(2026, 3, 1), minutes=25)
    add(journal, date=dt.date(2026, 3, 3), minutes=35)
    add(journal, date=dt.date(2026, 3, 4), minutes=40)
    with journal.session() as s:
        weeks = p.summary(s, "week", today=TODAY)
        months = p.summary(s, "month", since=dt.date(2026, 1, 15), today=TODAY)
    assert [(w.period_start, w.minutes, w.entries) for w in weeks] == [
        (dt.date(2026, 2, 23), 25, 1),
        (dt.date(2026, 3, 2), 75, 2),
        (dt.date(2026, 3, 9), 0, 0),
        (dt.date(2026, 3, 16), 0, 0),
    ]
    assert [(m.period_start, m.minutes) for m in months] == [
        (dt.date(2026, 1, 1), 0),
        (dt.date(2026, 2, 1), 0),
        (dt.date(2026, 3, 1), 100),
    ]


def test_a_fresh_database_gets_a_therapist_on_the_first_entry(db: Database) -> None:
    add(db)
    with db.session() as s:
        assert list(s.scalars(select(Therapist.code))) == ["me"]


def test_list_filters(journal: Database) -> None:
    add(journal, date=dt.date(2026, 3, 2), activity="coaching", domain="Structure")
    add(journal, date=dt.date(2026, 3, 3), activity="coaching", domain="Relationship")
    add(journal, date=dt.date(2026, 3, 4), activity="study", domain="Relationship")
    with journal.session() as s:
        coaching = p.list_entries(s, activity="Coaching or feedback on a recording")
        relationship = p.list_entries(s, domain="relationship", since=dt.date(2026, 3, 4))
        with pytest.raises(UserError, match="did you mean 'coaching'"):
            p.list_entries(s, activity="coching")
    assert [e.date.day for e in coaching] == [2, 3]
    assert [(e.date.day, e.activity) for e in relationship] == [(4, "study")]
