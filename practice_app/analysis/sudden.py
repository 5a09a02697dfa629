"""Sudden gains and sudden losses (Tang & DeRubeis 1999), vectorized over episodes.

Public API:

- ``SuddenChanges`` (NamedTuple of equal-length arrays, one entry per sudden change,
  sorted by episode, postgain session, kind): ``episode`` (row index), ``kind``
  ("gain"/"loss"), ``pregain_session``, ``postgain_session``, ``pregain``, ``postgain``,
  ``magnitude`` (absolute size of the change between the two sessions, in points).
- ``sudden_changes(scores, instrument, cutoff=None, kind="both", alpha=0.05,
  pct=0.25) -> SuddenChanges``: ``scores`` is a ScoreMatrix or a matrix indexed by
  session number (column j = session j+1, NaN = no score; ``ScoreMatrix.by_session``).
- ``t_critical(df, alpha=0.05) -> float``: two-sided critical t value.

Criteria (Tang, T. Z., & DeRubeis, R. J. 1999, J Consult Clin Psychol 67:894-904;
science.md section 4) for consecutive session numbers k-1 (pregain) and k (postgain),
d = the change between them in the better direction (for a loss, in the worse one):

1. d >= cutoff (default: the instrument's reliable change; a setting);
2. d >= pct x severity, pct = 25% (Tang & DeRubeis 1999). Severity is the pregain
   score for lower-is-better instruments, exactly as in the original (BDI). For
   higher-is-better instruments (ORS) it is the room left to improve, scale maximum
   minus the pregain score. This choice is applied as written for both directions:
   a sudden loss uses the same severity (pregain score, or maximum minus pregain) as
   a gain would, which for lower-is-better scales is also what the suddengains R
   package does (Wiedemann et al. 2020, PLOS ONE 15(3):e0230276);
3. the means of the pregain window (sessions k-3..k-1) and the postgain window
   (k..k+2) differ in the better direction (worse for a loss) by more than
   t_crit x pooled SD, pooled SD = sqrt(((n1-1)s1^2 + (n2-1)s2^2) / (n1+n2-2)),
   n1, n2 the scores present in each window, t_crit the two-sided 5% critical value of
   Student's t with n1+n2-2 degrees of freedom (scipy.special.stdtrit; 2.776 for full windows),
   the missing-data adjustment of the suddengains package.

An interval is tested only when the pregain and postgain scores are present and
both windows hold 2 or more scores. Windows are by session number, so a session
without a score is a gap, not a shift: the first testable interval is session 2 to 3.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from practice_app.analysis.categories import EPS, better_sign
from practice_app.analysis.instruments import InstrumentDef
from practice_app.analysis.scores import BoolArray, FloatArray, IntArray, ScoreMatrix

CRIT2_PCT = 0.25
"""Tang & DeRubeis (1999) criterion 2: the gain is at least 25% of the pregain severity."""
ALPHA = 0.05
"""Tang & DeRubeis (1999) criterion 3: two-sided 5% t test of the window means."""

StrArray = npt.NDArray[np.str_]


class SuddenChanges(NamedTuple):
    """Sudden gains and losses, one entry per interval (see the module docstring)."""

    episode: IntArray
    kind: StrArray
    pregain_session: IntArray
    postgain_session: IntArray
    pregain: FloatArray
    postgain: FloatArray
    magnitude: FloatArray

    def count(self, kind: str) -> int:
        """Number of entries of one kind ("gain" or "loss")."""
        return int(np.count_nonzero(self.kind == kind))

    def count_in(self, episode: int, kind: str) -> int:
        """Number of entries of one kind in one episode."""
        return int(np.count_nonzero((self.episode == episode) & (self.kind == kind)))


_T_CRITICAL_05 = {
    1: 12.706204736174694,
    2: 4.302652729749462,
    3: 3.1824463052837078,
    4: 2.7764451051977934,
    5: 2.5705818356363146,
    6: 2.4469118511449786,
    7: 2.364624251592784,
    8: 2.306004135204166,
    9: 2.262157162798205,
    10: 2.228138851986274,
}
"""scipy.special.stdtrit(df, 0.975) for small df, as scipy gives it (a test compares): the
sudden-gain test needs df 2 to 4, and importing scipy.special costs the window's first
screen (the weekly review) about 0.2 s."""


def t_critical(df: int, alpha: float = ALPHA) -> float:
    """Two-sided critical value of Student's t with ``df`` degrees of freedom."""
    if alpha == ALPHA and df in _T_CRITICAL_05:
        return _T_CRITICAL_05[df]
    # scipy.special.stdtrit is the inverse of Student's t CDF (what stats.t.ppf calls);
    # importing scipy.stats would add over a second to every command's start-up, and
    # even scipy.special is imported here, on first use, since `stats` never needs it.
    from scipy import special

    return float(special.stdtrit(df, 1.0 - alpha / 2.0))


