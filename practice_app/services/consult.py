"""The consultation brief: one client episode, de-identified, ready for supervision. No Qt.

``load_consult_brief(session, code, episode_id=None, today=None) -> ConsultBriefView``
gathers what a consultant needs about one episode: the client's code (never a name:
the brief has no field for one, and client attributes are left out because imported
custom columns could hold anything), the episode summary, the trajectory with the
reference lines of the model that judged it, item-level scores, signals and sudden
changes, the alliance, the lessons so far, the therapist's session notes, and the saved
"what has been tried" and "questions for the consultant". It reuses
``services.client_page.load_client_page`` so the brief shows exactly what the client
page shows. ``save_brief`` upserts the episode's brief; ``brief_as_text`` (in
``services.consult_text``, re-exported here) writes it as plain text for an email;
``load_consult_picker`` lists the episodes worth bringing to consultation first.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from practice_app.errors import UserError
from practice_app.services.client_page import load_client_page
from practice_app.services.consult_parts import (
    alliance_summary,
    choices,
    instruments,
    item_tables,
    lessons,
    session_notes,
    signals,
    sudden,
    trajectory,
)
from practice_app.services.consult_picker import ConsultPicker, PickerRow, load_consult_picker
from practice_app.services.consult_view import (
    AllianceSummary,
    ConsultBriefView,
    EpisodeChoice,
    InstrumentResult,
    ItemRow,
    ItemTable,
    LessonNote,
    SavedBrief,
    SessionNote,
    SignalNote,
    SuddenChange,
    Trajectory,
    TrajectoryPoint,
)
from practice_app.storage.models import ConsultationBrief, Episode

__all__ = [
    "AllianceSummary",
    "ConsultBriefView",
    "ConsultPicker",
    "EpisodeChoice",
    "InstrumentResult",
    "ItemRow",
    "ItemTable",
    "LessonNote",
    "PickerRow",
    "SavedBrief",
    "SessionNote",
    "SignalNote",
    "SuddenChange",
    "Trajectory",
    "TrajectoryPoint",
    "brief_as_text",
    "latest_brief",
    "load_consult_brief",
    "load_consult_picker",
    "load_consult_screen",
    "save_brief",
]


def latest_brief(session: OrmSession, episode_id: int) -> ConsultationBrief | None:
    """The episode's most recently updated brief (there is normally one)."""
    return session.scalars(
        select(ConsultationBrief)
        .where(ConsultationBrief.episode_id == episode_id)
        .order_by(ConsultationBrief.updated_at.desc(), ConsultationBrief.id.desc())
        .limit(1)
    ).first()


def load_consult_brief(
    session: OrmSession,
    code: str,
    episode_id: int | None = None,
    today: dt.date | None = None,
) -> ConsultBriefView:
    """Load the brief of one of the client's episodes (default: the latest episode)."""
    code = code.strip()
    page = load_client_page(session, code, today=today)
    if not page.episodes:
        raise UserError(f"client '{code}' has no episode to prepare a brief for")
    if episode_id is None:
        e = page.episodes[0]
    else:
        found = [v for v in page.episodes if v.episode_id == episode_id]
        if not found:
            labels = ", ".join(str(v.episode_id) for v in page.episodes)
            raise UserError(
                f"episode {episode_id} is not one of client '{code}'s episodes ({labels})"
            )
        e = found[0]
    episode = session.get(Episode, e.episode_id)
    assert episode is not None
    tables = item_tables(page, e)
    alliance = alliance_summary(page, e, tables)
    brief = latest_brief(session, e.episode_id)
    episode_labels = {v.episode_id: v.label for v in page.episodes}
    return ConsultBriefView(
        code=page.code,
        episode_id=e.episode_id,
        episode_label=e.label,
        therapist=e.therapist,
        first_date=e.first_date,
        last_date=e.last_date,
        end_date=e.end_date,
        status=e.ending_text,
        open=not e.ending,
        sessions=len(e.sessions),
        instruments=instruments(page, e),
        trajectory=trajectory(page, e),
        item_tables=tables,
        signals=signals(page, e, alliance),
        sudden=sudden(e),
        alliance=alliance,
        lessons=lessons(session, episode.client_id, episode_labels, page.today),
        notes=session_notes(session, e.episode_id),
        tried=(brief.tried or "") if brief else "",
        questions=(brief.questions or "") if brief else "",
        brief_id=brief.id if brief else None,
        brief_updated=brief.updated_at if brief else None,
        episodes=choices(page),
        today=page.today,
        episode=e,
        outcome_def=page.outcome,
        alliance_def=page.alliance,
    )


def save_brief(session: OrmSession, episode_id: int, *, tried: str, questions: str) -> SavedBrief:
    """Create or update the episode's brief (its latest one); commit."""
    if session.get(Episode, episode_id) is None:
        raise UserError(f"episode {episode_id} was not found")
    brief = latest_brief(session, episode_id)
    now = dt.datetime.now().replace(microsecond=0)
    previous: tuple[str | None, str | None] = (None, None)
    if brief is None:
        brief = ConsultationBrief(episode_id=episode_id, created_at=now)
        session.add(brief)
    else:
        previous = (brief.tried or "", brief.questions or "")
    brief.tried = tried.strip() or None
    brief.questions = questions.strip() or None
    brief.updated_at = now
    session.commit()
    return SavedBrief(
        brief.id, episode_id, tried.strip(), questions.strip(), now, previous[0], previous[1]
    )


def brief_as_text(view: ConsultBriefView, *, notes: bool = True) -> str:
    """The brief as plain text for an email to a consultant (see ``consult_text``)."""
    from practice_app.services.consult_text import brief_text

    return brief_text(view, notes=notes)


def load_consult_screen(
    session: OrmSession, code: str | None = None
) -> ConsultBriefView | ConsultPicker:
    """The Consultation screen's data: the picker without a code, else the client's brief."""
    if code is None or not code.strip():
        return load_consult_picker(session)
    return load_consult_brief(session, code)
