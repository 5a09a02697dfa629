"""How a file is read, settled before the database is open: the options, and the plan and
parser for the table's header.

Free of SQLAlchemy: the ``import`` command starts reading a large file in a second
process (pipeline.py) while this one imports SQLAlchemy and opens the database.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from practice_app.analysis.instruments import InstrumentDef
from practice_app.errors import UserError
from practice_app.importers.layouts import Plan, make_plan
from practice_app.importers.records import RowParser, infer_date_format, looks_iso
from practice_app.importers.source import Table

BATCH_SIZE = 2000
"""Rows per batch: a batch's cells stay in the CPU's cache while its columns are checked
(2,000 was faster than 5,000 on the 300,000-row benchmark)."""
DATE_SAMPLE_ROWS = 200
INACTIVE_DAYS = 45
"""science.md section 5: an imported episode without an ending is inactive after 45 days."""


@dataclass
class ImportOptions:
    """What the user asked for (the command's options)."""

    layout: str | None = None
    instrument: str | None = None
    therapist: str | None = None
    client: str | None = None
    skip_invalid: bool = False
    dry_run: bool = False
    update: bool = False
    date_format: str | None = None
    today: dt.date | None = None
    inactive_days: int = INACTIVE_DAYS
    batch_size: int = BATCH_SIZE
    keep_episodes: bool = False
    """Leave episode dates and endings as they are (an export folder brings its own)."""
    read_beside: bool = False
    """Read a large file in a second process while this one writes (pipeline.py). Only for
    a process with one thread (the command line): the window imports in one process."""


def normalise_date_format(text: str) -> str:
    """Accept strftime ('%d/%m/%Y') or spreadsheet style ('DD/MM/YYYY')."""
    if "%" in text:
        return text
    out = text.upper()
    for token, code in (("YYYY", "%Y"), ("YY", "%y"), ("MM", "%m"), ("DD", "%d")):
        out = out.replace(token, code)
    if "%" not in out:
        raise UserError(f"--date-format '{text}': use e.g. DD/MM/YYYY or %d/%m/%Y")
    return out


def date_format_of(table: Table, plan: Plan, given: str | None) -> str | None:
    """The format of non-ISO dates: given, or inferred when unambiguous across the file."""
    if given:
        return normalise_date_format(given)
    cols = [c for c in (plan.date, plan.case_date) if c is not None]
    if not cols:
        return None

    def values(limit: int | None) -> Any:
        for _n, cells, _d in itertools.islice(table.rows(), limit):
            for c in cols:
                v = cells[c]
                if v is not None and v.strip():
                    yield v

    if all(looks_iso(v) for v in values(DATE_SAMPLE_ROWS)):
        return None
    fmt, candidates = infer_date_format(values(None))
    if fmt is None and len(candidates) > 1:
        shown = " or ".join(c.replace("%", "") for c in candidates[:3])
        raise UserError(
            f"{table.name}: the dates in column '{plan.column_name(cols[0])}' are ambiguous "
            f"({shown} all fit); give --date-format, e.g. --date-format DD/MM/YYYY"
        )
    return fmt


@dataclass
class Reading:
    """A table and how its rows are read: the plan of its columns and the parser of its rows."""

    table: Table
    instruments: dict[str, InstrumentDef]
    """The instrument definitions the plan was made with."""
    plan: Plan
    parser: RowParser


def prepare_reading(
    table: Table, instruments: dict[str, InstrumentDef], options: ImportOptions
) -> Reading:
    """The plan for the table's header and a parser for its rows (UserError when refused)."""
    plan = make_plan(
        table.header, instruments, layout=options.layout, instrument=options.instrument
    )
    parser = RowParser(
        plan,
        therapist=options.therapist,
        client=options.client,
        date_format=date_format_of(table, plan, options.date_format),
    )
    return Reading(table, instruments, plan, parser)
