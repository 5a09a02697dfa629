"""Data for the Clients screens: the episode list and one client's page. No Qt here.

``load_client_list(session) -> ClientList`` flattens ``services.clients.episode_list``
into rows a table can show; ``load_client_page(session, code) -> ClientPage`` gathers
one client's episodes with every session's scores and items, the signals per
measurement, the expected lines of the model that judged them, and sudden changes.
Both run on the database worker; both use the same analysis as the command line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import selectinload

from practice_app.analysis.categories import CATEGORIES
from practice_app.analysis.effectiveness import resolve_endings
from practice_app.analysis.instruments import InstrumentDef
from practice_app.analysis.scores import (
    DateArray,
    FloatArray,
    IntArray,
    ScoreMatrix,
    build_score_matrix,
)
from practice_app.analysis.scores import episode_index as to_rows
from practice_app.analysis.signals import (
    LEAVE_ONE_OUT_BELOW,
    MIN_FITTED_POOL,
    ORANGE_FROM,
    PROMPT_FROM,
    RED_FROM,
    SIGNALS,
    expected_lines,
)
from practice_app.analysis.summary import EpisodeSummaries, summarize_episodes
from practice_app.analysis.trajectories import ReferencePool, fit_trajectories, reference_pool
from practice_app.errors import UserError
from practice_app.services.clients import episode_label, instruments_in_use
from practice_app.services.outcomes import analyse_instrument
from practice_app.storage.analysis_data import (
    EpisodeRows,
    load_client_attributes,
    load_episodes,
    load_scores,
)
from practice_app.storage.instruments import load_instruments
from practice_app.storage.models import ENDING_LABELS, Client, Episode, Instrument, Session

EXTRA_EXPECTED = 3
"""Measurements drawn beyond the latest one, so the therapist sees where the lines go."""

__all__ = [
    "ALLIANCE_WORDS",
    "ORANGE_FROM",
    "OUTCOME_WORDS",
    "PROMPT_FROM",
    "RED_FROM",
    "ClientList",
    "ClientPage",
    "EpisodeView",
    "ListRow",
    "load_client_list",
    "load_client_page",
    "signal_words",
]


# What each signal means, per model (science.md section 3); shown on the client page and
# in the consultation brief.
OUTCOME_WORDS = {
    "starter": {
        "red": "not on track: reliably worse than intake, or no reliable change by the 6th "
        "measurement",
        "orange": "at risk: no improvement by the 3rd measurement",
        "green": "on track so far",
        "none": "no signal yet (fewer than two measurements)",
    },
    "fitted": {
        "red": "not on track: below the expected fail line",
        "orange": "at risk: between the expected lines",
        "green": "on track: at or above the expected success line",
        "none": "no signal yet (fewer than two measurements)",
    },
}
ALLIANCE_WORDS = {
    "red": "weak: below the cutoff",
    "orange": "dropped 1 point or more since the last session",
    "green": "good",
    "none": "no alliance scores",
}


def signal_words(e: EpisodeView) -> str:
    """The episode's outcome signal in words, for the model that judged it."""
    return OUTCOME_WORDS.get(e.model, OUTCOME_WORDS["starter"])[e.signal]


def ending_text(ending: str) -> str:
    """The ending as words ("Open" for an episode still under way)."""
    if not ending:
        return "Open"
    return ENDING_LABELS.get(ending, ending)


def model_text(model: str, n: int, pool_size: int) -> str:
    """Which model produced the expected lines and the signal, with its n."""
    if model == "fitted":
        return f"Expected lines: fitted on {n:,} closed episodes"
    if model == "starter":
        return (
            f"Starter rules: fewer than {MIN_FITTED_POOL} closed episodes with 3+ measurements "
            f"({pool_size} so far)"
            if pool_size < MIN_FITTED_POOL
            else "Starter rules: the fitted lines cannot be drawn for this pool"
        )
    return "No outcome signal on this instrument"


