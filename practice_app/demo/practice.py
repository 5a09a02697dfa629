"""Generate the demo development plan (objectives) and the deliberate-practice journal.

The weekly minutes come from demo.skill's plan (rising from about half an hour to about
three hours over the three years); activities move from study and case review towards
recording review, rehearsal and coaching.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from practice_app.demo import texts
from practice_app.demo.calendar import draw
from practice_app.demo.model import DemoEpisode, DemoObjective, DemoPracticeEntry
from practice_app.demo.outcomes import OBJECTIVE_DAYS, ORS_RC, starter_red
from practice_app.demo.skill import PracticePlan

ACTIVITIES = (
    "recording-review",
    "rehearsal",
    "coaching",
    "mental-rehearsal",
    "case-review",
    "study",
    "other",
)
EARLY_MIX = (0.10, 0.05, 0.03, 0.20, 0.30, 0.30, 0.02)
LATE_MIX = (0.30, 0.25, 0.15, 0.08, 0.12, 0.07, 0.03)
DOMAINS = ("Structure", "Hope & Expectancy", "Relationship", "Client Factors", "Therapist Factors")
"""The five domains of Chow & Miller's Taxonomy of Deliberate Practice Activities."""
DOMAIN_MIX = (0.2, 0.2, 0.3, 0.15, 0.15)
MIN_BASELINE_N = 10
FEEDBACK = {
    "recording-review": (("self", 0.7), ("coach", 0.2), ("supervisor", 0.1)),
    "rehearsal": (("peer", 0.6), ("self", 0.3), ("coach", 0.1)),
    "coaching": (("coach", 0.85), ("supervisor", 0.15)),
    "mental-rehearsal": (("self", 1.0),),
    "case-review": (("self", 0.5), ("supervisor", 0.3), ("client", 0.1), ("peer", 0.1)),
    "study": (("self", 1.0),),
    "other": (("peer", 0.5), ("self", 0.3), ("client", 0.2)),
}


def _choice(rng: np.random.Generator, table: tuple[tuple[str, float], ...]) -> str:
    return draw(rng, table)


def baseline(episodes: list[DemoEpisode], start: dt.date) -> dict[str, Any]:
    """ORS figures of the episodes that ended in the 12 months before ``start``."""
    window = [
        e
        for e in episodes
        if e.end_date is not None
        and start - dt.timedelta(days=365) <= e.end_date < start
        and len(e.sessions) >= 2
    ]
    intakes = np.array([e.totals("ORS")[0] for e in window])
    changes = np.array([e.totals("ORS")[-1] - e.totals("ORS")[0] for e in window])
    result: dict[str, Any] = {
        "instrument": "ORS",
        "window_days": 365,
        "n": len(window),
        "effect_size": None,
        "reliably_improved": None,
    }
    # Below 10 episodes no figure is shown (science.md section 5), so none is stored.
    if len(window) >= MIN_BASELINE_N and intakes.std(ddof=1) > 0:
        result["effect_size"] = round(float(changes.mean() / intakes.std(ddof=1)), 2)
        result["reliably_improved"] = round(float((changes >= ORS_RC).mean()), 2)
    return result


def objectives(first: dt.date, today: dt.date, episodes: list[DemoEpisode]) -> list[DemoObjective]:
    """Three closed objectives (one dropped, two achieved) and the active one."""

    def day(offset: int) -> dt.date:
        return first + dt.timedelta(days=offset)

    specs = (
        (
            "Agree one shared goal in every first session",
            "Structure of the first session",
            "Structure",
            "A written goal in the notes of every intake for 8 weeks.",
            day(150),
            day(240),
            day(250),
            "dropped",
            "Dropped: first sessions already had goals; the data pointed at alliance instead.",
        ),
        (
            "Respond in the same session to any SRS below 36",
            "Alliance",
            "Relationship",
            "Every SRS below 36 discussed before the client leaves, 8 weeks running; "
            "dropouts after session 2 below 15%.",
            day(280),
            day(460),
            day(470),
            "achieved",
            "Achieved: low SRS now always discussed; early dropouts fell.",
        ),
        (
            "Rebuild hope with clients not on track by session 3",
            "Hope with not-on-track clients",
            "Hope & Expectancy",
            "A hope conversation recorded for each orange or red client by session 4; "
            "reliably improved rate at or above baseline.",
            day(500),
            day(800),
            day(830),
            "achieved",
            "Achieved: fewer long flat episodes; kept the habit.",
        ),
        (
            "Agree the client's own goals with employer-referred clients at intake",
            "Employer-referred clients",
            "Client Factors",
            "For 12 weeks: every employer-referred intake has a goal in the client's own "
            "words; not-on-track rate for them below 40%.",
            today - dt.timedelta(days=OBJECTIVE_DAYS),
            today + dt.timedelta(days=40),
            None,
            "active",
            None,
        ),
    )
    return [
        DemoObjective(
            key=i + 1,
            title=title,
            focus_area=focus,
            domain=domain,
            success_criteria=criteria,
            start_date=start,
            review_date=review,
            closed_date=closed,
            status=status,
            baseline=baseline(episodes, start),
            review_note=note,
        )
        for i, (title, focus, domain, criteria, start, review, closed, status, note) in enumerate(
            specs
        )
    ]


