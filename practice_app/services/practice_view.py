"""The Practice screen's journal-and-plan data, loaded in one go on the database worker.

Qt-free. ``load_practice(session)`` is the registry's loader: the journal, the
activities, the plan with a review of every started objective (baseline beside the
episodes ended since its start), the weekly target and the client codes the log
dialog checks against. A database without a therapist gives an empty view (loading
never writes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from practice_app.errors import UserError
from practice_app.services.plan import (
    ObjectiveReview,
    ObjectiveRow,
    current_focus,
    list_objectives,
    outcome_data,
    review,
)
from practice_app.services.practice import EntryRow, list_entries
from practice_app.services.practice_vocab import (
    Activity,
    list_activities,
    therapist_for,
    weekly_target,
)
from practice_app.storage.models import Client, Therapist


@dataclass(frozen=True)
class PracticeView:
    """Everything the Journal & plan tab and the log dialog show."""

    today: dt.date
    therapist: str | None
    weekly_target_minutes: int
    entries: tuple[EntryRow, ...]
    """Oldest first."""
    activities: tuple[Activity, ...]
    objectives: tuple[ObjectiveRow, ...]
    """Active first, then planned, then closed (latest first)."""
    focus: str | None
    reviews: dict[int, ObjectiveReview]
    """Objective id -> review, for every objective that has started."""
    client_codes: tuple[str, ...]

    @property
    def current_objective(self) -> ObjectiveRow | None:
        """The active objective started most recently (the log dialog's default)."""
        return next((o for o in self.objectives if o.status == "active"), None)

    @property
    def last_activity(self) -> str | None:
        """The activity of the latest entry (the log dialog's default)."""
        if not self.entries:
            return None
        latest = max(self.entries, key=lambda e: (e.date, e.id))
        return latest.activity


def load_practice(session: OrmSession, today: dt.date | None = None) -> PracticeView:
    """Load the journal and the plan of the database's therapist."""
    today = today or dt.date.today()
    activities = list_activities(session)
    codes = tuple(session.scalars(select(Client.code).order_by(Client.code)))
    try:
        therapist_id = therapist_for(session, None, create=False)
    except UserError:
        return PracticeView(today, None, 180, (), activities, (), None, {}, codes)
    code = session.scalar(select(Therapist.code).where(Therapist.id == therapist_id))
    entries = list_entries(session, therapist_id=therapist_id)
    objectives = list_objectives(session, therapist_id=therapist_id)
    started = [o for o in objectives if o.status != "planned"]
    data = outcome_data(session, therapist_id, today) if started else None
    reviews = {o.id: review(o, data, today) for o in started}
    return PracticeView(
        today=today,
        therapist=code,
        weekly_target_minutes=weekly_target(session, therapist_id),
        entries=entries,
        activities=activities,
        objectives=objectives,
        focus=current_focus(objectives),
        reviews=reviews,
        client_codes=codes,
    )