@dataclass(frozen=True)
class ListRow:
    """One episode as the Clients list shows it."""

    client: str
    episode: str
    episode_id: int
    signal: str
    alliance: str
    intake: float | None
    latest: float | None
    change: float | None
    category: str | None
    sessions: int
    first_date: str | None
    last_date: str | None
    status: str
    ending: str
    """Resolved ending reason ("" while open)."""
    model: str


@dataclass(frozen=True)
class ClientList:
    """Every episode with its signal on the lead outcome instrument."""

    rows: tuple[ListRow, ...]
    instrument: str | None
    alliance: str | None
    model: str
    """What the signals rest on (model and n), for the summary line."""


def _iso(values: DateArray) -> list[str | None]:
    """ISO dates, None for NaT."""
    text = np.datetime_as_string(np.asarray(values, dtype="datetime64[D]"))
    return [None if t == "NaT" else str(t) for t in text]


def _floats(values: FloatArray) -> list[float | None]:
    return [None if np.isnan(v) else float(v) for v in values.tolist()]


def load_client_list(session: OrmSession, today: dt.date | None = None) -> ClientList:
    """Load the episode list: the lead outcome and alliance instruments' results per episode.

    The same analysis as ``services.clients.episode_list`` (``analyse_instrument``), read
    from its arrays in one pass rather than row by row, which matters at 30,000 episodes.
    """
    defs = instruments_in_use(session)
    lead = next((d for d in defs if not d.alliance), None)
    ally_def = next((d for d in defs if d.alliance), None)
    outcome = analyse_instrument(session, lead.name, today=today) if lead else None
    alliance = analyse_instrument(session, ally_def.name, today=today) if ally_def else None
    base = outcome or alliance
    if base is None:
        return ClientList((), None, None, "No outcome instrument in use")
    eps = base.episodes
    n = int(eps.id.size)
    none = ["none"] * n
    signal, model = none, none
    category: list[str | None] = [None] * n
    intake: list[float | None] = [None] * n
    latest, change = list(intake), list(intake)
    if outcome is not None:
        s = outcome.summaries
        measured = (outcome.matrix.counts > 0).tolist()
        signal = [SIGNALS[c] for c in s.signal.tolist()]
        model = [m if ok else "none" for m, ok in zip(s.model, measured, strict=True)]
        category = [CATEGORIES[c] if c >= 0 else None for c in s.category.tolist()]
        intake, latest, change = _floats(s.intake), _floats(s.latest), _floats(s.change)
    ally = (
        [SIGNALS[c] for c in alliance.summaries.alliance.tolist()] if alliance is not None else none
    )
    first, last = _iso(eps.first_session_date), _iso(eps.last_session_date)
    closed = base.closed.tolist()
    ending = base.ending.tolist()
    sessions = eps.sessions.tolist()
    rows = tuple(
        ListRow(
            client=eps.client_code[e],
            episode=episode_label(base, e),
            episode_id=int(eps.id[e]),
            signal=signal[e],
            alliance=ally[e],
            intake=intake[e],
            latest=latest[e],
            change=change[e],
            category=category[e],
            sessions=int(sessions[e]),
            first_date=first[e],
            last_date=last[e],
            status="closed" if closed[e] else "open",
            ending=str(ending[e]),
            model=model[e],
        )
        for e in range(n)
    )
    text = "No outcome instrument in use"
    if outcome is not None:
        s = outcome.summaries
        fitted = s.fitted is not None
        text = model_text("fitted" if fitted else "starter", s.pool_size, s.pool_size)
        text = text.replace("Expected lines: fitted", "Model: trajectories fitted")
    return ClientList(
        rows,
        lead.name if lead else None,
        ally_def.name if ally_def else None,
        text,
    )


