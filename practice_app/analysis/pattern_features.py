"""Candidate features for learning from clients (science.md section 7), as ``Feature``s.

Public API:

- ``categorical(kind, labels) -> Feature``: one value per episode (None or "" = unknown);
  values that differ only in case or spacing are one value (shown as first seen).
- ``multi_valued(kind, texts) -> Feature``: lists such as presenting concerns, split on
  commas, semicolons, slashes, "|" and new lines; an episode may have several values.
- ``binary(kind, value, present, known, skip_flags=()) -> Feature``: one yes/no feature
  (only "yes" is tested: "no" is its mirror).
- ``severity_bands(intake, instrument) -> Feature``: intake severity band.
- ``early_low_alliance(by_session, instrument) -> Feature``: alliance below its cutoff
  at session 1 or 2 (science.md section 7; a risk for dropout, section 3).
- ``lowest_items(item_means, ...) -> IntArray`` and ``lowest_item(codes, items, instrument)``: the
  alliance item with the lowest mean over the episode's sessions.
- ``longest_gaps(episode, dates, n, within=None) -> FloatArray`` and ``long_gap(...)``.
- ``episode_load(first, owner, session_dates, session_owner, weeks=4)`` and
  ``load_bands(load)``: the therapist's weekly load as each episode began.

Choices (science.md names the features but not their bands):

- Intake severity, in steps of the reliable change (RC) from the clinical cutoff:
  "non-clinical" (not clinical at intake), "mild" (clinical, up to one RC beyond the
  cutoff), "moderate" (up to two RC), "severe" (further). For the ORS (cutoff 25, RC 5):
  25 and above, 20 to under 25, 15 to under 20, under 15; for the PHQ-9 (clinical at
  10, RC 6): under 10, 10-15, 16-21, 22 and above.
- Lowest item: the item with the lowest mean over the episode's scored sessions; an
  episode where two items share the lowest mean has no single lowest item (unknown).
- Long gap: ``LONG_GAP_DAYS`` = 28 days or more between two of the first
  ``GAP_SESSIONS`` = 4 sessions (episodes with fewer sessions: unknown).
- Weekly load: the sessions the therapist held (all clients) in each Monday-to-Sunday
  week, averaged over the working weeks (weeks with a session) among the
  ``LOAD_WEEKS`` = 4 weeks from the episode's first session; bands 5 sessions a week
  wide with a thin band at either end merged inwards, as the workload figures
  (science.md section 6, ``practice_results``) define them.
- Why fixed windows: the flags are "at some session" (red at some measurement, alliance
  below its cutoff at some session, a sudden loss), so a long episode has more chances
  to carry one. The longest gap over a whole episode, or a load averaged over it,
  depends on its length too (more gaps to be long; a short episode's average is more
  extreme), and would show "patterns" in data that hold none. A window of the same size
  for every episode keeps the comparison fair.
- Intake severity is not tested against the flags computed from the change since
  intake (not on track, deteriorated, sudden loss): regression to the mean, the ends of
  the scale and the cutoffs relate them in any data, pattern or not. It is tested
  against dropout and low alliance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from practice_app.analysis import practice_results as pr
from practice_app.analysis.categories import EPS, clinical_mask
from practice_app.analysis.instruments import InstrumentDef
from practice_app.analysis.patterns import Feature
from practice_app.analysis.scores import FloatArray, IntArray

CHANGE_FLAGS = frozenset({"not_on_track", "deteriorated", "sudden_loss"})
"""Flags computed from the change since intake (not tested against intake severity)."""
LONG_GAP_DAYS = 28
GAP_SESSIONS = 4
"""Sessions whose gaps are looked at: the first four (three gaps) of every episode."""
GAP_FEATURE = f"gap in the first {GAP_SESSIONS} sessions"
LOAD_WEEKS = 4
"""Weeks from the first session over which an episode's weekly load is averaged."""
_SPLIT = re.compile(r"[,;/|\n]+")


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _values(groups: Sequence[Iterable[str]]) -> tuple[tuple[str, ...], list[list[int]]]:
    """Distinct values (most frequent first, then by name) and each episode's value indexes."""
    shown: dict[str, str] = {}
    counts: dict[str, int] = {}
    keys: list[list[str]] = []
    for group in groups:
        row: list[str] = []
        for text in group:
            clean = " ".join(str(text).split())
            if not clean:
                continue
            k = _key(clean)
            if k not in row:
                row.append(k)
                shown.setdefault(k, clean)
                counts[k] = counts.get(k, 0) + 1
        keys.append(row)
    order = sorted(counts, key=lambda k: (-counts[k], shown[k].casefold()))
    index = {k: i for i, k in enumerate(order)}
    return tuple(shown[k] for k in order), [[index[k] for k in row] for row in keys]


