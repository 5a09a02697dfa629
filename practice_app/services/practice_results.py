"""Practice against results and workload against results: the data of two Practice tabs.

Qt-free. ``load_practice_results`` and ``load_workload`` read the database (the lean
outcome load of services.outcomes, practice entries, sessions counted per day in SQL,
weekly reviews) and compute everything with practice_app.analysis (science.md
sections 5 and 6; choices the design leaves open are in analysis.practice_results).

Effect sizes and SAES are those of the Effectiveness screen: the same 2,000-resample
fixed-seed bootstrap, the SAES reference fitted once on the therapist's own measured
episodes over all time, rolling windows only where 12 months of history lie behind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session as OrmSession

from practice_app.analysis.effectiveness import (
    MIN_EPISODES,
    EpisodeOutcomes,
    Figure,
    SaesReference,
    effectiveness,
)
from practice_app.analysis.practice_results import (
    MIN_PAIRS,
    Decline,
    RankCorrelation,
    band_index,
    decline,
    episode_load,
    load_bands,
    pair_quarters,
    period_hours,
    quarter_index,
    quarter_start,
    rank_correlation,
    week_start,
    weekly_sessions,
)
from practice_app.analysis.scores import DateArray
from practice_app.analysis.windows import (
    effectiveness_by_period,
    period_labels,
    rolling_effectiveness,
)
from practice_app.errors import UserError
from practice_app.services.clients import primary_instrument
from practice_app.services.outcomes import effectiveness_from_rows, own_reference
from practice_app.storage.analysis_data import load_outcome_rows, to_dates
from practice_app.storage.instruments import load_instruments
from practice_app.storage.models import (
    Episode,
    PracticeEntry,
    Session,
    Therapist,
    WeeklyReview,
)

LAGS = (0, 1)
"""Lag options of the scatter, in quarters: practice in q against outcomes in q + lag."""
ROLLING_MONTHS = 12


@dataclass(frozen=True)
class MonthHours:
    """Practice hours logged in one calendar month."""

    start: dt.date
    hours: float


@dataclass(frozen=True)
class RollingPoint:
    """Effect size and SAES of the episodes ending in the 12 months up to ``month``."""

    month: dt.date
    start: dt.date
    end: dt.date
    n: int
    effect_size: Figure
    saes: Figure


@dataclass(frozen=True)
class QuarterPair:
    """One point of the scatter: practice hours in one quarter, SAES in the same or next."""

    practice_label: str
    practice_start: dt.date
    hours: float
    outcome_label: str
    outcome_start: dt.date
    saes: Figure
    """SAES of the episodes that ended in the outcome quarter (n = episodes)."""


@dataclass(frozen=True)
class Scatter:
    """Quarterly hours against quarterly SAES at one lag, with the rank correlation."""

    lag: int
    pairs: tuple[QuarterPair, ...]
    correlation: RankCorrelation
    left_out: int
    """Practice quarters whose outcome quarter had fewer than 10 episodes (no SAES)."""
    note: str
    """Which quarters were used, in words."""


@dataclass(frozen=True)
class PracticeResultsView:
    """Everything the Practice against results tab shows."""

    instrument: str
    therapist_code: str | None
    lag: int
    today: dt.date
    months: tuple[MonthHours, ...]
    rolling: tuple[RollingPoint, ...]
    scatters: tuple[Scatter, ...]
    """One per lag in LAGS."""
    entries: int
    total_hours: float
    episodes: int
    """Episodes with two or more measurements (behind the outcome figures)."""
    reference_note: str
    message: str = ""
    """Why there is nothing to show, else ""."""

    @property
    def scatter(self) -> Scatter | None:
        """The scatter at the requested lag."""
        return next((s for s in self.scatters if s.lag == self.lag), None)


@dataclass(frozen=True)
class WeekLoad:
    """Sessions held in one week (Monday to Sunday)."""

    start: dt.date
    sessions: int


@dataclass(frozen=True)
class EnergyPoint:
    """One weekly review's energy rating (0-10) and the sessions held that week."""

    week: dt.date
    energy: int
    sessions: int


@dataclass(frozen=True)
class BandFigures:
    """Outcomes of the episodes whose weekly load fell in one band."""

    label: str
    low: float
    high: float | None
    n: int
    mean_load: float
    effect_size: Figure
    saes: Figure
    reliably_improved: Figure


@dataclass(frozen=True)
class WorkloadView:
    """Everything the Workload against results tab shows."""

    instrument: str
    therapist_code: str | None
    today: dt.date
    weeks: tuple[WeekLoad, ...]
    typical_load: float | None
    """Median sessions per working week (weeks with at least one session)."""
    bands: tuple[BandFigures, ...]
    decline: Decline | None
    decline_text: str
    energy: tuple[EnergyPoint, ...]
    energy_vs_load: RankCorrelation
    episodes: int
    """Measured episodes with a weekly load (behind the band figures)."""
    reference_note: str
    message: str = ""


