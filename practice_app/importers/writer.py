"""Write parsed session records into the database in batches, inside the caller's transaction.

Bulk Core inserts with ids assigned here (so sessions and scores go in with one
executemany each per batch, no RETURNING round trips); existing rows are looked up
once per episode, so a re-import finds what is already present and what conflicts.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain, repeat
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, select, text, update

from practice_app.importers.reading import INACTIVE_DAYS
from practice_app.importers.records import Problem, ScoreValue, SessionRecord
from practice_app.importers.sqlite_rows import insert_rows
from practice_app.storage import models as m

CLIENT_FIELDS = ("gender", "age_group", "group_name", "referral_source", "presenting_concerns")
# The columns the import writes (new episodes get their dates at the end).
EPISODE_COLUMNS = ("id", "client_id", "therapist_id", "external_id")
SESSION_COLUMNS = ("id", "episode_id", "number", "date", "notes")
SCORE_COLUMNS = ("id", "session_id", "instrument_id", "total", "items")
_RENUMBER_OFFSET = 1_000_000

SessionKey = int | tuple[int, dt.date]
"""An episode's session: ``eid * KEY_BASE + number``, or ``(eid, date)`` when unnumbered."""
KEY_BASE = 1 << 20
"""Above the largest session number (records.py allows 100,000)."""


def session_key(eid: int, number: int | None, date: dt.date | None) -> SessionKey:
    """The key of a session in ``Writer.keys`` (one int for a numbered session)."""
    if number is not None:
        return eid * KEY_BASE + number
    assert date is not None
    return (eid, date)


@dataclass
class EpisodeState:
    """What this import knows about one episode it touched."""

    id: int
    new: bool
    by_date: bool = False
    count: int = 0
    """Sessions keyed so far (a date-only session's provisional number)."""
    first: dt.date | None = None
    last: dt.date | None = None
    case_date: dt.date | None = None


@dataclass
class Existing:
    """A session that was in the database before this import."""

    date: dt.date | None
    notes: str | None
    scores: dict[int, tuple[float, list[float | None] | None]]


@dataclass
class Counts:
    """The summary counts: of what the file holds, rejected rows left out."""

    therapists: set[int] = field(default_factory=set)
    clients: set[int] = field(default_factory=set)
    episodes: set[int] = field(default_factory=set)
    sessions: int = 0
    scores: dict[str, int] = field(default_factory=dict)
    new_sessions: int = 0
    already_present: int = 0
    updated: int = 0


