"""The therapist's effectiveness over a set of episodes (science.md section 5).

Public API:

- ``EpisodeOutcomes``: per-episode inputs (intake, outcome, category code, not on
  track, dropout, sessions, weeks in care); ``EpisodeOutcomes.subset(mask)``.
- ``resolve_endings(ending, last_session, today, inactive_days=45) -> StrArray``: an
  episode without an ending reason whose last session is ``inactive_days`` or more
  days before ``today`` is closed as "inactive"; others keep their reason ("" = open).
- ``dropout_flags(ending, reliably_improved) -> BoolArray``.
- ``weeks_in_care(first_session, last_session) -> FloatArray``.
- ``SaesReference`` and ``saes_reference(intake, outcome, instrument, label)``.
- ``Figure`` (value, ci, n, reason) and ``Effectiveness`` (all figures of one set).
- ``effectiveness(outcomes, instrument, reference=None, n_resamples=2000, seed=SEED)``.
- ``bootstrap_means(values, valid, n_resamples, seed) -> FloatArray``: resampled means.

Definitions:

- The set is the episodes with a change category (2+ measurements). Below
  ``MIN_EPISODES`` = 10 episodes no figure is given (value None, with the reason);
  ``ACORN_MIN`` = 15 is the minimum ACORN uses to certify effectiveness
  (psychoutcomes.org).
- Pre-post effect size d = mean(change_i) / SD(intake), change in the better
  direction, SD with ddof=1 (the sample SD): the ACORN convention (psychoutcomes.org).
- Severity-adjusted effect size (ACORN SAES): outcome = a + b x intake fitted by least
  squares on the reference pool; r_i = outcome_i - (a + b x intake_i), signed so that
  positive is better; SAES = (mean change in the pool + mean r_i) / SD(intake in the
  pool, ddof=1). Without a clinic pool the reference is the therapist's own episodes.
- Dropout: an ending that was not planned, before reliable improvement: endings
  "stopped", "inactive" and "other" count when the episode was not reliably improved;
  "referred" does not (science.md section 7: referring on is a success of the process);
  the inactive rule follows the OpenFIT definition (support.openfit.care).
- 95% confidence intervals: percentile bootstrap over episodes, ``N_RESAMPLES`` = 2000
  resamples with the fixed seed ``SEED``; the SAES reference fit is held fixed.
  Resamples are drawn as an index matrix (chunks of resamples x episodes), turned into
  count weights, so every figure is a ratio of weighted sums (one matrix product).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from practice_app.analysis.categories import (
    CATEGORIES,
    IMPROVED,
    RECOVERED,
    Int8Array,
    better_sign,
)
from practice_app.analysis.instruments import InstrumentDef
from practice_app.analysis.scores import BoolArray, DateArray, FloatArray

StrArray = npt.NDArray[np.str_]

MIN_EPISODES = 10
"""Fewer episodes than this: "not enough data" instead of a figure (science.md section 5)."""
ACORN_MIN = 15
"""Minimum number of episodes ACORN uses to certify effectiveness (psychoutcomes.org)."""
N_RESAMPLES = 2000
SEED = 20_031_991
"""Fixed bootstrap seed, so every figure is reproducible."""
INACTIVE_DAYS = 45
"""Days without a session after which an imported episode counts as inactive (OpenFIT)."""
DROPOUT_ENDINGS = ("stopped", "inactive", "other")
_CHUNK = 250
_ROW_BY_ROW = 2048
"""Episodes from which bootstrap_means counts resamples one by one (cache-friendly)."""

PERCENT_KEYS = (
    "reliably_improved",
    *CATEGORIES,
    "not_on_track",
    "dropout",
)


@dataclass(frozen=True)
class EpisodeOutcomes:
    """Per-episode inputs of the effectiveness figures (arrays of equal length)."""

    intake: FloatArray
    outcome: FloatArray
    category: Int8Array
    not_on_track: BoolArray
    dropout: BoolArray
    sessions: FloatArray
    weeks: FloatArray

    def subset(self, mask: BoolArray) -> EpisodeOutcomes:
        """The outcomes of the selected episodes."""
        return EpisodeOutcomes(
            self.intake[mask],
            self.outcome[mask],
            self.category[mask],
            self.not_on_track[mask],
            self.dropout[mask],
            self.sessions[mask],
            self.weeks[mask],
        )


def resolve_endings(
    ending: Sequence[str | None],
    last_session: DateArray,
    today: dt.date | np.datetime64,
    inactive_days: int = INACTIVE_DAYS,
) -> StrArray:
    """Ending per episode, with missing reasons turned into "inactive" after the window."""
    reasons = np.array(["" if e is None else e for e in ending], dtype="<U16")
    last = np.asarray(last_session, dtype="datetime64[D]")
    now = np.array(today, dtype="datetime64[D]")
    idle = (now - last).astype(np.int64)
    stale = ~np.isnat(last) & (idle >= inactive_days)
    reasons[(reasons == "") & stale] = "inactive"
    return reasons


def dropout_flags(ending: npt.ArrayLike, reliably_improved: BoolArray) -> BoolArray:
    """Dropout: an unplanned ending (see the module docstring) without reliable improvement."""
    e = np.asarray(ending, dtype=str)
    return np.asarray(np.isin(e, DROPOUT_ENDINGS) & ~reliably_improved, dtype=bool)


def weeks_in_care(first_session: DateArray, last_session: DateArray) -> FloatArray:
    """Weeks from the first to the last session (NaN when a date is missing)."""
    first = np.asarray(first_session, dtype="datetime64[D]")
    last = np.asarray(last_session, dtype="datetime64[D]")
    days = (last - first).astype(np.float64)
    days[np.isnat(first) | np.isnat(last)] = np.nan
    return np.asarray(days / 7.0, dtype=np.float64)


@dataclass(frozen=True)
class SaesReference:
    """The reference fit outcome = a + b x intake behind the SAES."""

    a: float
    b: float
    mean_change: float
    sd_intake: float
    n: int
    label: str


def saes_reference(
    intake: npt.ArrayLike, outcome: npt.ArrayLike, instrument: InstrumentDef, label: str = "own"
) -> SaesReference | None:
    """Fit the SAES reference on a pool; None with fewer than 3 episodes or no intake spread."""
    x = np.asarray(intake, dtype=np.float64)
    y = np.asarray(outcome, dtype=np.float64)
    ok = ~np.isnan(x) & ~np.isnan(y)
    x, y = x[ok], y[ok]
    if x.size < 3:
        return None
    sd = float(np.std(x, ddof=1))
    if sd == 0.0:
        return None
    xc = x - x.mean()
    b = float((xc * (y - y.mean())).sum() / (xc * xc).sum())
    a = float(y.mean() - b * x.mean())
    change = better_sign(instrument) * (y - x)
    return SaesReference(a, b, float(change.mean()), sd, int(x.size), label)


@dataclass(frozen=True)
class Figure:
    """One figure with its 95% CI and the n it rests on; value None means not enough data."""

    value: float | None
    ci: tuple[float, float] | None
    n: int
    reason: str = ""


@dataclass(frozen=True)
class Effectiveness:
    """Effectiveness figures of one set of episodes (see the module docstring)."""

    n: int
    enough: bool
    certifiable: bool
    reason: str
    effect_size: Figure
    saes: Figure
    saes_reference: SaesReference | None
    categories: dict[str, int]
    percent: dict[str, Figure]
    not_on_track: int
    dropout: int
    mean_sessions: Figure
    mean_weeks: Figure


def bootstrap_means(
    values: FloatArray, valid: FloatArray, n_resamples: int = N_RESAMPLES, seed: int = SEED
) -> FloatArray:
    """Resampled means of each column of ``values`` over rows marked in ``valid``.

    Returns (n_resamples, columns); rows are resampled with replacement, the index
    matrix drawn chunk by chunk from one generator seeded with ``seed``.
    """
    n = values.shape[0]
    rng = np.random.default_rng(seed)
    v = np.where(valid > 0, values, 0.0)
    # Columns without missing values share the denominator n: one product fewer.
    partial = np.flatnonzero((valid == 0).any(axis=0))
    out = np.empty((n_resamples, values.shape[1]))
    # Below 2**31 int32 and int64 draws are the same stream (both take numpy's bounded
    # 32-bit draws, whose spare halves the bit generator keeps between calls, so one
    # row at a time is the same stream as a whole chunk); int32 halves the memory.
    dtype = np.int32 if n < 2**31 else np.int64
    offsets = (np.arange(_CHUNK) * n)[:, None]
    counts = np.empty((min(_CHUNK, n_resamples), n))
    for start in range(0, n_resamples, _CHUNK):
        rows = min(_CHUNK, n_resamples - start)
        if n >= _ROW_BY_ROW:
            # One resample at a time: its indices and counts stay in the CPU cache and
            # no chunk-sized array is allocated (and page-faulted) again and again.
            for r in range(rows):
                counts[r] = np.bincount(rng.integers(0, n, size=n, dtype=dtype), minlength=n)
        else:
            idx = rng.integers(0, n, size=(rows, n), dtype=dtype)
            flat = (idx + offsets[:rows]).ravel()
            counts[:rows] = np.bincount(flat, minlength=rows * n).reshape(rows, n)
        block = (counts[:rows] @ v) / n
        if partial.size:
            with np.errstate(invalid="ignore", divide="ignore"):
                block[:, partial] = (counts[:rows] @ v[:, partial]) / (
                    counts[:rows] @ valid[:, partial]
                )
        out[start : start + rows] = block
    return out


def _ci(samples: FloatArray) -> tuple[float, float] | None:
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        return None
    lo, hi = np.percentile(finite, [2.5, 97.5])
    return float(lo), float(hi)


def _figure(value: float, samples: FloatArray, n: int) -> Figure:
    if not np.isfinite(value):
        return Figure(None, None, n, "undefined (no spread in the data)")
    return Figure(float(value), _ci(samples), n)


def effectiveness(
    outcomes: EpisodeOutcomes,
    instrument: InstrumentDef,
    reference: SaesReference | None = None,
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
) -> Effectiveness:
    """All effectiveness figures of a set of episodes (with 2+ measurements)."""
    o = outcomes.subset(np.asarray(outcomes.category >= 0, dtype=bool))
    n = int(o.intake.size)
    cat = o.category.astype(np.int64)
    counts = {name: int((cat == i).sum()) for i, name in enumerate(CATEGORIES)}
    ref = reference or saes_reference(o.intake, o.outcome, instrument, "own")
    if n < MIN_EPISODES:
        reason = f"not enough data: {n} episodes, at least {MIN_EPISODES} needed"
        empty = Figure(None, None, n, reason)
        return Effectiveness(
            n, False, False, reason, empty, empty, ref, counts,
            {k: empty for k in PERCENT_KEYS}, int(o.not_on_track.sum()),
            int(o.dropout.sum()), empty, empty,
        )  # fmt: skip
    s = better_sign(instrument)
    change = s * (o.outcome - o.intake)
    # Centring keeps E[x^2] - E[x]^2 accurate in the resamples.
    x = o.intake - o.intake.mean()
    resid = s * (o.outcome - (ref.a + ref.b * o.intake)) if ref is not None else np.full(n, np.nan)
    indicators = [
        (cat == RECOVERED) | (cat == IMPROVED),
        *[cat == i for i in range(len(CATEGORIES))],
        o.not_on_track,
        o.dropout,
    ]
    cols = [
        change,
        x,
        x * x,
        resid,
        o.sessions,
        o.weeks,
        *[i.astype(np.float64) for i in indicators],
    ]
    values = np.column_stack(cols)
    valid = (~np.isnan(values)).astype(np.float64)
    point = np.nansum(values * valid, axis=0) / np.maximum(valid.sum(axis=0), 1.0)
    boot = bootstrap_means(values, valid, n_resamples, seed)

    def effect(m: FloatArray) -> FloatArray:
        var = (m[..., 2] - m[..., 1] ** 2) * n / (n - 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(m[..., 0] / np.sqrt(np.where(var > 0, var, np.nan)))

    es = _figure(float(effect(point)), effect(boot), n)
    if ref is None:
        saes = Figure(None, None, n, "no reference fit (fewer than 3 episodes or no spread)")
    else:
        saes_b = (ref.mean_change + boot[:, 3]) / ref.sd_intake
        saes = _figure((ref.mean_change + point[3]) / ref.sd_intake, saes_b, n)
    percent = {
        key: _figure(100.0 * point[6 + j], 100.0 * boot[:, 6 + j], n)
        for j, key in enumerate(PERCENT_KEYS)
    }
    n_weeks = int(valid[:, 5].sum())
    return Effectiveness(
        n=n,
        enough=True,
        certifiable=n >= ACORN_MIN,
        reason="",
        effect_size=es,
        saes=saes,
        saes_reference=ref,
        categories=counts,
        percent=percent,
        not_on_track=int(o.not_on_track.sum()),
        dropout=int(o.dropout.sum()),
        mean_sessions=_figure(point[4], boot[:, 4], n),
        mean_weeks=_figure(point[5], boot[:, 5], n_weeks)
        if n_weeks
        else Figure(None, None, 0, "no session dates"),
    )
