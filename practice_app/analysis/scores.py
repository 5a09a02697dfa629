"""Scores of many episodes on one instrument as padded numpy matrices.

Public API:

- ``ScoreMatrix``: the scores of ``n`` episodes on one instrument, kept two ways:
  ``scores[e, m]`` is the (m+1)-th measurement (the (m+1)-th non-missing score, in
  session order) and ``sessions[e, m]`` its session number; ``counts[e]`` is the number
  of measurements. ``by_session()`` returns the matrix indexed by session number
  (column j = session j+1, NaN where the session has no score), which the sudden-gain
  windows use (a session without a score is a gap there).
- ``build_score_matrix(episode, session, total, n_episodes=None) -> ScoreMatrix``:
  vectorized construction from long arrays (episode index 0..n-1, session number >= 1,
  total). Missing totals (NaN) are dropped; a repeated (episode, session) keeps the
  value that comes last in the input.
- ``episode_index(episode_ids, known_ids) -> IntArray``: map database ids to row
  positions of a sorted id array (for feeding ``build_score_matrix``).
- Type aliases ``FloatArray``, ``IntArray``, ``BoolArray``, ``DateArray``.

Measurement number n (trajectories, signals, categories) counts measurements, not
sessions: science.md section 2 ("its intake score is the first measurement").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
DateArray = npt.NDArray[np.datetime64]


@dataclass(frozen=True)
class ScoreMatrix:
    """Measurements of each episode on one instrument, NaN-padded (see the module docstring)."""

    scores: FloatArray
    sessions: IntArray
    counts: IntArray

    @property
    def n_episodes(self) -> int:
        """Number of episodes (rows)."""
        return int(self.scores.shape[0])

    @property
    def max_count(self) -> int:
        """The largest number of measurements of any episode (columns)."""
        return int(self.scores.shape[1])

    @property
    def intake(self) -> FloatArray:
        """First measurement of each episode (NaN when it has none)."""
        if self.max_count == 0:
            return np.full(self.n_episodes, np.nan)
        return self.scores[:, 0].copy()

    @property
    def latest(self) -> FloatArray:
        """Last measurement of each episode (NaN when it has none)."""
        return self.at_measurement(self.counts)

    def at_measurement(self, n: IntArray) -> FloatArray:
        """Score at measurement number ``n[e]`` (1-based) of each episode; NaN when absent."""
        out = np.full(self.n_episodes, np.nan)
        ok = (n >= 1) & (n <= self.counts)
        rows = np.flatnonzero(ok)
        out[rows] = self.scores[rows, n[rows] - 1]
        return out

    def by_session(self) -> FloatArray:
        """Matrix indexed by session number: column j holds session j+1, NaN where unscored."""
        width = int(self.sessions.max()) if self.sessions.size else 0
        out = np.full((self.n_episodes, width), np.nan)
        mask = self.present()
        rows, cols = np.nonzero(mask)
        out[rows, self.sessions[rows, cols] - 1] = self.scores[rows, cols]
        return out

    def present(self) -> BoolArray:
        """Boolean mask of the filled measurement cells."""
        return np.arange(self.max_count)[None, :] < self.counts[:, None]

    def subset(self, rows: IntArray | BoolArray) -> ScoreMatrix:
        """The matrix restricted to some episodes (rows), trimmed to its widest row."""
        counts = self.counts[rows]
        width = int(counts.max()) if counts.size else 0
        return ScoreMatrix(self.scores[rows, :width], self.sessions[rows, :width], counts)


def build_score_matrix(
    episode: npt.ArrayLike,
    session: npt.ArrayLike,
    total: npt.ArrayLike,
    n_episodes: int | None = None,
) -> ScoreMatrix:
    """Build a ScoreMatrix from long arrays (episode index, session number >= 1, total)."""
    ep = np.asarray(episode, dtype=np.int64)
    ses = np.asarray(session, dtype=np.int64)
    tot = np.asarray(total, dtype=np.float64)
    if not ep.shape == ses.shape == tot.shape or ep.ndim != 1:
        raise ValueError("episode, session and total must be 1-d arrays of equal length")
    n = int(ep.max()) + 1 if n_episodes is None and ep.size else int(n_episodes or 0)
    if ep.size and (ep.min() < 0 or ep.max() >= n):
        raise ValueError("episode indices must lie in 0..n_episodes-1")
    if ses.size and ses.min() < 1:
        raise ValueError("session numbers start at 1")
    keep = ~np.isnan(tot)
    ep, ses, tot = ep[keep], ses[keep], tot[keep]
    # Stable sort by (episode, session); the last duplicate of a pair wins.
    order = np.lexsort((np.arange(ep.size), ses, ep))
    ep, ses, tot = ep[order], ses[order], tot[order]
    if ep.size:
        last_of_pair = np.ones(ep.size, dtype=bool)
        last_of_pair[:-1] = (ep[1:] != ep[:-1]) | (ses[1:] != ses[:-1])
        ep, ses, tot = ep[last_of_pair], ses[last_of_pair], tot[last_of_pair]
    counts = np.bincount(ep, minlength=n).astype(np.int64)
    width = int(counts.max()) if counts.size else 0
    # Position within the episode = index minus the index where the episode starts.
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])) if n else np.empty(0, np.int64)
    pos = np.arange(ep.size) - starts[ep]
    scores = np.full((n, width), np.nan)
    sessions = np.zeros((n, width), dtype=np.int64)
    scores[ep, pos] = tot
    sessions[ep, pos] = ses
    return ScoreMatrix(scores, sessions, counts)


def episode_index(episode_ids: npt.ArrayLike, known_ids: npt.ArrayLike) -> IntArray:
    """Row positions of ``episode_ids`` within the sorted array ``known_ids`` (-1 if absent)."""
    ids = np.asarray(episode_ids, dtype=np.int64)
    known = np.asarray(known_ids, dtype=np.int64)
    pos = np.searchsorted(known, ids)
    pos_clipped = np.minimum(pos, max(known.size - 1, 0))
    found = (pos < known.size) & (known[pos_clipped] == ids) if known.size else ids < ids
    return np.where(found, pos_clipped, -1).astype(np.int64)
