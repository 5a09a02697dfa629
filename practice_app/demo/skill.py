"""The demo therapist's weekly practice plan, and the skill it builds.

Practice is planned week by week before anything else, because the outcomes depend on
it: Chow et al. (2015) found that time in solitary deliberate practice predicted
therapists' outcomes (experience and caseload did not). The demo's skill at a date is
therefore a function of the practice hours of the preceding months, so quarters with
more practice are followed by better severity-adjusted outcomes, with plenty of noise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from practice_app.demo.calendar import WEEK, in_windows, is_holiday, monday

Windows = tuple[tuple[dt.date, dt.date], ...]

SKILL_WINDOW_DAYS = 91
"""Practice counts towards skill for three months."""
SKILL_BASE = 0.64
SKILL_PER_HOUR = 0.24
"""Skill (a multiplier of early change) = base + per-hour x mean weekly practice hours."""


CROWDED_AFTER = dt.timedelta(weeks=6)
"""After a heavy period the caseload stays full for weeks, and so does the lack of time."""


@dataclass(frozen=True)
class PracticePlan:
    """Planned practice minutes per week (keyed by the week's Monday; 0: no practice)."""

    weeks: tuple[dt.date, ...]
    minutes: tuple[float, ...]

    def skill_at(self, day: dt.date, since: dt.date | None = None) -> float:
        """Skill at ``day``, from the mean weekly hours since ``since`` (or earlier).

        The hours count from ``since`` or from SKILL_WINDOW_DAYS before ``day``,
        whichever is earlier: the practice done while an episode ran, and at least the
        last three months.
        """
        lo = day - dt.timedelta(days=SKILL_WINDOW_DAYS)
        if since is not None:
            lo = min(lo, since)
        # Before the journal starts, the first weeks' level stands in for the unknown past.
        inside = [m for w, m in zip(self.weeks, self.minutes, strict=True) if lo <= w <= day]
        if len(inside) < 4:
            inside = list(self.minutes[:8])
        hours = float(np.mean(inside)) / 60.0 if inside else 0.0
        return SKILL_BASE + SKILL_PER_HOUR * hours


def practice_plan(
    rng: np.random.Generator, first: dt.date, today: dt.date, heavy: Windows
) -> PracticePlan:
    """Weekly minutes rising from about half an hour to three hours, with slow swings.

    Besides the rise, practice drifts for months at a time (a course, a new baby, a good
    supervisor), shrinks in heavy-load periods and pauses in the holidays.
    """
    weeks = []
    week = monday(first)
    while week <= today:
        weeks.append(week)
        week += WEEK
    n = len(weeks)
    crowded = tuple((a, b + CROWDED_AFTER) for a, b in heavy)
    # A slow monthly swing (AR(1) on the log scale), so quarters differ beyond the trend.
    months = n // 4 + 2
    swing = np.zeros(months)
    for k in range(1, months):
        swing[k] = 0.8 * swing[k - 1] + rng.normal(0.0, 0.12)
    minutes = []
    for w, week in enumerate(weeks):
        t = w / max(1, n - 1)
        hours = 0.5 + 2.8 * t**0.8
        value = hours * 60 * float(np.exp(rng.normal(0.0, 0.3) + swing[w // 4]))
        mid = week + dt.timedelta(days=2)
        if in_windows(mid, crowded):
            value *= 0.5  # a full caseload crowds out practice until the extra clients finish
        if is_holiday(mid) or rng.random() < 0.08:
            value = 0.0
        minutes.append(value)
    return PracticePlan(tuple(weeks), tuple(minutes))
