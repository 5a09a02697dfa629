"""Practice against results, workload against results (science.md section 6).

Public API:

- ``RankCorrelation`` (rho, ci, n, p, reason) and
  ``rank_correlation(x, y, n_resamples=2000, seed=SEED, min_pairs=MIN_PAIRS)``:
  Spearman's rho (scipy.stats.spearmanr) with a 95% percentile bootstrap CI over pairs.
- ``period_hours(dates, minutes, by, first, last) -> (starts, hours)``: practice hours
  per calendar month or quarter from ``first`` to ``last`` (empty periods are 0).
- ``quarter_index(dates) -> IntArray``: year x 4 + quarter - 1 (consecutive quarters
  differ by one).
- ``pair_quarters(practice_q, hours, outcome_q, outcome, lag) -> (rows, cols)``: which
  practice quarter goes with which outcome quarter: outcome quarter = practice + lag.
- ``week_start(dates) -> DateArray``: the Monday of each date's week.
- ``weekly_sessions(dates, owner, n_owners) -> (weeks, counts)``: sessions per week of
  each therapist (``counts[owner, week]``), every week from the first to the last.
- ``episode_load(first, last, owner, weeks, counts) -> FloatArray``: the therapist's
  mean sessions per working week while each episode ran.
- ``LoadBand`` and ``load_bands(load, width=5, min_episodes=10) -> list[LoadBand]``.
- ``band_index(load, bands) -> IntArray``; ``decline(values, cis) -> Decline | None``.

Definitions and choices (science.md is silent on these, so they are stated here):

- Rank correlation: Spearman's rho over the pairs (scipy.stats.spearmanr, ties get
  their mean rank). Its 95% CI: percentile bootstrap over pairs, ``n_resamples`` =
  2000 resamples with the fixed seed of every other figure; the resample indices are
  ``numpy.random.default_rng(seed).integers(0, n, size=(n_resamples, n))`` (one row per
  resample), and resamples in which x or y take a single value (rho undefined) are
  left out of the percentiles. Below ``MIN_PAIRS`` = 6 pairs no figure is given: with
  5 or fewer points even a perfect ranking is hardly distinguishable from chance.
- Lag: practice in quarter q against outcomes of the episodes that ended in quarter
  q + lag (lag 0: the same quarter; lag 1: the next one).
- Weekly load: the sessions a therapist held (with all clients) in each week from
  Monday to Sunday. An episode's load is the mean over the weeks from its first to its
  last session, counting only working weeks (weeks with at least one session), so a
  holiday does not make a busy stretch look light.
- Load bands: ``BAND_WIDTH`` = 5 sessions a week (0-4, 5-9, 10-14, ...); a band at
  either end with fewer than 10 episodes is merged into its neighbour ("under 10",
  "20 or more"), so the ends of the range also carry a figure where they can.
- Where effectiveness starts to fall: from the band with the highest figure, the
  first heavier band whose figure is lower and stays lower in every heavier band;
  "clear" when that band's 95% CI lies wholly below the peak's value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from practice_app.analysis.effectiveness import MIN_EPISODES, N_RESAMPLES, SEED
from practice_app.analysis.scores import DateArray, FloatArray, IntArray

MIN_PAIRS = 6
"""Fewer quarters than this with both figures: no correlation (see the module docstring)."""
BAND_WIDTH = 5
"""Width of a weekly load band in sessions per week."""
_EPOCH_WEEKDAY = 3
"""1970-01-01, day 0 of datetime64[D], was a Thursday (Monday = 0)."""


@dataclass(frozen=True)
class RankCorrelation:
    """Spearman's rho with its 95% bootstrap CI and two-sided p; rho None with a reason."""

    rho: float | None
    ci: tuple[float, float] | None
    n: int
    p: float | None = None
    reason: str = ""


def _row_ranks(a: FloatArray) -> FloatArray:
    return np.asarray(stats.rankdata(a, axis=1), dtype=np.float64)


