"""Export everything the database holds into a folder of CSV (or JSON) files, with a README.

The layout is documented in the README.txt written beside the files (``README_TEXT``)
and reads back losslessly with ``practice-app import DIR``; sessions.csv alone is a
long-layout file that ``import`` reads as well.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, select

from practice_app import __version__
from practice_app.errors import UserError
from practice_app.storage import models as m
from practice_app.storage.database import Database

EXPORT_FORMAT = 1
MANIFEST = "manifest.json"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

README_TEXT = """\
practice-app export (format {format}, app {version}, written {written})

Every table of the database, one file each ({ext}). Clients are codes only: the app
never stores names. Read it back, into an empty or an existing database, with
    practice-app import THIS_FOLDER
(sessions.csv alone is also a long-layout file: practice-app import sessions.csv).

Cells. Dates are ISO (YYYY-MM-DD), times ISO (YYYY-MM-DD HH:MM:SS). An empty cell
is no value. Lists (tags, the clients of a practice entry) and the objective's
baseline are JSON text. Numbers are written plainly, and a negative number stays a
number. Text cells that a spreadsheet would run as a formula (starting with = + -
@, a tab or a carriage return) start with a single quote ('), as does text that
already starts with a quote followed by one of those; import removes that one quote.

Files and columns
  therapists.csv          code, display_name, weekly_practice_target_minutes
  clients.csv             code, gender, age_group, group_name, referral_source,
                          presenting_concerns
  client_attributes.csv   client, name, value  (custom attributes, e.g. an imported
                          Client_Modality column)
  episodes.csv            client, therapist, episode, external_id, start_date,
                          end_date, ending_reason
                          'episode' is the key other files use: the external id when
                          it is unique for that client and therapist, else #1, #2, ...
                          ending_reason: planned, stopped, referred, inactive, other
  sessions.csv            therapist, client, episode, session, date, notes, then for
                          each instrument NAME (the total) and NAME_1..NAME_k (items,
                          when the instrument has items); one row per session
  instruments.json        the custom instrument definitions (built-ins ship with the app)
  practice_activities.csv key, label  (user-defined activities)
  practice_objectives.csv objective, therapist, title, focus_area, domain,
                          success_criteria, start_date, review_date, closed_date,
                          status, baseline, review_note ('objective' is a key: 1, 2, ...)
  practice_entries.csv    therapist, date, minutes, activity, domain, objective,
                          difficulty, self_rating, feedback_source, notes, clients,
                          created_at
  lessons.csv             client, therapist, episode, date, taught, new_or_different,
                          will_practise, tags
  weekly_reviews.csv      therapist, week_start, completed_at, energy, note, commitment
  consultation_briefs.csv client, therapist, episode, created_at, updated_at, tried,
                          questions
  manifest.json           format version, app version, files and row counts
With --format json each .csv is a .json list of objects with the same keys (numbers
as numbers, no quote prefixes).
"""


def guard(text: str) -> str:
    """Prefix a single quote to text a spreadsheet would run as a formula (see README)."""
    probe = text
    while probe.startswith("'"):
        probe = probe[1:]
        if not probe.startswith(("'", *FORMULA_STARTS)):
            return text
    return "'" + text if probe.startswith(FORMULA_STARTS) else text


def number_text(value: float | int | None) -> str:
    """A number as short exact text: 25.0 -> '25', 2.5 -> '2.5'."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


@dataclass
class ExportResult:
    """Where the export went and how many rows each file holds."""

    folder: Path
    format: str
    files: dict[str, int] = field(default_factory=dict)


Column = tuple[str, str]
"""(name, kind): kind is 'text', 'num', 'date', 'time' or 'json'."""


def _cell(kind: str, value: Any, fmt: str) -> Any:
    if fmt == "json":
        if isinstance(value, dt.datetime):
            return value.isoformat(sep=" ")
        if isinstance(value, dt.date):
            return value.isoformat()
        return value
    if value is None:
        return ""
    if kind == "num":
        return number_text(value)
    if kind in ("date", "time"):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if kind == "json":
        return guard(json.dumps(value, ensure_ascii=False, sort_keys=True))
    return guard(str(value))


class _Writer:
    """Write one table as CSV or JSON, streaming rows."""

    def __init__(self, folder: Path, name: str, columns: list[Column], fmt: str) -> None:
        self.path = folder / f"{name}.{fmt}"
        self.columns = columns
        self.fmt = fmt
        self.count = 0
        self.fh: IO[str] = self.path.open("w", encoding="utf-8", newline="")
        if fmt == "csv":
            self.csv = csv.writer(self.fh, lineterminator="\r\n")
            self.csv.writerow([c for c, _k in columns])
        else:
            self.fh.write("[")

    def row(self, values: Iterable[Any]) -> None:
        cells = [_cell(k, v, self.fmt) for (_c, k), v in zip(self.columns, values, strict=True)]
        if self.fmt == "csv":
            self.csv.writerow(cells)
        else:
            obj = dict(zip((c for c, _k in self.columns), cells, strict=True))
            self.fh.write(("," if self.count else "") + "\n" + json.dumps(obj, ensure_ascii=False))
        self.count += 1

    def close(self) -> int:
        if self.fmt == "json":
            self.fh.write("\n]\n")
        self.fh.close()
        return self.count


def episode_keys(conn: Connection) -> dict[int, tuple[str, str, str]]:
    """Episode id -> (client code, therapist code, key) in export order."""
    rows = conn.execute(
        select(m.Episode.id, m.Client.code, m.Therapist.code, m.Episode.external_id)
        .join(m.Client, m.Client.id == m.Episode.client_id)
        .join(m.Therapist, m.Therapist.id == m.Episode.therapist_id)
        .order_by(
            m.Client.code,
            m.Therapist.code,
            m.Episode.start_date.nulls_first(),
            m.Episode.external_id.nulls_first(),
            m.Episode.id,
        )
    ).all()
    counts: dict[tuple[str, str, str], int] = {}
    for _eid, client, therapist, ext in rows:
        if ext:
            counts[(client, therapist, ext)] = counts.get((client, therapist, ext), 0) + 1
    keys: dict[int, tuple[str, str, str]] = {}
    ordinal: dict[tuple[str, str], int] = {}
    for eid, client, therapist, ext in rows:
        n = ordinal[(client, therapist)] = ordinal.get((client, therapist), 0) + 1
        unique = ext and counts[(client, therapist, ext)] == 1 and not ext.startswith("#")
        keys[eid] = (client, therapist, ext if unique and ext else f"#{n}")
    return keys


def export_database(db: Database, out: Path, fmt: str = "csv") -> ExportResult:
    """Write every table into ``out`` (created; must be empty if it exists)."""
    if fmt not in ("csv", "json"):
        raise UserError(f"unknown export format '{fmt}' (use csv or json)")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserError(f"{out}: exists and is not an empty folder; choose a new folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{out}: cannot create the folder ({exc.strerror})") from None
    result = ExportResult(out, fmt)
    with db.engine.connect() as conn:
        _export(conn, out, fmt, result)
    manifest = {
        "app": "practice-app",
        "export_format": EXPORT_FORMAT,
        "app_version": __version__,
        "format": fmt,
        "files": result.files,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    readme = README_TEXT.format(
        format=EXPORT_FORMAT, version=__version__, written=dt.date.today(), ext=fmt.upper()
    )
    (out / "README.txt").write_text(readme, encoding="utf-8")
    return result


def _table(
    out: Path, fmt: str, result: ExportResult, name: str, columns: list[Column], rows: Iterable[Any]
) -> None:
    writer = _Writer(out, name, columns, fmt)
    try:
        for row in rows:
            writer.row(row)
    finally:
        result.files[f"{name}.{fmt}"] = writer.close()


def _export(conn: Connection, out: Path, fmt: str, result: ExportResult) -> None:
    T, N, D = "text", "num", "date"
    t, c = m.Therapist, m.Client
    _table(
        out,
        fmt,
        result,
        "therapists",
        [("code", T), ("display_name", T), ("weekly_practice_target_minutes", N)],
        conn.execute(
            select(t.code, t.display_name, t.weekly_practice_target_minutes).order_by(t.code)
        ),
    )
    _table(
        out,
        fmt,
        result,
        "clients",
        [
            ("code", T),
            ("gender", T),
            ("age_group", T),
            ("group_name", T),
            ("referral_source", T),
            ("presenting_concerns", T),
        ],
        conn.execute(
            select(
                c.code,
                c.gender,
                c.age_group,
                c.group_name,
                c.referral_source,
                c.presenting_concerns,
            ).order_by(c.code)
        ),
    )
    a = m.ClientAttribute
    _table(
        out,
        fmt,
        result,
        "client_attributes",
        [("client", T), ("name", T), ("value", T)],
        conn.execute(
            select(c.code, a.name, a.value).join(c, c.id == a.client_id).order_by(c.code, a.name)
        ),
    )
    keys = episode_keys(conn)
    e = m.Episode
    meta = {
        r[0]: r[1:]
        for r in conn.execute(
            select(e.id, e.external_id, e.start_date, e.end_date, e.ending_reason)
        )
    }
    _table(
        out,
        fmt,
        result,
        "episodes",
        [
            ("client", T),
            ("therapist", T),
            ("episode", T),
            ("external_id", T),
            ("start_date", D),
            ("end_date", D),
            ("ending_reason", T),
        ],
        ((*keys[eid], *meta[eid]) for eid in keys),
    )
    _export_sessions(conn, out, fmt, result, keys)
    _export_instruments(conn, out, fmt, result)
    _export_practice(conn, out, fmt, result, keys)


def _export_sessions(
    conn: Connection,
    out: Path,
    fmt: str,
    result: ExportResult,
    keys: dict[int, tuple[str, str, str]],
) -> None:
    inst = conn.execute(
        select(m.Instrument.id, m.Instrument.name, m.Instrument.items)
        .where(m.Instrument.id.in_(select(m.Score.instrument_id).distinct()))
        .order_by(m.Instrument.name)
    ).all()
    columns: list[Column] = [
        ("therapist", "text"),
        ("client", "text"),
        ("episode", "text"),
        ("session", "num"),
        ("date", "date"),
        ("notes", "text"),
    ]
    layout: list[tuple[int, int]] = []
    for iid, name, item_names in inst:
        k = len(item_names or [])
        has_items = conn.execute(
            select(m.Score.id)
            .where(m.Score.instrument_id == iid, m.Score.items.is_not(None))
            .limit(1)
        ).first()
        k = k if has_items is not None else 0
        columns.append((name, "num"))
        columns.extend((f"{name}_{i}", "num") for i in range(1, k + 1))
        layout.append((iid, k))
    position = {eid: i for i, eid in enumerate(keys)}
    s = m.Session
    writer = _Writer(out, "sessions", columns, fmt)
    try:
        eids = sorted(keys, key=position.__getitem__)
        for start in range(0, len(eids), 500):
            chunk = eids[start : start + 500]
            scores: dict[int, dict[int, tuple[float, list[float | None] | None]]] = {}
            for sid, iid, total, values_ in conn.execute(
                select(m.Score.session_id, m.Score.instrument_id, m.Score.total, m.Score.items)
                .join(s, s.id == m.Score.session_id)
                .where(s.episode_id.in_(chunk))
            ):
                scores.setdefault(sid, {})[iid] = (total, values_)
            rows = list(
                conn.execute(
                    select(s.id, s.episode_id, s.number, s.date, s.notes).where(
                        s.episode_id.in_(chunk)
                    )
                )
            )
            rows.sort(key=lambda r: (position[r[1]], r[2]))
            for sid, eid, number, date, notes in rows:
                client, therapist, key = keys[eid]
                values: list[Any] = [therapist, client, key, number, date, notes]
                mine = scores.get(sid, {})
                for iid, k in layout:
                    score = mine.get(iid)
                    values.append(None if score is None else score[0])
                    item_list = list(score[1] or []) if score is not None else []
                    values.extend(item_list[i] if i < len(item_list) else None for i in range(k))
                writer.row(values)
    finally:
        result.files[f"sessions.{fmt}"] = writer.close()


def _export_instruments(conn: Connection, out: Path, fmt: str, result: ExportResult) -> None:
    rows = conn.execute(
        select(m.Instrument.definition)
        .where(m.Instrument.builtin.is_(False))
        .order_by(m.Instrument.name)
    ).all()
    defs = [r[0] for r in rows]
    (out / "instruments.json").write_text(
        json.dumps(defs, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    result.files["instruments.json"] = len(defs)


def _export_practice(
    conn: Connection,
    out: Path,
    fmt: str,
    result: ExportResult,
    keys: dict[int, tuple[str, str, str]],
) -> None:
    T, N, D, S, J = "text", "num", "date", "time", "json"
    t, c = m.Therapist, m.Client
    pa = m.PracticeActivity
    _table(
        out,
        fmt,
        result,
        "practice_activities",
        [("key", T), ("label", T)],
        conn.execute(select(pa.key, pa.label).order_by(pa.key)),
    )
    o = m.PracticeObjective
    objectives = conn.execute(
        select(
            o.id,
            t.code,
            o.title,
            o.focus_area,
            o.domain,
            o.success_criteria,
            o.start_date,
            o.review_date,
            o.closed_date,
            o.status,
            o.baseline,
            o.review_note,
        )
        .join(t, t.id == o.therapist_id)
        .order_by(t.code, o.start_date, o.title, o.id)
    ).all()
    objective_key = {row[0]: i for i, row in enumerate(objectives, start=1)}
    _table(
        out,
        fmt,
        result,
        "practice_objectives",
        [
            ("objective", N),
            ("therapist", T),
            ("title", T),
            ("focus_area", T),
            ("domain", T),
            ("success_criteria", T),
            ("start_date", D),
            ("review_date", D),
            ("closed_date", D),
            ("status", T),
            ("baseline", J),
            ("review_note", T),
        ],
        ((objective_key[r[0]], *r[1:]) for r in objectives),
    )
    pe, pec = m.PracticeEntry, m.PracticeEntryClient
    entry_clients: dict[int, list[str]] = {}
    for eid, code in conn.execute(select(pec.entry_id, c.code).join(c, c.id == pec.client_id)):
        entry_clients.setdefault(eid, []).append(code)
    entries = conn.execute(
        select(
            pe.id,
            t.code,
            pe.date,
            pe.minutes,
            pe.activity,
            pe.domain,
            pe.objective_id,
            pe.difficulty,
            pe.self_rating,
            pe.feedback_source,
            pe.notes,
            pe.created_at,
        )
        .join(t, t.id == pe.therapist_id)
        .order_by(t.code, pe.date, pe.created_at, pe.id)
    )
    _table(
        out,
        fmt,
        result,
        "practice_entries",
        [
            ("therapist", T),
            ("date", D),
            ("minutes", N),
            ("activity", T),
            ("domain", T),
            ("objective", N),
            ("difficulty", T),
            ("self_rating", N),
            ("feedback_source", T),
            ("notes", T),
            ("clients", J),
            ("created_at", S),
        ],
        (
            (
                *r[1:6],
                objective_key.get(r[6]) if r[6] is not None else None,
                *r[7:11],
                sorted(entry_clients.get(r[0], [])),
                r[11],
            )
            for r in entries
        ),
    )
    le, lt = m.ClientLesson, m.LessonTag
    tags: dict[int, list[str]] = {}
    for lid, tag in conn.execute(select(lt.lesson_id, lt.tag)):
        tags.setdefault(lid, []).append(tag)
    lessons = conn.execute(
        select(
            le.id, c.code, le.episode_id, le.date, le.taught, le.new_or_different, le.will_practise
        )
        .join(c, c.id == le.client_id)
        .order_by(c.code, le.date, le.id)
    )

    def lesson_rows() -> Iterator[tuple[Any, ...]]:
        for lid, client, episode_id, date, taught, new, will in lessons:
            _c, therapist, key = keys[episode_id] if episode_id is not None else ("", None, None)
            yield (client, therapist, key, date, taught, new, will, sorted(tags.get(lid, [])))

    _table(
        out,
        fmt,
        result,
        "lessons",
        [
            ("client", T),
            ("therapist", T),
            ("episode", T),
            ("date", D),
            ("taught", T),
            ("new_or_different", T),
            ("will_practise", T),
            ("tags", J),
        ],
        lesson_rows(),
    )
    w = m.WeeklyReview
    _table(
        out,
        fmt,
        result,
        "weekly_reviews",
        [
            ("therapist", T),
            ("week_start", D),
            ("completed_at", S),
            ("energy", N),
            ("note", T),
            ("commitment", T),
        ],
        conn.execute(
            select(t.code, w.week_start, w.completed_at, w.energy, w.note, w.commitment)
            .join(t, t.id == w.therapist_id)
            .order_by(t.code, w.week_start)
        ),
    )
    b = m.ConsultationBrief
    briefs = list(
        conn.execute(select(b.episode_id, b.created_at, b.updated_at, b.tried, b.questions, b.id))
    )
    position = {eid: i for i, eid in enumerate(keys)}
    briefs.sort(key=lambda r: (position[r[0]], r[1], r[5]))
    _table(
        out,
        fmt,
        result,
        "consultation_briefs",
        [
            ("client", T),
            ("therapist", T),
            ("episode", T),
            ("created_at", S),
            ("updated_at", S),
            ("tried", T),
            ("questions", T),
        ],
        ((*keys[r[0]], *r[1:5]) for r in briefs),
    )