@dataclass(frozen=True)
class SessionRow:
    """One session: its scores (totals and items) and the signals at it."""

    session_id: int
    number: int
    date: dt.date | None
    totals: dict[str, float]
    items: dict[str, list[float | None]]
    signal: str
    """Outcome signal at this session's measurement ("none" when unmeasured)."""
    alliance: str


@dataclass(frozen=True)
class SuddenMark:
    """A sudden gain or loss between two consecutive sessions."""

    kind: str
    pregain_session: int
    postgain_session: int
    pregain: float
    postgain: float
    magnitude: float


@dataclass(frozen=True)
class EpisodeView:
    """One episode of the client, ready to draw."""

    episode_id: int
    label: str
    therapist: str
    first_date: dt.date | None
    last_date: dt.date | None
    end_date: dt.date | None
    ending: str
    """Resolved ending ("" open; "inactive" by the inactivity rule)."""
    stored_open: bool
    """No end date and no reason in the database: sessions may still be added."""
    sessions: tuple[SessionRow, ...]
    n: int
    intake: float | None
    latest: float | None
    change: float | None
    category: str | None
    signal: str
    alliance: str
    alliance_latest: float | None
    prompt: bool
    model: str
    model_n: int
    model_text: str
    expected_x: tuple[int, ...]
    """Session numbers of measurements 1..n (projected one per session beyond the latest)."""
    expected_success: tuple[float, ...]
    expected_fail: tuple[float, ...]
    sudden: tuple[SuddenMark, ...]

    @property
    def ending_text(self) -> str:
        """The ending as words."""
        return ending_text(self.ending)


@dataclass(frozen=True)
class ClientPage:
    """One client: attributes, episodes (latest first) and the instruments of the entry form."""

    code: str
    attributes: dict[str, str]
    episodes: tuple[EpisodeView, ...]
    outcome: InstrumentDef | None
    alliance: InstrumentDef | None
    today: dt.date


def _pick(defs: list[InstrumentDef], measured: set[str], alliance: bool) -> InstrumentDef | None:
    wanted = [d for d in defs if d.alliance == alliance]
    return next((d for d in wanted if d.name in measured), wanted[0] if wanted else None)


@dataclass(frozen=True)
class _ClientAnalysis:
    """One instrument's results for the client's episodes, judged against the whole pool."""

    instrument: InstrumentDef
    row: dict[int, int]
    """Episode id -> row in ``matrix`` / ``summaries``."""
    matrix: ScoreMatrix
    summaries: EpisodeSummaries
    ending: dict[int, str]
    pool: ReferencePool
    pool_row: IntArray


def _analyse_client(
    session: OrmSession,
    d: InstrumentDef,
    episode_ids: list[int],
    today: dt.date,
    episodes: EpisodeRows,
    own: tuple[IntArray, IntArray, FloatArray] | None = None,
) -> _ClientAnalysis:
    """Summarise only the client's episodes; the reference pool is every closed episode.

    Cheaper than ``analyse_instrument`` on the whole database: the leave-one-out refits
    run for the client's few episodes, not for every episode of a small pool. An alliance
    measure needs no pool, so ``own`` (episode id, session number, total of the client's
    scores) spares loading everyone's scores.
    """
    ending = resolve_endings(episodes.ending_reason, episodes.last_session_date, today)
    closed = np.asarray(ending != "", dtype=bool)
    mine = np.flatnonzero(np.isin(episodes.id, np.array(episode_ids, dtype=np.int64)))
    if own is not None:
        ids_all = episodes.id[mine]
        rows = to_rows(own[0], ids_all)
        sub = build_score_matrix(rows, own[1], own[2], ids_all.size)
        pool = ReferencePool(np.empty((0, 0)), np.empty(0, np.int64), np.empty(0, np.int64))
        pool_row = np.full(mine.size, -1, dtype=np.int64)
        summaries = summarize_episodes(sub, d, closed[mine], pool=pool, pool_row=pool_row)
    else:
        scores = load_scores(session, d.name)
        all_rows = to_rows(scores.episode_id, episodes.id)
        matrix = build_score_matrix(all_rows, scores.session_number, scores.total, episodes.id.size)
        pool = reference_pool(matrix, closed)
        position = np.full(episodes.id.size, -1, dtype=np.int64)
        position[pool.source_index] = np.arange(pool.size)
        pool_row = position[mine]
        sub = matrix.subset(mine)
        summaries = summarize_episodes(sub, d, closed[mine], pool=pool, pool_row=pool_row)
    ids = [int(i) for i in episodes.id[mine]]
    return _ClientAnalysis(
        d,
        {eid: k for k, eid in enumerate(ids)},
        sub,
        summaries,
        {eid: str(ending[m]) for eid, m in zip(ids, mine, strict=True)},
        pool,
        pool_row,
    )


