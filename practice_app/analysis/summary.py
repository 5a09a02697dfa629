"""Per-episode summary on one instrument (science.md sections 2-4 together).

Public API:

- ``EpisodeSummaries``: arrays over episodes: ``intake``, ``latest``, ``change`` (in the
  better direction), ``n`` (measurements), ``category`` (code, -1 = none),
  ``signal`` (current outcome signal code), ``ever_red`` (not on track), ``prompt``
  (discuss a change of approach or referral), ``model``/``model_n`` (which model gave
  the signal and the reference episodes behind it), ``alliance`` (current alliance
  signal code, alliance instruments only, else all "none"), ``alliance_low_ever``
  (below the cutoff at some session), ``per_measurement`` (signal codes per
  measurement), ``sudden`` (SuddenChanges), ``pool_size``, ``fitted`` (the model).
  ``EpisodeSummaries.row(e) -> dict`` gives one episode as plain Python values.
- ``summarize_episodes(matrix, instrument, closed, pool=None, pool_row=None,
  sudden_cutoff=None) -> EpisodeSummaries``: the reference pool defaults to the closed
  episodes with 3+ measurements of ``matrix`` itself (leave-one-out below 200).

Alliance instruments (no reliable change) get no category and no outcome signal; the
others get no alliance signal. Sudden changes need a reliable change (or a cutoff).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from practice_app.analysis.categories import (
    CATEGORIES,
    Int8Array,
    better_sign,
    categorize_matrix,
)
from practice_app.analysis.instruments import InstrumentDef
from practice_app.analysis.scores import BoolArray, FloatArray, IntArray, ScoreMatrix
from practice_app.analysis.signals import (
    NONE,
    RED,
    SIGNALS,
    alliance_signals,
    current_signal,
    outcome_signals,
)
from practice_app.analysis.sudden import SuddenChanges, sudden_changes
from practice_app.analysis.trajectories import ReferencePool, TrajectoryModel, reference_pool


@dataclass(frozen=True)
class EpisodeSummaries:
    """Per-episode results on one instrument (see the module docstring)."""

    intake: FloatArray
    latest: FloatArray
    change: FloatArray
    n: IntArray
    category: Int8Array
    signal: Int8Array
    ever_red: BoolArray
    prompt: BoolArray
    model: list[str]
    model_n: IntArray
    alliance: Int8Array
    alliance_low_ever: BoolArray
    per_measurement: Int8Array
    sudden: SuddenChanges
    pool_size: int
    fitted: TrajectoryModel | None

    def row(self, e: int) -> dict[str, Any]:
        """One episode as plain Python values (NaN -> None, codes -> names)."""

        def num(x: float) -> float | None:
            return None if np.isnan(x) else float(x)

        return {
            "n": int(self.n[e]),
            "intake": num(self.intake[e]),
            "latest": num(self.latest[e]),
            "change": num(self.change[e]),
            "category": CATEGORIES[self.category[e]] if self.category[e] >= 0 else None,
            "signal": SIGNALS[self.signal[e]],
            "not_on_track": bool(self.ever_red[e]),
            "prompt": bool(self.prompt[e]),
            "model": self.model[e],
            "model_n": int(self.model_n[e]),
            "alliance": SIGNALS[self.alliance[e]],
            "sudden_gains": self.sudden.count_in(e, "gain"),
            "sudden_losses": self.sudden.count_in(e, "loss"),
        }


def summarize_episodes(
    matrix: ScoreMatrix,
    instrument: InstrumentDef,
    closed: npt.ArrayLike,
    pool: ReferencePool | None = None,
    pool_row: npt.ArrayLike | None = None,
    sudden_cutoff: float | None = None,
) -> EpisodeSummaries:
    """Summarise every episode of ``matrix`` on ``instrument``."""
    e = matrix.n_episodes
    closed_b = np.asarray(closed, dtype=bool)
    intake, latest = matrix.intake, matrix.latest
    change = better_sign(instrument) * (latest - intake)
    none = np.full(e, NONE, dtype=np.int8)
    if instrument.reliable_change is None:
        per = alliance_signals(matrix, instrument)
        return EpisodeSummaries(
            intake=intake,
            latest=latest,
            change=change,
            n=matrix.counts,
            category=np.full(e, -1, dtype=np.int8),
            signal=none,
            ever_red=np.zeros(e, dtype=bool),
            prompt=np.zeros(e, dtype=bool),
            model=["none"] * e,
            model_n=np.zeros(e, dtype=np.int64),
            alliance=current_signal(per, matrix.counts),
            alliance_low_ever=np.asarray((per == RED).any(axis=1), dtype=bool),
            per_measurement=per,
            sudden=sudden_changes(matrix, instrument, cutoff=sudden_cutoff)
            if sudden_cutoff is not None
            else _no_sudden(),
            pool_size=0,
            fitted=None,
        )
    if pool is None:
        pool = reference_pool(matrix, closed_b)
        pool_row = None
    sig = outcome_signals(matrix, instrument, pool, pool_row)
    return EpisodeSummaries(
        intake=intake,
        latest=latest,
        change=change,
        n=matrix.counts,
        category=categorize_matrix(matrix, instrument),
        signal=sig.current,
        ever_red=sig.ever_red,
        prompt=sig.prompt,
        model=sig.model,
        model_n=sig.model_n,
        alliance=none,
        alliance_low_ever=np.zeros(e, dtype=bool),
        per_measurement=sig.per_measurement,
        sudden=sudden_changes(matrix, instrument, cutoff=sudden_cutoff),
        pool_size=sig.pool_size,
        fitted=sig.fitted,
    )


def _no_sudden() -> SuddenChanges:
    empty_i = np.empty(0, dtype=np.int64)
    empty_f = np.empty(0, dtype=np.float64)
    return SuddenChanges(empty_i, np.empty(0, "<U4"), empty_i, empty_i, empty_f, empty_f, empty_f)