ViewT = TypeVar("ViewT", "PracticeResultsView", "WorkloadView")


# ----- loading --------------------------------------------------------------------------
def _therapist_id(session: OrmSession, code: str | None) -> int | None:
    if code is None:
        return None
    found = session.scalar(select(Therapist.id).where(Therapist.code == code))
    if found is None:
        raise UserError(f"unknown therapist '{code}'")
    return int(found)


def _instrument_name(session: OrmSession, name: str | None) -> str | None:
    """The instrument's stored name (None: the primary outcome instrument, if any)."""
    if name is None:
        d = primary_instrument(session)
        return d.name if d else None
    from practice_app.services.outcomes import find_instrument

    return find_instrument(load_instruments(session), name).name


def _outcomes(
    session: OrmSession, name: str, therapist_code: str | None, today: dt.date
) -> tuple[Any, Any]:
    """The lean outcome load and the effectiveness inputs computed from it."""
    instrument = load_instruments(session)[name]
    rows = load_outcome_rows(session, name, therapist_code=therapist_code)
    return rows, effectiveness_from_rows(instrument, rows, today)


def _practice_entries(session: OrmSession, therapist_id: int | None) -> tuple[DateArray, Any]:
    stmt = select(type_coerce(PracticeEntry.date, String), PracticeEntry.minutes)
    if therapist_id is not None:
        stmt = stmt.where(PracticeEntry.therapist_id == therapist_id)
    rows = session.execute(stmt).all()
    dates = to_dates([r[0] for r in rows])
    minutes = np.array([r[1] for r in rows], dtype=np.float64)
    return dates, minutes


def _date(value: np.datetime64) -> dt.date:
    return dt.date.fromisoformat(str(value.astype("datetime64[D]")))


def _reference_note(ref: SaesReference | None) -> str:
    if ref is None:
        return "No SAES: fewer than 3 measured episodes to fit the reference."
    return (
        f"SAES is computed against your own {ref.n:,} episodes over all time, so periods "
        "are compared with each other at equal case mix, not with other therapists."
    )


# ----- practice against results ---------------------------------------------------------
def _rolling(
    outcomes: EpisodeOutcomes, dates: DateArray, data: Any, ref: SaesReference | None
) -> tuple[RollingPoint, ...]:
    windows = rolling_effectiveness(outcomes, dates, data.instrument, ROLLING_MONTHS, ref)
    # As the Effectiveness screen: only windows with 12 months of history behind them.
    return tuple(
        RollingPoint(
            _date(np.datetime64(w.label, "M")), _date(w.start), _date(w.end), w.result.n,
            w.result.effect_size, w.result.saes,
        )
        for w in windows[ROLLING_MONTHS - 1 :]
    )  # fmt: skip


def _scatter(
    lag: int,
    q_start: DateArray,
    q_hours: Any,
    windows: list[Any],
) -> Scatter:
    practice_q = quarter_index(q_start)
    with_figure = [w for w in windows if w.result.saes.value is not None]
    outcome_q = quarter_index(np.array([w.start for w in with_figure], dtype="datetime64[D]"))
    rows, cols = pair_quarters(practice_q, outcome_q, lag)
    labels = period_labels(q_start, "quarter")
    pairs = tuple(
        QuarterPair(
            str(labels[r]), _date(q_start[r]), float(q_hours[r]), with_figure[c].label,
            _date(with_figure[c].start), with_figure[c].result.saes,
        )
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
    )  # fmt: skip
    x = np.array([p.hours for p in pairs], dtype=np.float64)
    y = np.array([p.saes.value for p in pairs], dtype=np.float64)
    correlation = rank_correlation(x, y)
    left_out = int(practice_q.size - rows.size)
    if practice_q.size:
        span = f"{labels[0]} to {labels[-1]}"
        when = "the same quarter" if lag == 0 else "the next quarter"
        note = (
            f"Practice quarters {span} (complete quarters since your first journal entry), "
            f"each against the SAES of episodes that ended in {when}; {left_out} left out "
            f"where that quarter had fewer than {MIN_EPISODES} episodes."
        )
    else:
        note = "No complete quarter of practice journal yet."
    return Scatter(lag, pairs, correlation, left_out, note)


