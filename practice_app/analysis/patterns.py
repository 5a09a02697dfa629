"""Learning from clients: recurring patterns behind poor outcomes (science.md section 7).

Public API:

- ``FLAGS``: ("not_on_track", "deteriorated", "dropout", "low_alliance", "sudden_loss").
- ``Flag`` (name, event, known): one flag per episode and where it is known.
- ``Feature`` (kind, values, member, known, exclusive, skip_flags): one candidate feature;
  ``member[e, v]`` says episode e has value v (``pattern_features`` builds them).
- ``PatternTest``: one flag x feature value test with its counts, rates, risk ratio and
  95% CI, Fisher's p, Benjamini-Hochberg q, status and ``recurring``.
- ``find_patterns(flags, features, recent, min_support=5) -> tuple[PatternTest, ...]``:
  every test, patterns first.
- ``risk_ratio(a, n1, c, n0) -> (rr, low, high)``, ``fisher_p(a, n1, c, n0)``,
  ``bh_q(p)``: the statistics, vectorised over tests.
- ``SrsItemFinding`` and ``srs_item_finding(lowest, items, not_on_track, known)``.
- ``bunt_rows(per_measurement, alliance_good, open_, min_red=4) -> IntArray`` and
  ``red_counts(per_measurement) -> IntArray``.

Definitions (science.md section 7; where it is silent the choice is stated here):

- A test compares the episodes with a feature value against the other episodes whose
  value of that feature is known (an unknown referral source is not "another source"),
  within the episodes where the flag is known. It is run when both groups hold at
  least ``MIN_SUPPORT`` = 5 episodes. A feature with exactly two values gives mirror
  tests with the same p; only the one with the higher rate is kept. A flag is not
  tested against a feature defined from it (early low alliance x low alliance).
- Risk ratio = (a / n1) / (c / n0) with its 95% CI by the log method of Katz et al.
  (1978): exp(ln RR +/- 1.96 x sqrt(1/a - 1/n1 + 1/c - 1/n0)). science.md names no
  continuity correction; when a group has no event (RR 0 or infinite) 0.5 is added to
  each of the four cells (Haldane-Anscombe) for the ratio and its CI.
- p: two-sided Fisher's exact test of the 2 x 2 table, as scipy.stats.fisher_exact
  computes it, vectorised over tests (``fisher_p``).
- q: Benjamini-Hochberg over every test run (scipy.stats.false_discovery_control).
- status: "pattern" when q < 0.10; "emerging" when p < 0.05 only; "" otherwise.
- recurring: a pattern or emerging result that also holds in each of two periods
  (``recent``: the last 12 months, and before): in each period both groups hold at
  least ``MIN_SUPPORT`` episodes, the rate differs in the same direction as overall,
  and the period's own Fisher p is below ``RECURRING_P`` = 0.10.
- The "sacrifice bunt": an open episode red at 4 or more measurements, red at its
  latest one, with a good alliance (the caller decides what good is: the services use
  the latest alliance score at or above its cutoff).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from scipy import special, stats

from practice_app.analysis.scores import BoolArray, FloatArray, IntArray

FLAGS = ("not_on_track", "deteriorated", "dropout", "low_alliance", "sudden_loss")
MIN_SUPPORT = 5
"""Episodes needed with a feature value (and without it) before it is tested."""
Q_PATTERN = 0.10
P_EMERGING = 0.05
RECURRING_P = 0.10
Z95 = float(stats.norm.ppf(0.975))
STATUSES = ("pattern", "emerging", "")


@dataclass(frozen=True)
class Flag:
    """A flag per episode (``event``) and the episodes where it is defined (``known``)."""

    name: str
    event: BoolArray
    known: BoolArray


@dataclass(frozen=True)
class Feature:
    """A candidate feature: ``member[e, v]`` when episode e has ``values[v]``."""

    kind: str
    values: tuple[str, ...]
    member: BoolArray
    known: BoolArray
    exclusive: bool = True
    """Each known episode has exactly one value (a category, not a list of concerns)."""
    skip_flags: frozenset[str] = frozenset()
    """Flags this feature is defined from (never tested against it)."""


@dataclass(frozen=True)
class PatternTest:
    """One flag x feature value test (see the module docstring)."""

    flag: str
    feature: str
    value: str
    feature_index: int
    value_index: int
    n_with: int
    n_without: int
    events_with: int
    events_without: int
    rate_with: float
    rate_without: float
    risk_ratio: float
    ci: tuple[float, float]
    p: float
    q: float
    status: str
    recurring: bool


def risk_ratio(
    a: npt.ArrayLike, n1: npt.ArrayLike, c: npt.ArrayLike, n0: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Risk ratio and Katz 95% CI, 0.5 added to each cell when a group has no event."""
    a_, n1_, c_, n0_ = (np.asarray(x, dtype=np.float64) for x in (a, n1, c, n0))
    zero = (a_ == 0) | (c_ == 0)
    a_ = a_ + 0.5 * zero
    c_ = c_ + 0.5 * zero
    n1_ = n1_ + 1.0 * zero
    n0_ = n0_ + 1.0 * zero
    rr = (a_ / n1_) / (c_ / n0_)
    se = np.sqrt(1 / a_ - 1 / n1_ + 1 / c_ - 1 / n0_)
    log_rr = np.log(rr)
    return rr, np.exp(log_rr - Z95 * se), np.exp(log_rr + Z95 * se)