def rank_correlation(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
    min_pairs: int = MIN_PAIRS,
) -> RankCorrelation:
    """Spearman's rho of the pairs with no NaN, its bootstrap CI, p and n."""
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    ok = ~np.isnan(xa) & ~np.isnan(ya)
    xa, ya = xa[ok], ya[ok]
    n = int(xa.size)
    if n < min_pairs:
        return RankCorrelation(
            None, None, n, None, f"not enough data: {n} pairs, at least {min_pairs} needed"
        )
    if np.ptp(xa) == 0 or np.ptp(ya) == 0:
        return RankCorrelation(None, None, n, None, "undefined: one of the two never varies")
    res = stats.spearmanr(xa, ya)
    rho, p = float(res.statistic), float(res.pvalue)
    idx = np.random.default_rng(seed).integers(0, n, size=(n_resamples, n))
    # Spearman's rho is Pearson's r of the ranks: rank every resample row at once.
    rx, ry = _row_ranks(xa[idx]), _row_ranks(ya[idx])
    rx -= rx.mean(axis=1, keepdims=True)
    ry -= ry.mean(axis=1, keepdims=True)
    den = np.sqrt((rx * rx).sum(axis=1) * (ry * ry).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        boot = (rx * ry).sum(axis=1) / np.where(den > 0, den, np.nan)
    boot = boot[np.isfinite(boot)]
    ci = None
    if boot.size:
        lo, hi = np.percentile(boot, [2.5, 97.5])
        ci = (float(lo), float(hi))
    return RankCorrelation(rho, ci, n, p)


Period = Literal["month", "quarter"]


def _month_number(dates: npt.ArrayLike) -> IntArray:
    months = np.asarray(dates, dtype="datetime64[D]").astype("datetime64[M]")
    return np.asarray(months.astype(np.int64), dtype=np.int64)


def quarter_index(dates: npt.ArrayLike) -> IntArray:
    """year x 4 + quarter - 1 of each date (consecutive quarters differ by one)."""
    return np.asarray(_month_number(dates) // 3, dtype=np.int64)


def quarter_start(index: npt.ArrayLike) -> DateArray:
    """The first day of each quarter index."""
    q = np.asarray(index, dtype=np.int64)
    return np.asarray((q * 3).astype("datetime64[M]").astype("datetime64[D]"))


def period_hours(
    dates: npt.ArrayLike,
    minutes: npt.ArrayLike,
    by: Period,
    first: np.datetime64,
    last: np.datetime64,
) -> tuple[DateArray, FloatArray]:
    """Practice hours per month or quarter from the period of ``first`` to that of ``last``."""
    step = 3 if by == "quarter" else 1
    d = np.asarray(dates, dtype="datetime64[D]")
    m = np.asarray(minutes, dtype=np.float64)
    lo = int(_month_number(np.array([first]))[0]) // step
    hi = int(_month_number(np.array([last]))[0]) // step
    if hi < lo:
        return np.empty(0, "datetime64[D]"), np.empty(0)
    k = _month_number(d) // step - lo
    inside = (k >= 0) & (k <= hi - lo)
    hours = np.bincount(k[inside], weights=m[inside], minlength=hi - lo + 1) / 60.0
    starts = (np.arange(lo, hi + 1) * step).astype("datetime64[M]").astype("datetime64[D]")
    return np.asarray(starts), np.asarray(hours, dtype=np.float64)


def pair_quarters(
    practice_q: npt.ArrayLike, outcome_q: npt.ArrayLike, lag: int
) -> tuple[IntArray, IntArray]:
    """Positions (in practice_q, in outcome_q) of the pairs with outcome quarter = q + lag."""
    p = np.asarray(practice_q, dtype=np.int64)
    o = np.asarray(outcome_q, dtype=np.int64)
    common, rows, cols = np.intersect1d(p + lag, o, return_indices=True)
    del common
    order = np.argsort(rows, kind="stable")
    return np.asarray(rows[order], dtype=np.int64), np.asarray(cols[order], dtype=np.int64)


def week_start(dates: npt.ArrayLike) -> DateArray:
    """The Monday of each date's week (NaT stays NaT)."""
    d = np.asarray(dates, dtype="datetime64[D]")
    days = d.astype(np.int64)
    out = (days - (days + _EPOCH_WEEKDAY) % 7).astype("datetime64[D]")
    out[np.isnat(d)] = np.datetime64("NaT")
    return np.asarray(out)


def weekly_sessions(
    dates: npt.ArrayLike,
    owner: npt.ArrayLike,
    n_owners: int,
    weights: npt.ArrayLike | None = None,
) -> tuple[DateArray, IntArray]:
    """Sessions per week and owner: (Mondays, counts[owner, week]), every week in the span.

    ``weights`` (default 1) lets a caller pass sessions already counted per day.
    """
    monday = week_start(dates)
    ok = ~np.isnat(monday)
    if not ok.any():
        return np.empty(0, "datetime64[D]"), np.zeros((n_owners, 0), dtype=np.int64)
    w = monday[ok].astype(np.int64)
    first = int(w.min())
    k = (w - first) // 7
    n_weeks = int(k.max()) + 1
    o = np.asarray(owner, dtype=np.int64)[ok]
    wt = None if weights is None else np.asarray(weights, dtype=np.float64)[ok]
    flat = np.bincount(o * n_weeks + k, weights=wt, minlength=n_owners * n_weeks)
    weeks = (first + 7 * np.arange(n_weeks)).astype("datetime64[D]")
    counts = np.rint(flat).astype(np.int64).reshape(n_owners, n_weeks)
    return np.asarray(weeks), counts


def episode_load(
    first: npt.ArrayLike,
    last: npt.ArrayLike,
    owner: npt.ArrayLike,
    weeks: DateArray,
    counts: IntArray,
) -> FloatArray:
    """Mean sessions per working week of the episode's therapist from first to last session."""
    f = week_start(first)
    la = week_start(last)
    n = f.size
    out = np.full(n, np.nan)
    if weeks.size == 0 or n == 0:
        return out
    ok = ~np.isnat(f) & ~np.isnat(la)
    base = weeks[0].astype(np.int64)
    i = (f[ok].astype(np.int64) - base) // 7
    j = (la[ok].astype(np.int64) - base) // 7
    i = np.clip(i, 0, weeks.size - 1)
    j = np.clip(j, 0, weeks.size - 1)
    o = np.asarray(owner, dtype=np.int64)[ok]
    zero = np.zeros((counts.shape[0], 1), dtype=np.int64)
    sessions = np.hstack([zero, np.cumsum(counts, axis=1)])
    working = np.hstack([zero, np.cumsum(counts > 0, axis=1)])
    total = sessions[o, j + 1] - sessions[o, i]
    active = working[o, j + 1] - working[o, i]
    with np.errstate(invalid="ignore", divide="ignore"):
        out[ok] = np.where(active > 0, total / np.maximum(active, 1), np.nan)
    return out


@dataclass(frozen=True)
class LoadBand:
    """Episodes whose load lies in [low, high) sessions per week (high None: no upper end)."""

    low: float
    high: float | None
    label: str


def _band_label(low: float, high: float | None) -> str:
    if high is None:
        return "any load" if low == 0 else f"{low:g} or more"
    if low == 0:
        return f"under {high:g}"
    return f"{low:g}–{high - 1:g}"


def load_bands(
    load: npt.ArrayLike, width: int = BAND_WIDTH, min_episodes: int = MIN_EPISODES
) -> list[LoadBand]:
    """Bands of ``width`` sessions a week over the loads present, thin ends merged inwards."""
    x = np.asarray(load, dtype=np.float64)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return []
    k = np.floor(x / width).astype(np.int64)
    lo_k, hi_k = int(k.min()), int(k.max())
    n = np.bincount(k - lo_k, minlength=hi_k - lo_k + 1).tolist()
    edges = list(range(lo_k, hi_k + 2))  # band b holds loads in [edges[b], edges[b+1]) x width
    while len(n) > 1 and n[-1] < min_episodes:  # thin top: merge into the one below
        top = n.pop()
        n[-1] += top
        edges.pop(-2)
    while len(n) > 1 and n[0] < min_episodes:  # thin bottom: merge into the one above
        bottom = n.pop(0)
        n[0] += bottom
        edges.pop(1)
    bands = []
    for b in range(len(n)):
        # The lightest band takes every load below it, the heaviest every load above.
        low = 0.0 if b == 0 else float(edges[b] * width)
        high = None if b == len(n) - 1 else float(edges[b + 1] * width)
        bands.append(LoadBand(low, high, _band_label(low, high)))
    return bands


def band_index(load: npt.ArrayLike, bands: list[LoadBand]) -> IntArray:
    """The band of each load (-1 for NaN)."""
    x = np.asarray(load, dtype=np.float64)
    cuts = np.array([b.high for b in bands[:-1]], dtype=np.float64)
    out = np.searchsorted(cuts, x, side="right").astype(np.int64)
    out[np.isnan(x)] = -1
    return np.asarray(out, dtype=np.int64)


@dataclass(frozen=True)
class Decline:
    """Where effectiveness starts to fall: band positions and whether the drop is clear."""

    peak: int
    start: int
    clear: bool


def decline(values: list[float | None], cis: list[tuple[float, float] | None]) -> Decline | None:
    """The first band after the best one that is lower and stays lower (see the docstring)."""
    have = [i for i, v in enumerate(values) if v is not None]
    if len(have) < 2:
        return None
    peak = max(have, key=lambda i: values[i] or 0.0)
    top = values[peak]
    assert top is not None
    after = [i for i in have if i > peak]
    if not after:
        return None
    # Every heavier band with a figure is below the peak: the fall starts at the first.
    if any((values[i] or 0.0) >= top for i in after):
        return None
    start = after[0]
    ci = cis[start]
    return Decline(peak, start, ci is not None and ci[1] < top)
