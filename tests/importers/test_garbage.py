"""Whatever bytes arrive, the importer answers with a UserError and a message, never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path

from conftest import OPENFIT_HEADER
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from practice_app.errors import UserError
from practice_app.importers.importer import ImportOptions, import_path
from practice_app.storage.database import Database

CELLS = st.one_of(
    st.sampled_from(["", "1", "-3", "41", "2024-01-01", "01/02/2024", "Y", "N", "x", "1e400",
                     "nan", "=SUM(A1)", "'=1", " 5 ", "5,5", "\n", '"', "é", "\x00"]),
    st.text(max_size=12),
)  # fmt: skip
HEADERS = st.one_of(
    st.just(OPENFIT_HEADER),
    st.lists(st.sampled_from(["client", "session", "date", "ORS", "ORS_1", "SRS", "PHQ-9",
                              "ors_1", "ors_2", "id", "time", "Client_X", "name", "q_session",
                              "q_individual", "q_interpersonal", "Case_ID", "Total_ORS",
                              "Session_ID", "Client_ID", "episode", ""]),
             min_size=1, max_size=8),
)  # fmt: skip


def _try(db: Database, path: Path, **options: object) -> None:
    try:
        import_path(db, path, ImportOptions(**options))  # type: ignore[arg-type]
    except UserError as exc:
        assert str(exc).strip()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400))
@example(data=b"PK\x03\x04")
@example(data=b"PK\x03\x04" + bytes(200))
def test_random_bytes(db: Database, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "g.csv"
        path.write_bytes(data)
        _try(db, path)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=HEADERS,
    rows=st.lists(st.lists(CELLS, max_size=30), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]),
    skip=st.booleans(),
    layout=st.sampled_from([None, "long", "wide", "openfit", "camcops-ors"]),
)
def test_random_tables(
    db: Database,
    header: list[str],
    rows: list[list[str]],
    delimiter: str,
    encoding: str,
    skip: bool,
    layout: str | None,
) -> None:
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "g.csv"
        path.write_bytes("\n".join(lines).encode(encoding, errors="replace"))
        _try(db, path, skip_invalid=skip, layout=layout, client="K" if layout else None)


XLSX_CELLS = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=False),
    st.booleans(),
    st.dates(),
    st.text(max_size=10).filter(lambda t: not t.startswith("=")),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=HEADERS,
    rows=st.lists(st.lists(XLSX_CELLS, max_size=10), max_size=5),
)
def test_random_workbooks(db: Database, header: list[str], rows: list[list[object]]) -> None:
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    try:
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    except IllegalCharacterError:
        return  # openpyxl itself refuses to write such a cell
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "g.xlsx"
        book.save(path)
        _try(db, path, skip_invalid=True)