def load_practice_results(
    session: OrmSession,
    *,
    instrument: str | None = "ORS",
    lag: int = 0,
    therapist_code: str | None = None,
    today: dt.date | None = None,
) -> PracticeResultsView:
    """Monthly hours, rolling effect size and SAES, and the quarterly scatter at each lag."""
    if lag not in LAGS:
        raise UserError(f"lag must be one of {', '.join(map(str, LAGS))} quarters")
    today = today or dt.date.today()
    therapist_id = _therapist_id(session, therapist_code)
    dates, minutes = _practice_entries(session, therapist_id)
    name = _instrument_name(session, instrument)
    empty = PracticeResultsView(
        name or "", therapist_code, lag, today, (), (), (), int(dates.size),
        float(minutes.sum() / 60.0), 0, "",
    )  # fmt: skip
    if name is None:
        return _with_message(empty, "No outcome scores yet: nothing to set practice against.")
    _rows, data = _outcomes(session, name, therapist_code, today)
    measured = data.measured
    ref = own_reference(data)
    outcomes = data.outcomes.subset(measured)
    when = data.window_date[measured]
    if not dates.size and not measured.any():
        return _with_message(
            empty, "No practice entries and no episodes with two or more measurements yet."
        )
    # Months: from the first practice entry or outcome window to today's month.
    starts = [d.min() for d in (dates, when[~np.isnat(when)]) if d.size]
    first = min(starts) if starts else np.datetime64(today, "D")
    m_start, m_hours = period_hours(dates, minutes, "month", first, np.datetime64(today, "D"))
    months = tuple(MonthHours(_date(s), float(h)) for s, h in zip(m_start, m_hours, strict=True))
    rolling = _rolling(outcomes, when, data, ref)
    # Quarters of practice: complete ones, from the quarter of the first entry.
    scatters: tuple[Scatter, ...] = ()
    quarters = effectiveness_by_period(outcomes, when, data.instrument, "quarter", ref)
    if dates.size:
        this_q = int(quarter_index(np.array([today], dtype="datetime64[D]"))[0])
        last_complete = quarter_start(np.array([this_q - 1]))[0]
        q_start, q_hours = period_hours(dates, minutes, "quarter", dates.min(), last_complete)
    else:
        q_start, q_hours = np.empty(0, "datetime64[D]"), np.empty(0)
    scatters = tuple(_scatter(lag_, q_start, q_hours, quarters) for lag_ in LAGS)
    return PracticeResultsView(
        instrument=name,
        therapist_code=therapist_code,
        lag=lag,
        today=today,
        months=months,
        rolling=rolling,
        scatters=scatters,
        entries=int(dates.size),
        total_hours=float(minutes.sum() / 60.0),
        episodes=int(measured.sum()),
        reference_note=_reference_note(ref),
    )


def _with_message(view: ViewT, message: str) -> ViewT:
    return replace(view, message=message)


# ----- workload against results ---------------------------------------------------------
def _sessions_per_day(session: OrmSession, therapist_id: int | None) -> tuple[DateArray, Any, Any]:
    """(day, therapist id, sessions) per day and therapist: counted in SQL, few rows."""
    day = type_coerce(Session.date, String)
    stmt = (
        select(day, Episode.therapist_id, func.count(Session.id))
        .join(Episode, Episode.id == Session.episode_id)
        .where(Session.date.is_not(None))
        .group_by(Session.date, Episode.therapist_id)
    )
    if therapist_id is not None:
        stmt = stmt.where(Episode.therapist_id == therapist_id)
    rows = session.execute(stmt).all()
    return (
        to_dates([r[0] for r in rows]),
        np.array([r[1] for r in rows], dtype=np.int64),
        np.array([r[2] for r in rows], dtype=np.int64),
    )


def _episode_therapists(session: OrmSession, ids: Any) -> Any:
    rows = session.execute(select(Episode.id, Episode.therapist_id)).all()
    lookup = dict(rows)
    return np.array([lookup.get(int(i), -1) for i in ids], dtype=np.int64)


def _decline_text(bands: tuple[BandFigures, ...], found: Decline | None) -> str:
    figured = [b for b in bands if b.saes.value is not None]
    if len(figured) < 2:
        return (
            f"Too few bands with {MIN_EPISODES}+ episodes to compare loads: more history is needed."
        )
    if found is None:
        best = max(figured, key=lambda b: b.saes.value or 0.0)
        return (
            f"No fall with load in your data: SAES is highest at {best.label} sessions "
            "a week and not lower in any heavier band."
        )
    peak, start = bands[found.peak], bands[found.start]
    p, s = peak.saes.value or 0.0, start.saes.value or 0.0
    sure = (
        "its 95% CI lies wholly below the peak"
        if found.clear
        else "the CIs overlap, so this may be chance"
    )
    return (
        f"Effectiveness is highest at {peak.label} sessions a week (SAES {p:.2f}, "
        f"n={peak.n}) and lower from {start.label} (SAES {s:.2f}, n={start.n}); {sure}."
    )


