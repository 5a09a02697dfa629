"""Turn one row of a mapped file into session records, or into problems naming row and field.

This is the hot path of a large import, so the parser precomputes what it can
from the plan and keeps the per-row work to plain lookups and conversions.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from practice_app.importers.layouts import InstrumentColumns, Plan

MIN_YEAR, MAX_YEAR = 1900, 2100
CODE_MAX = 64
TRUE_FLAGS = frozenset({"y", "yes", "1", "true", "t", "x", "skip", "skipped"})
FALSE_FLAGS = frozenset({"n", "no", "0", "false", "f", ""})
DATE_FORMATS = (
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d.%m.%y",
    "%Y%m%d",
)
GUARD_CHARS = ("=", "+", "-", "@", "\t", "\r")


def needs_guard(text: str) -> bool:
    """Whether a text cell must be prefixed with a quote against formula injection.

    A cell starting with a quote that protects such a cell is guarded again, so
    ``unguard(guard(x)) == x`` for every text (export and import are inverse).
    """
    while text.startswith("'"):
        text = text[1:]
        if not text.startswith(("'", *GUARD_CHARS)):
            return False
    return text.startswith(GUARD_CHARS)


def guard(text: str) -> str:
    """Neutralise a text cell for spreadsheets (prefix a single quote when needed)."""
    return "'" + text if needs_guard(text) else text


def unguard(text: str) -> str:
    """Undo ``guard``."""
    if text.startswith("'") and needs_guard(text[1:]):
        return text[1:]
    return text


@dataclass(slots=True)
class Problem:
    """One refused value: spreadsheet row (header = 1), column, value and why."""

    row: int
    field: str
    value: str
    message: str

    def as_dict(self) -> dict[str, object]:
        """The JSON summary's shape."""
        return {"row": self.row, "field": self.field, "value": self.value, "message": self.message}


ScoreValue = tuple[str, float, list[float | None] | None]


@dataclass(slots=True)
class SessionRecord:
    """One session as read from a file."""

    row: int
    therapist: str
    therapist_name: str
    client: str
    episode: str | None
    case_date: dt.date | None
    number: int | None
    date: dt.date | None
    notes: str | None
    attributes: dict[str, str] | None
    scores: list[ScoreValue] = field(default_factory=list)


def parse_iso_date(text: str) -> dt.date | None:
    """Parse YYYY-MM-DD (a time part after T or a space is ignored); None when not ISO."""
    text = text.strip()
    if len(text) > 10 and text[10] in "T ":
        text = text[:10]
    if len(text) != 10 or text[4] != "-":
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def looks_iso(text: str) -> bool:
    """Whether a date text is in ISO form (so no format needs inferring)."""
    return parse_iso_date(text) is not None


def _strptime(text: str, fmt: str) -> dt.date | None:
    text = text.strip().split(" ")[0].split("T")[0]
    try:
        return dt.datetime.strptime(text, fmt).date()
    except ValueError:
        return None


def infer_date_format(values: Iterable[str]) -> tuple[str | None, list[str]]:
    """Return the one format that reads every non-ISO value (None if all are ISO).

    Also returns the candidates still standing, so the caller can say 'ambiguous'
    (more than one) or 'unreadable' (none).
    """
    candidates = list(DATE_FORMATS)
    seen_other = False
    for value in values:
        if looks_iso(value):
            continue
        seen_other = True
        candidates = [f for f in candidates if _strptime(value, f) is not None]
        if not candidates:
            break
    if not seen_other:
        return None, []
    return (candidates[0] if len(candidates) == 1 else None), candidates