def _window_stats(w: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Count, mean and sum of squared deviations of the non-missing values (last axis)."""
    present = ~np.isnan(w)
    n = present.sum(axis=-1).astype(np.float64)
    total = np.where(present, w, 0.0).sum(axis=-1)
    mean = total / np.maximum(n, 1.0)
    dev = np.where(present, w - mean[..., None], 0.0)
    return n, mean, (dev * dev).sum(axis=-1)


def sudden_changes(
    scores: ScoreMatrix | FloatArray,
    instrument: InstrumentDef,
    cutoff: float | None = None,
    kind: Literal["gain", "loss", "both"] = "both",
    alpha: float = ALPHA,
    pct: float = CRIT2_PCT,
) -> SuddenChanges:
    """Find sudden gains and/or losses in every episode (see the module docstring)."""
    by_session = (
        scores.by_session()
        if isinstance(scores, ScoreMatrix)
        else np.asarray(scores, dtype=np.float64)
    )
    crit1 = instrument.reliable_change if cutoff is None else cutoff
    if crit1 is None:
        raise ValueError(f"{instrument.name} has no reliable change: give a cutoff")
    k = by_session.shape[1]
    if k < 3:
        # The first testable interval is session 2 to 3.
        by_session = np.pad(by_session, ((0, 0), (0, 3 - k)), constant_values=np.nan)
        k = 3
    # Window c covers sessions c-2..c+3 (1-based), i.e. pregain window k-3..k-1 and
    # postgain window k..k+2 for postgain session k = c+1.
    padded = np.pad(by_session, ((0, 0), (3, 2)), constant_values=np.nan)
    win = sliding_window_view(padded, 6, axis=1)[:, :k, :]
    pre, post = win[..., 2], win[..., 3]
    n1, m1, ss1 = _window_stats(win[..., :3])
    n2, m2, ss2 = _window_stats(win[..., 3:])
    tested = (n1 >= 2) & (n2 >= 2) & ~np.isnan(pre) & ~np.isnan(post)
    df = np.where(tested, n1 + n2 - 2, 1.0)
    pooled_sd = np.sqrt((ss1 + ss2) / df)
    table = np.array([np.nan, np.nan] + [t_critical(d, alpha) for d in (2, 3, 4)])
    t_crit = table[df.astype(np.int64)]
    s = better_sign(instrument)
    severity = np.nan_to_num(pre if not instrument.higher_is_better else instrument.max - pre)
    d_gain = np.nan_to_num(s * (post - pre))
    mean_gain = s * (m2 - m1)

    def found(d: FloatArray, mean_diff: FloatArray) -> BoolArray:
        return np.asarray(
            tested
            & (d >= crit1 - EPS)
            & (d >= pct * severity - EPS)
            & (mean_diff > t_crit * pooled_sd),
            dtype=bool,
        )

    parts: list[tuple[BoolArray, str]] = []
    if kind in ("gain", "both"):
        parts.append((found(d_gain, mean_gain), "gain"))
    if kind in ("loss", "both"):
        parts.append((found(-d_gain, -mean_gain), "loss"))
    rows_l, cols_l, kinds_l = [], [], []
    for mask, label in parts:
        r, c = np.nonzero(mask)
        rows_l.append(r)
        cols_l.append(c)
        kinds_l.append(np.full(r.size, label))
    rows = np.concatenate(rows_l) if rows_l else np.empty(0, np.int64)
    cols = np.concatenate(cols_l) if cols_l else np.empty(0, np.int64)
    kinds = np.concatenate(kinds_l) if kinds_l else np.empty(0, "<U4")
    order = np.lexsort((kinds, cols, rows))
    rows, cols, kinds = rows[order], cols[order], kinds[order]
    pre_v, post_v = pre[rows, cols], post[rows, cols]
    return SuddenChanges(
        episode=rows.astype(np.int64),
        kind=kinds.astype("<U4"),
        pregain_session=cols.astype(np.int64),
        postgain_session=(cols + 1).astype(np.int64),
        pregain=np.asarray(pre_v, dtype=np.float64),
        postgain=np.asarray(post_v, dtype=np.float64),
        magnitude=np.abs(post_v - pre_v).astype(np.float64),
    )
