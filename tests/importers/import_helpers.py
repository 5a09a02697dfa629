"""Read back what an import wrote (plain SQL, so the tests check the stored rows)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def query(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run one query on the database file."""
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def dump(path: Path) -> list[str]:
    """Every row of every table, as SQL text (for 'nothing changed' checks)."""
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def scores(path: Path) -> list[tuple[Any, ...]]:
    """(client, episode external id, session number, date, instrument, total, items JSON)."""
    return query(
        path,
        "SELECT c.code, e.external_id, s.number, s.date, i.name, sc.total, sc.items "
        "FROM score sc JOIN session s ON s.id = sc.session_id "
        "JOIN episode e ON e.id = s.episode_id "
        "JOIN client c ON c.id = e.client_id JOIN instrument i ON i.id = sc.instrument_id "
        "ORDER BY c.code, s.number, i.name",
    )


def stored(path: Path) -> list[Any]:
    """Everything an import stores, without the ids (which only number the rows)."""
    con = sqlite3.connect(path)
    try:
        return [
            con.execute(
                "SELECT t.code, t.display_name FROM therapist t ORDER BY t.code"
            ).fetchall(),
            con.execute(
                "SELECT code, gender, age_group, group_name, referral_source, presenting_concerns "
                "FROM client ORDER BY code"
            ).fetchall(),
            con.execute(
                "SELECT c.code, a.name, a.value FROM client_attribute a "
                "JOIN client c ON c.id = a.client_id ORDER BY 1, 2"
            ).fetchall(),
            con.execute(
                "SELECT c.code, t.code, e.external_id, e.start_date, e.end_date, e.ending_reason "
                "FROM episode e JOIN client c ON c.id = e.client_id "
                "JOIN therapist t ON t.id = e.therapist_id ORDER BY 1, 2, 3"
            ).fetchall(),
            con.execute(
                "SELECT c.code, e.external_id, s.number, s.date, s.notes, i.name, sc.total, "
                "sc.items FROM session s JOIN episode e ON e.id = s.episode_id "
                "JOIN client c ON c.id = e.client_id "
                "LEFT JOIN score sc ON sc.session_id = s.id "
                "LEFT JOIN instrument i ON i.id = sc.instrument_id ORDER BY 1, 2, 3, 6"
            ).fetchall(),
        ]
    finally:
        con.close()