def _next_id(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


class Writer:
    """Resolve codes to ids, detect duplicates and conflicts, and insert in batches."""

    def __init__(
        self,
        conn: Connection,
        instrument_ids: dict[str, int],
        *,
        update: bool,
        today: dt.date,
        inactive_days: int = INACTIVE_DAYS,
        manage_episodes: bool = True,
    ) -> None:
        self.manage_episodes = manage_episodes
        self.conn = conn
        self.instrument_ids = instrument_ids
        self.update = update
        self.today = today
        self.inactive_days = inactive_days
        self.counts = Counts()
        self.problems: list[Problem] = []
        self.t_session: Table = m.Session.__table__  # type: ignore[assignment]
        self.t_score: Table = m.Score.__table__  # type: ignore[assignment]
        self.t_episode: Table = m.Episode.__table__  # type: ignore[assignment]
        self.t_client: Table = m.Client.__table__  # type: ignore[assignment]
        self.therapists = {c: i for i, c in conn.execute(select(m.Therapist.id, m.Therapist.code))}
        self.clients = {c: i for i, c in conn.execute(select(m.Client.id, m.Client.code))}
        self.episodes_ext: dict[tuple[int, int, str], int] = {}
        self.episodes_plain: dict[tuple[int, int], int] = {}
        self.episode_meta: dict[int, tuple[dt.date | None, str | None]] = {}
        for eid, cid, tid, ext, start, reason in conn.execute(
            select(
                m.Episode.id,
                m.Episode.client_id,
                m.Episode.therapist_id,
                m.Episode.external_id,
                m.Episode.start_date,
                m.Episode.ending_reason,
            ).order_by(m.Episode.id)
        ):
            if ext is not None:
                self.episodes_ext[(cid, tid, ext)] = eid
            # One episode per client per therapist when the file names none: the latest.
            self.episodes_plain[(cid, tid)] = eid
            self.episode_meta[eid] = (start, reason)
        self.states: dict[int, EpisodeState] = {}
        self.keys: dict[SessionKey, int] = {}
        """Every session this import has seen (file or database) -> session id."""
        self.existing: dict[int, Existing] = {}
        self.next_client = _next_id(conn, self.t_client)
        self.first_episode = self.next_episode = _next_id(conn, self.t_episode)
        self.first_session = self.next_session = _next_id(conn, self.t_session)
        self.next_score = _next_id(conn, self.t_score)
        self.sqlite = conn.dialect.name == "sqlite"
        # On SQLite the items go in as the JSON text SQLAlchemy's JSON type would write.
        self._items_value: Any = _json_items if self.sqlite else (lambda items: items)
        self.defer_new_episodes = False
        """Insert new episodes at the end, with their dates, instead of inserting them now
        and updating them then (only while foreign keys are checked at the end)."""
        self.pending_episodes: list[tuple[int, int, int, str | None]] = []
        """New episodes not inserted yet: (id, client, therapist, external id)."""
        self.session_rows = array("I")
        """Spreadsheet row of each session this import created, by id - first_session."""

    # -- entities -------------------------------------------------------------------------

    def _therapist(self, code: str, name: str) -> int:
        tid = self.therapists.get(code)
        if tid is None:
            t_therapist: Table = m.Therapist.__table__  # type: ignore[assignment]
            result = self.conn.execute(t_therapist.insert().values(code=code, display_name=name))
            key = result.inserted_primary_key
            assert key is not None
            tid = int(key[0])
            self.therapists[code] = tid
        return tid

    def _clients(self, records: list[SessionRecord]) -> None:
        rows: list[dict[str, Any]] = []
        attrs: list[dict[str, Any]] = []
        for rec in records:
            if rec.client in self.clients:
                continue
            cid = self.next_client
            self.next_client += 1
            self.clients[rec.client] = cid
            row: dict[str, Any] = {"id": cid, "code": rec.client}
            row.update(dict.fromkeys(CLIENT_FIELDS))
            for name, value in (rec.attributes or {}).items():
                if name.startswith("attr:"):
                    attrs.append({"client_id": cid, "name": name[5:][:120], "value": value})
                else:
                    row[name] = value
            rows.append(row)
        self._insert(self.t_client, rows)
        self._insert(m.ClientAttribute.__table__, attrs)  # type: ignore[arg-type]

    def _episode(
        self, rec: SessionRecord, cid: int, tid: int, new_rows: list[dict[str, Any]]
    ) -> int:
        if rec.episode is not None:
            key_ext = (cid, tid, rec.episode[:120])
            eid = self.episodes_ext.get(key_ext)
        else:
            eid = self.episodes_plain.get((cid, tid))
        if eid is None:
            eid = self.next_episode
            self.next_episode += 1
            new_rows.append(
                {
                    "id": eid,
                    "client_id": cid,
                    "therapist_id": tid,
                    "external_id": rec.episode[:120] if rec.episode else None,
                    "start_date": None,
                    "end_date": None,
                    "ending_reason": None,
                }
            )
            if rec.episode is not None:
                self.episodes_ext[(cid, tid, rec.episode[:120])] = eid
            self.episodes_plain[(cid, tid)] = eid
            self.states[eid] = EpisodeState(eid, True)
            self.episode_meta[eid] = (None, None)
        return eid

    def _load_existing(self, eids: list[int], by_date: bool) -> None:
        """Read the sessions (and scores) of episodes that were in the database before."""
        for eid in eids:
            self.states[eid] = EpisodeState(eid, False, by_date)
        s, sc = self.t_session, self.t_score
        for start in range(0, len(eids), 500):
            chunk = eids[start : start + 500]
            rows = self.conn.execute(
                select(s.c.id, s.c.episode_id, s.c.number, s.c.date, s.c.notes).where(
                    s.c.episode_id.in_(chunk)
                )
            ).all()
            for sid, eid, number, date, notes in rows:
                state = self.states[eid]
                by = by_date and date is not None
                self.keys[session_key(eid, None if by else number, date)] = sid
                state.count += 1
                self.existing[sid] = Existing(date, notes, {})
            ids = [r[0] for r in rows]
            for i in range(0, len(ids), 500):
                for sid, iid, total, items in self.conn.execute(
                    select(sc.c.session_id, sc.c.instrument_id, sc.c.total, sc.c["items"]).where(
                        sc.c.session_id.in_(ids[i : i + 500])
                    )
                ):
                    self.existing[sid].scores[iid] = (total, items)

    # -- batches --------------------------------------------------------------------------

    def write(self, records: list[SessionRecord]) -> None:
        """Insert one batch of parsed records (problems go to self.problems)."""
        if not records:
            return
        self._clients(records)
        new_episodes: list[dict[str, Any]] = []
        resolved: list[tuple[SessionRecord, int, int, int]] = []
        to_load: list[int] = []
        for rec in records:
            tid = self._therapist(rec.therapist, rec.therapist_name)
            cid = self.clients[rec.client]
            eid = self._episode(rec, cid, tid, new_episodes)
            if eid not in self.states:
                self.states[eid] = EpisodeState(eid, False)  # placeholder until loaded
                to_load.append(eid)
            resolved.append((rec, tid, cid, eid))
        if self.defer_new_episodes:
            self.pending_episodes.extend(
                (r["id"], r["client_id"], r["therapist_id"], r["external_id"]) for r in new_episodes
            )
        else:
            self._insert(self.t_episode, new_episodes)
        if to_load:
            by_date = any(r.number is None for r in records)
            self._load_existing(to_load, by_date)
        sessions: list[tuple[Any, ...]] = []
        scores: list[tuple[Any, ...]] = []
        counts = self.counts
        states = self.states
        iids = self.instrument_ids
        score_counts = counts.scores
        items_value = self._items_value
        keys = self.keys
        for rec, tid, cid, eid in resolved:
            state = states[eid]
            if rec.case_date is not None and state.case_date is None:
                state.case_date = rec.case_date
            if rec.number is None:
                state.by_date = True
            key = session_key(eid, rec.number, rec.date)
            sid = keys.get(key)
            if sid is not None:
                if not self._same_session(rec, sid, state, scores):
                    continue
            else:
                sid = self.next_session
                self.next_session += 1
                keys[key] = sid
                state.count += 1
                if state.by_date:
                    # Provisional until the sessions are numbered by date (finish): the
                    # count keeps it unique in the episode. The file's own number, where
                    # it gave one, could equal an unnumbered session's count.
                    number = _RENUMBER_OFFSET + state.count
                else:
                    number = rec.number if rec.number is not None else state.count
                sessions.append((sid, eid, number, rec.date, rec.notes))
                self.session_rows.append(rec.row)
                for name, total, items in rec.scores:
                    scores.append((self.next_score, sid, iids[name], total, items_value(items)))
                    self.next_score += 1
                counts.new_sessions += 1
            counts.sessions += 1
            counts.therapists.add(tid)
            counts.clients.add(cid)
            counts.episodes.add(eid)
            for name, _total, _items in rec.scores:
                score_counts[name] = score_counts.get(name, 0) + 1
        self._insert_sessions(sessions)
        self._insert_scores(scores)

    def _insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Bulk insert dict rows: many per statement on SQLite (dates as ISO text), else Core."""
        if not rows:
            return
        if not self.sqlite:
            self.conn.execute(table.insert(), rows)
            return
        keys = list(rows[0])
        get = operator.itemgetter(*keys)
        values = [(get(r),) for r in rows] if len(keys) == 1 else list(map(get, rows))
        if any(map(isinstance, chain.from_iterable(values), repeat(dt.date))):
            values = [tuple(map(_sqlite_value, r)) for r in values]
        insert_rows(self.conn, table.name, keys, values)

    def _insert_sessions(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.sqlite:
            # SQLite stores a Date as ISO text; binding it directly skips a Python
            # processor per row (the import's hot path).
            insert_rows(
                self.conn,
                "session",
                SESSION_COLUMNS,
                [(i, e, n, d.isoformat() if d is not None else None, t) for i, e, n, d, t in rows],
            )
            return
        self.conn.execute(
            self.t_session.insert(), [dict(zip(SESSION_COLUMNS, r, strict=True)) for r in rows]
        )

    def _insert_scores(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.sqlite:
            insert_rows(self.conn, "score", SCORE_COLUMNS, rows)
            return
        self.conn.execute(
            self.t_score.insert(), [dict(zip(SCORE_COLUMNS, r, strict=True)) for r in rows]
        )

    def _score_row(
        self, sid: int, name: str, total: float, items: list[float | None] | None
    ) -> tuple[Any, ...]:
        row = (self.next_score, sid, self.instrument_ids[name], total, self._items_value(items))
        self.next_score += 1
        return row

    def _same_session(
        self, rec: SessionRecord, sid: int, state: EpisodeState, scores: list[tuple[Any, ...]]
    ) -> bool:
        """Handle a session already known; return whether the record counts (not refused)."""
        where = (
            f"session {rec.number if rec.number is not None else rec.date} of client {rec.client}"
        )
        if sid >= self.first_session:
            first = self.session_rows[sid - self.first_session]
            self.problems.append(
                Problem(
                    rec.row,
                    "session",
                    str(rec.number or rec.date),
                    f"{where} appears twice in the file (first at row {first})",
                )
            )
            return False
        old = self.existing[sid]
        diffs: list[str] = []
        if rec.date is not None and old.date is not None and rec.date != old.date:
            diffs.append(f"date {old.date.isoformat()} in the database, {rec.date} in the file")
        if rec.notes is not None and old.notes is not None and rec.notes != old.notes:
            diffs.append("different notes")
        changed: list[tuple[str, float, list[float | None] | None]] = []
        for name, total, items in rec.scores:
            before = old.scores.get(self.instrument_ids[name])
            if before is None:
                changed.append((name, total, items))
            elif abs(before[0] - total) > 1e-9 or (items is not None and before[1] != items):
                diffs.append(f"{name} {before[0]:g} in the database, {total:g} in the file")
                changed.append((name, total, items))
        if diffs and not self.update:
            self.problems.append(
                Problem(
                    rec.row,
                    "session",
                    str(rec.number or rec.date),
                    f"{where} is already in the database with other values ("
                    + "; ".join(diffs)
                    + "); use --update to overwrite",
                )
            )
            return False
        if (
            diffs
            or (rec.date is not None and old.date is None)
            or (rec.notes is not None and old.notes is None)
        ):
            self.conn.execute(
                update(self.t_session)
                .where(self.t_session.c.id == sid)
                .values(date=rec.date or old.date, notes=rec.notes or old.notes)
            )
            self.counts.updated += 1
        for name, total, items in changed:
            iid = self.instrument_ids[name]
            if iid in old.scores:
                self.conn.execute(
                    update(self.t_score)
                    .where(self.t_score.c.session_id == sid, self.t_score.c.instrument_id == iid)
                    .values(total=total, items=items)
                )
            else:
                scores.append(self._score_row(sid, name, total, items))
            old.scores[iid] = (total, items)
        if rec.date is not None:
            old.date = rec.date
        self.counts.already_present += 1
        return True

    # -- the end --------------------------------------------------------------------------

    def finish(self) -> None:
        """Set episode dates, close inactive episodes, number date-only sessions by date."""
        cutoff = self.today - dt.timedelta(days=self.inactive_days)
        e = self.t_episode
        rows: list[dict[str, Any]] = []
        if self.manage_episodes:
            self._read_extents()
        pending = {row[0]: row for row in self.pending_episodes}
        new_rows: list[tuple[Any, ...]] = []
        for state in self.states.values() if self.manage_episodes else ():
            start, reason = self.episode_meta.get(state.id, (None, None))
            if reason not in (None, "inactive"):
                continue
            new_start = start or state.case_date or state.first
            closed = state.last is not None and state.last < cutoff
            pending_row = pending.pop(state.id, None)
            if pending_row is not None:
                new_rows.append(
                    (
                        *pending_row,
                        _sqlite_value(new_start),
                        _sqlite_value(state.last) if closed else None,
                        "inactive" if closed else None,
                    )
                )
                continue
            rows.append(
                {
                    "eid": state.id,
                    "start": new_start,
                    "end": state.last if closed else None,
                    "reason": "inactive" if closed else None,
                }
            )
        # New episodes not dated here (episodes kept as they are) go in without dates.
        new_rows.extend((*row, None, None, None) for row in pending.values())
        names = (*EPISODE_COLUMNS, "start_date", "end_date", "ending_reason")
        insert_rows(self.conn, "episode", names, sorted(new_rows))
        if self.sqlite and rows:
            self.conn.exec_driver_sql(
                "UPDATE episode SET start_date = ?, end_date = ?, ending_reason = ? WHERE id = ?",
                [
                    (_sqlite_value(r["start"]), _sqlite_value(r["end"]), r["reason"], r["eid"])
                    for r in rows
                ],
            )
        elif rows:
            self.conn.execute(
                update(e)
                .where(e.c.id == bindparam("eid"))
                .values(
                    start_date=bindparam("start"),
                    end_date=bindparam("end"),
                    ending_reason=bindparam("reason"),
                ),
                rows,
            )
        self._renumber([s.id for s in self.states.values() if s.by_date])

    def _read_extents(self) -> None:
        """Set each touched episode's first and last session date, as now in the database.

        One aggregate query per 500 episodes (C speed) instead of a comparison per row;
        it sees the sessions already there, the new ones, and dates changed by --update.
        """
        s = self.t_session
        ids = list(self.states)
        if self.sqlite and len(ids) > 2000:
            # Most of the table: one pass over it beats thousands of index lookups.
            sql = (
                "SELECT episode_id, min(date), max(date) FROM session "
                "WHERE date IS NOT NULL GROUP BY episode_id"
            )
            states = self.states
            iso = dt.date.fromisoformat
            # fetchall: one call for the 30,000 rows of a large import, not one per row.
            for eid, first, last in self.conn.exec_driver_sql(sql).fetchall():
                state = states.get(eid)
                if state is not None:
                    state.first, state.last = iso(first[:10]), iso(last[:10])
            return
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            query = (
                select(s.c.episode_id, func.min(s.c.date), func.max(s.c.date))
                .where(s.c.episode_id.in_(chunk), s.c.date.is_not(None))
                .group_by(s.c.episode_id)
            )
            for eid, first, last in self.conn.execute(query):
                state = self.states[eid]
                state.first, state.last = first, last

    def _renumber(self, episode_ids: Iterable[int]) -> None:
        """Sessions read without numbers are numbered 1, 2, ... in date order."""
        ids = list(episode_ids)
        s = self.t_session
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.conn.execute(
                select(s.c.id, s.c.episode_id, s.c.number)
                .where(s.c.episode_id.in_(chunk))
                .order_by(s.c.episode_id, s.c.date, s.c.number)
            ).all()
            self.conn.execute(
                update(s)
                .where(s.c.id == bindparam("sid"))
                .values(number=s.c.number + _RENUMBER_OFFSET * 2),
                [{"sid": r[0]} for r in rows],
            )
            numbered: list[dict[str, Any]] = []
            counter: dict[int, int] = {}
            for sid, eid, _number in rows:
                counter[eid] = counter.get(eid, 0) + 1
                numbered.append({"sid": sid, "n": counter[eid]})
            if numbered:
                self.conn.execute(
                    update(s).where(s.c.id == bindparam("sid")).values(number=bindparam("n")),
                    numbered,
                )

    def fix_sequences(self) -> None:
        """After explicit ids on PostgreSQL, move the id sequences past them."""
        if self.conn.dialect.name != "postgresql":
            return
        for table in ("client", "episode", "session", "score"):
            self.conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            )


ScoreList = list[ScoreValue]


def _sqlite_value(value: Any) -> Any:
    """Bind a date as SQLAlchemy's SQLite Date type stores it: ISO text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _json_items(items: list[float | None] | None) -> str | None:
    """The JSON text SQLAlchemy's JSON type would write, built without the json module."""
    if items is None:
        return None
    if None in items:
        return json.dumps(items)
    fmt = _ITEM_FORMATS.get(len(items))
    if fmt is None:
        fmt = _ITEM_FORMATS[len(items)] = "[" + ", ".join(["%r"] * len(items)) + "]"
    return fmt % tuple(items)


_ITEM_FORMATS: dict[int, str] = {}
