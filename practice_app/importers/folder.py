"""Read back a folder written by ``practice-app export`` (CSV or JSON), in one transaction.

Rows already in the database are recognised (codes, episode keys, natural keys of
the journal tables), so importing the same folder twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlalchemy.orm import Session as OrmSession

from practice_app.analysis.instruments import parse_instrument
from practice_app.errors import UserError
from practice_app.importers.importer import (
    ImportOptions,
    ImportRefused,
    ImportSummary,
    import_table,
    refusal_message,
)
from practice_app.importers.records import unguard
from practice_app.importers.source import CsvTable, MemoryTable
from practice_app.importers.source import Table as SourceTable
from practice_app.importers.writer import Writer
from practice_app.progress import Progress
from practice_app.storage import models as m
from practice_app.storage.database import Database
from practice_app.storage.export import MANIFEST, episode_keys, number_text
from practice_app.storage.instruments import save_instrument

Record = dict[str, Any]
EpisodeKeys = dict[tuple[Any, Any, Any], int]


def is_export_folder(path: Path) -> bool:
    """Whether ``path`` is a folder written by export (it has our manifest)."""
    try:
        data = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("app") == "practice-app"


class _Folder:
    """Typed access to the files of one export folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        self.fmt = manifest.get("format", "csv")
        if self.fmt not in ("csv", "json"):
            raise UserError(f"{path / MANIFEST}: unknown format {self.fmt!r}")

    def file(self, name: str) -> Path:
        return self.path / f"{name}.{self.fmt}"

    def rows(self, name: str) -> Iterator[tuple[int, Record]]:
        """Yield (row number, record) with text cells unguarded and '' read as None."""
        path = self.file(name)
        if not path.exists():
            return
        if self.fmt == "json":
            yield from enumerate(self._json(path), start=2)
            return
        table = CsvTable(path)
        for number, cells, _done in table.rows():
            yield (
                number,
                {
                    h: (unguard(c) if c and c.startswith("'") else (c or None))
                    for h, c in zip(table.header, cells, strict=False)
                },
            )

    def _json(self, path: Path) -> list[Record]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UserError(f"{path}: not readable JSON ({exc})") from None
        if not isinstance(data, list) or not all(isinstance(o, dict) for o in data):
            raise UserError(f"{path}: expected a list of objects")
        return data

    def sessions_table(self) -> SourceTable:
        path = self.file("sessions")
        if self.fmt == "csv":
            return CsvTable(path)
        data = self._json(path) if path.exists() else []
        header = list(data[0]) if data else ["therapist", "client", "episode", "session"]
        rows: list[list[str | None]] = [[_as_text(o.get(h)) for h in header] for o in data]
        return MemoryTable(str(path), header, rows)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return number_text(value)
    return str(value)


class _Values:
    """Convert one record's cells, with errors naming file, row and column."""

    def __init__(self, name: str, row: int, rec: Record) -> None:
        self.name, self.row, self.rec = name, row, rec

    def fail(self, key: str, why: str) -> UserError:
        return UserError(f"{self.name}: row {self.row}, {key}: {self.rec.get(key)!r}: {why}")

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.rec.get(key)
        if value is None or value == "":
            if required:
                raise self.fail(key, "is missing")
            return None
        return str(value)

    def date(self, key: str) -> dt.date | None:
        value = self.text(key)
        try:
            return None if value is None else dt.date.fromisoformat(value)
        except ValueError:
            raise self.fail(key, "not a date (YYYY-MM-DD)") from None

    def time(self, key: str) -> dt.datetime | None:
        value = self.text(key)
        try:
            return None if value is None else dt.datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(key, "not a date and time") from None

    def number(self, key: str) -> float | None:
        value = self.rec.get(key)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise self.fail(key, "not a number") from None

    def integer(self, key: str) -> int | None:
        value = self.number(key)
        if value is not None and value != int(value):
            raise self.fail(key, "not a whole number")
        return None if value is None else int(value)

    def json(self, key: str) -> Any:
        value = self.rec.get(key)
        if value is None or value == "" or not isinstance(value, str):
            return value if value != "" else None
        try:
            return json.loads(value)
        except ValueError:
            raise self.fail(key, "not JSON text") from None


