"""Expected treatment response: fitted success and fail trajectories (science.md section 3).

Public API:

- ``ReferencePool``: the closed episodes with 3+ measurements that trajectories rest
  on (``scores``/``counts`` by measurement number, ``source_index`` = their rows in the
  matrix they came from).
- ``reference_pool(matrix, closed) -> ReferencePool``.
- ``TrajectoryModel``: success and fail lines on a grid of intakes (every 0.5 point)
  by measurement number, with the ln(n) extension slopes and the n behind them.
- ``fit_trajectories(pool, instrument, ...) -> TrajectoryModel | None``: None when a
  group is empty (no reference episode ended reliably improved, or all did).
- ``TrajectoryModel.lines(intake, n_max) -> (success, fail)``: expected scores of
  episodes with the given intakes at measurements 1..n_max, interpolated linearly
  between grid intakes.

Method (the PCOMS trajectories are proprietary, so the app uses its own transparent
model, science.md section 3):

- success line at (intake I, measurement n): weighted median score at measurement n
  among reference episodes that ended reliably improved; fail line: the same among
  the others;
- weights: Gaussian kernel exp(-((I_j - I)/h)^2 / 2) on the difference of intakes, h
  starting at ``BANDWIDTH`` = 2 points and widened by a factor ``WIDEN`` = 1.25 until the
  Kish effective sample size (sum w)^2 / sum w^2 (Kish 1965, Survey Sampling) is at
  least ``MIN_EFFECTIVE_N`` = 20 (at most 40 times; beyond that, or with fewer than 20
  episodes, equal weights, the limit of widening);
- weighted median: the smallest score whose cumulative weight reaches half the total
  (the mean of it and the next score when the half is reached exactly, so equal
  weights give the ordinary median);
- measurements where a group has fewer than 20 episodes cannot reach 20 effective
  episodes; from the first such measurement on, each line is extended with
  score = I + b ln(n), b fitted by weighted least squares (through the intake, so
  no intercept) to all the scores the group has, each episode weighted by the same
  kernel at that grid intake (equal weights when the group has fewer than 20
  episodes). A small group's line can thus be all extension, from measurement 1;
- the lines are computed once per pool on the grid and interpolated (never per
  episode against the whole pool).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from practice_app.analysis.categories import categorize, reliably_improved
from practice_app.analysis.instruments import InstrumentDef
from practice_app.analysis.scores import BoolArray, FloatArray, IntArray, ScoreMatrix

BANDWIDTH = 2.0
"""Initial kernel bandwidth in points (science.md section 3)."""
WIDEN = 1.25
"""Factor by which the bandwidth grows until the effective n is reached."""
MIN_EFFECTIVE_N = 20.0
"""Effective reference episodes needed at a measurement (science.md section 3)."""
GRID_STEP = 0.5
"""Spacing of the intake grid in points (science.md section 3)."""
MIN_POOL_MEASUREMENTS = 3
"""Reference episodes are closed episodes with 3+ measurements (science.md section 3)."""
_MAX_WIDENINGS = 40
"""Widenings tried (h up to 2 x 1.25^40, about 15,000 points); then equal weights."""
_MAX_HISTOGRAM = 4_000_000


@dataclass(frozen=True)
class ReferencePool:
    """Closed episodes with 3+ measurements, by measurement number."""

    scores: FloatArray
    counts: IntArray
    source_index: IntArray

    @property
    def size(self) -> int:
        """Number of reference episodes."""
        return int(self.counts.size)

    def without(self, row: int) -> ReferencePool:
        """The pool minus one of its episodes (leave-one-out)."""
        keep = np.arange(self.size) != row
        return ReferencePool(self.scores[keep], self.counts[keep], self.source_index[keep])


def reference_pool(matrix: ScoreMatrix, closed: BoolArray) -> ReferencePool:
    """Select the closed episodes with 3+ measurements of ``matrix`` as reference pool."""
    rows = np.flatnonzero(np.asarray(closed, dtype=bool) & (matrix.counts >= 3))
    sub = matrix.subset(rows)
    return ReferencePool(sub.scores, sub.counts, rows.astype(np.int64))


@dataclass(frozen=True)
class TrajectoryModel:
    """Success and fail lines on an intake grid (see the module docstring)."""

    grid: FloatArray
    success: FloatArray
    """(grid, n_ok) success line at measurements 1..n_ok."""
    fail: FloatArray
    success_slope: FloatArray
    """(grid,) b of the extension I + b ln(n) of the success line."""
    fail_slope: FloatArray
    n_reference: int
    n_success: int
    n_fail: int

    def lines(self, intake: FloatArray, n_max: int) -> tuple[FloatArray, FloatArray]:
        """Expected success and fail scores at measurements 1..n_max for each intake."""
        intake = np.asarray(intake, dtype=np.float64)
        return (
            _line_at(self.grid, self.success, self.success_slope, intake, n_max),
            _line_at(self.grid, self.fail, self.fail_slope, intake, n_max),
        )


def _line_at(
    grid: FloatArray, line: FloatArray, slope: FloatArray, intake: FloatArray, n_max: int
) -> FloatArray:
    t = (intake - grid[0]) / GRID_STEP
    i0 = np.clip(np.floor(np.nan_to_num(t)), 0, grid.size - 2).astype(np.int64)
    f = np.clip(t - i0, 0.0, 1.0)[:, None]
    n_ok = line.shape[1]
    width = min(n_ok, n_max)
    out = np.empty((intake.size, n_max))
    out[:, :width] = (1 - f) * line[i0, :width] + f * line[i0 + 1, :width]
    if n_max > n_ok:
        b = (1 - f[:, 0]) * slope[i0] + f[:, 0] * slope[i0 + 1]
        n = np.arange(n_ok + 1, n_max + 1, dtype=np.float64)
        out[:, n_ok:] = intake[:, None] + b[:, None] * np.log(n)[None, :]
    out[np.isnan(intake)] = np.nan
    return out


def kish_effective_n(weights: FloatArray, multiplicity: FloatArray | None = None) -> FloatArray:
    """Kish effective sample size (sum w)^2 / sum w^2 along the last axis.

    ``multiplicity`` counts how many episodes share each weight (unique intakes).
    """
    m = np.ones(weights.shape[-1]) if multiplicity is None else multiplicity
    s = weights @ m
    s2 = (weights * weights) @ m
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(s2 > 0, s * s / np.where(s2 > 0, s2, 1.0), 0.0))


def _median_sorted(v: FloatArray, w: FloatArray) -> FloatArray:
    """Weighted median of ascending ``v`` (m,) for each row of ``w`` (rows, m)."""
    total = w.sum(axis=1, keepdims=True)
    c = np.cumsum(w, axis=1) / np.where(total > 0, total, 1.0)
    tol = 1e-12
    k = np.argmax(c >= 0.5 - tol, axis=1)
    rows = np.arange(w.shape[0])
    exact = np.abs(c[rows, k] - 0.5) <= tol
    # The upper middle value is the first whose cumulative weight passes the half, which
    # skips values with zero weight.
    k_next = np.argmax(c > 0.5 + tol, axis=1)
    return np.asarray(np.where(exact, (v[k] + v[k_next]) / 2.0, v[k]), dtype=np.float64)


def weighted_median(values: FloatArray, weights: FloatArray) -> FloatArray:
    """Weighted median of ``values`` (m,) for each row of ``weights`` (rows, m)."""
    order = np.argsort(values, kind="stable")
    return _median_sorted(values[order], weights[:, order])


def _kernel_rows(
    grid: FloatArray, intakes: FloatArray, multiplicity: FloatArray, bandwidth: float
) -> FloatArray:
    """Kernel weights (grid, unique intakes), each row widened to 20 effective episodes."""
    out = np.ones((grid.size, intakes.size))
    if multiplicity.sum() < MIN_EFFECTIVE_N:
        return out
    h_all = bandwidth * WIDEN ** np.arange(_MAX_WIDENINGS + 1)
    # Only the grid rows still short of 20 effective episodes are widened again: with a
    # large pool most rows are done at the first bandwidth, so this does a fraction of
    # the work of trying every bandwidth at once.
    todo = np.arange(grid.size)
    for h in h_all:
        z = (grid[todo, None] - intakes[None, :]) / h
        w = np.exp(-0.5 * z * z)
        ok = kish_effective_n(w, multiplicity) >= MIN_EFFECTIVE_N - 1e-9
        out[todo[ok]] = w[ok]
        todo = todo[~ok]
        if todo.size == 0:
            break
    return out


def kernel_weights(
    grid: FloatArray, intakes: FloatArray, bandwidth: float = BANDWIDTH
) -> FloatArray:
    """Gaussian kernel weights (grid, m), each row's bandwidth widened to 20 effective n.

    With fewer than 20 episodes no bandwidth reaches it; equal weights (the limit of
    widening) are used then.
    """
    uniq, inv = np.unique(intakes, return_inverse=True)
    mult = np.bincount(inv, minlength=uniq.size).astype(np.float64)
    return _kernel_rows(grid, uniq, mult, bandwidth)[:, inv]


def kernel_line(
    grid: FloatArray, intakes: FloatArray, values: FloatArray, bandwidth: float = BANDWIDTH
) -> FloatArray:
    """Kernel-weighted median of ``values`` at each grid intake (see ``kernel_weights``).

    Scores are recorded to one decimal or as integers, so intakes and values repeat:
    the weights are computed per distinct intake and summed per distinct value (a
    weighted histogram, exact), unless there are too many distinct pairs.
    """
    ui, inv_i = np.unique(intakes, return_inverse=True)
    mult = np.bincount(inv_i, minlength=ui.size).astype(np.float64)
    rows = _kernel_rows(grid, ui, mult, bandwidth)
    uv, inv_v = np.unique(values, return_inverse=True)
    if ui.size * uv.size > _MAX_HISTOGRAM:
        return weighted_median(values, rows[:, inv_i])
    hist = np.bincount(inv_i * uv.size + inv_v, minlength=ui.size * uv.size)
    per_value = rows @ hist.reshape(ui.size, uv.size).astype(np.float64)
    return _median_sorted(uv, per_value)


def _group_lines(
    grid: FloatArray, scores: FloatArray, counts: IntArray
) -> tuple[FloatArray, FloatArray]:
    """Lines at the measurements with 20+ episodes, and the ln(n) extension slopes."""
    per_n = np.bincount(counts, minlength=scores.shape[1] + 1)[::-1].cumsum()[::-1]
    # per_n[n] = number of episodes with at least n measurements.
    n_ok = 0
    while n_ok + 1 < per_n.size and per_n[n_ok + 1] >= MIN_EFFECTIVE_N:
        n_ok += 1
    line = np.empty((grid.size, n_ok))
    intakes = scores[:, 0]
    for n in range(1, n_ok + 1):
        rows = counts >= n
        line[:, n - 1] = kernel_line(grid, intakes[rows], scores[rows, n - 1])
    # Extension slope per grid intake: weighted least squares of score - I = b ln(n)
    # over every measurement of the group's episodes, episodes weighted by the kernel.
    ln = np.log(np.arange(1, scores.shape[1] + 1, dtype=np.float64))[None, :]
    present = ~np.isnan(scores)
    a_j = np.where(present, (scores - intakes[:, None]) * ln, 0.0).sum(axis=1)
    b_j = np.where(present, ln * ln, 0.0).sum(axis=1)
    ui, inv = np.unique(intakes, return_inverse=True)
    mult = np.bincount(inv, minlength=ui.size).astype(np.float64)
    w = _kernel_rows(grid, ui, mult, BANDWIDTH)
    num = w @ np.bincount(inv, weights=a_j, minlength=ui.size)
    denom = w @ np.bincount(inv, weights=b_j, minlength=ui.size)
    slope = np.where(denom > 0, num / np.where(denom > 0, denom, 1.0), 0.0)
    return line, slope


def intake_grid(instrument: InstrumentDef, near: float | None = None) -> FloatArray:
    """The intake grid (every 0.5 point), or only the two grid intakes around ``near``."""
    grid = np.arange(instrument.min, instrument.max + GRID_STEP / 2, GRID_STEP)
    if near is None or np.isnan(near):
        return grid
    i0 = int(np.clip(np.floor((near - grid[0]) / GRID_STEP), 0, grid.size - 2))
    return grid[i0 : i0 + 2]


def fit_trajectories(
    pool: ReferencePool, instrument: InstrumentDef, near: float | None = None
) -> TrajectoryModel | None:
    """Fit success and fail lines on the intake grid; None when a line cannot be drawn.

    With ``near`` only the two grid intakes around it are fitted: enough to judge one
    episode with that intake (the leave-one-out refits), with the same interpolation.
    """
    if instrument.reliable_change is None or pool.size == 0:
        return None
    grid = intake_grid(instrument, near)
    intake = pool.scores[:, 0]
    last = pool.scores[np.arange(pool.size), pool.counts - 1]
    success = reliably_improved(categorize(intake, last, pool.counts, instrument))
    if not success.any() or success.all():
        return None
    s_line, s_slope = _group_lines(grid, pool.scores[success], pool.counts[success])
    f_line, f_slope = _group_lines(grid, pool.scores[~success], pool.counts[~success])
    return TrajectoryModel(
        grid=grid,
        success=s_line,
        fail=f_line,
        success_slope=s_slope,
        fail_slope=f_slope,
        n_reference=pool.size,
        n_success=int(success.sum()),
        n_fail=int((~success).sum()),
    )
