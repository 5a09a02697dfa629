"""The demo therapist's calendar: working days, holidays and heavy-load periods."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")

DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)


def is_holiday(day: dt.date) -> bool:
    """The therapist's fixed holidays: the first two weeks of August and Christmas week."""
    if day.month == 8 and day.day <= 14:
        return True
    return (day.month == 12 and day.day >= 23) or (day.month == 1 and day.day <= 2)


def is_workday(day: dt.date) -> bool:
    """Monday to Friday outside the holidays."""
    return day.weekday() < 5 and not is_holiday(day)


def to_workday(day: dt.date) -> dt.date:
    """Move a weekend day to the nearest weekday, then past any holiday by whole weeks."""
    if day.weekday() == 5:
        day -= DAY
    elif day.weekday() == 6:
        day += DAY
    while is_holiday(day):
        day += WEEK
    return day


def monday(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def in_windows(day: dt.date, windows: tuple[tuple[dt.date, dt.date], ...]) -> bool:
    """Whether ``day`` lies in one of the (first, last) windows."""
    return any(first <= day <= last for first, last in windows)


def draw(rng: np.random.Generator, options: Sequence[tuple[T, float]]) -> T:
    """Pick one option with probability proportional to its weight (one uniform draw)."""
    cumulative = list(itertools.accumulate(w for _, w in options))
    index = bisect.bisect_right(cumulative, rng.random() * cumulative[-1])
    return options[min(index, len(options) - 1)][0]
