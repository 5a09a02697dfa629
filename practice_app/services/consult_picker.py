"""The Consultation screen's picker: episodes to bring to consultation, most urgent first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from practice_app.storage.models import ConsultationBrief

SEVERITY = {"red": 0, "orange": 1, "green": 3, "none": 4}


@dataclass(frozen=True)
class PickerRow:
    """One episode offered for a brief."""

    client: str
    episode_id: int
    episode: str
    signal: str
    alliance: str
    sessions: int
    last_date: str | None
    status: str
    """"open", or the ending in words."""
    category: str | None
    brief_updated: dt.datetime | None


@dataclass(frozen=True)
class ConsultPicker:
    """The episodes to choose from: open ones first, the not-on-track ones at the top."""

    rows: tuple[PickerRow, ...]
    instrument: str | None
    model: str


def _picker_key(row: PickerRow) -> tuple[int, int, int, str]:
    weak_alliance = 0 if row.alliance == "red" else 1
    rank = SEVERITY.get(row.signal, 4)
    if rank > 1 and weak_alliance == 0:
        rank = 2  # an alliance alert comes right after the outcome alerts
    # Latest seen first within a group: invert the ISO date's sort order.
    last = row.last_date or "0000-00-00"
    inverted = "".join(chr(ord("9") - ord(c) + ord("0")) if c.isdigit() else c for c in last)
    return (0 if row.status == "open" else 1, rank, 0 if row.brief_updated else 1, inverted)


def load_consult_picker(session: OrmSession, today: dt.date | None = None) -> ConsultPicker:
    """Every episode, open ones first and within them red, orange, weak alliance, the rest."""
    from practice_app.services.client_page import ending_text, load_client_list

    listing = load_client_list(session, today=today)
    briefs: dict[int, dt.datetime] = {}
    for episode_id, updated in session.execute(
        select(ConsultationBrief.episode_id, ConsultationBrief.updated_at)
    ):
        if episode_id not in briefs or updated > briefs[episode_id]:
            briefs[episode_id] = updated
    rows = [
        PickerRow(
            r.client,
            r.episode_id,
            r.episode,
            r.signal,
            r.alliance,
            r.sessions,
            r.last_date,
            "open" if r.status == "open" else ending_text(r.ending),
            r.category,
            briefs.get(r.episode_id),
        )
        for r in listing.rows
    ]
    rows.sort(key=_picker_key)
    return ConsultPicker(tuple(rows), listing.instrument, listing.model)
