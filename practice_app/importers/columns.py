"""The fast path of a large import, reading half: a batch of plain rows read column by column.

A batch qualifies when every row is plain: clean cells (what ``RowParser._text`` would
return unchanged), every value valid, one session per row with its number. Then each
column is converted and checked with one C-level ``map`` instead of a Python call per
cell. Anything else (one odd cell is enough) sends the batch down the per-row path
(``RowParser.parse``), which names every problem; a batch read here gives exactly the
records the per-row path would (tests/importers/test_batch.py). Free of SQLAlchemy: the
reader may run in a process of its own (pipeline.py) before the database is open.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import compress, repeat
from typing import Any

from practice_app.importers.records import CODE_MAX, RowParser, ScoreValue, SessionRecord
from practice_app.importers.source import Row

_BAD = object()
"""A date cell the fast path does not read (odd spacing, a guard, or not a date)."""
DATE_CACHE_SIZE = 100_000
EPISODE_MAX = 120
# Skip flags read as they are (any other spelling goes to the per-row path).
_NOT_SKIPPED = frozenset({"", None, "N", "n", "0", "No", "no", "NO", "False", "false"})
_SKIPPED = frozenset({"Y", "y", "1", "Yes", "yes", "YES", "True", "true", "TRUE"})
_starts_with_quote = operator.methodcaller("startswith", "'")


@dataclass(slots=True)
class ScoreColumn:
    """One instrument's scores in a batch: for every row, or the rows in ``keep``."""

    name: str
    keep: list[bool] | None
    totals: list[float]
    numbers: list[list[str]] | None
    """The items, one list per item (column by column), as the text json.dumps writes for
    each value (``repr``), or None. A file repeats its few values: the lists share one
    text object per value, which pickles once (the batch crosses a pipe, pipeline.py)."""

    def items(self) -> list[list[float]] | None:
        """The item values, one list per item (each text is its float's ``repr``)."""
        if self.numbers is None:
            return None
        return [list(map(float, column)) for column in self.numbers]

    def json(self) -> list[str] | None:
        """Each row's items as the JSON text SQLAlchemy's JSON type writes (for SQLite)."""
        if self.numbers is None:
            return None
        fmt = "[" + ", ".join(["%s"] * len(self.numbers)) + "]"
        return list(map(fmt.__mod__, zip(*self.numbers, strict=True)))


@dataclass(slots=True)
class Batch:
    """Plain rows, column by column (``episodes`` None: the rows name no episode)."""

    rows: list[int]
    therapists: list[tuple[str, str]]
    clients: list[str]
    episodes: list[str] | None
    case_dates: list[str | None] | None
    """ISO dates (what SQLite stores; text pickles faster than dates on the way to the writer)."""
    numbers: list[int]
    dates: list[str | None]
    """ISO dates, as ``case_dates``."""
    notes: list[str | None]
    attributes: dict[str, dict[str, str]]
    """Attributes of the clients first seen in this batch (read from their first row)."""
    scores: list[ScoreColumn]

    def records(self) -> list[SessionRecord]:
        """The same rows as per-row records (when the writer needs the per-row path)."""
        n = len(self.rows)
        scores: list[list[ScoreValue]] = [[] for _ in range(n)]
        for col in self.scores:
            where = range(n) if col.keep is None else compress(range(n), col.keep)
            values = col.items()
            for j, i in enumerate(where):
                items = [c[j] for c in values] if values is not None else None
                scores[i].append((col.name, col.totals[j], items))  # type: ignore[arg-type]
        first = dict(self.attributes)
        episodes: list[str | None] = [None] * n if self.episodes is None else [*self.episodes]
        day = from_iso
        case_dates = [None] * n if self.case_dates is None else list(map(day, self.case_dates))
        dates = list(map(day, self.dates))
        return [
            SessionRecord(
                self.rows[i],
                self.therapists[i][0],
                self.therapists[i][1],
                self.clients[i],
                episodes[i],
                case_dates[i],
                self.numbers[i],
                dates[i],
                self.notes[i],
                first.pop(self.clients[i], None),
                scores[i],
            )
            for i in range(n)
        ]


def from_iso(text: str | None) -> dt.date | None:
    """An ISO date text as a date (None stays None)."""
    return None if text is None else dt.date.fromisoformat(text)


class _Dates(dict[Any, Any]):
    """Raw date cell -> ISO date text (None for an empty cell, _BAD for one to read per row)."""

    def __init__(self, parser: RowParser) -> None:
        super().__init__({"": None, None: None})
        self.parse_date = parser.parse_date

    def __missing__(self, raw: Any) -> Any:
        if not raw:
            return None
        if raw.strip() is not raw or raw[0] == "'":
            day: Any = _BAD
        else:
            parsed = self.parse_date(raw)
            day = parsed.isoformat() if parsed is not None else _BAD
        if len(self) < DATE_CACHE_SIZE:
            self[raw] = day
        return day


