"""The Overview's figures (practice_app.storage.overview) on hand-counted data."""

from __future__ import annotations

import datetime as dt

from gui_sample_data import EXPECTED, TODAY

from practice_app.storage.database import Database
from practice_app.storage.overview import load_overview


def test_counts_match_the_hand_counted_sample(sample_db: Database) -> None:
    with sample_db.session() as session:
        overview = load_overview(session, today=TODAY)
    assert overview.therapists == EXPECTED["therapists"]
    assert overview.clients == EXPECTED["clients"]
    assert overview.open_episodes == EXPECTED["open_episodes"]
    assert overview.closed_episodes == EXPECTED["closed_episodes"]
    assert overview.episodes == 4
    assert overview.sessions == EXPECTED["sessions"]
    assert [(i.name, i.scores) for i in overview.instruments] == [
        ("ORS", EXPECTED["ors"]),
        ("SRS", EXPECTED["srs"]),
    ]
    assert overview.scores == 12
    assert [i.alliance for i in overview.instruments] == [False, True]
    assert overview.first_session == EXPECTED["first_session"]
    assert overview.last_session == EXPECTED["last_session"]
    assert overview.practice_entries == EXPECTED["practice_entries"]
    assert overview.practice_minutes_total == EXPECTED["practice_minutes_total"]
    assert overview.year == 2026
    assert overview.practice_minutes_this_year == EXPECTED["practice_minutes_2026"]
    assert overview.endings == (("planned", 1), ("stopped", 1))
    assert not overview.is_empty


def test_months_run_from_first_to_last_activity_with_gaps_as_zeros(sample_db: Database) -> None:
    with sample_db.session() as session:
        overview = load_overview(session, today=TODAY)
    months = {m.month: (m.sessions, m.practice_minutes) for m in overview.months}
    assert months == EXPECTED["months"]
    assert [m.month for m in overview.months] == sorted(EXPECTED["months"])
    assert overview.months[-1].practice_hours == 1.5


def test_this_year_follows_today(sample_db: Database) -> None:
    with sample_db.session() as session:
        overview = load_overview(session, today=dt.date(2025, 12, 31))
    assert overview.year == 2025
    assert overview.practice_minutes_this_year == 30


def test_an_empty_database_is_empty(db: Database) -> None:
    with db.session() as session:
        overview = load_overview(session, today=TODAY)
    assert overview.is_empty
    assert overview.months == ()
    assert overview.instruments == ()
    assert (overview.first_session, overview.last_session) == (None, None)
    assert overview.practice_minutes_this_year == 0
