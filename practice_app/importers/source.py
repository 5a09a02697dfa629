"""Read a table from a file, streaming: CSV in any common encoding and delimiter, or XLSX.

A ``Table`` has a header and yields ``(row_number, cells)`` where ``row_number`` is
the row as a spreadsheet shows it (header = row 1) and ``cells`` are texts or None,
padded to the header's width. Each call to ``rows()`` reads the file afresh, so a
second pass (date-format inference) costs time, not memory.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import operator
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

from practice_app.errors import UserError

Row = list[str | None]
"""Cells of one row: text, or None / "" when empty."""
SAMPLE_BYTES = 64 * 1024
_CHUNK = 1 << 20
_TEXT_CHUNK = 1 << 18
"""Characters read at a time by the batch reader (a quarter of a megabyte)."""
# Large text cells (notes) are legitimate; csv's 128 KiB default refuses them.
csv.field_size_limit(16 * 1024 * 1024)
_MARK = "\U0010fffe"
"""A noncharacter standing in for undecodable bytes while the row holding them is found."""
_MARK_ERRORS = "practice-app-mark"


def _mark_undecodable(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    return _MARK, exc.end


codecs.register_error(_MARK_ERRORS, _mark_undecodable)


class Table(Protocol):
    """A header and a re-readable stream of rows."""

    name: str
    header: list[str]
    size: int
    """Total work units for progress (bytes for a CSV, rows for a sheet)."""

    @property
    def description(self) -> str:
        """What kind of file it is (encoding, delimiter), for messages."""
        ...

    def rows(self) -> Iterator[tuple[int, Row, int]]:
        """Yield (spreadsheet row number, cells, work units done so far)."""
        ...


def detect_encoding(path: Path) -> str:
    """Return the encoding of a text file: a BOM, UTF-16 without one, UTF-8, else Windows-1252."""
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4 and head.count(b"\x00") > len(head) // 4:
        # UTF-16 without a BOM: ASCII text leaves every other byte NUL.
        return "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def detect_delimiter(sample: str) -> str:
    """Pick , ; or tab from a sample of the text (csv.Sniffer, else count in the header)."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in ",;\t"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


class _CountingReader(io.RawIOBase):
    """Wrap a binary file and count the bytes read, for progress by file position."""

    def __init__(self, raw: io.BufferedReader) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.raw.readinto(buffer)
        self.count += n or 0
        return n or 0


def _clean_header(cells: list[str | None]) -> list[str]:
    return [(c or "").strip().lstrip("\ufeff").strip() for c in cells]


