"""Not-on-track and alliance signals per measurement (science.md section 3).

Public API:

- ``SIGNALS``: ("none", "green", "orange", "red"); a signal code indexes this tuple.
- ``starter_signals(matrix, instrument) -> Int8Array`` (episodes x measurements).
- ``fitted_signals(matrix, instrument, model) -> Int8Array``.
- ``alliance_signals(matrix, instrument) -> Int8Array``.
- ``change_prompt(matrix, instrument) -> BoolArray``: from the 10th measurement on
  without reliable improvement, "discuss a change of approach or a referral".
- ``OutcomeSignals`` and ``outcome_signals(matrix, instrument, pool=None, pool_row=None)``:
  per-measurement signals, the current one, "ever red" (not on track), the prompt, the
  model used ("starter" or "fitted") and the number of reference episodes behind it.
- ``ExpectedLines`` and ``expected_lines(intake, n_max, instrument, model)``: the values
  to plot for one episode.

Starter rules (used while the pool holds fewer than ``MIN_FITTED_POOL`` = 30 closed
episodes with 3+ measurements; they follow the PCOMS rule of thumb that most change
happens early, Miller et al. 2003, J Brief Therapy 2(2); Duncan et al. 2003), with d
the change from intake in the better direction at measurement n:
no signal for n < 2; red when d <= -RC; red when n >= 6 and d < RC; orange when
n >= 3 and d <= 0; green otherwise.

Fitted rules (n >= 2): green at or better than the success line, red worse than the
fail line, orange otherwise (``trajectories`` computes the lines). The judged episode
is left out of its own reference when the pool holds fewer than ``LEAVE_ONE_OUT_BELOW``
= 200 episodes (science.md section 3); those (at most 199) refits run one by one,
each only at the two grid intakes around the episode's intake.

Alliance (SRS or any instrument marked ``alliance``): red below the cutoff (on the
clinical side, ``InstrumentDef.is_clinical``), orange when the total dropped by 1 point
or more from the previous measurement while not below the cutoff, green otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from practice_app.analysis.categories import EPS, Int8Array, better_sign, clinical_mask
from practice_app.analysis.instruments import InstrumentDef
from practice_app.analysis.scores import BoolArray, FloatArray, IntArray, ScoreMatrix
from practice_app.analysis.trajectories import ReferencePool, TrajectoryModel, fit_trajectories

SIGNALS = ("none", "green", "orange", "red")
NONE, GREEN, ORANGE, RED = range(4)

MIN_FITTED_POOL = 30
"""Reference episodes needed before fitted trajectories replace the starter rules."""
LEAVE_ONE_OUT_BELOW = 200
"""Pools smaller than this leave the judged episode out (science.md section 3)."""
PROMPT_FROM = 10
"""Measurement from which a red episode carries the change-of-approach prompt."""
ORANGE_FROM = 3
RED_FROM = 6
ALLIANCE_DROP = 1.0
"""Drop in points from the previous session that turns the alliance signal orange."""


def _change(matrix: ScoreMatrix, instrument: InstrumentDef) -> FloatArray:
    """Change from intake in the better direction at every measurement (NaN when absent)."""
    if matrix.max_count == 0:
        return np.empty((matrix.n_episodes, 0))
    return better_sign(instrument) * (matrix.scores - matrix.scores[:, :1])


def _rc(instrument: InstrumentDef) -> float:
    if instrument.reliable_change is None:
        raise ValueError(f"{instrument.name} has no reliable change: no outcome signal")
    return float(instrument.reliable_change)


def starter_signals(matrix: ScoreMatrix, instrument: InstrumentDef) -> Int8Array:
    """Starter-rule signal at each measurement (see the module docstring)."""
    rc = _rc(instrument)
    d = np.nan_to_num(_change(matrix, instrument))
    n = np.arange(1, matrix.max_count + 1)[None, :]
    active = matrix.present() & (n >= 2)
    sig = np.where(active, GREEN, NONE).astype(np.int8)
    sig[active & (n >= ORANGE_FROM) & (d <= EPS)] = ORANGE
    sig[active & (n >= RED_FROM) & (d < rc - EPS)] = RED
    sig[active & (d <= -rc + EPS)] = RED
    return sig


def fitted_signals(
    matrix: ScoreMatrix, instrument: InstrumentDef, model: TrajectoryModel
) -> Int8Array:
    """Signal at each measurement against the success and fail lines of ``model``."""
    s = better_sign(instrument)
    success, fail = model.lines(matrix.intake, matrix.max_count)
    y = np.nan_to_num(matrix.scores)
    n = np.arange(1, matrix.max_count + 1)[None, :]
    active = matrix.present() & (n >= 2)
    sig = np.where(active, ORANGE, NONE).astype(np.int8)
    sig[active & (s * (y - fail) < -EPS)] = RED
    sig[active & (s * (y - success) >= -EPS)] = GREEN
    return sig


def alliance_signals(matrix: ScoreMatrix, instrument: InstrumentDef) -> Int8Array:
    """Alliance signal at each measurement (see the module docstring)."""
    present = matrix.present()
    below = clinical_mask(matrix.scores, instrument)
    drop = np.zeros_like(present)
    if matrix.max_count > 1:
        worse = better_sign(instrument) * (matrix.scores[:, :-1] - matrix.scores[:, 1:])
        drop[:, 1:] = np.nan_to_num(worse) >= ALLIANCE_DROP - EPS
    sig = np.where(present, GREEN, NONE).astype(np.int8)
    sig[present & drop & ~below] = ORANGE
    sig[present & below] = RED
    return sig


def change_prompt(matrix: ScoreMatrix, instrument: InstrumentDef) -> BoolArray:
    """From the 10th measurement without reliable improvement: discuss approach or referral."""
    rc = _rc(instrument)
    d = better_sign(instrument) * (matrix.latest - matrix.intake)
    return np.asarray((matrix.counts >= PROMPT_FROM) & (np.nan_to_num(d) < rc - EPS))


def current_signal(per_measurement: Int8Array, counts: IntArray) -> Int8Array:
    """The signal at each episode's latest measurement."""
    out = np.full(counts.size, NONE, dtype=np.int8)
    rows = np.flatnonzero(counts >= 1)
    out[rows] = per_measurement[rows, counts[rows] - 1]
    return out