def _expected(
    a: _ClientAnalysis, row: int, numbers: list[int]
) -> tuple[tuple[int, ...], tuple[float, ...], tuple[float, ...]]:
    """The expected lines of the model that judged episode ``row`` (leave-one-out if it did)."""
    s = a.summaries
    count = len(numbers)
    if count < 1 or a.instrument.reliable_change is None:
        return (), (), ()
    n_max = count + EXTRA_EXPECTED
    model = None
    if s.model[row] == "fitted":
        model = s.fitted
        if s.pool_size < LEAVE_ONE_OUT_BELOW and a.pool_row[row] >= 0:
            model = fit_trajectories(
                a.pool.without(int(a.pool_row[row])), a.instrument, near=float(s.intake[row])
            )
    lines = expected_lines(float(s.intake[row]), n_max, a.instrument, model)
    x = numbers + [numbers[-1] + k for k in range(1, n_max - count + 1)]
    return tuple(x), tuple(map(float, lines.success)), tuple(map(float, lines.fail))


def load_client_page(session: OrmSession, code: str, today: dt.date | None = None) -> ClientPage:
    """Load one client's page; a UserError when no client has ``code``."""
    client = session.scalar(select(Client).where(Client.code == code))
    if client is None:
        close = session.scalars(
            select(Client.code).where(Client.code.ilike(f"%{code}%")).limit(3)
        ).all()
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UserError(f"client '{code}' was not found{hint}")
    episodes = session.scalars(
        select(Episode)
        .where(Episode.client_id == client.id)
        .options(selectinload(Episode.sessions).selectinload(Session.scores))
        .order_by(Episode.id)
    ).all()
    instruments = load_instruments(session)
    names: dict[int, str] = {
        i: n for i, n in session.execute(select(Instrument.id, Instrument.name))
    }
    measured = {names[sc.instrument_id] for e in episodes for s in e.sessions for sc in s.scores}
    defs = instruments_in_use(session) or sorted(
        instruments.values(), key=lambda d: (d.alliance, d.name != "ORS", d.name)
    )
    outcome = _pick(defs, measured, alliance=False)
    alliance = _pick(defs, measured, alliance=True)
    today = today or dt.date.today()
    ids = [e.id for e in episodes]
    rows = load_episodes(session)
    analyses: dict[str, _ClientAnalysis] = {}
    if outcome is not None and outcome.name in measured:
        analyses[outcome.name] = _analyse_client(session, outcome, ids, today, rows)
    if alliance is not None and alliance.name in measured:
        own = [
            (e.id, s.number, sc.total)
            for e in episodes
            for s in e.sessions
            for sc in s.scores
            if names[sc.instrument_id] == alliance.name
        ]
        arrays = (
            np.array([o[0] for o in own], dtype=np.int64),
            np.array([o[1] for o in own], dtype=np.int64),
            np.array([o[2] for o in own], dtype=np.float64),
        )
        analyses[alliance.name] = _analyse_client(session, alliance, ids, today, rows, arrays)
    views = [_episode_view(e, names, outcome, alliance, analyses) for e in episodes]
    # Latest first: by the first session (or the start date), then by id.
    views.sort(key=lambda v: (v.first_date or dt.date.min, v.episode_id), reverse=True)
    attributes = load_client_attributes(session).get(code, {})
    return ClientPage(code, attributes, tuple(views), outcome, alliance, today)


