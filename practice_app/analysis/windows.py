"""Effectiveness by period of ending and over rolling 12 months (science.md section 5).

Public API:

- ``window_dates(closed, end_date, last_session) -> DateArray``: the date that places an
  episode in a window: its ending date when closed (the last session when the ending
  date is missing), its latest session when open.
- ``period_labels(dates, by) -> StrArray``: "2024-03" (month), "2024-Q1" (quarter) or
  "2024" (year); "" for a missing date.
- ``Window`` (label, start, end, result).
- ``effectiveness_by_period(outcomes, dates, instrument, by, reference=None, ...)``:
  one Window per period that holds episodes, in time order.
- ``rolling_effectiveness(outcomes, dates, instrument, months=12, reference=None, ...)``:
  one Window per calendar month from the first to the last, each over the episodes
  dated in that month and the 11 before it.

Every window gets its own bootstrap with the same fixed seed, so figures are
reproducible; windows with fewer than 10 episodes carry no figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from practice_app.analysis.effectiveness import (
    N_RESAMPLES,
    SEED,
    Effectiveness,
    EpisodeOutcomes,
    SaesReference,
    effectiveness,
)
from practice_app.analysis.instruments import InstrumentDef
from practice_app.analysis.scores import BoolArray, DateArray

StrArray = npt.NDArray[np.str_]
Period = Literal["month", "quarter", "year"]


@dataclass(frozen=True)
class Window:
    """Effectiveness of the episodes dated from ``start`` to ``end`` (inclusive)."""

    label: str
    start: np.datetime64
    end: np.datetime64
    result: Effectiveness


def window_dates(closed: BoolArray, end_date: DateArray, last_session: DateArray) -> DateArray:
    """Ending date of closed episodes (or their last session), latest session of open ones."""
    end = np.asarray(end_date, dtype="datetime64[D]")
    last = np.asarray(last_session, dtype="datetime64[D]")
    use_end = np.asarray(closed, dtype=bool) & ~np.isnat(end)
    return np.where(use_end, end, last)


def _period_start(dates: DateArray, by: Period) -> npt.NDArray[np.datetime64]:
    months = np.asarray(dates, dtype="datetime64[D]").astype("datetime64[M]")
    if by == "month":
        return months
    if by == "year":
        return months.astype("datetime64[Y]").astype("datetime64[M]")
    m = months.astype(np.int64)
    out = np.asarray(m - m % 3).astype("datetime64[M]")
    out[np.isnat(months)] = np.datetime64("NaT")
    return out


def period_labels(dates: DateArray, by: Period) -> StrArray:
    """Label of the month, quarter or year of each date ("" when missing)."""
    start = _period_start(dates, by)
    out = np.full(start.shape, "", dtype="<U8")
    ok = ~np.isnat(start)
    ym = start[ok].astype(str)
    if by == "month":
        out[ok] = ym
    elif by == "year":
        out[ok] = np.char.partition(ym, "-")[:, 0]
    else:
        year = start[ok].astype("datetime64[Y]").astype(np.int64) + 1970
        q = start[ok].astype(np.int64) % 12 // 3 + 1
        out[ok] = [f"{y}-Q{k}" for y, k in zip(year.tolist(), q.tolist(), strict=True)]
    return out


def _last_day(month_start: np.datetime64, months: int) -> np.datetime64:
    nxt = (month_start + np.timedelta64(months, "M")).astype("datetime64[D]")
    return np.datetime64(nxt - np.timedelta64(1, "D"))


def effectiveness_by_period(
    outcomes: EpisodeOutcomes,
    dates: DateArray,
    instrument: InstrumentDef,
    by: Period,
    reference: SaesReference | None = None,
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
) -> list[Window]:
    """Effectiveness per month, quarter or year in which the episodes ended."""
    start = _period_start(dates, by)
    labels = period_labels(dates, by)
    span = {"month": 1, "quarter": 3, "year": 12}[by]
    windows = []
    for p in np.unique(start[~np.isnat(start)]):
        mask = start == p
        label = str(labels[np.flatnonzero(mask)[0]])
        res = effectiveness(outcomes.subset(mask), instrument, reference, n_resamples, seed)
        windows.append(Window(label, p.astype("datetime64[D]"), _last_day(p, span), res))
    return windows


def rolling_effectiveness(
    outcomes: EpisodeOutcomes,
    dates: DateArray,
    instrument: InstrumentDef,
    months: int = 12,
    reference: SaesReference | None = None,
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
) -> list[Window]:
    """Effectiveness over the ``months`` months up to and including each calendar month."""
    month = _period_start(dates, "month")
    ok = ~np.isnat(month)
    if not ok.any():
        return []
    first, last = month[ok].min(), month[ok].max()
    windows = []
    m = first
    while m <= last:
        lo = m - np.timedelta64(months - 1, "M")
        mask = ok & (month >= lo) & (month <= m)
        res = effectiveness(outcomes.subset(mask), instrument, reference, n_resamples, seed)
        windows.append(Window(str(m), lo.astype("datetime64[D]"), _last_day(m, 1), res))
        m = m + np.timedelta64(1, "M")
    return windows
