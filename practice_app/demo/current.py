"""Plant the open clients that make the demo's current week worth reviewing.

The weekly review opens on the week holding ``today``; random generation alone leaves
it thin. Five open clients are planted around it, each a realistic course:

- two clients stuck for months with a good alliance ("bunt": red at 4+ measurements,
  red at the latest, latest SRS at or above 36), time to talk about a change of
  approach or a referral (science.md section 7);
- a sudden loss (Tang & DeRubeis, reversed) at the session before this week's;
- a client who reached recovery at this week's session (a win);
- a session this week without ORS or SRS (the client arrived late).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from practice_app.demo import texts
from practice_app.demo.calendar import WEEK, draw, monday
from practice_app.demo.model import DemoClient, DemoEpisode, DemoSession
from practice_app.demo.outcomes import (
    AGE_GROUPS,
    GENDERS,
    MODALITIES,
    ORS_ITEMS,
    OTHER_REFERRALS,
    SRS_ITEMS,
    item_scores,
)

KINDS = {"stuck": "flat", "sudden-loss": "sudden-loss", "recovering": "responder"}
KINDS["unscored"] = "responder"
LATE_NOTE = "Client arrived late; no time for the ORS and SRS this week."
STUCK_NOTE = "Still no movement on the ORS; client likes coming. Raise other options next time."


def this_week_days(today: dt.date) -> list[dt.date]:
    """The weekdays of the week holding ``today``, up to ``today`` (at least its Monday)."""
    first = monday(today)
    days = [first + dt.timedelta(days=i) for i in range(5)]
    return [d for d in days if d <= today] or [first]


def _weekly(last: dt.date, count: int, fortnightly_after: int = 0) -> list[dt.date]:
    """``count`` session dates ending at ``last``: weekly, fortnightly after a point."""
    dates = [last]
    for n in range(count - 1, 0, -1):
        step = 2 * WEEK if fortnightly_after and n >= fortnightly_after else WEEK
        dates.append(dates[-1] - step)
    return dates[::-1]


def _client(rng: np.random.Generator, key: int, concern: str) -> DemoClient:
    return DemoClient(
        key=key,
        code=f"C{key:04d}",
        gender=draw(rng, GENDERS),
        age_group=draw(rng, AGE_GROUPS),
        group_name="Individual",
        referral_source=draw(rng, OTHER_REFERRALS),
        presenting_concerns=concern,
        attributes={"Modality": draw(rng, MODALITIES)},
    )


def _sessions(
    rng: np.random.Generator,
    dates: list[dt.date],
    ors: np.ndarray,
    srs: np.ndarray,
    notes: dict[int, str],
    unscored: int = 0,
) -> tuple[DemoSession, ...]:
    o = item_scores(rng, np.clip(ors, 0.4, 39.6), rng.normal(0.0, 0.8, ORS_ITEMS), 0.45)
    s = item_scores(rng, np.clip(srs, 0.0, 40.0), rng.normal(0.0, 0.2, SRS_ITEMS), 0.3)
    return tuple(
        DemoSession(
            n,
            d,
            {} if n == unscored else {"ORS": o[n - 1], "SRS": s[n - 1]},
            notes.get(n),
        )
        for n, d in enumerate(dates, start=1)
    )


def plant_current_week(
    rng: np.random.Generator, today: dt.date, next_client: int, next_episode: int
) -> tuple[list[DemoClient], list[DemoEpisode]]:
    """Five new open clients with sessions up to this week (keys from the given numbers)."""
    days = this_week_days(today)
    n_days = len(days)
    plans = (
        # (kind, concern, last session, number of sessions, fortnightly from session)
        ("stuck", "depression", days[0], 9, 0),
        ("stuck", "work stress, anxiety", days[0] - WEEK, 11, 6),
        ("sudden-loss", "anxiety", days[min(1, n_days - 1)], 8, 0),
        ("recovering", "grief", days[-1], 5, 0),
        ("unscored", "relationship", days[n_days // 2], 6, 0),
    )
    clients, episodes = [], []
    for i, (kind, concern, last, count, fortnightly) in enumerate(plans):
        client = _client(rng, next_client + i, concern)
        dates = _weekly(last, count, fortnightly)
        n = np.arange(1, count + 1, dtype=float)
        noise = rng.normal(0.0, 0.5, count)
        notes: dict[int, str] = {1: texts.INTAKE_NOTES[i % len(texts.INTAKE_NOTES)]}
        unscored = 0
        srs = np.minimum(39.6, rng.normal(38.2, 0.5) + rng.normal(0.0, 0.4, count))
        if kind == "stuck":
            # Slowly worse, never reliably worse (5 points): red against the fail line.
            intake = 16.5 if i == 0 else 20.5
            ors = intake - 1.7 * np.log(n) + 1.6 * noise
            notes[count] = STUCK_NOTE
        elif kind == "sudden-loss":
            # Improving, then a sharp fall at the session before this week's.
            ors = 17.0 + 3.6 * np.log(n) + noise
            ors[-2:] = np.array([14.6, 15.4]) + noise[-2:]
            srs[-2] = 34.8
            notes[count - 1] = texts.LOSS_NOTES[0]
        elif kind == "recovering":
            ors = np.array([16.8, 18.4, 19.9, 21.0, 26.3]) + 0.6 * noise
            notes[count] = texts.GAIN_NOTES[1]
        else:
            ors = 18.0 + 3.0 * np.log(n) + 1.4 * noise
            unscored = count
            notes[count] = LATE_NOTE
        key = next_episode + i
        clients.append(client)
        episodes.append(
            DemoEpisode(
                key=key,
                client_key=client.key,
                external_id=f"E{key:04d}",
                start_date=dates[0],
                end_date=None,
                ending_reason=None,
                sessions=_sessions(rng, dates, ors, srs, notes, unscored),
                kind=KINDS[kind],
                planted=kind,
            )
        )
    return clients, episodes
