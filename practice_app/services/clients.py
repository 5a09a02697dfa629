"""The episode list: every episode with its results on each instrument it was measured on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from practice_app.analysis.instruments import InstrumentDef
from practice_app.analysis.signals import SIGNALS
from practice_app.services.outcomes import InstrumentAnalysis, analyse_instrument
from practice_app.storage.instruments import load_instruments
from practice_app.storage.models import Instrument, Score


def instruments_in_use(session: OrmSession) -> list[InstrumentDef]:
    """The instruments that have scores, outcome measures first (ORS before others)."""
    names = set(session.scalars(select(Instrument.name).join(Score).distinct()))
    defs = [d for name, d in load_instruments(session).items() if name in names]
    return sorted(defs, key=lambda d: (d.alliance, d.name != "ORS", d.name))


def primary_instrument(session: OrmSession) -> InstrumentDef | None:
    """The outcome instrument the lists and screens lead with (ORS when it is in use)."""
    outcome = [d for d in instruments_in_use(session) if not d.alliance]
    return outcome[0] if outcome else None


def _date(value: Any) -> str | None:
    return None if str(value) == "NaT" else str(value)


def episode_label(analysis: InstrumentAnalysis, row: int) -> str:
    """The imported case id where there is one, else the database id."""
    external = analysis.episodes.external_id[row]
    return external if external else str(int(analysis.episodes.id[row]))


def episode_list(
    session: OrmSession, *, therapist_code: str | None = None, today: dt.date | None = None
) -> tuple[list[dict[str, Any]], list[InstrumentAnalysis]]:
    """Every episode with its per-instrument results, and the analyses behind them."""
    analyses = [
        analyse_instrument(session, d.name, therapist_code=therapist_code, today=today)
        for d in instruments_in_use(session)
    ]
    if not analyses:
        return [], []
    base = analyses[0]
    eps = base.episodes
    out = []
    for row in range(eps.id.size):
        instruments: dict[str, Any] = {}
        for a in analyses:
            if a.matrix.counts[row] == 0:
                continue
            r = a.summaries.row(row)
            entry = {k: r[k] for k in ("n", "intake", "latest", "change", "category", "signal")}
            entry["model"] = r["model"]
            if a.instrument.alliance:
                entry["signal"] = r["alliance"]
            instruments[a.instrument.name] = entry
        ending = str(base.ending[row]) or None
        out.append(
            {
                "client": eps.client_code[row],
                "episode": episode_label(base, row),
                "episode_id": int(eps.id[row]),
                "therapist": eps.therapist_code[row],
                "sessions": int(eps.sessions[row]),
                "first_date": _date(eps.first_session_date[row]),
                "last_date": _date(eps.last_session_date[row]),
                "status": "closed" if base.closed[row] else "open",
                "ending": ending,
                "instruments": instruments,
            }
        )
    return out, analyses


def outcome_signal(entry: dict[str, Any], instrument: str | None) -> str:
    """The episode's current signal on ``instrument`` ('none' when not measured on it)."""
    if instrument is None:
        return SIGNALS[0]
    found = entry["instruments"].get(instrument)
    return str(found["signal"]) if found else SIGNALS[0]
