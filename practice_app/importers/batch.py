"""The fast path of a large import, writing half: a batch read column by column goes in
table by table, many rows per INSERT statement (sqlite_rows.py).

The batch (columns.py) is written as it is unless a session in it was seen before, its
episode came from the database, or the episode numbers sessions by date; then
``write_batch`` steps aside and the per-row path (``Writer.write``) takes the batch,
which finds what is already present and what conflicts.
"""

from __future__ import annotations

import operator
from itertools import compress, repeat
from typing import Any

from practice_app.importers.columns import Batch, from_iso
from practice_app.importers.records import SessionRecord
from practice_app.importers.sqlite_rows import insert_columns, insert_rows
from practice_app.importers.writer import (
    CLIENT_FIELDS,
    EPISODE_COLUMNS,
    KEY_BASE,
    SCORE_COLUMNS,
    SESSION_COLUMNS,
    EpisodeState,
    Writer,
)


def write_batch(writer: Writer, batch: Batch) -> bool:
    """Insert a batch column by column; False (and nothing of its sessions written) when the
    per-row path must take it: a session already seen, an episode from the database, or
    an episode numbered by date."""
    w = writer
    n = len(batch.rows)
    for code, name in dict.fromkeys(batch.therapists):
        if code not in w.therapists:
            w._therapist(code, name)
    tids = list(map(w.therapists.__getitem__, map(operator.itemgetter(0), batch.therapists)))
    _insert_clients(w, batch)
    cids = list(map(w.clients.__getitem__, batch.clients))
    table: dict[Any, int]
    if batch.episodes is not None:
        keys: list[Any] = list(zip(cids, tids, batch.episodes, strict=True))
        table = w.episodes_ext
    else:
        keys = list(zip(cids, tids, strict=True))
        table = w.episodes_plain
    found = list(map(table.get, keys))
    if None in found:
        new_rows: list[tuple[Any, ...]] = []
        for key in dict.fromkeys(compress(keys, map(operator.not_, found))):
            eid = w.next_episode
            w.next_episode += 1
            external = key[2] if len(key) == 3 else None
            new_rows.append((eid, key[0], key[1], external))
            if external is not None:
                w.episodes_ext[key] = eid
            w.episodes_plain[key[:2]] = eid
            w.states[eid] = EpisodeState(eid, True)
            w.episode_meta[eid] = (None, None)
        _insert_episodes(w, new_rows)
        found = list(map(table.__getitem__, keys))
    eids: list[int] = found  # type: ignore[assignment]  # every key has its episode now
    touched = dict.fromkeys(eids)
    if min(touched) < w.first_episode or any(w.states[e].by_date for e in touched):
        return False
    session_keys = list(map(operator.add, map(operator.mul, eids, repeat(KEY_BASE)), batch.numbers))
    if len(set(session_keys)) != n or not w.keys.keys().isdisjoint(session_keys):
        return False  # a session twice: the per-row path names the rows
    first = w.next_session
    sids = range(first, first + n)
    w.next_session += n
    w.keys.update(zip(session_keys, sids, strict=True))
    if batch.case_dates is not None:
        # Each episode's first case date in the batch: a dict filled from the end keeps
        # the first row's (one Python step per episode, not per row).
        backwards = batch.case_dates[::-1]
        firsts = dict(compress(zip(eids[::-1], backwards, strict=True), backwards))
        for eid, day in firsts.items():
            state = w.states[eid]
            if state.case_date is None:
                state.case_date = from_iso(day)
    w.session_rows.extend(batch.rows)
    _insert_sessions(w, batch, sids, eids)
    _insert_scores(w, batch, sids)
    c = w.counts
    c.sessions += n
    c.new_sessions += n
    c.therapists.update(tids)
    c.clients.update(cids)
    c.episodes.update(touched)
    return True


def _insert_episodes(w: Writer, rows: list[tuple[Any, ...]]) -> None:
    """New episodes (id, client, therapist, external id); their dates come at the end."""
    if w.defer_new_episodes:
        w.pending_episodes.extend(rows)
        return
    if w.sqlite:
        # Plain tuples: no dict per episode (a large file starts tens of thousands).
        insert_rows(w.conn, "episode", EPISODE_COLUMNS, rows)
        return
    names = EPISODE_COLUMNS
    w._insert(w.t_episode, [dict(zip(names, r, strict=True)) for r in rows])


def _insert_clients(w: Writer, batch: Batch) -> None:
    new = [c for c in dict.fromkeys(batch.clients) if c not in w.clients]
    if not new:
        return
    attributes = batch.attributes
    if not w.sqlite:
        w._clients(
            [
                SessionRecord(0, "", "", c, None, None, None, None, None, attributes.get(c), [])
                for c in new
            ]
        )
        return
    # What Writer._clients stores, as plain tuples (no record or dict per client).
    ids = range(w.next_client, w.next_client + len(new))
    w.next_client += len(new)
    w.clients.update(zip(new, ids, strict=True))
    blank = (None,) * len(CLIENT_FIELDS)
    rows: list[tuple[Any, ...]] = []
    extra: list[tuple[int, str, str]] = []
    for cid, code in zip(ids, new, strict=True):
        found = attributes.get(code)
        if not found:
            rows.append((cid, code, *blank))
            continue
        fields: dict[str, Any] = dict.fromkeys(CLIENT_FIELDS)
        for name, value in found.items():
            if name.startswith("attr:"):
                extra.append((cid, name[5:][:120], value))
            else:
                fields[name] = value
        rows.append((cid, code, *map(fields.__getitem__, CLIENT_FIELDS)))
    insert_rows(w.conn, "client", ("id", "code", *CLIENT_FIELDS), rows)
    insert_rows(w.conn, "client_attribute", ("client_id", "name", "value"), extra)


def _insert_sessions(w: Writer, batch: Batch, sids: range, eids: list[int]) -> None:
    if w.sqlite:
        # SQLite stores a Date as ISO text (what SQLAlchemy's Date type would bind).
        columns = (sids, eids, batch.numbers, batch.dates, batch.notes)
        insert_columns(w.conn, "session", SESSION_COLUMNS, columns)
        return
    dates = list(map(from_iso, batch.dates))
    names = SESSION_COLUMNS
    rows = zip(sids, eids, batch.numbers, dates, batch.notes, strict=True)
    w.conn.execute(w.t_session.insert(), [dict(zip(names, r, strict=True)) for r in rows])


def _insert_scores(w: Writer, batch: Batch, sids: range) -> None:
    counts = w.counts.scores
    for col in batch.scores:
        mine: Any = sids if col.keep is None else list(compress(sids, col.keep))
        m = len(mine)
        ids = range(w.next_score, w.next_score + m)
        w.next_score += m
        iid = w.instrument_ids[col.name]
        counts[col.name] = counts.get(col.name, 0) + m
        items: Any
        if col.numbers is None:
            items = repeat(None, m)
        elif w.sqlite:
            items = col.json()
        else:
            items = map(list, zip(*col.items() or [], strict=True))
        columns = (ids, mine, repeat(iid, m), col.totals, items)
        if w.sqlite:
            insert_columns(w.conn, "score", SCORE_COLUMNS, columns)
        else:
            rows = zip(*columns, strict=True)
            names = SCORE_COLUMNS
            w.conn.execute(w.t_score.insert(), [dict(zip(names, r, strict=True)) for r in rows])