class _Parsed(dict[str, Any]):
    """Cell text -> ``convert(text)``, remembered: a file repeats its few values (5, 7.5, ...).

    A dict lookup is a fifth of the cost of ``float(text)``; a text that does not
    convert raises ValueError as the conversion does (and is not remembered).
    """

    def __init__(self, convert: Any) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, text: str) -> Any:
        value = self.convert(text)
        if len(self) < DATE_CACHE_SIZE:
            self[text] = value
        return value


def _sums(columns: list[list[float]]) -> Iterator[float]:
    """Each row's sum of its items, left to right from 0.0 (C-level maps, no tuples)."""
    total: Iterator[float] = repeat(0.0)
    for column in columns:
        total = map(operator.add, total, column)
    return total


def _clean(cells: list[Any], longest: int | None = None) -> bool:
    """Whether every cell is text that ``RowParser._text`` returns unchanged (or empty),
    of at most ``longest`` characters.

    Each distinct text is looked at once: a column repeats its codes (a client's on
    every one of their rows).
    """
    distinct = set(cells)
    try:
        if not all(map(operator.eq, map(str.strip, distinct), distinct)):
            return False
    except TypeError:  # None (an empty spreadsheet cell)
        return False
    if longest is not None and max(map(len, distinct)) > longest:
        return False
    return not any(map(_starts_with_quote, distinct))