def import_export_folder(
    db: Database, path: Path, options: ImportOptions, progress: Progress | None = None
) -> ImportSummary:
    """Restore every table of an export folder; all or nothing."""
    folder = _Folder(path)
    with db.engine.connect() as conn:
        trans = conn.begin()
        try:
            summary = _restore(db, conn, folder, options, progress)
        except BaseException:
            trans.rollback()
            raise
        refused = bool(summary.rejected) and not options.skip_invalid
        if options.dry_run or refused:
            trans.rollback()
        else:
            trans.commit()
            summary.written = True
    summary.file = str(path)
    if summary.rejected and not options.skip_invalid:
        raise ImportRefused(summary, refusal_message(summary))
    return summary


def _ids(conn: Connection, model: Any) -> dict[str, int]:
    return {code: i for i, code in conn.execute(select(model.id, model.code))}


def _insert(conn: Connection, model: Any, values: Record) -> int:
    table: Table = model.__table__
    key = conn.execute(table.insert().values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def _restore(
    db: Database,
    conn: Connection,
    folder: _Folder,
    options: ImportOptions,
    progress: Progress | None,
) -> ImportSummary:
    counts: dict[str, int] = {}
    _instruments(conn, folder, counts)
    therapists = _ids(conn, m.Therapist)
    for n, rec in folder.rows("therapists"):
        v = _Values("therapists", n, rec)
        code = v.text("code", required=True)
        assert code is not None
        if code not in therapists:
            therapists[code] = _insert(
                conn,
                m.Therapist,
                {
                    "code": code,
                    "display_name": v.text("display_name") or "",
                    "weekly_practice_target_minutes": v.integer("weekly_practice_target_minutes")
                    or 180,
                },
            )
            counts["therapists added"] = counts.get("therapists added", 0) + 1
    clients = _ids(conn, m.Client)
    fields = ("gender", "age_group", "group_name", "referral_source", "presenting_concerns")
    for n, rec in folder.rows("clients"):
        v = _Values("clients", n, rec)
        code = v.text("code", required=True)
        assert code is not None
        if code not in clients:
            clients[code] = _insert(
                conn, m.Client, {"code": code, **{f: v.text(f) for f in fields}}
            )
    have_attrs: set[Any] = set(
        map(tuple, conn.execute(select(m.ClientAttribute.client_id, m.ClientAttribute.name)))
    )
    for n, rec in folder.rows("client_attributes"):
        v = _Values("client_attributes", n, rec)
        cid = _lookup(v, "client", clients)
        name = v.text("name", required=True)
        if (cid, name) not in have_attrs:
            have_attrs.add((cid, name))
            _insert(
                conn,
                m.ClientAttribute,
                {"client_id": cid, "name": name, "value": v.text("value") or ""},
            )
    keys: EpisodeKeys = {k: eid for eid, k in episode_keys(conn).items()}
    for n, rec in folder.rows("episodes"):
        v = _Values("episodes", n, rec)
        cid, tid = _lookup(v, "client", clients), _lookup(v, "therapist", therapists)
        key = (v.text("client"), v.text("therapist"), v.text("episode", required=True))
        if key not in keys:
            keys[key] = _insert(
                conn,
                m.Episode,
                {
                    "client_id": cid,
                    "therapist_id": tid,
                    "external_id": v.text("external_id"),
                    "start_date": v.date("start_date"),
                    "end_date": v.date("end_date"),
                    "ending_reason": v.text("ending_reason"),
                },
            )

    def seed(writer: Writer) -> None:
        for (client, therapist, key), eid in keys.items():
            writer.episodes_ext[(clients[client], therapists[therapist], key)] = eid

    sessions_options = ImportOptions(
        layout="long",
        skip_invalid=options.skip_invalid,
        update=options.update,
        keep_episodes=True,
        batch_size=options.batch_size,
        today=options.today,
    )
    summary = import_table(
        db, folder.sessions_table(), sessions_options, progress, connection=conn, prepare=seed
    )
    _practice(conn, folder, therapists, clients, keys, counts)
    summary.extra = counts
    summary.layout = "export folder"
    summary.description = folder.fmt.upper()
    summary.dry_run = options.dry_run
    return summary


def _lookup(v: _Values, key: str, known: dict[str, int]) -> int:
    code = v.text(key, required=True)
    if code not in known:
        raise v.fail(key, f"no such {key} in the export")
    return known[code]


def _instruments(conn: Connection, folder: _Folder, counts: dict[str, int]) -> None:
    path = folder.path / "instruments.json"
    if not path.exists():
        return
    try:
        defs = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise UserError(f"{path}: not readable JSON ({exc})") from None
    if not isinstance(defs, list):
        raise UserError(f"{path}: expected a list of instrument definitions")
    known = {name for (name,) in conn.execute(select(m.Instrument.name))}
    with OrmSession(bind=conn, join_transaction_mode="create_savepoint") as session:
        for i, data in enumerate(defs, start=1):
            if not isinstance(data, dict):
                raise UserError(f"{path}: definition {i} is not an object")
            d = parse_instrument(data, f"{path} (definition {i})")
            if d.name not in known:
                save_instrument(session, d)
                counts["instruments added"] = counts.get("instruments added", 0) + 1
        session.commit()


def _practice(
    conn: Connection,
    folder: _Folder,
    therapists: dict[str, int],
    clients: dict[str, int],
    keys: EpisodeKeys,
    counts: dict[str, int],
) -> None:
    def added(name: str) -> None:
        counts[name] = counts.get(name, 0) + 1

    activities = {k for (k,) in conn.execute(select(m.PracticeActivity.key))}
    for n, rec in folder.rows("practice_activities"):
        v = _Values("practice_activities", n, rec)
        key = v.text("key", required=True)
        if key not in activities:
            activities.add(key or "")
            _insert(conn, m.PracticeActivity, {"key": key, "label": v.text("label") or ""})
            added("practice activities")
    o = m.PracticeObjective
    rows = conn.execute(select(o.id, o.therapist_id, o.title, o.start_date))
    existing_objectives: dict[Any, int] = {(t, title, start): i for i, t, title, start in rows}
    objectives: dict[int, int] = {}
    for n, rec in folder.rows("practice_objectives"):
        v = _Values("practice_objectives", n, rec)
        tid = _lookup(v, "therapist", therapists)
        natural = (tid, v.text("title", required=True), v.date("start_date"))
        oid = existing_objectives.get(natural)
        if oid is None:
            oid = _insert(
                conn,
                o,
                {
                    "therapist_id": tid,
                    "title": natural[1],
                    "focus_area": v.text("focus_area"),
                    "domain": v.text("domain"),
                    "success_criteria": v.text("success_criteria"),
                    "start_date": natural[2],
                    "review_date": v.date("review_date"),
                    "closed_date": v.date("closed_date"),
                    "status": v.text("status") or "active",
                    "baseline": v.json("baseline"),
                    "review_note": v.text("review_note"),
                },
            )
            existing_objectives[natural] = oid
            added("practice objectives")
        objectives[v.integer("objective") or 0] = oid
    pe = m.PracticeEntry
    have_entries: set[Any] = set(
        map(
            tuple,
            conn.execute(select(pe.therapist_id, pe.date, pe.activity, pe.minutes, pe.created_at)),
        )
    )
    for n, rec in folder.rows("practice_entries"):
        v = _Values("practice_entries", n, rec)
        tid = _lookup(v, "therapist", therapists)
        natural_e = (
            tid,
            v.date("date"),
            v.text("activity", required=True),
            v.integer("minutes"),
            v.time("created_at"),
        )
        if natural_e in have_entries:
            continue
        have_entries.add(natural_e)
        objective = v.integer("objective")
        values: Record = {
            "therapist_id": tid,
            "date": natural_e[1],
            "activity": natural_e[2],
            "minutes": natural_e[3],
            "domain": v.text("domain"),
            "objective_id": objectives.get(objective) if objective is not None else None,
            "difficulty": v.text("difficulty"),
            "self_rating": v.number("self_rating"),
            "feedback_source": v.text("feedback_source"),
            "notes": v.text("notes"),
        }
        if natural_e[4] is not None:
            values["created_at"] = natural_e[4]
        eid = _insert(conn, pe, values)
        for code in v.json("clients") or []:
            if code not in clients:
                raise v.fail("clients", f"no such client {code!r} in the export")
            _insert(conn, m.PracticeEntryClient, {"entry_id": eid, "client_id": clients[code]})
        added("practice entries")
    _lessons_reviews_briefs(conn, folder, therapists, clients, keys, added)


def _episode_of(v: _Values, keys: EpisodeKeys) -> int:
    key = (v.text("client"), v.text("therapist"), v.text("episode"))
    if key not in keys:
        raise v.fail("episode", "no such episode in the export")
    return keys[key]


def _lessons_reviews_briefs(
    conn: Connection,
    folder: _Folder,
    therapists: dict[str, int],
    clients: dict[str, int],
    keys: EpisodeKeys,
    added: Any,
) -> None:
    le = m.ClientLesson
    have_lessons: set[Any] = set(map(tuple, conn.execute(select(le.client_id, le.date, le.taught))))
    for n, rec in folder.rows("lessons"):
        v = _Values("lessons", n, rec)
        cid = _lookup(v, "client", clients)
        natural = (cid, v.date("date"), v.text("taught") or "")
        if natural in have_lessons:
            continue
        have_lessons.add(natural)
        eid = _episode_of(v, keys) if v.text("episode") else None
        lid = _insert(
            conn,
            le,
            {
                "client_id": cid,
                "episode_id": eid,
                "date": natural[1],
                "taught": natural[2],
                "new_or_different": v.text("new_or_different"),
                "will_practise": v.text("will_practise"),
            },
        )
        for tag in v.json("tags") or []:
            _insert(conn, m.LessonTag, {"lesson_id": lid, "tag": str(tag)})
        added("lessons")
    w = m.WeeklyReview
    have_reviews: set[Any] = set(map(tuple, conn.execute(select(w.therapist_id, w.week_start))))
    for n, rec in folder.rows("weekly_reviews"):
        v = _Values("weekly_reviews", n, rec)
        tid = _lookup(v, "therapist", therapists)
        week = v.date("week_start")
        if (tid, week) in have_reviews:
            continue
        have_reviews.add((tid, week))
        _insert(
            conn,
            w,
            {
                "therapist_id": tid,
                "week_start": week,
                "completed_at": v.time("completed_at"),
                "energy": v.integer("energy"),
                "note": v.text("note"),
                "commitment": v.text("commitment"),
            },
        )
        added("weekly reviews")
    b = m.ConsultationBrief
    have_briefs: set[Any] = set(map(tuple, conn.execute(select(b.episode_id, b.created_at))))
    for n, rec in folder.rows("consultation_briefs"):
        v = _Values("consultation_briefs", n, rec)
        eid = _episode_of(v, keys)
        created = v.time("created_at")
        if (eid, created) in have_briefs:
            continue
        have_briefs.add((eid, created))
        values: Record = {
            "episode_id": eid,
            "tried": v.text("tried"),
            "questions": v.text("questions"),
        }
        if created is not None:
            values["created_at"] = created
        updated = v.time("updated_at")
        if updated is not None:
            values["updated_at"] = updated
        _insert(conn, b, values)
        added("consultation briefs")
