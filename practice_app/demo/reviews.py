"""Generate the demo weekly reviews, client lessons and consultation briefs."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np

from practice_app.demo import texts
from practice_app.demo.calendar import WEEK, is_holiday, monday
from practice_app.demo.model import (
    DemoBrief,
    DemoClient,
    DemoEpisode,
    DemoLesson,
    DemoWeeklyReview,
)
from practice_app.demo.outcomes import ORS_RC, starter_red

LESSON_QUOTAS = (
    ("employer", 6),
    ("dropout", 5),
    ("not-on-track", 4),
    ("deteriorated", 2),
    ("success", 3),
)


def weekly_sessions(episodes: list[DemoEpisode]) -> Counter[dt.date]:
    """Sessions held per week (keyed by the week's Monday)."""
    return Counter(monday(s.date) for e in episodes for s in e.sessions)


def weekly_reviews(
    rng: np.random.Generator, first: dt.date, today: dt.date, episodes: list[DemoEpisode]
) -> list[DemoWeeklyReview]:
    """Reviews for most past weeks; energy dips when the week held many sessions."""
    load = weekly_sessions(episodes)
    typical = float(np.median([n for n in load.values() if n > 0])) if load else 0.0
    red = [e for e in episodes if starter_red(e.totals("ORS"))]
    reviews = []
    week = monday(first) + 4 * WEEK
    this_week = monday(today)
    while week < this_week:
        skip = 0.25 if week < first + dt.timedelta(days=365) else 0.08
        if not is_holiday(week + dt.timedelta(days=2)) and rng.random() >= skip:
            energy = 7.4 - 0.22 * (load.get(week, 0) - typical) + rng.normal(0.0, 1.2)
            open_red = [e for e in red if e.start_date <= week <= e.last_date]
            code = (
                f"C{open_red[int(rng.integers(len(open_red)))].client_key:04d}"
                if open_red
                else ("one client")
            )
            note = texts.REVIEW_NOTES[int(rng.integers(len(texts.REVIEW_NOTES)))]
            commitment = texts.REVIEW_COMMITMENTS[int(rng.integers(len(texts.REVIEW_COMMITMENTS)))]
            friday = week + dt.timedelta(days=4)
            reviews.append(
                DemoWeeklyReview(
                    week_start=week,
                    completed_at=dt.datetime.combine(friday, dt.time(16, 0))
                    + dt.timedelta(minutes=int(rng.integers(0, 90))),
                    energy=int(np.clip(round(energy), 1, 10)),
                    note=note.format(code=code),
                    commitment=commitment.format(code=code),
                )
            )
        week += WEEK
    return reviews


def _lesson_kind(e: DemoEpisode, client: DemoClient) -> str | None:
    if e.end_date is None or len(e.sessions) < 2:
        return None
    totals = e.totals("ORS")
    change = totals[-1] - totals[0]
    if e.dropout and e.early_low_alliance:
        return "dropout"
    if change <= -ORS_RC:
        return "deteriorated"
    if starter_red(totals):
        return "employer" if client.referral_source == "Employer" else "not-on-track"
    if change >= ORS_RC and e.ending_reason == "planned":
        return "success"
    return None


def lessons(
    rng: np.random.Generator, today: dt.date, clients: list[DemoClient], episodes: list[DemoEpisode]
) -> list[DemoLesson]:
    """About twenty lessons from closed episodes, with tags that recur across them."""
    by_kind: dict[str, list[DemoEpisode]] = {}
    for e in episodes:
        kind = _lesson_kind(e, clients[e.client_key - 1])
        if kind is not None:
            by_kind.setdefault(kind, []).append(e)
    result = []
    for kind, quota in LESSON_QUOTAS:
        pool = by_kind.get(kind, [])
        for i in rng.choice(len(pool), size=min(quota, len(pool)), replace=False):
            e = pool[int(i)]
            options = texts.LESSONS[kind]
            taught, new, practise, tags = options[int(rng.integers(len(options)))]
            assert e.end_date is not None
            day = min(today, e.end_date + dt.timedelta(days=int(rng.integers(0, 7))))
            result.append(DemoLesson(e.client_key, e.key, day, taught, new, practise, tags))
    return sorted(result, key=lambda lesson: lesson.date)


def briefs(today: dt.date, episodes: list[DemoEpisode]) -> list[DemoBrief]:
    """Briefs on the two longest open (else most recent) not-on-track episodes."""
    red = [e for e in episodes if starter_red(e.totals("ORS"))]
    open_red = sorted((e for e in red if e.end_date is None), key=lambda e: -len(e.sessions))
    closed_red = sorted((e for e in red if e.end_date is not None), key=lambda e: e.last_date)
    chosen = (open_red + closed_red[::-1])[:2]
    return [
        DemoBrief(
            episode_key=e.key,
            created_at=dt.datetime.combine(
                min(today, e.last_date + dt.timedelta(days=1 + 7 * i)), dt.time(10, 30)
            ),
            tried=texts.BRIEF_TRIED,
            questions=texts.BRIEF_QUESTIONS,
        )
        for i, e in enumerate(chosen)
    ]
