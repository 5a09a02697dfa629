"""A practice with one pattern planted so that it can be counted by hand.

9 of the 12 clients referred by an employer got reliably worse (ORS 20 -> 17 -> 14,
red under the starter rules), against 3 of the 16 self-referred ones (2 closed, and
one open episode red at 5 of 6 measurements with an SRS of 38: the bunt list). Every
session has a good SRS (38) with the same lowest item, and one lesson is stored.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from practice_app.services.lessons import add_lesson
from practice_app.storage.database import Database
from practice_app.storage.models import Client, Episode, Instrument, Score, Session, Therapist

WORSE = (20.0, 17.0, 14.0)
BETTER = (20.0, 24.0, 28.0)
SRS_ITEMS = [10.0, 9.5, 9.0, 9.5]
"""A good alliance (38, cutoff 36) at every session, as a practice measuring both would have."""
TODAY = dt.date.today()


def write_planted(db: Database) -> None:
    """12 employer-referred (9 worse), 15 self-referred closed (2 worse), 1 open bunt episode."""
    with db.session() as s:
        ors = s.scalars(select(Instrument).where(Instrument.name == "ORS")).one()
        srs = s.scalars(select(Instrument).where(Instrument.name == "SRS")).one()
        therapist = Therapist(code="T1")
        plan: list[tuple[str, str, tuple[float, ...]]] = []
        plan += [(f"E-{i:02d}", "employer", WORSE if i <= 9 else BETTER) for i in range(1, 13)]
        plan += [(f"S-{i:02d}", "self", WORSE if i <= 2 else BETTER) for i in range(1, 16)]
        start = TODAY - dt.timedelta(days=700)
        for k, (code, referral, totals) in enumerate(plan):
            first = start + dt.timedelta(days=15 * k)
            days = [first + dt.timedelta(days=7 * n) for n in range(len(totals))]
            episode = Episode(
                client=Client(code=code, referral_source=referral),
                therapist=therapist,
                start_date=first,
                end_date=days[-1],
                ending_reason="planned",
            )
            for n, (day, total) in enumerate(zip(days, totals, strict=True), start=1):
                session = Session(episode=episode, number=n, date=day)
                session.scores.append(Score(instrument=ors, total=total))
                session.scores.append(Score(instrument=srs, total=38.0, items=SRS_ITEMS))
                episode.sessions.append(session)
            s.add(episode)
        # Open, red from the 2nd measurement on (reliably worse), alliance good throughout.
        bunt = Episode(
            client=Client(code="B-01", referral_source="self"),
            therapist=therapist,
            start_date=TODAY - dt.timedelta(days=35),
        )
        for n, total in enumerate((20.0, 15.0, 15.0, 14.0, 14.0, 13.0), start=1):
            session = Session(episode=bunt, number=n, date=TODAY - dt.timedelta(days=42 - 7 * n))
            session.scores.append(Score(instrument=ors, total=total))
            session.scores.append(Score(instrument=srs, total=38.0, items=SRS_ITEMS))
            bunt.sessions.append(session)
        s.add(bunt)
        s.flush()
        add_lesson(s, client_code="E-01", taught="Ask what the client wants.", tags=["Referral"])