_SLUG_RE = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A code from a name or an email: lower case, letters and digits joined by '-'."""
    return _SLUG_RE.sub("-", text.lower()).strip("-")[:CODE_MAX]


class _Spec:
    """One instrument's columns and limits, flattened for the per-row loop."""

    __slots__ = (
        "defn",
        "get_items",
        "hi",
        "i_hi",
        "i_lo",
        "items",
        "lo",
        "n_items",
        "name",
        "skip",
        "total",
    )

    def __init__(self, ic: InstrumentColumns) -> None:
        d = ic.defn
        self.defn = d
        self.name = d.name
        self.lo, self.hi = d.min, d.max
        self.i_lo = d.item_min if d.item_min is not None else -math.inf
        self.i_hi = d.item_max if d.item_max is not None else math.inf
        self.total = ic.total
        self.skip = ic.skip
        # Items only when every item has a column: the fast path reads them all at once.
        cols = [c for c in ic.items if c is not None]
        self.items: list[int] | None = cols if cols and len(cols) == len(ic.items) else None
        self.get_items = operator.itemgetter(*cols, cols[0]) if self.items else None
        self.n_items = len(cols)


class RowParser:
    """Parse rows of one plan into SessionRecords."""

    def __init__(
        self,
        plan: Plan,
        *,
        therapist: str | None,
        client: str | None,
        date_format: str | None,
    ) -> None:
        self.plan = plan
        self.default_therapist = therapist or "me"
        self.fixed_client = client
        self.date_format = date_format
        self._therapists: dict[Any, tuple[str, str]] = {}
        self._seen_clients: set[str] = set()
        self._attr_cols = list(plan.attributes.items())
        self._names = plan.header
        self._ther_cols = [
            c
            for c in (
                plan.therapist_code,
                plan.therapist_first,
                plan.therapist_last,
                plan.therapist_email,
                plan.therapist_name,
            )
            if c is not None
        ]
        # itemgetter of 2+ columns returns a tuple: the cache key of the therapist columns.
        cols = self._ther_cols
        self._ther_get = operator.itemgetter(*cols, cols[0]) if cols else None
        self._specs = [_Spec(ic) for ic in plan.instruments]
        self._partial = {ic.defn.name: ic for ic in plan.instruments}
        self._wide = [(s.number, [_Spec(ic) for ic in s.instruments]) for s in plan.wide]

    # -- values ---------------------------------------------------------------------------

    def _text(self, cells: list[str | None], col: int | None) -> str | None:
        if col is None:
            return None
        value = cells[col]
        if not value:
            return None
        value = value.strip()
        if not value:
            return None
        return unguard(value) if value[0] == "'" else value

    def parse_date(self, text: str) -> dt.date | None:
        """Parse a date in ISO form or the column's inferred or given format."""
        day = None
        if len(text) == 10 and text[4] == "-":
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                day = None
        if day is None:
            day = parse_iso_date(text)
        if day is None and self.date_format:
            day = _strptime(text, self.date_format)
        if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
            return None
        return day

    def _date(
        self, cells: list[str | None], col: int | None, problems: list[Problem], row: int
    ) -> dt.date | None:
        if col is None or not cells[col]:
            return None
        text = self._text(cells, col)
        if text is None:
            return None
        day = self.parse_date(text)
        if day is None:
            expected = self.date_format or "YYYY-MM-DD"
            problems.append(
                Problem(
                    row,
                    self._names[col],
                    text,
                    f"not a date in the format {expected} (give --date-format for another)",
                )
            )
        return day

    def _therapist(self, cells: list[str | None]) -> tuple[str, str]:
        raw = self._ther_get(cells) if self._ther_get is not None else ()
        known = self._therapists.get(raw)
        if known is not None:
            return known
        p = self.plan
        code_text = self._text(cells, p.therapist_code)
        first, last = self._text(cells, p.therapist_first), self._text(cells, p.therapist_last)
        email, name = self._text(cells, p.therapist_email), self._text(cells, p.therapist_name)
        display = name or " ".join(x for x in (first, last) if x)
        if code_text:
            code = code_text[:CODE_MAX]
        elif email:
            code = email.lower()[:CODE_MAX]
        elif display:
            code = slug(display) or self.default_therapist
        else:
            code = self.default_therapist
        result = (code, display[:200])
        self._therapists[raw] = result
        return result

    # -- rows -----------------------------------------------------------------------------

    def parse(self, row: int, cells: list[str | None]) -> tuple[list[SessionRecord], list[Problem]]:
        """Return the row's session records, or the problems that refuse it."""
        p = self.plan
        problems: list[Problem] = []
        client = self._text(cells, p.client) if p.client is not None else self.fixed_client
        if client is None:
            if not any(c and c.strip() for c in cells):
                return [], problems  # a row of blanks
            name = p.column_name(p.client) or "client"
            problems.append(Problem(row, name, "", "the client code is missing"))
            return [], problems
        if len(client) > CODE_MAX:
            problems.append(
                Problem(row, p.column_name(p.client), client, f"longer than {CODE_MAX} characters")
            )
            return [], problems
        therapist, therapist_name = self._therapist(cells)
        attributes: dict[str, str] | None = None
        if client not in self._seen_clients:
            attributes = {}
            for col, name in self._attr_cols:
                value = self._text(cells, col)
                if value is not None:
                    attributes[name] = value
        episode = self._text(cells, p.episode)
        if episode is not None and len(episode) > 120:
            problems.append(Problem(row, p.column_name(p.episode), episode, "longer than 120"))
        case_date = self._date(cells, p.case_date, problems, row)
        if p.layout == "wide":
            records = []
            for wide_number, specs in self._wide:
                scores = self._scores(cells, specs, problems, row)
                if scores:
                    records.append(
                        SessionRecord(
                            row,
                            therapist,
                            therapist_name,
                            client,
                            episode,
                            case_date,
                            wide_number,
                            None,
                            None,
                            None,
                            scores,
                        )
                    )
        else:
            number = self._number(cells, problems, row)
            date = self._date(cells, p.date, problems, row)
            if number is None and date is None and not problems:
                where = p.session if p.session is not None else p.date
                problems.append(
                    Problem(row, p.column_name(where), "", "a session needs its number or its date")
                )
            notes = self._text(cells, p.notes)
            scores = self._scores(cells, self._specs, problems, row)
            records = [
                SessionRecord(
                    row,
                    therapist,
                    therapist_name,
                    client,
                    episode,
                    case_date,
                    number,
                    date,
                    notes,
                    None,
                    scores,
                )
            ]
        if problems:
            return [], problems
        if records:
            records[0].attributes = attributes
            self._seen_clients.add(client)
        return records, problems

    def _number(self, cells: list[str | None], problems: list[Problem], row: int) -> int | None:
        col = self.plan.session
        if col is None or not cells[col]:
            return None
        text = cells[col] or ""
        try:
            return _check_number(int(text))
        except ValueError:
            pass
        try:
            value = float(text)
            if value == int(value):
                return _check_number(int(value))
        except (ValueError, OverflowError):
            pass
        if not text.strip():
            return None
        problems.append(
            Problem(row, self._names[col], text, "a session number must be 1, 2, 3, ...")
        )
        return None

    def _scores(
        self,
        cells: list[str | None],
        specs: list[_Spec],
        problems: list[Problem],
        row: int,
    ) -> list[ScoreValue]:
        scores: list[ScoreValue] = []
        for sp in specs:
            if sp.skip is not None:
                flag = cells[sp.skip]
                if flag and flag not in ("N", "0", "n"):
                    flag = flag.strip().lower()
                    if flag in TRUE_FLAGS:
                        continue
                    if flag not in FALSE_FLAGS:
                        problems.append(
                            Problem(
                                row,
                                self._names[sp.skip],
                                cells[sp.skip] or "",
                                "a skip flag must be Y or N (or 1 or 0)",
                            )
                        )
                        continue
            # The fast path: every item and the total present and plain numbers.
            try:
                items = (
                    list(map(float, sp.get_items(cells)))[: sp.n_items] if sp.get_items else None
                )
                text = cells[sp.total] if sp.total is not None else None
                total = float(text) if text else None
            except (ValueError, TypeError):
                self._slow_score(cells, sp, problems, row, scores)
                continue
            if items is not None:
                if not (sp.i_lo <= min(items) and max(items) <= sp.i_hi):
                    self._slow_score(cells, sp, problems, row, scores)
                    continue
                item_sum = sum(items)
                if total is None:
                    total = item_sum
                elif abs(total - item_sum) > 0.1 + 1e-9:
                    self._slow_score(cells, sp, problems, row, scores)
                    continue
            if total is None:
                continue
            if not (sp.lo <= total <= sp.hi) or total != total:
                self._slow_score(cells, sp, problems, row, scores)
                continue
            scores.append((sp.name, total, items))  # type: ignore[arg-type]
        return scores

    def _value(
        self, text: str, low: float | None, high: float | None, what: str
    ) -> tuple[float | None, str]:
        try:
            value = float(text)
        except ValueError:
            if "," in text and "." not in text:
                try:
                    value = float(text.replace(",", "."))
                except ValueError:
                    return None, "not a number"
            else:
                return None, "not a number"
        if not math.isfinite(value):
            return None, "not a number"
        if low is not None and high is not None and not low <= value <= high:
            return None, f"outside the {what} range {low:g}-{high:g}"
        return value, ""

    def _slow_score(
        self,
        cells: list[str | None],
        sp: _Spec,
        problems: list[Problem],
        row: int,
        scores: list[ScoreValue],
    ) -> None:
        """Read one instrument's cells carefully: missing items, commas, and every error."""
        names = self._names
        d = sp.defn
        ic = self._partial.get(d.name) or InstrumentColumns(d, total=sp.total)
        if sp.total != ic.total:  # a wide session's columns are not the long layout's
            ic = InstrumentColumns(d, total=sp.total)
        total_text = (cells[ic.total] or "").strip() if ic.total is not None else ""
        items: list[float | None] | None = None
        missing: list[int] = []
        bad = False
        if ic.items:
            items = []
            for col in ic.items:
                text = (cells[col] or "").strip() if col is not None else ""
                if not text:
                    items.append(None)
                    if col is not None:
                        missing.append(col)
                    continue
                value, why = self._value(text, d.item_min, d.item_max, f"{d.name} item")
                if why:
                    assert col is not None
                    problems.append(Problem(row, names[col], text, why))
                    bad = True
                items.append(value)
            if all(v is None for v in items):
                items = None
        if bad or (not total_text and items is None):
            return
        total: float | None = None
        if total_text:
            assert ic.total is not None
            total, why = self._value(total_text, d.min, d.max, f"{d.name} total")
            if why:
                problems.append(Problem(row, names[ic.total], total_text, why))
                return
        if items is not None and None not in items:
            item_sum = math.fsum(v for v in items if v is not None)
            if total is None:
                total = item_sum
                if not d.min <= total <= d.max:
                    problems.append(
                        Problem(
                            row,
                            names[ic.items[0] or 0],
                            f"{total:g}",
                            f"the items add up to {total:g}, outside the {d.name} "
                            f"range {d.min:g}-{d.max:g}",
                        )
                    )
                    return
            elif abs(total - item_sum) > 0.1 + 1e-9:
                field_name = names[ic.total] if ic.total is not None else d.name
                problems.append(
                    Problem(
                        row,
                        field_name,
                        total_text,
                        f"the total {total:g} disagrees with the items, which add up "
                        f"to {item_sum:g}",
                    )
                )
                return
        elif items is not None and total is None:
            col = missing[0] if missing else (ic.items[0] or 0)
            problems.append(
                Problem(
                    row,
                    names[col],
                    "",
                    f"{d.name}: some items are missing and no total is given "
                    "(give every item, or the total)",
                )
            )
            return
        if total is not None:
            scores.append((d.name, total, items))


def _check_number(value: int) -> int:
    if not 1 <= value <= 100_000:
        raise ValueError(value)
    return value
