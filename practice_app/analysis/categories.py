"""Change categories of episodes (science.md section 2), vectorized over episodes.

Public API:

- ``CATEGORIES``: ("recovered", "improved", "unchanged", "deteriorated", "harmed");
  a category code is the index into this tuple, ``NO_CATEGORY`` (-1) for episodes with
  fewer than two measurements.
- ``better_sign(instrument) -> float``: +1 for higher-is-better, -1 for lower-is-better.
- ``change_better(first, last, higher_is_better) -> FloatArray``: d, positive is better.
- ``clinical_mask(scores, instrument) -> BoolArray``: on the clinical side of the cutoff,
  following ``InstrumentDef.is_clinical`` (``clinical_at_cutoff``); NaN is not clinical.
- ``categorize(intake, outcome, counts, instrument) -> Int8Array``: category codes.
- ``reliably_improved(codes) -> BoolArray``: recovered or improved.
- ``category_counts(codes) -> dict[str, int]``: counts over episodes with a category.
- ``categorize_matrix(matrix, instrument) -> Int8Array``: intake = first, outcome = last.

Rules (Jacobson & Truax 1991, J Consult Clin Psychol 59:12-19): with d the change in
the better direction and RC the instrument's reliable change,
recovered: d >= RC, intake clinical, outcome not clinical; improved: d >= RC otherwise;
unchanged: |d| < RC; harmed: d <= -RC, intake not clinical, outcome clinical;
deteriorated: d <= -RC otherwise. Differences are compared with a tolerance of
``EPS`` points so that, e.g., 20.1 -> 25.1 on the ORS counts as exactly 5 points.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from practice_app.analysis.instruments import InstrumentDef
from practice_app.analysis.scores import BoolArray, FloatArray, ScoreMatrix

Int8Array = npt.NDArray[np.int8]

CATEGORIES = ("recovered", "improved", "unchanged", "deteriorated", "harmed")
RECOVERED, IMPROVED, UNCHANGED, DETERIORATED, HARMED = range(5)
NO_CATEGORY = -1

EPS = 1e-9
"""Tolerance (points) for comparing score differences with RC (floating-point decimals)."""


def better_sign(instrument: InstrumentDef) -> float:
    """+1.0 when higher scores are better, -1.0 when lower scores are better."""
    return 1.0 if instrument.higher_is_better else -1.0


def change_better(first: npt.ArrayLike, last: npt.ArrayLike, higher_is_better: bool) -> FloatArray:
    """Change from ``first`` to ``last`` in the better direction (positive = better)."""
    diff = np.asarray(last, dtype=np.float64) - np.asarray(first, dtype=np.float64)
    return diff if higher_is_better else -diff


def clinical_mask(scores: npt.ArrayLike, instrument: InstrumentDef) -> BoolArray:
    """Vectorized ``InstrumentDef.is_clinical``: scores on the worse side of the cutoff."""
    s = np.asarray(scores, dtype=np.float64)
    c = instrument.cutoff
    if c is None:
        return np.zeros(s.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        if instrument.higher_is_better:
            out = s <= c if instrument.clinical_at_cutoff else s < c
        else:
            out = s >= c if instrument.clinical_at_cutoff else s > c
    return np.asarray(out & ~np.isnan(s), dtype=bool)


def categorize(
    intake: npt.ArrayLike,
    outcome: npt.ArrayLike,
    counts: npt.ArrayLike,
    instrument: InstrumentDef,
) -> Int8Array:
    """Category code per episode; NO_CATEGORY with < 2 measurements or without an RC."""
    first = np.asarray(intake, dtype=np.float64)
    last = np.asarray(outcome, dtype=np.float64)
    n = np.asarray(counts, dtype=np.int64)
    codes = np.full(first.shape, NO_CATEGORY, dtype=np.int8)
    rc = instrument.reliable_change
    if rc is None:
        return codes
    d = change_better(first, last, instrument.higher_is_better)
    valid = (n >= 2) & ~np.isnan(d)
    d = np.where(valid, d, 0.0)
    up = d >= rc - EPS
    down = d <= -rc + EPS
    clin_in = clinical_mask(first, instrument)
    clin_out = clinical_mask(last, instrument)
    codes[valid] = UNCHANGED
    codes[valid & up] = IMPROVED
    codes[valid & up & clin_in & ~clin_out] = RECOVERED
    codes[valid & down] = DETERIORATED
    codes[valid & down & ~clin_in & clin_out] = HARMED
    return codes


def categorize_matrix(matrix: ScoreMatrix, instrument: InstrumentDef) -> Int8Array:
    """Category codes for every episode of a ScoreMatrix (intake first, outcome last)."""
    return categorize(matrix.intake, matrix.latest, matrix.counts, instrument)


def reliably_improved(codes: npt.ArrayLike) -> BoolArray:
    """Recovered or improved ("reliably improved", science.md section 2)."""
    c = np.asarray(codes)
    return np.asarray((c == RECOVERED) | (c == IMPROVED), dtype=bool)


def category_counts(codes: npt.ArrayLike) -> dict[str, int]:
    """Number of episodes per category (episodes without a category are not counted)."""
    c = np.asarray(codes, dtype=np.int64)
    counts = np.bincount(c[c >= 0], minlength=len(CATEGORIES))
    return {name: int(counts[i]) for i, name in enumerate(CATEGORIES)}
