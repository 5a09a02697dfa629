"""Practice and workload against results on hand-built databases.

The SAES of each quarter and band is recomputed here from its definition (science.md
section 5: outcome = a + b x intake fitted on all the therapist's measured episodes;
SAES = (mean change in the pool + mean residual) / SD of intake in the pool), and the
correlation with scipy's spearmanr, so nothing is checked against the code itself.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy import stats
from sqlalchemy import select

from practice_app.errors import UserError
from practice_app.services.practice_results import load_practice_results
from practice_app.services.workload import load_workload
from practice_app.storage.database import Database
from practice_app.storage.models import (
    Client,
    Episode,
    Instrument,
    PracticeEntry,
    Score,
    Session,
    Therapist,
    WeeklyReview,
)

TODAY = dt.date(2026, 12, 1)
PRACTICE_QUARTERS = [(2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3)]
HOURS = [10, 20, 5, 30, 15, 25, 40]
OUTCOME_QUARTERS = [*PRACTICE_QUARTERS, (2026, 4)]
GAIN = {  # mean change per outcome quarter; 2025-Q3 holds only 4 episodes (no figure)
    (2025, 1): 4.0,
    (2025, 2): 6.0,
    (2025, 3): 9.0,
    (2025, 4): 8.0,
    (2026, 1): 7.0,
    (2026, 2): 5.0,
    (2026, 3): 9.5,
    (2026, 4): 6.5,
}


def _qstart(year: int, q: int) -> dt.date:
    return dt.date(year, 3 * q - 2, 1)


def _episode(s: object, ors: Instrument, therapist: Therapist, code: str, days: list[dt.date],
             totals: list[float | None], end: dt.date | None) -> Episode:  # fmt: skip
    episode = Episode(
        client=Client(code=code),
        therapist=therapist,
        end_date=end,
        ending_reason="planned" if end else None,
    )
    for number, (day, total) in enumerate(zip(days, totals, strict=True), start=1):
        scores = [] if total is None else [Score(instrument=ors, total=total)]
        episode.sessions.append(Session(number=number, date=day, scores=scores))
    return episode


@pytest.fixture
def practice_db(db: Database) -> tuple[Database, list[tuple[float, float, tuple[int, int]]]]:
    """T1's journal and episodes by quarter; T2 with one entry that must not count for T1."""
    rows: list[tuple[float, float, tuple[int, int]]] = []
    with db.session() as s:
        ors = s.scalars(select(Instrument).where(Instrument.name == "ORS")).one()
        t1, t2 = Therapist(code="T1"), Therapist(code="T2")
        s.add_all([t1, t2])
        s.flush()
        for (year, q), hours in zip(PRACTICE_QUARTERS, HOURS, strict=True):
            day = _qstart(year, q) + dt.timedelta(days=40)
            for k in range(hours):  # one hour a day
                s.add(PracticeEntry(therapist_id=t1.id, date=day + dt.timedelta(days=k % 20),
                                    minutes=60, activity="rehearsal"))  # fmt: skip
        # The quarter under way: in the monthly hours, never in the scatter.
        s.add(
            PracticeEntry(
                therapist_id=t1.id, date=dt.date(2026, 11, 2), minutes=600, activity="study"
            )
        )
        s.add(
            PracticeEntry(
                therapist_id=t2.id, date=dt.date(2025, 2, 10), minutes=900, activity="study"
            )
        )
        n = 0
        for year, q in OUTCOME_QUARTERS:
            end = _qstart(year, q) + dt.timedelta(days=60)
            for i in range(4 if (year, q) == (2025, 3) else 10):
                intake = 10.0 + i
                outcome = intake + GAIN[(year, q)] + (i % 3)
                n += 1
                days = [end - dt.timedelta(days=28), end]
                s.add(_episode(s, ors, t1, f"P{n:03d}", days, [intake, outcome], end))
                rows.append((intake, outcome, (year, q)))
    return db, rows


def _saes_by_hand(rows: list[tuple[float, float, tuple[int, int]]]) -> dict[tuple[int, int], float]:
    intake = np.array([r[0] for r in rows])
    outcome = np.array([r[1] for r in rows])
    b, a = np.polyfit(intake, outcome, 1)
    mean_change = float(np.mean(outcome - intake))
    sd = float(np.std(intake, ddof=1))
    out = {}
    for quarter in OUTCOME_QUARTERS:
        m = np.array([r[2] == quarter for r in rows])
        if m.sum() >= 10:
            resid = outcome[m] - (a + b * intake[m])
            out[quarter] = (mean_change + float(resid.mean())) / sd
    return out


def test_monthly_hours_include_empty_months_and_only_the_therapists_entries(
    practice_db: tuple[Database, list[tuple[float, float, tuple[int, int]]]],
) -> None:
    db, _rows = practice_db
    with db.session() as s:
        view = load_practice_results(s, therapist_code="T1", today=TODAY)
    by_month = {m.start: m.hours for m in view.months}
    assert by_month[dt.date(2025, 2, 1)] == 10.0  # Q1's 10 hours from 10 Feb, T2's 15 not
    assert by_month[dt.date(2025, 3, 1)] == 0.0
    assert by_month[dt.date(2026, 11, 1)] == 10.0
    assert view.months[-1].start == dt.date(2026, 12, 1)
    assert view.entries == sum(HOURS) + 1
    assert view.total_hours == sum(HOURS) + 10
    assert view.episodes == 7 * 10 + 4


