"""Seeded, realistic demo data: three years of one therapist's outcomes and practice.

``generate`` is pure and deterministic for (seed, today); ``write_demo`` writes a
data set with Core bulk inserts in one transaction. No Qt here.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from practice_app.demo.calendar import to_workday
from practice_app.demo.current import plant_current_week
from practice_app.demo.model import DemoData, DemoSummary, DemoTherapist
from practice_app.demo.outcomes import generate_outcomes, heavy_windows
from practice_app.demo.practice import objectives, practice_entries
from practice_app.demo.reviews import briefs, lessons, weekly_reviews
from practice_app.demo.skill import practice_plan
from practice_app.demo.writer import write_demo
from practice_app.progress import Progress
from practice_app.storage.contents import clear_user_data, database_is_empty
from practice_app.storage.database import Database

__all__ = [
    "DemoData",
    "DemoSummary",
    "clear_user_data",
    "database_is_empty",
    "generate",
    "load_demo",
    "write_demo",
]

YEARS_DAYS = 3 * 365


def generate(seed: int = 1, today: dt.date | None = None) -> DemoData:
    """Generate the demo data set for ``seed``, ending at ``today`` (default: today)."""
    if seed < 0:
        raise ValueError("the demo seed must be 0 or more")
    today = today or dt.date.today()
    first = to_workday(today - dt.timedelta(days=YEARS_DAYS))
    # Independent streams, so tuning one part leaves the others' numbers as they were.
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)]
    heavy = heavy_windows(streams[0], first, today)
    plan = practice_plan(streams[1], first, today, heavy)
    clients, episodes = generate_outcomes(streams[0], first, today, heavy, plan.skill_at)
    planted = plant_current_week(streams[4], today, len(clients) + 1, len(episodes) + 1)
    clients, episodes = clients + planted[0], episodes + planted[1]
    objs = objectives(first, today, episodes)
    entries = practice_entries(streams[1], today, plan, episodes, objs)
    return DemoData(
        seed=seed,
        today=today,
        therapist=DemoTherapist(),
        clients=tuple(clients),
        episodes=tuple(episodes),
        objectives=tuple(objs),
        practice_entries=tuple(entries),
        weekly_reviews=tuple(weekly_reviews(streams[2], first, today, episodes)),
        lessons=tuple(lessons(streams[3], today, clients, episodes)),
        briefs=tuple(briefs(today, episodes)),
        heavy_periods=heavy,
    )


def load_demo(
    db: Database,
    seed: int = 1,
    progress: Progress | None = None,
    today: dt.date | None = None,
    *,
    replace: bool = False,
) -> DemoSummary:
    """Generate and write the demo data (``replace`` clears user data in the same transaction)."""
    return write_demo(db, generate(seed, today), progress, replace=replace)
