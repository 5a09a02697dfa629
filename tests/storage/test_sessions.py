"""Writes for one episode on real SQLite files: add and delete sessions, close episodes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from practice_app.errors import UserError
from practice_app.storage.database import Database
from practice_app.storage.models import Client, Episode, Instrument, Score, Session, Therapist
from practice_app.storage.sessions import (
    add_session,
    check_scores,
    close_episode,
    delete_session,
    reopen_episode,
)

DAY = dt.date(2026, 3, 2)


def _episode(db: Database, sessions: int = 2) -> int:
    """An open episode with ``sessions`` sessions a week apart, ORS totals only."""
    with db.session() as s:
        ors = s.scalars(select(Instrument).where(Instrument.name == "ORS")).one()
        episode = Episode(client=Client(code="K-1"), therapist=Therapist(code="T1"))
        for number in range(1, sessions + 1):
            day = DAY + dt.timedelta(days=7 * (number - 1))
            row = Session(number=number, date=day)
            row.scores = [Score(instrument=ors, total=20.0 + number)]
            episode.sessions.append(row)
        s.add(episode)
        s.flush()
        return episode.id


def _scores(db: Database, session_id: int) -> dict[str, tuple[float, list[float | None] | None]]:
    with db.session() as s:
        rows = s.execute(
            select(Instrument.name, Score.total, Score.items)
            .join(Score, Score.instrument_id == Instrument.id)
            .where(Score.session_id == session_id)
        ).all()
        return {name: (total, items) for name, total, items in rows}


def test_add_session_numbers_it_next_and_computes_totals_from_items(db: Database) -> None:
    episode = _episode(db)
    with db.session() as s:
        new_id = add_session(
            s,
            episode,
            DAY + dt.timedelta(days=14),
            {"ORS": (None, [5.2, 6.0, 4.4, 7.1]), "SRS": (37.5, None)},
            notes="calm",
        )
    with db.session() as s:
        row = s.get(Session, new_id)
        assert row is not None
        assert (row.number, row.date, row.notes) == (3, DAY + dt.timedelta(days=14), "calm")
    scores = _scores(db, new_id)
    assert scores["ORS"][0] == pytest.approx(22.7)  # 5.2 + 6.0 + 4.4 + 7.1
    assert scores["ORS"][1] == [5.2, 6.0, 4.4, 7.1]
    assert scores["SRS"] == (37.5, None)


def test_items_and_total_within_a_tenth_keep_the_given_total(db: Database) -> None:
    episode = _episode(db)
    with db.session() as s:
        new_id = add_session(
            s, episode, DAY + dt.timedelta(days=8), {"ORS": (22.8, [5.2, 6, 4.4, 7.1])}
        )
    assert _scores(db, new_id)["ORS"][0] == 22.8


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({"ORS": (41.0, None)}, "ORS total: 41 is above the total maximum 40"),
        ({"ORS": (-1.0, None)}, "ORS total: -1 is below the total minimum 0"),
        (
            {"ORS": (None, [5, 10.5, 5, 5])},
            "ORS Interpersonally: 10.5 is above the item maximum 10",
        ),
        ({"ORS": (None, [5, None, 5, 5])}, "ORS Interpersonally: missing"),
        (
            {"ORS": (25.0, [5, 5, 5, 5])},
            "ORS total: 25 does not match the items, which add up to 20",
        ),
        ({"ORS": (None, [5, 5, 5])}, "ORS total: expected 4 items, got 3"),
        ({"XYZ": (3.0, None)}, "unknown instrument 'XYZ'"),
    ],
)
def test_a_bad_score_names_the_field_and_writes_nothing(
    db: Database, scores: dict[str, tuple[float | None, list[float | None] | None]], message: str
) -> None:
    episode = _episode(db)
    with pytest.raises(UserError, match=message.replace("(", r"\(")), db.session() as s:
        add_session(s, episode, DAY + dt.timedelta(days=20), scores)
    with db.session() as s:
        assert s.scalars(select(Session.number).where(Session.episode_id == episode)).all() == [
            1,
            2,
        ]


def test_check_scores_reports_every_problem_with_its_field(db: Database) -> None:
    from practice_app.storage.instruments import load_instruments

    with db.session() as s:
        defs = load_instruments(s)
    checked, problems = check_scores(
        defs, {"ORS": (None, [11, 5, -1, 5]), "SRS": (None, [9, 9, 9, 9])}
    )
    assert [(p.instrument, p.item) for p in problems] == [("ORS", 0), ("ORS", 2)]
    assert checked["SRS"].total == 36.0
    assert "ORS" not in checked


def test_a_date_before_the_latest_session_or_a_closed_episode_is_refused(db: Database) -> None:
    episode = _episode(db)
    with (
        pytest.raises(UserError, match="date: 2026-03-01 is before the latest session"),
        db.session() as s,
    ):
        add_session(s, episode, dt.date(2026, 3, 1), {"ORS": (20.0, None)})
    with db.session() as s:
        close_episode(s, episode, DAY + dt.timedelta(days=7), "planned")
    with pytest.raises(UserError, match="is closed"), db.session() as s:
        add_session(s, episode, DAY + dt.timedelta(days=30), {"ORS": (20.0, None)})


def test_delete_session_removes_it_and_its_scores(db: Database) -> None:
    episode = _episode(db)
    with db.session() as s:
        new_id = add_session(s, episode, DAY + dt.timedelta(days=14), {"ORS": (30.0, None)})
    with db.session() as s:
        delete_session(s, new_id)
    with db.session() as s:
        assert s.get(Session, new_id) is None
        assert s.scalar(select(Score.id).where(Score.session_id == new_id)) is None
        assert s.scalars(select(Session.number).where(Session.episode_id == episode)).all() == [
            1,
            2,
        ]
    with pytest.raises(UserError, match="no session"), db.session() as s:
        delete_session(s, new_id)


def test_close_episode_stores_the_reason_and_end_date_and_can_be_undone(db: Database) -> None:
    episode = _episode(db)
    with db.session() as s:
        previous = close_episode(s, episode, DAY + dt.timedelta(days=10), "referred")
    assert previous == (None, None)
    with db.session() as s:
        row = s.get(Episode, episode)
        assert row is not None
        assert (row.end_date, row.ending_reason) == (DAY + dt.timedelta(days=10), "referred")
    with db.session() as s:
        reopen_episode(s, episode, *previous)
    with db.session() as s:
        row = s.get(Episode, episode)
        assert row is not None
        assert (row.end_date, row.ending_reason) == (None, None)


def test_close_episode_refuses_unknown_reasons_and_early_end_dates(db: Database) -> None:
    episode = _episode(db)  # last session on DAY + 7
    with (
        pytest.raises(UserError, match="reason: unknown ending reason 'bored'"),
        db.session() as s,
    ):
        close_episode(s, episode, DAY + dt.timedelta(days=30), "bored")
    with (
        pytest.raises(UserError, match="end date: 2026-03-08 is before the last session"),
        db.session() as s,
    ):
        close_episode(s, episode, DAY + dt.timedelta(days=6), "planned")
    with pytest.raises(UserError, match="no episode with id 999"), db.session() as s:
        close_episode(s, 999, DAY, "planned")
