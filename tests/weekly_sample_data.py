"""A week of practice whose weekly review is known by hand (starter rules: < 30 closed).

``write_week(db, today)`` writes it relative to ``today``; the week under review is the
one holding ``today``, whose Monday is ``monday``. ORS: RC 5, clinical below 25; SRS:
alliance concern below 36; starter rules: red when d <= -5 (or n >= 6 and d < 5),
orange from the 3rd measurement when d <= 0. Sessions are weekly, the latest on the
day given. The last completed review is the previous week's, completed on its Friday.

Expected, as of ``today`` (hand-judged; see each line):
- attention, red: B-01 (red at measurements 2-5 = 4 with SRS 38: the sacrifice bunt),
  S-01 (d = 21 - 30 = -9; a sudden loss from session 2 to 3: 30.5 -> 22 is 8.5 >= RC 5,
  >= 25% of 40 - 30.5, windows (30, 30.5) and (22, 21.5, 21) differ by 8.75 > 3.182 x
  0.456), A-01 (SRS 33 < 36), R-01 (d = -6); orange: D-01 (SRS 39 -> 37.5), M-01
  (this week's session 3 has no score), O-01 (d = -1 at the 3rd measurement).
- not listed: G-01 (green), C-01 (closed), E-01 (closed this week), K-01 (green),
  N-01 (one measurement).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select

from practice_app.storage.database import Database
from practice_app.storage.models import (
    Client,
    Episode,
    Instrument,
    PracticeEntry,
    PracticeEntryClient,
    PracticeObjective,
    Score,
    Session,
    Therapist,
    WeeklyReview,
)

Values = Sequence[float | None]


def monday_of(day: dt.date) -> dt.date:
    """The Monday of the week holding ``day``."""
    return day - dt.timedelta(days=day.weekday())


def plan(today: dt.date) -> dict[str, tuple[Values, Values, dt.date, str | None]]:
    """client -> (ORS totals, SRS totals, date of the last session, ending reason)."""
    monday = monday_of(today)
    return {
        "R-01": ((20, 14), (38, 38), monday, None),
        "O-01": ((20, 21, 19), (38, 38, 38), monday, None),
        "G-01": ((15, 22), (38, 39), monday, None),
        "A-01": ((15, 22), (38, 33), monday, None),
        "D-01": ((15, 22), (39, 37.5), monday, None),
        "M-01": ((15, 22, None), (38, 39, None), monday + dt.timedelta(days=1), None),
        "S-01": ((30, 30.5, 22, 21.5, 21), (), monday, None),
        "B-01": ((20, 14, 14, 14, 14), (38, 38, 38, 38, 38), monday, None),
        "C-01": ((20, 14), (), monday - dt.timedelta(days=7), "planned"),
        "E-01": ((14, 26), (), monday + dt.timedelta(days=1), "planned"),
        "K-01": ((20, 14, 26), (), monday, None),
        "N-01": ((18,), (), monday, None),
    }


def write_week(db: Database, today: dt.date) -> None:
    """Write the episodes, practice, objective and earlier reviews described above."""
    monday = monday_of(today)
    with db.session() as s:
        ors = s.scalars(select(Instrument).where(Instrument.name == "ORS")).one()
        srs = s.scalars(select(Instrument).where(Instrument.name == "SRS")).one()
        therapist = Therapist(code="T1", weekly_practice_target_minutes=120)
        s.add(therapist)
        s.flush()
        clients: dict[str, Client] = {}
        for code, (outcome, alliance, last, reason) in plan(today).items():
            client = Client(code=code)
            clients[code] = client
            episode = Episode(client=client, therapist=therapist)
            n = max(len(outcome), len(alliance))
            first = last - dt.timedelta(days=7 * (n - 1))
            for k in range(n):
                session = Session(number=k + 1, date=first + dt.timedelta(days=7 * k))
                if k < len(outcome) and outcome[k] is not None:
                    session.scores.append(Score(instrument=ors, total=outcome[k]))
                if k < len(alliance) and alliance[k] is not None:
                    session.scores.append(Score(instrument=srs, total=alliance[k]))
                episode.sessions.append(session)
            episode.start_date = first
            if reason:
                episode.ending_reason, episode.end_date = reason, last
            s.add(episode)
        objective = PracticeObjective(
            therapist_id=therapist.id,
            title="Elicit feedback in every session",
            success_criteria="SRS asked and discussed every time",
            start_date=monday - dt.timedelta(days=40),
            status="active",
        )
        s.add(objective)
        s.flush()
        entries = (
            (monday, 60, "rehearsal", "Role-played the <b>hard</b> conversation", None),
            (monday + dt.timedelta(days=1), 30, "recording-review", "", "R-01"),
            (monday - dt.timedelta(days=6), 45, "study", "", None),
            (monday - dt.timedelta(days=35), 80, "coaching", "", None),
        )
        for day, minutes, activity, notes, about in entries:
            entry = PracticeEntry(
                therapist_id=therapist.id,
                date=day,
                minutes=minutes,
                activity=activity,
                domain="Relationship",
                objective_id=objective.id if day >= monday else None,
                notes=notes,
            )
            s.add(entry)
            s.flush()
            if about:
                s.add(PracticeEntryClient(entry_id=entry.id, client_id=clients[about].id))
        for weeks_back, energy in ((1, 6), (2, 7), (4, 5)):  # week 3 was skipped
            week = monday - dt.timedelta(days=7 * weeks_back)
            s.add(
                WeeklyReview(
                    therapist_id=therapist.id,
                    week_start=week,
                    completed_at=dt.datetime.combine(week + dt.timedelta(days=4), dt.time(17)),
                    energy=energy,
                    note=f"note {weeks_back}",
                    commitment=f"commitment {weeks_back}",
                )
            )


def clinical_today() -> dt.date:
    """A Wednesday, so the week under review is under way (not over)."""
    return dt.date(2026, 6, 10)
