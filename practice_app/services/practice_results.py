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
from sqlalchemy import String, select, type_coerce
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
from practice_app.analysis.scores import DateArray, FloatArray, IntArray
from practice_app.analysis.windows import Window, effectiveness_by_period, period_labels
from practice_app.errors import UserError
from practice_app.services.clients import primary_instrument
from practice_app.services.outcomes import (
    EffectivenessData,
    effectiveness_from_rows,
    own_reference,
)
from practice_app.storage.analysis_data import OutcomeRows, load_outcome_rows, to_dates
from practice_app.storage.instruments import load_instruments
from practice_app.storage.models import (
    Episode,
    PracticeEntry,
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
    """Median sessions in one therapist's working week (therapist-weeks with a session)."""
    bands: tuple[BandFigures, ...]
    decline: Decline | None
    decline_text: str
    energy: tuple[EnergyPoint, ...]
    energy_vs_load: RankCorrelation
    episodes: int
    """Measured episodes with a weekly load (behind the band figures)."""
    reference_note: str
    message: str = ""
    therapists: int = 1
    """Therapists whose sessions are counted (the weekly bars add them up)."""


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
@dataclass(frozen=True)
class PracticeInputs:
    """What the database worker reads for the Practice against results tab."""

    instrument: str
    therapist_code: str | None
    today: dt.date
    entry_dates: DateArray
    entry_minutes: FloatArray
    data: EffectivenessData | None
    """The outcome instrument's effectiveness inputs (None: no outcome scores at all)."""


def read_practice_inputs(
    session: OrmSession,
    *,
    instrument: str | None = "ORS",
    therapist_code: str | None = None,
    today: dt.date | None = None,
) -> PracticeInputs:
    """Read the journal and the outcome data (instrument None: the primary outcome one)."""
    today = today or dt.date.today()
    therapist_id = _therapist_id(session, therapist_code)
    dates, minutes = _practice_entries(session, therapist_id)
    name = _instrument_name(session, instrument)
    data = None if name is None else _outcomes(session, name, therapist_code, today)[1]
    return PracticeInputs(name or "", therapist_code, today, dates, minutes, data)


def _measured(inputs: PracticeInputs) -> tuple[EpisodeOutcomes, DateArray]:
    data = inputs.data
    assert data is not None
    m = data.measured
    return data.outcomes.subset(m), data.window_date[m]


def _month_index(dates: DateArray) -> IntArray:
    return np.asarray(dates.astype("datetime64[M]").astype(np.int64), dtype=np.int64)


def practice_rolling(inputs: PracticeInputs) -> tuple[RollingPoint, ...]:
    """Effect size and SAES over the 12 months up to each month (the costly part).

    As on the Effectiveness screen, a month gets a window only with 12 months of
    history behind it; months start at most 12 months before the first journal entry,
    so the line shows a year before the practice began and everything after.
    """
    if inputs.data is None:
        return ()
    outcomes, when = _measured(inputs)
    ok = ~np.isnat(when)
    if not ok.any():
        return ()
    month = _month_index(when)
    first = int(month[ok].min()) + ROLLING_MONTHS - 1
    if inputs.entry_dates.size:
        first = max(first, int(_month_index(inputs.entry_dates).min()) - ROLLING_MONTHS)
    last = int(_month_index(np.array([inputs.today], dtype="datetime64[D]"))[0])
    last = min(last, int(month[ok].max()))
    ref = own_reference(inputs.data)
    out = []
    for m in range(first, last + 1):
        inside = ok & (month > m - ROLLING_MONTHS) & (month <= m)
        result = effectiveness(outcomes.subset(inside), inputs.data.instrument, ref)
        start = np.datetime64(m - ROLLING_MONTHS + 1, "M").astype("datetime64[D]")
        end = np.datetime64(m + 1, "M").astype("datetime64[D]") - np.timedelta64(1, "D")
        out.append(
            RollingPoint(
                _date(np.datetime64(m, "M")), _date(start), _date(end), result.n,
                result.effect_size, result.saes,
            )
        )  # fmt: skip
    return tuple(out)


def _scatter(
    lag: int,
    q_start: DateArray,
    q_hours: FloatArray,
    windows: list[Window],
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


def practice_summary(inputs: PracticeInputs, lag: int = 0) -> PracticeResultsView:
    """Monthly hours and the quarterly scatter at each lag (no rolling windows)."""
    if lag not in LAGS:
        raise UserError(f"lag must be one of {', '.join(map(str, LAGS))} quarters")
    dates, minutes, today = inputs.entry_dates, inputs.entry_minutes, inputs.today
    empty = PracticeResultsView(
        inputs.instrument, inputs.therapist_code, lag, today, (), (), (), int(dates.size),
        float(minutes.sum() / 60.0), 0, "",
    )  # fmt: skip
    if inputs.data is None:
        return _with_message(empty, "No outcome scores yet: nothing to set practice against.")
    data = inputs.data
    outcomes, when = _measured(inputs)
    if not dates.size and not when.size:
        return _with_message(
            empty, "No practice entries and no episodes with two or more measurements yet."
        )
    # Months: from the first practice entry or outcome window to today's month.
    starts = [d.min() for d in (dates, when[~np.isnat(when)]) if d.size]
    first = min(starts) if starts else np.datetime64(today, "D")
    m_start, m_hours = period_hours(dates, minutes, "month", first, np.datetime64(today, "D"))
    months = tuple(MonthHours(_date(s), float(h)) for s, h in zip(m_start, m_hours, strict=True))
    # Quarters of practice: complete ones, from the quarter of the first entry; outcome
    # quarters only where a practice quarter can meet them (at any lag).
    if dates.size:
        this_q = int(quarter_index(np.array([today], dtype="datetime64[D]"))[0])
        last_complete = quarter_start(np.array([this_q - 1]))[0]
        q_start, q_hours = period_hours(dates, minutes, "quarter", dates.min(), last_complete)
    else:
        q_start, q_hours = np.empty(0, "datetime64[D]"), np.empty(0)
    windows: list[Window] = []
    if q_start.size:
        q = quarter_index(when)
        first_q = int(quarter_index(q_start[:1])[0])
        near = ~np.isnat(when) & (q >= first_q) & (q <= first_q + q_start.size - 1 + max(LAGS))
        windows = effectiveness_by_period(
            outcomes.subset(near), when[near], data.instrument, "quarter", own_reference(data)
        )
    scatters = tuple(_scatter(lag_, q_start, q_hours, windows) for lag_ in LAGS)
    return PracticeResultsView(
        instrument=inputs.instrument,
        therapist_code=inputs.therapist_code,
        lag=lag,
        today=today,
        months=months,
        rolling=(),
        scatters=scatters,
        entries=int(dates.size),
        total_hours=float(minutes.sum() / 60.0),
        episodes=int(when.size),
        reference_note=_reference_note(own_reference(data)),
    )


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
    inputs = read_practice_inputs(
        session, instrument=instrument, therapist_code=therapist_code, today=today
    )
    view = practice_summary(inputs, lag)
    return view if view.message else replace(view, rolling=practice_rolling(inputs))


def _with_message(view: ViewT, message: str) -> ViewT:
    return replace(view, message=message)


# ----- workload against results ---------------------------------------------------------
@dataclass(frozen=True)
class WorkloadInputs:
    """What the database worker reads for the Workload against results tab."""

    instrument: str
    therapist_code: str | None
    today: dt.date
    therapist_ids: IntArray
    """Sorted therapist ids; "owner" arrays below index into it."""
    session_date: DateArray
    session_owner: IntArray
    review_week: DateArray
    review_owner: IntArray
    """-1 for a review by a therapist without sessions."""
    review_energy: IntArray
    rows: OutcomeRows | None
    data: EffectivenessData | None
    episode_owner: IntArray
    """Owner of each episode of ``rows`` (aligned with rows.episode_id)."""


def _raw_rows(session: OrmSession, sql: str) -> list[Any]:
    """Plain tuples from the DBAPI cursor (no Row objects: 300,000 sessions load fast)."""
    raw = session.connection().connection
    cursor = raw.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def read_workload_inputs(
    session: OrmSession,
    *,
    instrument: str | None = "ORS",
    therapist_code: str | None = None,
    today: dt.date | None = None,
) -> WorkloadInputs:
    """Read session dates, episodes' therapists, energy ratings and the outcome data."""
    today = today or dt.date.today()
    therapist_id = _therapist_id(session, therapist_code)
    name = _instrument_name(session, instrument)
    episodes = select(Episode.id, Episode.therapist_id).order_by(Episode.id)
    if therapist_id is not None:
        episodes = episodes.where(Episode.therapist_id == therapist_id)
    ep_rows = session.execute(episodes).all()
    ep_id = np.array([r[0] for r in ep_rows], dtype=np.int64)
    ep_therapist = np.array([r[1] for r in ep_rows], dtype=np.int64)
    ids = np.unique(ep_therapist)
    sql = "SELECT session.episode_id, session.date FROM session WHERE session.date IS NOT NULL"
    if therapist_id is not None:  # an id read from the database above: an int, safe inline
        sql += (
            " AND session.episode_id IN (SELECT episode.id FROM episode WHERE "
            f"episode.therapist_id = {int(therapist_id)})"
        )
    sessions = _raw_rows(session, sql)
    s_episode = np.fromiter((r[0] for r in sessions), np.int64, len(sessions))
    s_date = to_dates([r[1] for r in sessions])
    pos = np.clip(np.searchsorted(ep_id, s_episode), 0, max(ep_id.size - 1, 0))
    s_owner = np.searchsorted(ids, ep_therapist[pos]) if ep_id.size else np.zeros(0, dtype=np.int64)
    stmt = select(
        type_coerce(WeeklyReview.week_start, String), WeeklyReview.therapist_id, WeeklyReview.energy
    ).where(WeeklyReview.energy.is_not(None))
    if therapist_id is not None:
        stmt = stmt.where(WeeklyReview.therapist_id == therapist_id)
    reviews = sorted(session.execute(stmt).all(), key=lambda r: str(r[0]))
    index = {int(t): i for i, t in enumerate(ids.tolist())}
    rows, data = (None, None) if name is None else _outcomes(session, name, therapist_code, today)
    e_owner = np.zeros(0, dtype=np.int64)
    if rows is not None:
        at = np.clip(np.searchsorted(ep_id, rows.episode_id), 0, max(ep_id.size - 1, 0))
        e_owner = np.searchsorted(ids, ep_therapist[at]) if ep_id.size else np.zeros_like(at)
    return WorkloadInputs(
        instrument=name or "",
        therapist_code=therapist_code,
        today=today,
        therapist_ids=ids,
        session_date=s_date,
        session_owner=np.asarray(s_owner, dtype=np.int64),
        review_week=week_start(to_dates([r[0] for r in reviews])),
        review_owner=np.array([index.get(int(r[1]), -1) for r in reviews], dtype=np.int64),
        review_energy=np.array([r[2] for r in reviews], dtype=np.int64),
        rows=rows,
        data=data,
        episode_owner=np.asarray(e_owner, dtype=np.int64),
    )


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


def compute_workload(inputs: WorkloadInputs) -> WorkloadView:
    """Sessions per week, energy by week, and outcomes by weekly load band."""
    n_owners = max(int(inputs.therapist_ids.size), 1)
    weeks, counts = weekly_sessions(inputs.session_date, inputs.session_owner, n_owners)
    total = counts.sum(axis=0)
    week_rows = tuple(
        WeekLoad(_date(w), int(c)) for w, c in zip(weeks, total.tolist(), strict=True)
    )
    # The typical week of one therapist: the median over therapist-weeks with sessions.
    working = counts[counts > 0]
    typical = float(np.median(working)) if working.size else None
    # Energy ratings, each with its own therapist's sessions that week.
    r_week, r_owner = inputs.review_week, inputs.review_owner
    r_sessions = np.zeros(r_week.size, dtype=np.int64)
    if weeks.size and r_week.size:
        k = (r_week - weeks[0]).astype(np.int64) // 7
        ok = (k >= 0) & (k < weeks.size) & (r_owner >= 0)
        r_sessions[ok] = counts[r_owner[ok], k[ok]]
    energy = tuple(
        EnergyPoint(_date(w), int(e), int(n))
        for w, e, n in zip(r_week, inputs.review_energy.tolist(), r_sessions.tolist(), strict=True)
    )
    energy_vs_load = (
        rank_correlation(r_sessions, inputs.review_energy)
        if r_week.size
        else RankCorrelation(None, None, 0, None, "no weekly reviews with an energy rating")
    )
    view = WorkloadView(
        inputs.instrument, inputs.therapist_code, inputs.today, week_rows, typical, (), None,
        "", energy, energy_vs_load, 0, "", therapists=int(inputs.therapist_ids.size),
    )  # fmt: skip
    rows, data = inputs.rows, inputs.data
    if rows is None or data is None:
        return _with_message(view, "No outcome scores yet: nothing to set workload against.")
    load = episode_load(
        rows.first_session_date, rows.last_session_date, inputs.episode_owner, weeks, counts
    )
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
    return replace(
        view,
        bands=band_tuple,
        decline=found,
        decline_text=_decline_text(band_tuple, found),
        episodes=int(measured.sum()),
        reference_note=_reference_note(ref),
    )


def load_workload(
    session: OrmSession,
    *,
    instrument: str | None = "ORS",
    therapist_code: str | None = None,
    today: dt.date | None = None,
) -> WorkloadView:
    """Sessions per week, outcomes by weekly load band, and energy ratings by week."""
    inputs = read_workload_inputs(
        session, instrument=instrument, therapist_code=therapist_code, today=today
    )
    return compute_workload(inputs)


__all__ = [
    "LAGS",
    "MIN_PAIRS",
    "BandFigures",
    "EnergyPoint",
    "MonthHours",
    "PracticeInputs",
    "PracticeResultsView",
    "QuarterPair",
    "RollingPoint",
    "Scatter",
    "WeekLoad",
    "WorkloadInputs",
    "WorkloadView",
    "compute_workload",
    "load_practice_results",
    "load_workload",
    "practice_rolling",
    "practice_summary",
    "read_practice_inputs",
    "read_workload_inputs",
]
