"""A handful of episodes whose starter-rule signals are known by hand (fewer than 30 closed).

RC of the ORS is 5 points. Starter rules: red when d <= -5; orange from the 3rd
measurement when d <= 0; red from the 6th when d < 5; no signal below 2 measurements.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from practice_app.storage.database import Database
from practice_app.storage.models import Client, Episode, Instrument, Score, Session, Therapist

TODAY = dt.date.today()
"""The sessions are recent, so no episode counts as inactive (45-day rule)."""

# client -> (ORS totals, closed with reason, SRS totals)
EPISODES: dict[str, tuple[tuple[float, ...], str | None, tuple[float, ...]]] = {
    "R-01": ((20.0, 14.0), None, (38.0, 37.0)),  # d = -6 <= -5: red
    "G-01": ((15.0, 22.0), None, (39.0, 39.5)),  # d = +7 at n = 2: green
    "O-01": ((20.0, 21.0, 19.0), None, (35.0, 34.0, 33.0)),  # d = -1 at n = 3: orange
    "N-01": ((18.0,), "planned", ()),  # one measurement: no signal
    "W-01": ((20.0, 22.0), None, (37.0, 38.0)),  # green; entering 14 turns it red
    # A sudden gain from session 2 to 3 (Tang & DeRubeis): d = 7.5 >= RC 5;
    # 7.5 >= 25% of (40 - 10.5) = 7.375; windows (10, 10.5) and (18, 18.5, 19) differ by
    # 8.25 > t(3) 3.182 x pooled SD 0.456. d = +9 at n = 5: green.
    "S-01": ((10.0, 10.5, 18.0, 18.5, 19.0), None, ()),
}
EXPECTED_SIGNALS = {
    "R-01": "red",
    "G-01": "green",
    "O-01": "orange",
    "N-01": "none",
    "W-01": "green",
    "S-01": "green",
}
SRS_ITEMS = (9.5, 9.0, 8.5, 10.0)
"""Item scores of W-01's SRS at session 2 (stored with their total, 37.0)."""


def write_clients(db: Database) -> None:
    """Write the episodes above, one session a week ending three days ago."""
    with db.session() as s:
        ors = s.scalars(select(Instrument).where(Instrument.name == "ORS")).one()
        srs = s.scalars(select(Instrument).where(Instrument.name == "SRS")).one()
        therapist = Therapist(code="T1")
        for code, (totals, reason, alliance) in EPISODES.items():
            episode = Episode(client=Client(code=code, gender="F"), therapist=therapist)
            first = TODAY - dt.timedelta(days=3 + 7 * (len(totals) - 1))
            for number, total in enumerate(totals, start=1):
                day = first + dt.timedelta(days=7 * (number - 1))
                session = Session(number=number, date=day)
                session.scores.append(Score(instrument=ors, total=total))
                if number <= len(alliance):
                    items = list(SRS_ITEMS) if code == "W-01" and number == 2 else None
                    value = sum(SRS_ITEMS) if items else alliance[number - 1]
                    session.scores.append(Score(instrument=srs, total=value, items=items))
                episode.sessions.append(session)
            if reason:
                episode.ending_reason = reason
                episode.end_date = first + dt.timedelta(days=7 * (len(totals) - 1))
            s.add(episode)