def _feature(kind: str, groups: Sequence[Iterable[str]], exclusive: bool) -> Feature:
    values, rows = _values(groups)
    member = np.zeros((len(rows), len(values)), dtype=bool)
    for e, row in enumerate(rows):
        member[e, row] = True
    return Feature(kind, values, member, np.asarray(member.any(axis=1), dtype=bool), exclusive)


def categorical(kind: str, labels: Sequence[str | None]) -> Feature:
    """A feature with one value per episode (None or blank = unknown)."""
    return _feature(kind, [[v] if v else [] for v in labels], exclusive=True)


def multi_valued(kind: str, texts: Sequence[str | None]) -> Feature:
    """A feature whose text lists several values (presenting concerns)."""
    return _feature(kind, [_SPLIT.split(t) if t else [] for t in texts], exclusive=False)


def binary(
    kind: str,
    value: str,
    present: npt.ArrayLike,
    known: npt.ArrayLike,
    skip_flags: Iterable[str] = (),
) -> Feature:
    """A yes/no feature: only the "yes" value is tested."""
    known_b = np.asarray(known, dtype=bool)
    member = (np.asarray(present, dtype=bool) & known_b)[:, None]
    return Feature(
        kind, (value,), member, known_b, exclusive=False, skip_flags=frozenset(skip_flags)
    )


def severity_bands(intake: npt.ArrayLike, instrument: InstrumentDef) -> Feature | None:
    """Intake severity band in RC steps from the cutoff (None without cutoff or RC)."""
    if instrument.cutoff is None or not instrument.reliable_change:
        return None
    x = np.asarray(intake, dtype=np.float64)
    cut, rc = float(instrument.cutoff), float(instrument.reliable_change)
    clinical = clinical_mask(x, instrument)
    # Bands by score: each band's upper end is the next one's lower end ("20 to under 25").
    if instrument.higher_is_better:
        beyond_one, beyond_two = x < cut - rc - EPS, x < cut - 2 * rc - EPS
    else:
        beyond_one, beyond_two = x >= cut + rc - EPS, x >= cut + 2 * rc - EPS
    band = np.full(x.size, -1, dtype=np.int64)
    band[~np.isnan(x)] = 0
    band[clinical] = 1
    band[clinical & beyond_one] = 2
    band[clinical & beyond_two] = 3
    g = "{:g}".format
    if instrument.higher_is_better:
        labels = (
            f"non-clinical ({g(cut)} or more)",
            f"mild ({g(cut - rc)} to under {g(cut)})",
            f"moderate ({g(cut - 2 * rc)} to under {g(cut - rc)})",
            f"severe (under {g(cut - 2 * rc)})",
        )
    else:
        labels = (
            f"non-clinical (under {g(cut)})",
            f"mild ({g(cut)} to under {g(cut + rc)})",
            f"moderate ({g(cut + rc)} to under {g(cut + 2 * rc)})",
            f"severe ({g(cut + 2 * rc)} or more)",
        )
    member = band[:, None] == np.arange(4)[None, :]
    used = member.any(axis=0)
    return Feature(
        "intake severity",
        tuple(label for label, u in zip(labels, used, strict=True) if u),
        member[:, used],
        band >= 0,
        skip_flags=CHANGE_FLAGS,
    )


def early_low_alliance(by_session: npt.ArrayLike, instrument: InstrumentDef) -> Feature:
    """Alliance below the cutoff at session 1 or 2 (known when either is scored)."""
    m = np.asarray(by_session, dtype=np.float64)
    first_two = m[:, :2] if m.ndim == 2 else np.empty((0, 0))
    known = ~np.isnan(first_two).all(axis=1) if first_two.shape[1] else np.zeros(m.shape[0], bool)
    low = clinical_mask(first_two, instrument).any(axis=1) if first_two.shape[1] else known
    return binary("early alliance", "low", low, known, skip_flags=("low_alliance",))