@dataclass
class CsvTable:
    """A CSV file with its detected encoding and delimiter."""

    path: Path
    encoding: str = ""
    delimiter: str = ""
    header: list[str] = field(default_factory=list)
    name: str = ""
    size: int = 0

    def __post_init__(self) -> None:
        self.name = str(self.path)
        self.size = max(self.path.stat().st_size, 1)
        if not self.encoding:
            self.encoding = detect_encoding(self.path)
        try:
            with self.path.open(encoding=self.encoding, newline="") as fh:
                sample = fh.read(SAMPLE_BYTES)
        except UnicodeError as exc:
            raise UserError(
                f"{self.path}: cannot read the text ({exc.__class__.__name__})"
            ) from None
        if "\x00" in sample:
            raise UserError(f"{self.path}: not a text file (binary content)")
        if not self.delimiter:
            self.delimiter = detect_delimiter(sample)
        for _n, cells, _done in self._read(header_only=True):
            self.header = _clean_header(cells)
            break
        if not any(self.header):
            raise UserError(f"{self.path}: the file is empty (no header row)")

    @property
    def description(self) -> str:
        """Encoding and delimiter, for messages."""
        names = {",": "comma", ";": "semicolon", "\t": "tab"}
        return f"CSV, {self.encoding}, {names.get(self.delimiter, repr(self.delimiter))}-separated"

    def _read(self, *, header_only: bool = False) -> Iterator[tuple[int, Row, int]]:
        """Yield every record from the header on (blank ones skipped), in one loop: hot path."""
        width = len(self.header)
        with self.path.open("rb") as raw:
            counter = _CountingReader(raw)
            buffered = io.BufferedReader(counter, buffer_size=_CHUNK)
            text = io.TextIOWrapper(buffered, encoding=self.encoding, newline="")
            reader = csv.reader(text, delimiter=self.delimiter)
            number = 0
            try:
                for number, cells in enumerate(reader, start=1):
                    # Empty cells stay "" (the parser treats a falsy cell as missing).
                    if not any(cells):
                        continue
                    if len(cells) < width:
                        cells.extend([""] * (width - len(cells)))
                    yield number, cells, counter.count  # type: ignore[misc]
                    if header_only:
                        return
            except UnicodeError:
                # The text is decoded a chunk ahead of the csv reader: find the row itself.
                bad = self._first_undecodable_row() or number + 1
                raise UserError(
                    f"{self.path}: row {bad}: the text is not valid {self.encoding}"
                ) from None
            except csv.Error as exc:
                raise UserError(f"{self.path}: row {number + 1}: unreadable CSV ({exc})") from None

    def _first_undecodable_row(self) -> int | None:
        """The number of the first record holding bytes that are not text in the encoding."""
        with self.path.open(encoding=self.encoding, errors=_MARK_ERRORS, newline="") as fh:
            for number, cells in enumerate(csv.reader(fh, delimiter=self.delimiter), start=1):
                if any(_MARK in cell for cell in cells):
                    return number
        return None

    def rows(self) -> Iterator[tuple[int, Row, int]]:
        """Yield the data rows (blank rows skipped), padded to the header width."""
        rows = self._read()
        next(rows, None)
        return rows

    def batches(self, size: int) -> Iterator[tuple[list[tuple[int, Row]], int]]:
        """Yield the data rows ``size`` records at a time, as ``rows()`` numbers them.

        The import's reading loop: ``islice`` takes a batch of records in C; Python
        looks at single rows only in a batch with a blank or short row.
        """
        width = len(self.header)
        with self.path.open("rb") as raw:
            counter = _CountingReader(raw)
            buffered = io.BufferedReader(counter, buffer_size=_CHUNK)
            text = io.TextIOWrapper(buffered, encoding=self.encoding, newline="")
            runs = self._record_runs(text)
            records = cast(Iterator[Row], itertools.chain.from_iterable(runs))  # texts
            number = 1  # the header's record
            try:
                for cells in records:  # up to the header (blank records before it skipped)
                    if any(cells):
                        break
                    number += 1
                while chunk := list(itertools.islice(records, size)):
                    numbers = range(number + 1, number + 1 + len(chunk))
                    number += len(chunk)
                    if all(map(any, chunk)) and min(map(len, chunk)) >= width:
                        yield list(zip(numbers, chunk, strict=True)), counter.count
                        continue
                    kept: list[tuple[int, Row]] = []
                    for n, cells in zip(numbers, chunk, strict=True):
                        if any(cells):
                            if len(cells) < width:
                                cells.extend([""] * (width - len(cells)))
                            kept.append((n, cells))
                    yield kept, counter.count
                return
            except (UnicodeError, csv.Error):
                pass
        # Read again row by row: the same error, naming the exact row.
        for _row in self._read():
            pass
        raise UserError(f"{self.path}: unreadable CSV")  # pragma: no cover (raised above)

    def _record_runs(self, text: io.TextIOWrapper) -> Iterator[Iterable[list[str]]]:
        """The file's records in runs: text without quotes split in C, the rest by csv.

        A record with no quote character is its line split at the delimiter, exactly
        what the csv module makes of it (lines ending in LF or CR LF), and splitting is
        a third faster. From the first quote or lone CR on, the csv module reads the
        rest of the file.
        """
        split = operator.methodcaller("split", self.delimiter)
        limit = csv.field_size_limit()
        carry = ""
        while chunk := text.read(_TEXT_CHUNK):
            block = carry + chunk
            cut = block.rfind("\n") + 1
            if not cut and (len(block) > _TEXT_CHUNK or "\r" in block[:-1]):
                # No LF in a whole chunk: CR line ends (old Mac files) or one huge line.
                # Carried on, the text would pile up (and be searched again) every read.
                yield csv.reader(_lines("", block, text), delimiter=self.delimiter)
                return
            whole, carry = block[:cut], block[cut:]
            line_end = _line_end(whole)
            if line_end is None or '"' in whole:
                yield csv.reader(_lines(whole, carry, text), delimiter=self.delimiter)
                return
            lines = whole.split(line_end)
            lines.pop()  # after the last line end
            if len(whole) > limit and max(map(len, lines)) > limit:  # a field csv refuses?
                yield csv.reader(_lines(whole, carry, text), delimiter=self.delimiter)
                return
            yield map(split, lines)
        if carry:  # a last line without a line end
            yield csv.reader(io.StringIO(carry, newline=""), delimiter=self.delimiter)


