"""The "sacrifice bunt" rule (science.md section 7): who to talk with about moving on.

An open episode red at ``BUNT_MIN_RED`` or more measurements, red at the latest one,
while the alliance is good: the relationship works, the approach does not. The weekly
review, the Learning screen and the consultation brief all ask this one module, which
loads no scipy so the home screen opens fast.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from practice_app.analysis.categories import Int8Array
from practice_app.analysis.scores import IntArray
from practice_app.analysis.signals import NONE, RED

BUNT_MIN_RED = 4
"""Red measurements that put an episode with a good alliance on the bunt list."""


def red_counts(per_measurement: Int8Array) -> IntArray:
    """Number of red measurements per episode."""
    return np.asarray((np.asarray(per_measurement) == RED).sum(axis=1), dtype=np.int64)


def bunt_rows(
    per_measurement: Int8Array,
    alliance_good: npt.ArrayLike,
    open_: npt.ArrayLike,
    min_red: int = BUNT_MIN_RED,
) -> IntArray:
    """Rows of open episodes red now and at ``min_red``+ measurements, with a good alliance.

    Red now (at the latest measurement) as well: an episode that was red for a while and
    has since turned green is on its way, not one to talk about moving on.
    """
    per = np.atleast_2d(np.asarray(per_measurement))
    if per.shape[1] == 0:
        return np.empty(0, dtype=np.int64)
    judged = per != NONE
    last = per.shape[1] - 1 - np.argmax(judged[:, ::-1], axis=1)
    red_now = judged.any(axis=1) & (per[np.arange(per.shape[0]), last] == RED)
    ok = (
        (red_counts(per) >= min_red)
        & red_now
        & np.asarray(alliance_good, bool)
        & np.asarray(open_, bool)
    )
    return np.flatnonzero(ok).astype(np.int64)


def is_bunt(signals: list[int], alliance_good: bool, open_: bool) -> bool:
    """The rule for one episode, from its outcome signal at each measurement (NONE..RED)."""
    per = np.array([signals], dtype=np.int8)
    return bunt_rows(per, [alliance_good], [open_]).size == 1