def test_scatter_pairs_quarters_and_the_correlation_matches_scipy(
    practice_db: tuple[Database, list[tuple[float, float, tuple[int, int]]]],
) -> None:
    db, rows = practice_db
    saes = _saes_by_hand(rows)
    hours = dict(zip(PRACTICE_QUARTERS, HOURS, strict=True))
    with db.session() as s:
        view = load_practice_results(s, therapist_code="T1", today=TODAY)
    scatter = view.scatter
    assert scatter is not None and scatter.lag == 0
    # 2025-Q3 has 4 episodes: no SAES, left out; 2026-Q4's practice is not complete.
    assert [p.practice_label for p in scatter.pairs] == [
        "2025-Q1", "2025-Q2", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3",
    ]  # fmt: skip
    assert scatter.left_out == 1
    keys = [(2025, 1), (2025, 2), (2025, 4), (2026, 1), (2026, 2), (2026, 3)]
    assert [p.hours for p in scatter.pairs] == [hours[k] for k in keys]
    for p, k in zip(scatter.pairs, keys, strict=True):
        assert p.saes.value == pytest.approx(saes[k], abs=1e-9)
        assert p.saes.n == 10
    x = [hours[k] for k in keys]
    y = [saes[k] for k in keys]
    assert scatter.correlation.n == 6
    assert scatter.correlation.rho == pytest.approx(stats.spearmanr(x, y).statistic)
    assert scatter.correlation.ci is not None


def test_lag_one_sets_practice_against_the_next_quarter(
    practice_db: tuple[Database, list[tuple[float, float, tuple[int, int]]]],
) -> None:
    db, rows = practice_db
    saes = _saes_by_hand(rows)
    hours = dict(zip(PRACTICE_QUARTERS, HOURS, strict=True))
    with db.session() as s:
        view = load_practice_results(s, therapist_code="T1", lag=1, today=TODAY)
    scatter = view.scatter
    assert scatter is not None and scatter.lag == 1
    pairs = [(p.practice_label, p.outcome_label) for p in scatter.pairs]
    # 2025-Q2 -> 2025-Q3 has no SAES; 2026-Q3 -> 2026-Q4 (under way) is allowed.
    assert pairs == [
        ("2025-Q1", "2025-Q2"), ("2025-Q3", "2025-Q4"), ("2025-Q4", "2026-Q1"),
        ("2026-Q1", "2026-Q2"), ("2026-Q2", "2026-Q3"), ("2026-Q3", "2026-Q4"),
    ]  # fmt: skip
    practice = [(2025, 1), (2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3)]
    outcome = [(2025, 2), (2025, 4), (2026, 1), (2026, 2), (2026, 3), (2026, 4)]
    x = [hours[k] for k in practice]
    y = [saes[k] for k in outcome]
    assert scatter.correlation.rho == pytest.approx(stats.spearmanr(x, y).statistic)
    assert "next quarter" in scatter.note


def test_too_few_quarters_give_no_correlation_and_say_why(
    practice_db: tuple[Database, list[tuple[float, float, tuple[int, int]]]],
) -> None:
    db, _rows = practice_db
    with db.session() as s:
        view = load_practice_results(s, therapist_code="T1", today=dt.date(2025, 10, 15))
    scatter = view.scatter
    assert scatter is not None
    assert [p.practice_label for p in scatter.pairs] == ["2025-Q1", "2025-Q2"]
    assert scatter.correlation.rho is None
    assert scatter.correlation.reason == "not enough data: 2 pairs, at least 6 needed"


def test_bad_lag_and_unknown_therapist_are_refused(db: Database) -> None:
    with db.session() as s:
        with pytest.raises(UserError, match="lag"):
            load_practice_results(s, lag=2)
        with pytest.raises(UserError, match="unknown therapist"):
            load_workload(s, therapist_code="NOPE")


def test_an_empty_database_says_what_is_missing(db: Database) -> None:
    with db.session() as s:
        view = load_practice_results(s, instrument=None, today=TODAY)
        work = load_workload(s, instrument=None, today=TODAY)
    assert view.message.startswith("No outcome scores yet")
    assert work.message.startswith("No outcome scores yet")
    assert work.weeks == () and work.bands == ()


MONDAY = dt.date(2026, 1, 5)


