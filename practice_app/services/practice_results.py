"""Practice against results: the data of the Practice screen's results tab.

Qt-free. ``load_practice_results`` reads the database (the lean outcome load of
services.outcomes and the practice entries) and computes everything with
practice_app.analysis (science.md sections 5 and 6; choices the design leaves open are in
analysis.practice_results). The Workload tab's data is in services.workload, which shares
the loading helpers here.

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
    RankCorrelation,
    pair_quarters,
    period_hours,
    quarter_index,
    quarter_start,
    rank_correlation,
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
from practice_app.storage.analysis_data import load_outcome_rows, to_dates
from practice_app.storage.instruments import load_instruments
from practice_app.storage.models import (
    PracticeEntry,
    Therapist,
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


ViewT = TypeVar("ViewT", bound="PracticeResultsView")


# ----- loading --------------------------------------------------------------------------
def find_therapist_id(session: OrmSession, code: str | None) -> int | None:
    if code is None:
        return None
    found = session.scalar(select(Therapist.id).where(Therapist.code == code))
    if found is None:
        raise UserError(f"unknown therapist '{code}'")
    return int(found)


def instrument_name(session: OrmSession, name: str | None) -> str | None:
    """The instrument's stored name (None: the primary outcome instrument, if any)."""
    if name is None:
        d = primary_instrument(session)
        return d.name if d else None
    from practice_app.services.outcomes import find_instrument

    return find_instrument(load_instruments(session), name).name


def outcome_inputs(
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


def as_date(value: np.datetime64) -> dt.date:
    return dt.date.fromisoformat(str(value.astype("datetime64[D]")))


def reference_note(ref: SaesReference | None) -> str:
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
    therapist_id = find_therapist_id(session, therapist_code)
    dates, minutes = _practice_entries(session, therapist_id)
    name = instrument_name(session, instrument)
    data = None if name is None else outcome_inputs(session, name, therapist_code, today)[1]
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
                as_date(np.datetime64(m, "M")), as_date(start), as_date(end), result.n,
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
            str(labels[r]), as_date(q_start[r]), float(q_hours[r]), with_figure[c].label,
            as_date(with_figure[c].start), with_figure[c].result.saes,
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
    months = tuple(MonthHours(as_date(s), float(h)) for s, h in zip(m_start, m_hours, strict=True))
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
        reference_note=reference_note(own_reference(data)),
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


__all__ = [
    "LAGS",
    "MIN_PAIRS",
    "MonthHours",
    "PracticeInputs",
    "PracticeResultsView",
    "QuarterPair",
    "RollingPoint",
    "Scatter",
    "load_practice_results",
    "practice_rolling",
    "practice_summary",
    "read_practice_inputs",
]