def _episode_view(
    episode: Episode,
    names: dict[int, str],
    outcome: InstrumentDef | None,
    alliance: InstrumentDef | None,
    analyses: dict[str, _ClientAnalysis],
) -> EpisodeView:
    out_a = analyses.get(outcome.name) if outcome else None
    all_a = analyses.get(alliance.name) if alliance else None
    per_out: dict[int, str] = {}
    per_all: dict[int, str] = {}
    for a, target in ((out_a, per_out), (all_a, per_all)):
        if a is None:
            continue
        row = a.row[episode.id]
        per = a.summaries.per_measurement[row]
        for j in range(int(a.matrix.counts[row])):
            target[int(a.matrix.sessions[row, j])] = SIGNALS[per[j]]
    sessions = []
    for s in episode.sessions:
        totals = {names[sc.instrument_id]: float(sc.total) for sc in s.scores}
        items = {names[sc.instrument_id]: list(sc.items) for sc in s.scores if sc.items}
        sessions.append(
            SessionRow(
                s.id,
                s.number,
                s.date,
                totals,
                items,
                per_out.get(s.number, "none"),
                per_all.get(s.number, "none"),
            )
        )
    dates = [s.date for s in episode.sessions if s.date is not None]
    summary: dict[str, Any] = {}
    ally: dict[str, Any] = {}
    numbers = [s.number for s in sessions if outcome and outcome.name in s.totals]
    x: tuple[int, ...] = ()
    success: tuple[float, ...] = ()
    fail: tuple[float, ...] = ()
    sudden: list[SuddenMark] = []
    pool = 0
    if out_a is not None:
        row = out_a.row[episode.id]
        summary = out_a.summaries.row(row)
        pool = out_a.summaries.pool_size
        x, success, fail = _expected(out_a, row, numbers)
        sc = out_a.summaries.sudden
        for k in np.flatnonzero(sc.episode == row):
            sudden.append(
                SuddenMark(
                    str(sc.kind[k]),
                    int(sc.pregain_session[k]),
                    int(sc.postgain_session[k]),
                    float(sc.pregain[k]),
                    float(sc.postgain[k]),
                    float(sc.magnitude[k]),
                )
            )
    if all_a is not None:
        ally = all_a.summaries.row(all_a.row[episode.id])
    base = out_a or all_a
    ending = base.ending[episode.id] if base is not None else ""
    if not ending and (episode.ending_reason or episode.end_date):
        ending = episode.ending_reason or "other"
    model = summary.get("model", "none")
    model_n = int(summary.get("model_n", 0))
    alliance_totals = [
        s.totals[alliance.name] for s in sessions if alliance and alliance.name in s.totals
    ]
    return EpisodeView(
        episode_id=episode.id,
        label=episode.external_id or str(episode.id),
        therapist=episode.therapist.code,
        first_date=min(dates) if dates else None,
        last_date=max(dates) if dates else None,
        end_date=episode.end_date,
        ending=ending,
        stored_open=episode.end_date is None and episode.ending_reason is None,
        sessions=tuple(sessions),
        n=len(numbers),
        intake=summary.get("intake"),
        latest=summary.get("latest"),
        change=summary.get("change"),
        category=summary.get("category"),
        signal=summary.get("signal", "none"),
        alliance=ally.get("alliance", "none"),
        alliance_latest=alliance_totals[-1] if alliance_totals else None,
        prompt=bool(summary.get("prompt", False)),
        model=model,
        model_n=model_n,
        model_text=model_text(model, model_n, pool),
        expected_x=x,
        expected_success=success,
        expected_fail=fail,
        sudden=tuple(sudden),
    )