class BatchReader:
    """Read batches of plain rows for one ``RowParser`` (its caches and clients seen)."""

    def __init__(self, parser: RowParser) -> None:
        self.parser = parser
        self.dates = _Dates(parser)
        self.in_range: dict[tuple[float, float], _Parsed] = {}
        self.json_numbers: dict[tuple[float, float], _Parsed] = {}
        self.json_values = _Parsed(float)
        """JSON number text (one shared object per distinct text) -> its float."""
        self.ints = _Parsed(int)
        self.codes: dict[str, tuple[str, str]] = {}
        """Therapist code cell -> (code, display name of the first row with it)."""
        plan = parser.plan
        self.enabled = plan.layout != "wide" and None not in (plan.client, plan.session)

    def read(self, rows: list[tuple[int, Row]]) -> Batch | None:
        """The batch column by column, or None when a row needs the per-row path."""
        if not self.enabled or not rows:
            return None
        try:
            return self._read(rows)
        except (ValueError, TypeError, IndexError):  # a number that is not one, an empty cell
            return None

    def _read(self, rows: list[tuple[int, Row]]) -> Batch | None:
        parser, p = self.parser, self.parser.plan
        cells = list(map(operator.itemgetter(1), rows))
        # The batch turned into columns in one C-level pass. Every row is at least as
        # wide as the header (the sources pad short rows); were one not, a column
        # would be missing (IndexError: the per-row path), never cut short.
        columns = list(zip(*cells, strict=False))

        def column(index: int) -> list[Any]:
            return list(columns[index])

        assert p.client is not None and p.session is not None
        clients = column(p.client)
        if "" in clients or not _clean(clients, CODE_MAX):
            return None
        episodes: list[str] | None = None
        if p.episode is not None:
            episodes = column(p.episode)
            if not _clean(episodes, EPISODE_MAX):
                return None
            if "" in episodes:
                if any(episodes):
                    return None  # some rows name an episode, some do not
                episodes = None
        get_dates = self.dates.__getitem__
        case_dates: list[str | None] | None = None
        if p.case_date is not None:
            case_dates = list(map(get_dates, column(p.case_date)))
            if _BAD in case_dates:
                return None
        numbers = list(map(self.ints.__getitem__, column(p.session)))
        if min(numbers) < 1 or max(numbers) > 100_000:
            return None
        dates: list[str | None] = [None] * len(rows)
        if p.date is not None:
            dates = list(map(get_dates, column(p.date)))
            if _BAD in dates:
                return None
        notes: list[str | None] = [None] * len(rows)
        if p.notes is not None:
            texts = column(p.notes)
            if not _clean(texts):
                return None
            notes = [t or None for t in texts] if "" in texts else texts
        scores = self._scores(columns)
        if scores is None:
            return None
        therapists = self._therapists(cells, columns)
        # Only now, with the batch accepted: its new clients' attributes, from their first row.
        new = set(clients).difference(parser._seen_clients)
        attributes: dict[str, dict[str, str]] = {}
        if new:
            first = dict(zip(reversed(clients), range(len(clients) - 1, -1, -1), strict=True))
            for client in new:
                row = cells[first[client]]
                found = {}
                for col, name in parser._attr_cols:
                    value = parser._text(row, col)
                    if value is not None:
                        found[name] = value
                attributes[client] = found
            parser._seen_clients.update(new)
        return Batch(
            list(map(operator.itemgetter(0), rows)),
            therapists,
            clients,
            episodes,
            case_dates,
            numbers,
            dates,
            notes,
            attributes,
            scores,
        )

    def _therapists(
        self, cells: list[Row], columns: list[tuple[Any, ...]]
    ) -> list[tuple[str, str]]:
        parser = self.parser
        col = parser.plan.therapist_code
        if col is not None:
            # A clean code is the therapist's code; only the first row's name is ever
            # stored (Writer._therapist), so the code alone is the key.
            codes = list(columns[col])
            if "" not in codes and _clean(codes, CODE_MAX):
                known_codes = self.codes
                for code in set(codes).difference(known_codes):
                    known_codes[code] = parser._therapist(cells[codes.index(code)])
                return list(map(known_codes.__getitem__, codes))
        get = parser._ther_get
        if get is None:
            return [parser._therapist(cells[0])] * len(cells)
        keys = list(map(get, cells))
        known = parser._therapists
        for key in set(keys).difference(known):
            parser._therapist(cells[keys.index(key)])
        return list(map(known.__getitem__, keys))

    def _json_numbers(self, low: float, high: float) -> _Parsed:
        """Cell text -> the text json.dumps writes for its number, one shared object per
        distinct cell text; for numbers within [low, high] only (ValueError otherwise)."""
        parsed = self.json_numbers.get((low, high))
        if parsed is None:
            value = self._values(low, high).__getitem__
            parsed = self.json_numbers[(low, high)] = _Parsed(lambda text: repr(value(text)))
        return parsed

    def _values(self, low: float, high: float) -> _Parsed:
        """Cell text -> number, for numbers within [low, high] only (ValueError otherwise)."""
        parsed = self.in_range.get((low, high))
        if parsed is None:

            def convert(text: str) -> float:
                try:
                    value = float(text)
                except ValueError:
                    # A decimal comma ("7,5"), read as RowParser._value reads it.
                    if "," not in text or "." in text:
                        raise
                    value = float(text.replace(",", "."))
                if not low <= value <= high:  # also refuses NaN
                    raise ValueError(text)
                return value

            parsed = self.in_range[(low, high)] = _Parsed(convert)
        return parsed

    def _scores(self, columns: list[tuple[Any, ...]]) -> list[ScoreColumn] | None:
        # Each cell is looked at once, its text mapped to a cached JSON number text; the
        # later steps work on those few shared texts, which stay in the CPU's cache
        # while the cells, one object each, are spread over the whole batch.
        out: list[ScoreColumn] = []
        for sp in self.parser._specs:
            keep: list[bool] | None = None
            column: Any = tuple
            if sp.skip is not None:
                flags = set(columns[sp.skip])
                if not flags <= _NOT_SKIPPED:
                    if not flags <= _NOT_SKIPPED | _SKIPPED:
                        return None
                    keep = [f not in _SKIPPED for f in columns[sp.skip]]
                    if not any(keep):
                        continue

                    def column(cells: tuple[Any, ...], keep: list[bool] = keep) -> list[Any]:
                        return list(compress(cells, keep))

            items: list[list[float]] | None = None
            numbers: list[list[str]] | None = None
            if sp.items is not None:
                texts = [column(columns[c]) for c in sp.items]
                if any(map(any, texts)):
                    # ValueError on an empty cell, a text float() refuses, or a value
                    # outside the item range (the cache holds in-range values only).
                    get = self._json_numbers(sp.i_lo, sp.i_hi).__getitem__
                    numbers = [list(map(get, t)) for t in texts]
                    value = self.json_values.__getitem__
                    items = [list(map(value, n)) for n in numbers]
            totals: list[float] | None = None
            if sp.total is not None:
                texts_t = column(columns[sp.total])
                if all(texts_t):
                    totals = list(map(self._values(sp.lo, sp.hi).__getitem__, texts_t))
                    if items is not None:
                        gap = max(map(abs, map(operator.sub, totals, _sums(items))))
                        if not gap <= 0.1 + 1e-9:
                            return None
                elif any(texts_t):
                    return None  # some totals missing: the per-row path
            if totals is None:
                if items is None:
                    continue  # no value for this instrument in these rows: no score
                # Stored: exactly the row path's sum(items), row by row.
                totals = list(map(sum, zip(*items, strict=True)))
            if min(totals) < sp.lo or max(totals) > sp.hi:
                return None
            out.append(ScoreColumn(sp.name, keep, totals, numbers))
        return out
