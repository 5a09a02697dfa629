"""Keep the instrument table in step with the definition files, and read it back."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from practice_app.analysis.instruments import InstrumentDef, builtin_instruments, parse_instrument
from practice_app.storage.models import Instrument


def _apply(row: Instrument, d: InstrumentDef) -> None:
    row.title = d.title
    row.min_score = d.min
    row.max_score = d.max
    row.higher_is_better = d.higher_is_better
    row.cutoff = d.cutoff
    row.clinical_at_cutoff = d.clinical_at_cutoff
    row.reliable_change = d.reliable_change
    row.alliance = d.alliance
    row.items = list(d.items)
    row.item_min = d.item_min
    row.item_max = d.item_max
    row.builtin = d.builtin
    row.definition = dict(d.extra)


def save_instrument(session: Session, d: InstrumentDef) -> Instrument:
    """Insert or update one instrument definition; return its row."""
    row = session.scalar(select(Instrument).where(Instrument.name == d.name))
    if row is None:
        row = Instrument(name=d.name)
        session.add(row)
    _apply(row, d)
    session.flush()
    return row


def sync_builtin_instruments(session: Session) -> None:
    """Add built-in instruments that are missing; user edits to a built-in are kept."""
    existing = set(session.scalars(select(Instrument.name)))
    for d in builtin_instruments().values():
        if d.name not in existing:
            save_instrument(session, d)


def instrument_def(row: Instrument) -> InstrumentDef:
    """Rebuild the validated definition from a stored row."""
    return parse_instrument(row.definition, f"instrument {row.name}", builtin=row.builtin)


def load_instruments(session: Session) -> dict[str, InstrumentDef]:
    """Return every stored instrument definition keyed by name."""
    return {row.name: instrument_def(row) for row in session.scalars(select(Instrument))}


def instrument_ids(session: Session) -> dict[str, int]:
    """Return instrument ids keyed by name."""
    return {name: id_ for id_, name in session.execute(select(Instrument.id, Instrument.name))}
