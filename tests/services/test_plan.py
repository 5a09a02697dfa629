"""The development plan: one focus at a time, baselines counted by hand, reviews."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import select

from practice_app.errors import UserError
from practice_app.services import plan
from practice_app.storage.database import Database
from practice_app.storage.models import (
    Client,
    Episode,
    Instrument,
    PracticeObjective,
    Score,
    Session,
    Therapist,
)

START = dt.date(2026, 1, 1)
TODAY = dt.date(2026, 6, 30)
# (intake, outcome) of episodes ending in 2025 (the baseline year) and since the start.
BEFORE = [(12.0 + (i * 7) % 13, 12.0 + (i * 7) % 13 + (i * 3) % 11 - 2.0) for i in range(14)]
AFTER = [(14.0 + (i * 5) % 9, 14.0 + (i * 5) % 9 + (i * 4) % 13 - 1.0) for i in range(11)]


def write(db: Database, episodes: list[tuple[dt.date, float, float]]) -> None:
    """Closed ORS episodes: intake four weeks before the end, outcome on the end date."""
    with db.session() as s:
        ors = s.scalars(select(Instrument).where(Instrument.name == "ORS")).one()
        therapist = Therapist(code="T1", display_name="Test")
        s.add(therapist)
        for i, (end, intake, outcome) in enumerate(episodes):
            start = end - dt.timedelta(days=28)
            episode = Episode(
                client=Client(code=f"C{i:03d}"), therapist=therapist, start_date=start,
                end_date=end, ending_reason="planned",
            )  # fmt: skip
            for number, (day, total) in enumerate(((start, intake), (end, outcome)), start=1):
                session = Session(episode=episode, number=number, date=day)
                session.scores.append(Score(instrument=ors, total=total))
            s.add(episode)


@pytest.fixture
def outcomes(db: Database) -> Database:
    before = [
        (dt.date(2025, 2, 1) + dt.timedelta(days=20 * i), a, b) for i, (a, b) in enumerate(BEFORE)
    ]
    after = [
        (dt.date(2026, 1, 10) + dt.timedelta(days=14 * i), a, b) for i, (a, b) in enumerate(AFTER)
    ]
    old = [(dt.date(2024, 6, 1), 10.0, 30.0)]  # ended more than 12 months before: not counted
    write(db, before + after + old)
    return db


def hand(pairs: list[tuple[float, float]]) -> dict[str, float]:
    intake = np.array([a for a, _ in pairs])
    change = np.array([b - a for a, b in pairs])
    outcome = intake + change
    return {
        "n": len(pairs),
        "effect_size": change.mean() / intake.std(ddof=1),
        "reliably_improved": 100 * np.mean(change >= 5 - 1e-9),
        "recovered": 100 * np.mean((change >= 5 - 1e-9) & (intake < 25) & (outcome >= 25)),
    }


def test_first_objective_starts_with_a_baseline_of_the_year_before(outcomes: Database) -> None:
    with outcomes.session() as s:
        row = plan.add_objective(
            s, title="Respond to every low SRS", focus_area="Alliance", domain="relationship",
            success_criteria="Every SRS below 36 discussed", start_date=START,
            review_date=dt.date(2026, 4, 1), today=TODAY,
        )  # fmt: skip
    assert (row.status, row.domain, row.focus_area) == ("active", "Relationship", "Alliance")
    base = row.baseline
    assert base is not None
    expected = hand(BEFORE)
    assert (base.since, base.until) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert base.n == expected["n"]
    assert base.effect_size == pytest.approx(expected["effect_size"], abs=1e-3)
    assert base.reliably_improved == pytest.approx(expected["reliably_improved"], abs=0.05)
    assert base.recovered == pytest.approx(expected["recovered"], abs=0.05)
    assert base.effect_size_ci is not None and base.effect_size_ci[0] < base.effect_size
    # Stored as JSON and read back the same.
    with outcomes.session() as s:
        stored = s.get(PracticeObjective, row.id)
        assert stored is not None and plan.Snapshot.from_json(stored.baseline or {}) == base
        review = plan.review_objective(s, row.id, today=TODAY)
    now = hand(AFTER)
    assert review.since_start is not None and review.since_start.n == now["n"]
    assert review.changes["effect_size"] == pytest.approx(
        now["effect_size"] - expected["effect_size"], abs=2e-3
    )


def test_one_focus_at_a_time(outcomes: Database) -> None:
    with outcomes.session() as s:
        first = plan.add_objective(
            s, title="A", focus_area="Alliance", start_date=START, today=TODAY
        )
        same = plan.add_objective(s, title="B", focus_area="alliance ", today=TODAY)
        other = plan.add_objective(s, title="C", domain="Hope & Expectancy", today=TODAY)
        assert (same.status, other.status, other.baseline) == ("active", "planned", None)
        assert plan.current_focus(plan.list_objectives(s)) == "Alliance"
        with pytest.raises(UserError, match="current focus is 'Alliance'"):
            plan.start_objective(s, other.id, today=TODAY)
        started = plan.start_objective(s, other.id, close_current="achieved", today=TODAY)
        assert started.status == "active" and started.baseline is not None
        closed = {o.id: (o.status, o.closed_date) for o in plan.list_objectives(s)}
    assert closed[first.id] == ("achieved", TODAY) and closed[same.id] == ("achieved", TODAY)


def test_bad_objectives_are_refused(outcomes: Database) -> None:
    with outcomes.session() as s:
        with pytest.raises(UserError, match="needs a title"):
            plan.add_objective(s, title="  ", today=TODAY)
        with pytest.raises(UserError, match="did you mean 'Structure'"):
            plan.add_objective(s, title="x", domain="structur", today=TODAY)
        with pytest.raises(UserError, match="before the start"):
            plan.add_objective(s, title="x", start_date=TODAY, review_date=START, today=TODAY)
        assert plan.list_objectives(s) == ()
        row = plan.add_objective(s, title="x", today=TODAY)
        with pytest.raises(UserError, match="choose achieved or dropped"):
            plan.close_objective(s, row.id, status="done", today=TODAY)
        done = plan.close_objective(s, row.id, status="dropped", note="Not now", today=TODAY)
        assert (done.status, done.closed_date, done.review_note) == ("dropped", TODAY, "Not now")
        with pytest.raises(UserError, match="already closed"):
            plan.close_objective(s, row.id, status="achieved", today=TODAY)


def test_baseline_says_not_enough_data_below_ten_episodes(db: Database) -> None:
    write(db, [(dt.date(2025, 5, 1), 15.0, 22.0)] * 3)
    with db.session() as s:
        row = plan.add_objective(s, title="x", start_date=START, today=TODAY)
    assert row.baseline is not None
    assert (row.baseline.n, row.baseline.enough, row.baseline.effect_size) == (3, False, None)
    assert "not enough data" in row.baseline.reason