def lowest_items(item_means: npt.ArrayLike) -> IntArray:
    """Index of each episode's lowest item mean (-1 when none, or two share the lowest)."""
    m = np.asarray(item_means, dtype=np.float64)
    if m.size == 0:
        return np.full(m.shape[0], -1, dtype=np.int64)
    filled = np.where(np.isnan(m), np.inf, m)
    low = filled.min(axis=1)
    # Means of one-decimal items: a millionth of a point apart is the same mean.
    with np.errstate(invalid="ignore"):  # rows without any item: inf - inf
        ties = (np.abs(filled - low[:, None]) <= 1e-6).sum(axis=1)
    out: IntArray = np.asarray(filled.argmin(axis=1), dtype=np.int64)
    out[(ties != 1) | ~np.isfinite(low)] = -1
    return out


def lowest_item(codes: IntArray, items: Sequence[str], instrument: str = "SRS") -> Feature:
    """The lowest alliance item as a feature (values in the instrument's item order)."""
    member = codes[:, None] == np.arange(len(items))[None, :]
    used = member.any(axis=0)
    return Feature(
        f"lowest {instrument} item",
        tuple(i for i, u in zip(items, used, strict=True) if u),
        member[:, used],
        codes >= 0,
    )


def longest_gaps(
    episode: npt.ArrayLike, dates: npt.ArrayLike, n: int, within: int | None = None
) -> FloatArray:
    """Longest gap in days between consecutive dated sessions of each episode.

    With ``within`` = k, only among the first k dated sessions, and NaN for episodes with
    fewer than k (so every episode is judged on the same number of gaps); otherwise NaN
    for episodes with fewer than two dated sessions.
    """
    ep = np.asarray(episode, dtype=np.int64)
    d = np.asarray(dates, dtype="datetime64[D]")
    ok = ~np.isnat(d)
    ep, d = ep[ok], d[ok]
    order = np.lexsort((d, ep))
    ep, days = ep[order], d[order].astype(np.int64)
    out = np.full(n, np.nan)
    if ep.size < 2:
        return out
    counts = np.bincount(ep, minlength=n)
    position = np.arange(ep.size) - (np.cumsum(counts) - counts)[ep]  # 0-based, by date
    same = ep[1:] == ep[:-1]
    if within is not None:
        same &= position[1:] < within
    gaps = (days[1:] - days[:-1]).astype(np.float64)
    best = np.full(n, -np.inf)
    np.maximum.at(best, ep[1:][same], gaps[same])
    found = np.isfinite(best)
    if within is not None:
        found &= counts >= within
    out[found] = best[found]
    return out


def long_gap(gaps: npt.ArrayLike, days: int = LONG_GAP_DAYS) -> Feature:
    """Whether an episode had a gap of ``days`` or more in its first sessions."""
    g = np.asarray(gaps, dtype=np.float64)
    weeks = days // 7
    label = f"{weeks} weeks or more" if days % 7 == 0 else f"{days} days or more"
    return binary(GAP_FEATURE, label, np.nan_to_num(g) >= days, ~np.isnan(g))


def episode_load(
    first: npt.ArrayLike,
    owner: npt.ArrayLike,
    session_dates: npt.ArrayLike,
    session_owner: npt.ArrayLike,
    weeks: int = LOAD_WEEKS,
) -> FloatArray:
    """The therapist's mean sessions per working week in the episode's first ``weeks`` weeks.

    ``owner`` and ``session_owner`` are therapist indexes (0..k-1) of the episodes and of
    every session the therapists held. Computed with the workload figures' own functions
    (``practice_results``), over a window of the same length for every episode.
    """
    own = np.asarray(owner, dtype=np.int64)
    so = np.asarray(session_owner, dtype=np.int64)
    k = int(max(so.max(initial=-1), own.max(initial=-1))) + 1
    mondays, counts = pr.weekly_sessions(session_dates, so, k)
    start = np.asarray(first, dtype="datetime64[D]")
    end = start + np.timedelta64(7 * (weeks - 1), "D")
    return pr.episode_load(start, end, own, mondays, counts)


def load_bands(load: npt.ArrayLike) -> Feature:
    """Weekly load in the workload figures' bands (5 sessions wide, thin ends merged)."""
    x = np.asarray(load, dtype=np.float64)
    bands = pr.load_bands(x)
    band = pr.band_index(x, bands) if bands else np.full(x.size, -1, dtype=np.int64)
    labels = tuple(f"{b.label} sessions a week" for b in bands)
    member = band[:, None] == np.arange(len(bands))[None, :]
    used = member.any(axis=0)
    return Feature(
        "weekly load",
        tuple(label for label, u in zip(labels, used, strict=True) if u),
        member[:, used],
        band >= 0,
    )
