"""A small, hand-countable practice written through the models, for widget and query tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from practice_app.storage.database import Database
from practice_app.storage.models import (
    Client,
    Episode,
    Instrument,
    PracticeEntry,
    Score,
    Session,
    Therapist,
)

TODAY = dt.date(2026, 6, 1)
"""'This year' is 2026 in the expected figures below."""

# Episodes: (client, start, end, ending, session dates, sessions that also have an SRS)
EPISODES = (
    (
        "A-01",
        dt.date(2026, 1, 5),
        dt.date(2026, 2, 2),
        "planned",
        (dt.date(2026, 1, 5), dt.date(2026, 1, 12), dt.date(2026, 2, 2)),
        3,
    ),
    ("B-02", dt.date(2026, 2, 10), None, None, (dt.date(2026, 2, 10), dt.date(2026, 3, 3)), 2),
    ("C-03", dt.date(2025, 12, 15), dt.date(2025, 12, 15), "stopped", (dt.date(2025, 12, 15),), 0),
    ("A-01", dt.date(2026, 3, 20), None, None, (dt.date(2026, 3, 20),), 0),
)
PRACTICE = ((dt.date(2026, 1, 10), 60), (dt.date(2026, 3, 1), 90), (dt.date(2025, 11, 20), 30))

EXPECTED = {
    "therapists": 1,
    "clients": 3,
    "open_episodes": 2,
    "closed_episodes": 2,
    "sessions": 7,
    "ors": 7,
    "srs": 5,
    "practice_entries": 3,
    "practice_minutes_total": 180,
    "practice_minutes_2026": 150,
    "first_session": dt.date(2025, 12, 15),
    "last_session": dt.date(2026, 3, 20),
    # month -> (sessions, practice minutes), November 2025 to March 2026 with the gaps
    "months": {
        dt.date(2025, 11, 1): (0, 30),
        dt.date(2025, 12, 1): (1, 0),
        dt.date(2026, 1, 1): (2, 60),
        dt.date(2026, 2, 1): (2, 0),
        dt.date(2026, 3, 1): (2, 90),
    },
}


def write_sample(db: Database) -> None:
    """Write the sample practice above."""
    with db.session() as s:
        ors = s.scalars(select(Instrument).where(Instrument.name == "ORS")).one()
        srs = s.scalars(select(Instrument).where(Instrument.name == "SRS")).one()
        therapist = Therapist(code="T1", display_name="Sample therapist")
        s.add(therapist)
        clients: dict[str, Client] = {}
        for code, start, end, ending, dates, with_srs in EPISODES:
            client = clients.setdefault(code, Client(code=code))
            episode = Episode(
                client=client,
                therapist=therapist,
                start_date=start,
                end_date=end,
                ending_reason=ending,
            )
            for number, day in enumerate(dates, start=1):
                session = Session(episode=episode, number=number, date=day)
                session.scores.append(Score(instrument=ors, total=20.0 + number))
                if number <= with_srs:
                    session.scores.append(Score(instrument=srs, total=36.0))
            s.add(episode)
        s.flush()
        for day, minutes in PRACTICE:
            s.add(
                PracticeEntry(
                    therapist_id=therapist.id, date=day, minutes=minutes, activity="role-play"
                )
            )
