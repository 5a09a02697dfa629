"""Rows into an SQLite table, many per INSERT statement.

The sqlite3 module's ``executemany`` binds, steps and resets one row at a time; an
``INSERT ... VALUES (...), (...), ...`` of a hundred-odd rows does the same work in
about half the time (measured on the session table: 0.27-0.46 s against 0.54-0.78 s for
300,000 rows). The import's bulk inserts go through here on SQLite; the statements are
cached by the sqlite3 module (two texts per table: a full one and the remainder).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Any

from sqlalchemy import Connection

MAX_PARAMETERS = 999
"""SQLite's limit on parameters per statement before 3.32 (later ones allow 32,766)."""


def insert_rows(
    conn: Connection, table: str, names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert ``rows`` (each a value per name) into ``table`` in ``conn``'s transaction."""
    insert_flat(conn, table, names, list(chain.from_iterable(rows)))


def insert_columns(
    conn: Connection, table: str, names: Sequence[str], columns: Sequence[Iterable[Any]]
) -> None:
    """Insert rows given column by column (one iterable per name, all of one length)."""
    insert_flat(conn, table, names, list(chain.from_iterable(zip(*columns, strict=True))))


def insert_flat(conn: Connection, table: str, names: Sequence[str], flat: list[Any]) -> None:
    """Insert the rows whose values follow one another in ``flat`` (row by row)."""
    width = len(names)
    if not flat:
        return
    if len(flat) % width:
        raise ValueError(f"{len(flat)} values do not make rows of {width}")
    per_statement = max(1, MAX_PARAMETERS // width) * width
    head = f"INSERT INTO {table} ({', '.join(names)}) VALUES "
    row = "(" + ", ".join(["?"] * width) + ")"
    cursor = conn.connection.cursor()
    try:
        whole = len(flat) - len(flat) % per_statement
        if whole:
            sql = head + ", ".join([row] * (per_statement // width))
            for start in range(0, whole, per_statement):
                cursor.execute(sql, flat[start : start + per_statement])
        if whole < len(flat):
            rest = flat[whole:]
            cursor.execute(head + ", ".join([row] * (len(rest) // width)), rest)
    finally:
        cursor.close()