FISHER_TIE = 1e-7
"""Relative tolerance under which a table is as probable as the observed one (R's value)."""


def _lnfact(n: npt.NDArray[np.int64]) -> FloatArray:
    return np.asarray(special.gammaln(n + 1.0), dtype=np.float64)


def fisher_p(
    a: npt.ArrayLike, n1: npt.ArrayLike, c: npt.ArrayLike, n0: npt.ArrayLike
) -> FloatArray:
    """Two-sided Fisher's exact p of each table [[a, n1 - a], [c, n0 - c]].

    The same test as scipy.stats.fisher_exact (tests check it to 1e-9), vectorised: the
    hypergeometric probabilities (from scipy.special.gammaln) of every table with the same
    margins, summed over those no more probable than the observed one.
    """
    shape = np.broadcast(a, n1, c, n0).shape
    a_, n1_, c_, n0_ = (
        np.broadcast_to(np.asarray(x, np.int64), shape).ravel() for x in (a, n1, c, n0)
    )
    events = a_ + c_
    lo = np.maximum(0, events - n0_)
    hi = np.minimum(n1_, events)
    if a_.size == 0:
        return np.empty(shape, dtype=np.float64)
    x = lo[:, None] + np.arange(int((hi - lo).max()) + 1)[None, :]
    valid = x <= hi[:, None]
    x = np.where(valid, x, lo[:, None])
    # log P(x) up to a constant per table: ln C(n1, x) + ln C(n0, K - x).
    logp = -_lnfact(x) - _lnfact(n1_[:, None] - x)
    logp -= _lnfact(events[:, None] - x) + _lnfact(n0_[:, None] - events[:, None] + x)
    observed = -_lnfact(a_) - _lnfact(n1_ - a_) - _lnfact(c_) - _lnfact(n0_ - c_)
    scale = np.where(valid, logp, -np.inf).max(axis=1)
    weight = np.where(valid, np.exp(logp - scale[:, None]), 0.0)
    as_extreme = valid & (logp <= observed[:, None] + np.log1p(FISHER_TIE))
    # Divided by the sum over every table (1 in exact arithmetic): rounding cancels.
    p = np.where(as_extreme, weight, 0.0).sum(axis=1) / weight.sum(axis=1)
    return np.asarray(np.minimum(p, 1.0).reshape(shape), dtype=np.float64)