@pytest.fixture
def workload_db(db: Database) -> tuple[Database, list[tuple[float, float, str]]]:
    """12 episodes at 12 sessions a week, 12 at 22 (10 one-session episodes fill the weeks)."""
    rows: list[tuple[float, float, str]] = []
    with db.session() as s:
        ors = s.scalars(select(Instrument).where(Instrument.name == "ORS")).one()
        t1 = Therapist(code="T1")
        s.add(t1)
        s.flush()
        for group, week, gain in (("light", 0, 8.0), ("busy", 10, 2.0)):
            start = MONDAY + dt.timedelta(weeks=week)
            for i in range(12):
                intake = 12.0 + i
                outcome = intake + gain + (i % 3)
                days = [start, start + dt.timedelta(days=8)]  # Monday, then Tuesday next week
                s.add(_episode(s, ors, t1, f"{group}{i}", days, [intake, outcome], days[-1]))
                rows.append((intake, outcome, group))
        for i in range(10):  # unscored one-off sessions in both busy weeks, 5 per episode
            start = MONDAY + dt.timedelta(weeks=10 + i % 2)
            s.add(_episode(s, ors, t1, f"one{i}", [start + dt.timedelta(days=2)], [None], None))
        s.add_all(
            [
                WeeklyReview(therapist_id=t1.id, week_start=MONDAY, energy=8),
                WeeklyReview(
                    therapist_id=t1.id, week_start=MONDAY + dt.timedelta(weeks=5), energy=7
                ),
                WeeklyReview(
                    therapist_id=t1.id, week_start=MONDAY + dt.timedelta(weeks=10), energy=4
                ),
                WeeklyReview(therapist_id=t1.id, week_start=MONDAY + dt.timedelta(weeks=11)),
            ]
        )
    return db, rows


def test_sessions_per_week_and_energy_by_week(
    workload_db: tuple[Database, list[tuple[float, float, str]]],
) -> None:
    db, _rows = workload_db
    with db.session() as s:
        view = load_workload(s, today=TODAY)
    assert view.weeks[0].start == MONDAY
    counts = [w.sessions for w in view.weeks]
    # 12 light episodes in weeks 0 and 1; 12 busy ones + 5 one-offs in weeks 10 and 11.
    assert counts == [12, 12] + [0] * 8 + [17, 17]
    assert view.typical_load == 14.5
    assert [(e.week, e.energy, e.sessions) for e in view.energy] == [
        (MONDAY, 8, 12),
        (MONDAY + dt.timedelta(weeks=5), 7, 0),
        (MONDAY + dt.timedelta(weeks=10), 4, 17),
    ]
    assert view.energy_vs_load.rho is None  # 3 weeks: too few
    assert "3 pairs" in view.energy_vs_load.reason


def test_outcomes_by_load_band_and_where_they_fall(
    workload_db: tuple[Database, list[tuple[float, float, str]]],
) -> None:
    db, rows = workload_db
    with db.session() as s:
        view = load_workload(s, today=TODAY)
    # Loads: light episodes 12 a week (weeks 0-1), busy ones 17 (weeks 10-11).
    assert [b.label for b in view.bands] == ["under 15", "15 or more"]
    assert [b.n for b in view.bands] == [12, 12]
    assert [b.mean_load for b in view.bands] == [12.0, 17.0]
    assert view.episodes == 24
    intake = np.array([r[0] for r in rows])
    outcome = np.array([r[1] for r in rows])
    b, a = np.polyfit(intake, outcome, 1)
    base = float(np.mean(outcome - intake))
    sd = float(np.std(intake, ddof=1))
    for band, group in zip(view.bands, ("light", "busy"), strict=True):
        m = np.array([r[2] == group for r in rows])
        expected = (base + float(np.mean(outcome[m] - (a + b * intake[m])))) / sd
        assert band.saes.value == pytest.approx(expected, abs=1e-9)
    assert view.decline is not None
    assert (view.decline.peak, view.decline.start) == (0, 1)
    assert "lower from 15 or more" in view.decline_text


def test_each_episode_carries_its_own_therapists_load(db: Database) -> None:
    """T1 and T2 work the same two weeks: T1 holds 12 sessions a week, T2 17."""
    with db.session() as s:
        ors = s.scalars(select(Instrument).where(Instrument.name == "ORS")).one()
        t1, t2 = Therapist(code="T1"), Therapist(code="T2")
        days = [MONDAY, MONDAY + dt.timedelta(days=8)]
        for therapist, gain in ((t1, 8.0), (t2, 2.0)):
            for i in range(12):
                intake = 12.0 + i
                code = f"{therapist.code}-{i}"
                s.add(_episode(s, ors, therapist, code, days, [intake, intake + gain], days[1]))
        for i in range(10):
            day = MONDAY + dt.timedelta(weeks=i % 2, days=2)
            s.add(_episode(s, ors, t2, f"one{i}", [day], [None], None))
    with db.session() as s:
        both = load_workload(s, today=TODAY)
        only_t2 = load_workload(s, therapist_code="T2", today=TODAY)
    assert both.therapists == 2
    assert [w.sessions for w in both.weeks] == [29, 29]
    assert both.typical_load == 14.5  # median of the therapist-weeks 12, 12, 17, 17
    assert [b.label for b in both.bands] == ["under 15", "15 or more"]
    assert [(b.n, b.mean_load) for b in both.bands] == [(12, 12.0), (12, 17.0)]
    assert only_t2.therapists == 1
    assert [w.sessions for w in only_t2.weeks] == [17, 17]
    assert [(b.label, b.n, b.mean_load) for b in only_t2.bands] == [("any load", 12, 17.0)]