def load_workload(
    session: OrmSession,
    *,
    instrument: str | None = "ORS",
    therapist_code: str | None = None,
    today: dt.date | None = None,
) -> WorkloadView:
    """Sessions per week, outcomes by weekly load band, and energy ratings by week."""
    today = today or dt.date.today()
    therapist_id = _therapist_id(session, therapist_code)
    name = _instrument_name(session, instrument)
    days, owners, per_day = _sessions_per_day(session, therapist_id)
    ids, owner = np.unique(owners, return_inverse=True)
    n_owners = max(int(ids.size), 1)
    weeks, counts = weekly_sessions(days, owner, n_owners, per_day)
    total = counts.sum(axis=0)
    week_rows = tuple(
        WeekLoad(_date(w), int(c)) for w, c in zip(weeks, total.tolist(), strict=True)
    )
    working = total[total > 0]
    typical = float(np.median(working)) if working.size else None
    no_corr = RankCorrelation(None, None, 0, None, "no weekly reviews with an energy rating")
    empty = WorkloadView(
        name or "", therapist_code, today, week_rows, typical, (), None, "", (), no_corr, 0, ""
    )
    # Energy ratings, each with its own therapist's sessions that week.
    stmt = select(
        type_coerce(WeeklyReview.week_start, String), WeeklyReview.therapist_id, WeeklyReview.energy
    ).where(WeeklyReview.energy.is_not(None))
    if therapist_id is not None:
        stmt = stmt.where(WeeklyReview.therapist_id == therapist_id)
    reviews = sorted(session.execute(stmt).all(), key=lambda r: str(r[0]))
    r_week = week_start(to_dates([r[0] for r in reviews]))
    r_energy = np.array([r[2] for r in reviews], dtype=np.int64)
    index = {int(t): i for i, t in enumerate(ids.tolist())}
    r_owner = np.array([index.get(int(r[1]), -1) for r in reviews], dtype=np.int64)
    r_sessions = np.zeros(r_week.size, dtype=np.int64)
    if weeks.size and r_week.size:
        k = (r_week - weeks[0]).astype(np.int64) // 7
        ok = (k >= 0) & (k < weeks.size) & (r_owner >= 0)
        r_sessions[ok] = counts[r_owner[ok], k[ok]]
    energy = tuple(
        EnergyPoint(_date(w), int(e), int(s))
        for w, e, s in zip(r_week, r_energy.tolist(), r_sessions.tolist(), strict=True)
    )
    energy_vs_load = rank_correlation(r_sessions, r_energy) if r_week.size else no_corr
    empty = WorkloadView(
        name or "", therapist_code, today, week_rows, typical, (), None, "", energy,
        energy_vs_load, 0, "",
    )  # fmt: skip
    if name is None:
        return _with_message(empty, "No outcome scores yet: nothing to set workload against.")
    rows, data = _outcomes(session, name, therapist_code, today)
    ep_therapist = _episode_therapists(session, rows.episode_id)
    ep_owner = np.array([index.get(int(t), 0) for t in ep_therapist], dtype=np.int64)
    load = episode_load(rows.first_session_date, rows.last_session_date, ep_owner, weeks, counts)
    measured = data.measured & ~np.isnan(load)
    ref = own_reference(data)
    bands = load_bands(load[measured])
    which = band_index(load, bands)
    figures = []
    for b, band in enumerate(bands):
        mask = measured & (which == b)
        result = effectiveness(data.outcomes.subset(mask), data.instrument, ref)
        figures.append(
            BandFigures(
                band.label, band.low, band.high, result.n, float(load[mask].mean()),
                result.effect_size, result.saes, result.percent["reliably_improved"],
            )
        )  # fmt: skip
    found = decline([f.saes.value for f in figures], [f.saes.ci for f in figures])
    band_tuple = tuple(figures)
    return WorkloadView(
        instrument=name,
        therapist_code=therapist_code,
        today=today,
        weeks=week_rows,
        typical_load=typical,
        bands=band_tuple,
        decline=found,
        decline_text=_decline_text(band_tuple, found),
        energy=energy,
        energy_vs_load=energy_vs_load,
        episodes=int(measured.sum()),
        reference_note=_reference_note(ref),
    )


__all__ = [
    "LAGS",
    "MIN_PAIRS",
    "BandFigures",
    "EnergyPoint",
    "MonthHours",
    "PracticeResultsView",
    "QuarterPair",
    "RollingPoint",
    "Scatter",
    "WeekLoad",
    "WorkloadView",
    "load_practice_results",
    "load_workload",
]