@dataclass(frozen=True)
class OutcomeSignals:
    """Outcome signals of a set of episodes and the model behind them."""

    per_measurement: Int8Array
    current: Int8Array
    ever_red: BoolArray
    """Not on track: red at some measurement."""
    prompt: BoolArray
    model: list[str]
    """"starter" or "fitted" per episode."""
    model_n: IntArray
    """Reference episodes the model rests on (0 for the starter rules)."""
    pool_size: int
    fitted: TrajectoryModel | None


def outcome_signals(
    matrix: ScoreMatrix,
    instrument: InstrumentDef,
    pool: ReferencePool | None = None,
    pool_row: npt.ArrayLike | None = None,
) -> OutcomeSignals:
    """Signals for every episode; ``pool_row[e]`` = row of episode e in the pool or -1.

    With ``pool_row`` None the pool is taken to come from ``reference_pool(matrix, ...)``
    (its ``source_index`` gives the rows); pass an array of -1 for a foreign pool.
    """
    pool_size = 0 if pool is None else pool.size
    model = (
        fit_trajectories(pool, instrument)
        if pool is not None and pool_size >= MIN_FITTED_POOL
        else None
    )
    e = matrix.n_episodes
    if model is None:
        sig = starter_signals(matrix, instrument)
        names = ["starter"] * e
        model_n = np.zeros(e, dtype=np.int64)
    else:
        assert pool is not None
        sig = fitted_signals(matrix, instrument, model)
        names = ["fitted"] * e
        model_n = np.full(e, model.n_reference, dtype=np.int64)
        if pool_row is None:
            rows = np.full(e, -1, dtype=np.int64)
            rows[pool.source_index] = np.arange(pool.size)
        else:
            rows = np.asarray(pool_row, dtype=np.int64)
        if pool_size < LEAVE_ONE_OUT_BELOW:
            for ep in np.flatnonzero(rows >= 0):
                one = matrix.subset(np.array([ep]))
                loo = fit_trajectories(
                    pool.without(int(rows[ep])), instrument, near=float(matrix.intake[ep])
                )
                width = one.max_count
                if loo is None:
                    sig[ep, :width] = starter_signals(one, instrument)[0]
                    names[ep], model_n[ep] = "starter", 0
                else:
                    sig[ep, :width] = fitted_signals(one, instrument, loo)[0]
                    model_n[ep] = loo.n_reference
    current = current_signal(sig, matrix.counts)
    return OutcomeSignals(
        per_measurement=sig,
        current=current,
        ever_red=np.asarray((sig == RED).any(axis=1), dtype=bool),
        # The red signal carries the prompt (science.md section 3): under fitted lines an
        # episode can pass its 10th measurement unimproved yet track the expected course
        # (orange or green), e.g. one that began near the cutoff.
        prompt=change_prompt(matrix, instrument) & (current == RED),
        model=names,
        model_n=model_n,
        pool_size=pool_size,
        fitted=model,
    )


@dataclass(frozen=True)
class ExpectedLines:
    """Expected success and fail values to plot for one episode at measurements 1..n."""

    model: str
    n_reference: int
    measurement: IntArray
    success: FloatArray
    fail: FloatArray


def expected_lines(
    intake: float, n_max: int, instrument: InstrumentDef, model: TrajectoryModel | None
) -> ExpectedLines:
    """Lines for one episode's chart; with the starter rules, intake +/- RC (the rule marks)."""
    n = np.arange(1, n_max + 1, dtype=np.int64)
    if model is None:
        step = better_sign(instrument) * _rc(instrument)
        return ExpectedLines(
            "starter", 0, n, np.full(n_max, intake + step), np.full(n_max, intake - step)
        )
    success, fail = model.lines(np.array([intake]), n_max)
    return ExpectedLines("fitted", model.n_reference, n, success[0], fail[0])