def _line_end(text: str) -> str | None:
    """The one line end of ``text`` (complete lines): LF or CR LF; None when mixed."""
    if "\r" not in text:
        return "\n"
    crlf = text.count("\r\n")
    if crlf == text.count("\n") == text.count("\r"):
        return "\r\n"
    return None


def _lines(whole: str, rest: str, text: io.TextIOWrapper) -> Iterator[str]:
    """The lines of ``whole + rest`` and the rest of the file, each with its line end.

    ``rest`` (the text after the last LF) is completed by the file's next line first: a
    line handed to the csv module must not hold a line end (a lone CR) inside it.
    """
    yield from io.StringIO(whole + rest + text.readline(), newline="")
    yield from text


def batches(table: Table, size: int) -> Iterator[tuple[list[tuple[int, Row]], int]]:
    """A table's data rows ``size`` at a time with the work done so far (any kind of table)."""
    if isinstance(table, CsvTable):
        yield from table.batches(size)
        return
    chunk: list[tuple[int, Row]] = []
    done = 0
    for number, cells, done in table.rows():
        chunk.append((number, cells))
        if len(chunk) >= size:
            yield chunk, done
            chunk = []
    if chunk:
        yield chunk, done


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.15g}"
    text = str(value)
    return text if text.strip() else None


@dataclass
class XlsxTable:
    """The first worksheet of an XLSX workbook, read with openpyxl in read-only mode."""

    path: Path
    header: list[str] = field(default_factory=list)
    name: str = ""
    size: int = 0
    description: str = "XLSX"

    def __post_init__(self) -> None:
        self.name = str(self.path)
        for _n, cells, _done in self._read():
            self.header = _clean_header(cells)
            break
        if not any(self.header):
            raise UserError(f"{self.path}: the first sheet is empty (no header row)")

    def _read(self) -> Iterator[tuple[int, Row, int]]:
        from openpyxl import load_workbook

        # A file object, not the path: openpyxl refuses paths not ending in .xlsx.
        with self.path.open("rb") as fh:
            try:
                book = load_workbook(fh, read_only=True, data_only=True)
            except Exception as exc:  # openpyxl raises many kinds on a damaged file
                raise UserError(f"{self.path}: not a readable XLSX workbook ({exc})") from None
            try:
                sheet = book.worksheets[0] if book.worksheets else None
                if sheet is None:
                    raise UserError(f"{self.path}: the workbook has no sheet")
                self.size = max(int(sheet.max_row or 1), 1)
                rows = enumerate(sheet.iter_rows(values_only=True), start=1)
                while True:
                    try:
                        number, values = next(rows)
                    except StopIteration:
                        break
                    except Exception as exc:  # damaged sheet XML, bad shared strings, ...
                        raise UserError(f"{self.path}: the sheet is damaged ({exc})") from None
                    yield number, [_cell_text(v) for v in values], number
            finally:
                book.close()

    def rows(self) -> Iterator[tuple[int, Row, int]]:
        """Yield the data rows (blank rows skipped), cut or padded to the header width."""
        width = len(self.header)
        rows = self._read()
        next(rows, None)
        for number, cells, done in rows:
            if not any(c is not None and c.strip() for c in cells):
                continue
            if len(cells) < width:
                cells.extend([None] * (width - len(cells)))
            yield number, cells, done


@dataclass
class MemoryTable:
    """Rows already in memory (an export folder's JSON file), with the same interface."""

    name: str
    header: list[str]
    data: list[Row]
    description: str = "JSON"
    size: int = 0

    def rows(self) -> Iterator[tuple[int, Row, int]]:
        """Yield the rows numbered as if row 1 were a header."""
        self.size = max(len(self.data), 1)
        for i, cells in enumerate(self.data, start=2):
            yield i, list(cells), i


XLSX_MAGIC = b"PK\x03\x04"


def open_table(path: Path) -> Table:
    """Open a CSV or XLSX file by its content (not its name)."""
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if path.is_dir():
        raise UserError(f"{path}: is a folder, not a file")
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    if not magic:
        raise UserError(f"{path}: the file is empty")
    if magic == XLSX_MAGIC:
        return XlsxTable(path)
    if path.suffix.lower() in (".xls", ".xlsb", ".ods"):
        raise UserError(f"{path}: save the sheet as XLSX or CSV first")
    return CsvTable(path)