def _objective_on(objs: list[DemoObjective], day: dt.date, today: dt.date) -> DemoObjective | None:
    for o in objs:
        if o.start_date <= day <= (o.closed_date or today):
            return o
    return None


def _active_clients(episodes: list[DemoEpisode], day: dt.date) -> list[DemoEpisode]:
    return [e for e in episodes if e.start_date <= day <= e.last_date]


def practice_entries(
    rng: np.random.Generator,
    today: dt.date,
    plan: PracticePlan,
    episodes: list[DemoEpisode],
    objs: list[DemoObjective],
) -> list[DemoPracticeEntry]:
    """The journal: the planned minutes of each week split into entries."""
    entries: list[DemoPracticeEntry] = []
    red = {e.key for e in episodes if starter_red(e.totals("ORS"))}
    n = len(plan.weeks)
    for w, (week, minutes) in enumerate(zip(plan.weeks, plan.minutes, strict=True)):
        if minutes <= 0:
            continue
        t = w / max(1, n - 1)
        count = max(1, round(minutes / 40))
        shares = rng.dirichlet(np.ones(count))
        mix = np.array(EARLY_MIX) * (1 - t) + np.array(LATE_MIX) * t
        for share in shares:
            day = week + dt.timedelta(days=int(rng.integers(0, 7)))
            if day > today:
                continue
            size = max(10, 5 * round(minutes * share / 5))
            entries.append(_entry(rng, day, size, mix, t, episodes, red, objs, today))
    return entries


def _entry(
    rng: np.random.Generator,
    day: dt.date,
    minutes: int,
    mix: np.ndarray,
    t: float,
    episodes: list[DemoEpisode],
    red: set[int],
    objs: list[DemoObjective],
    today: dt.date,
) -> DemoPracticeEntry:
    activity = draw(rng, list(zip(ACTIVITIES, mix.tolist(), strict=True)))
    objective = _objective_on(objs, day, today)
    linked = objective if objective is not None and rng.random() < 0.75 else None
    if linked is not None and rng.random() < 0.7:
        domain = linked.domain
    else:
        domain = draw(rng, list(zip(DOMAINS, DOMAIN_MIX, strict=True)))
    p_link = {"case-review": 1.0, "recording-review": 0.6, "coaching": 0.5}.get(activity, 0.0)
    clients: tuple[int, ...] = ()
    active = _active_clients(episodes, day) if rng.random() < p_link else []
    if active:
        flagged = [e for e in active if e.key in red]
        pool = flagged if flagged and rng.random() < 0.7 else active
        size = min(len(pool), 2 if activity == "case-review" and rng.random() < 0.4 else 1)
        picks = rng.choice(len(pool), size=size, replace=False)
        clients = tuple(sorted({pool[int(i)].client_key for i in picks}))
    difficulty = _choice(
        rng,
        (("too-easy", 0.3 - 0.2 * t), ("right", 0.55 + 0.15 * t), ("too-hard", 0.15 + 0.05 * t)),
    )
    notes = texts.PRACTICE_NOTES[activity]
    return DemoPracticeEntry(
        date=day,
        minutes=minutes,
        activity=activity,
        domain=domain,
        objective_key=None if linked is None else linked.key,
        difficulty=difficulty,
        self_rating=float(np.clip(round(rng.normal(5.0 + 1.5 * t, 1.5)), 0, 10)),
        feedback_source=_choice(rng, FEEDBACK[activity]),
        notes=notes[int(rng.integers(len(notes)))] if rng.random() < 0.6 else None,
        client_keys=clients,
    )