def bh_q(p: npt.ArrayLike) -> FloatArray:
    """Benjamini-Hochberg adjusted p values (scipy.stats.false_discovery_control)."""
    arr = np.asarray(p, dtype=np.float64)
    if arr.size == 0:
        return arr.copy()
    return np.asarray(stats.false_discovery_control(arr, method="bh"), dtype=np.float64)


@dataclass(frozen=True)
class _Columns:
    """All features side by side: one column per feature value."""

    member: BoolArray
    known: BoolArray
    feature: IntArray
    value: IntArray


def _columns(features: Sequence[Feature], n: int) -> _Columns:
    members = [f.member.reshape(n, len(f.values)) for f in features]
    feature = np.concatenate(
        [np.full(len(f.values), i, dtype=np.int64) for i, f in enumerate(features)]
        or [np.empty(0, np.int64)]
    )
    value = np.concatenate(
        [np.arange(len(f.values), dtype=np.int64) for f in features] or [np.empty(0, np.int64)]
    )
    known = np.stack([f.known for f in features], axis=1) if features else np.zeros((n, 0), bool)
    member = np.concatenate(members, axis=1) if members else np.zeros((n, 0), bool)
    return _Columns(member & known[:, feature], known[:, feature], feature, value)


def _counts(
    cols: _Columns, event: BoolArray, rows: BoolArray
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """n_with, n_without, events_with, events_without per column within ``rows``."""
    r = rows.astype(np.int64)
    ev = (event & rows).astype(np.int64)
    member = cols.member.astype(np.int64)
    known = cols.known.astype(np.int64)
    n_with = r @ member
    n_pop = r @ known
    e_with = ev @ member
    e_pop = ev @ known
    return n_with, n_pop - n_with, e_with, e_pop - e_with


def _holds(
    cols: _Columns, flag: Flag, rows: BoolArray, direction: FloatArray, min_support: int
) -> BoolArray:
    """Whether each column's difference holds within ``rows`` (one period)."""
    n1, n0, a, c = _counts(cols, flag.event, flag.known & rows)
    ok = (n1 >= min_support) & (n0 >= min_support)
    diff = np.where(ok, a / np.maximum(n1, 1) - c / np.maximum(n0, 1), 0.0)
    p = np.ones(n1.size)
    if ok.any():
        p[ok] = fisher_p(a[ok], n1[ok], c[ok], n0[ok])
    return np.asarray(ok & (np.sign(diff) == direction) & (p < RECURRING_P), dtype=bool)


def find_patterns(
    flags: Sequence[Flag],
    features: Sequence[Feature],
    recent: npt.ArrayLike | None = None,
    min_support: int = MIN_SUPPORT,
) -> tuple[PatternTest, ...]:
    """Run every flag x feature value test; patterns first, then emerging, then the rest."""
    if not flags:
        return ()
    n = flags[0].event.size
    cols = _columns(features, n)
    recent_b = np.zeros(n, dtype=bool) if recent is None else np.asarray(recent, dtype=bool)
    found: list[PatternTest] = []
    for flag in flags:
        n1, n0, a, c = _counts(cols, flag.event, flag.known)
        keep = (n1 >= min_support) & (n0 >= min_support)
        keep &= np.array([flag.name not in features[f].skip_flags for f in cols.feature], bool)
        rate1 = a / np.maximum(n1, 1)
        rate0 = c / np.maximum(n0, 1)
        # Mirror tests (a feature with two values): keep the value with the higher rate.
        for i, f in enumerate(features):
            idx = np.flatnonzero(cols.feature == i)
            if f.exclusive and idx.size == 2 and keep[idx].all():
                keep[idx[1] if rate1[idx[0]] >= rate1[idx[1]] else idx[0]] = False
        idx = np.flatnonzero(keep)
        if idx.size == 0:
            continue
        rr, low, high = risk_ratio(a[idx], n1[idx], c[idx], n0[idx])
        p = fisher_p(a[idx], n1[idx], c[idx], n0[idx])
        direction = np.sign(rate1[idx] - rate0[idx])
        sub = _Columns(cols.member[:, idx], cols.known[:, idx], cols.feature[idx], cols.value[idx])
        recurring = _holds(sub, flag, recent_b, direction, min_support) & _holds(
            sub, flag, ~recent_b, direction, min_support
        )
        for j, col in enumerate(idx):
            feature = features[int(cols.feature[col])]
            found.append(
                PatternTest(
                    flag=flag.name,
                    feature=feature.kind,
                    value=feature.values[int(cols.value[col])],
                    feature_index=int(cols.feature[col]),
                    value_index=int(cols.value[col]),
                    n_with=int(n1[col]),
                    n_without=int(n0[col]),
                    events_with=int(a[col]),
                    events_without=int(c[col]),
                    rate_with=float(rate1[col]),
                    rate_without=float(rate0[col]),
                    risk_ratio=float(rr[j]),
                    ci=(float(low[j]), float(high[j])),
                    p=float(p[j]),
                    q=float("nan"),
                    status="",
                    recurring=bool(recurring[j]) and direction[j] != 0,
                )
            )
    q = bh_q([t.p for t in found])
    tests = []
    for t, qi in zip(found, q, strict=True):
        status = "pattern" if qi < Q_PATTERN else "emerging" if t.p < P_EMERGING else ""
        tests.append(replace(t, q=float(qi), status=status, recurring=t.recurring and status != ""))
    order = sorted(
        range(len(tests)),
        key=lambda i: (STATUSES.index(tests[i].status), tests[i].q, tests[i].p, i),
    )
    return tuple(tests[i] for i in order)


@dataclass(frozen=True)
class SrsItemFinding:
    """Which SRS item is most often the lowest in not-on-track episodes, against the others."""

    item: str
    count_not_on_track: int
    n_not_on_track: int
    count_others: int
    n_others: int
    p: float
    """Fisher's exact p of that item being the lowest, not on track against the others."""
    counts: tuple[tuple[str, int, int], ...]
    """(item, times lowest in not-on-track episodes, times lowest in the others) per item."""

    @property
    def share_not_on_track(self) -> float:
        """Share of not-on-track episodes whose lowest item is ``item``."""
        return self.count_not_on_track / self.n_not_on_track

    @property
    def share_others(self) -> float:
        """Share of the other episodes whose lowest item is ``item``."""
        return self.count_others / self.n_others if self.n_others else float("nan")


def srs_item_finding(
    lowest: npt.ArrayLike,
    items: Sequence[str],
    not_on_track: npt.ArrayLike,
    known: npt.ArrayLike,
    min_support: int = MIN_SUPPORT,
) -> SrsItemFinding | None:
    """The item most often lowest in not-on-track episodes (ties: the larger excess).

    ``lowest[e]`` is the index of episode e's lowest item (-1 when none is lowest alone);
    ``known`` marks the episodes where not on track is defined. None below
    ``min_support`` not-on-track episodes with a lowest item.
    """
    low = np.asarray(lowest, dtype=np.int64)
    nt = np.asarray(not_on_track, dtype=bool)
    pop = np.asarray(known, dtype=bool) & (low >= 0)
    k = len(items)
    in_nt = np.bincount(low[pop & nt], minlength=k)[:k]
    in_other = np.bincount(low[pop & ~nt], minlength=k)[:k]
    n_nt, n_other = int(in_nt.sum()), int(in_other.sum())
    if n_nt < min_support or k == 0:
        return None
    excess = in_nt / n_nt - (in_other / n_other if n_other else 0.0)
    best = int(np.lexsort((-excess, -in_nt))[0])
    p = float(fisher_p(in_nt[best], n_nt, in_other[best], n_other)) if n_other else 1.0
    return SrsItemFinding(
        item=items[best],
        count_not_on_track=int(in_nt[best]),
        n_not_on_track=n_nt,
        count_others=int(in_other[best]),
        n_others=n_other,
        p=p,
        counts=tuple((items[i], int(in_nt[i]), int(in_other[i])) for i in range(k)),
    )
