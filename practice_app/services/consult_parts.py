"""Building the consultation brief's parts from the client page's episode view. No Qt.

Everything here reads ``services.client_page`` results (the same analysis the client
page shows) plus the lessons and session notes; nothing is recomputed differently.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import selectinload

from practice_app.analysis.bunt import is_bunt
from practice_app.analysis.signals import GREEN, NONE, ORANGE, RED
from practice_app.services.client_page import (
    ALLIANCE_WORDS,
    PROMPT_FROM,
    ClientPage,
    EpisodeView,
    signal_words,
)
from practice_app.services.consult_view import (
    AllianceSummary,
    EpisodeChoice,
    InstrumentResult,
    ItemRow,
    ItemTable,
    LessonNote,
    SessionNote,
    SignalNote,
    SuddenChange,
    Trajectory,
    TrajectoryPoint,
)
from practice_app.storage.models import ClientLesson
from practice_app.storage.models import Session as SessionModel


def choices(page: ClientPage) -> tuple[EpisodeChoice, ...]:
    """The client's episodes for the selector (latest first)."""
    return tuple(
        EpisodeChoice(
            e.episode_id,
            e.label,
            e.first_date,
            e.last_date,
            e.ending_text,
            len(e.sessions),
            e.signal,
        )
        for e in page.episodes
    )


def instruments(page: ClientPage, e: EpisodeView) -> tuple[InstrumentResult, ...]:
    """The outcome and alliance results of the episode."""
    out: list[InstrumentResult] = []
    d = page.outcome
    if d is not None and e.n:
        out.append(
            InstrumentResult(
                d.name,
                d.title,
                "outcome",
                e.n,
                e.intake,
                e.latest,
                e.change,
                e.category,
                e.signal,
                signal_words(e),
                e.model_text,
                d.cutoff,
                d.reliable_change,
                d.higher_is_better,
            )
        )
    a = page.alliance
    totals = [s.totals[a.name] for s in e.sessions if a is not None and a.name in s.totals]
    if a is not None and totals:
        cutoff = f" {a.cutoff:g}" if a.cutoff is not None else ""
        out.append(
            InstrumentResult(
                a.name,
                a.title,
                "alliance",
                len(totals),
                totals[0],
                totals[-1],
                totals[-1] - totals[0],
                None,
                e.alliance,
                ALLIANCE_WORDS[e.alliance],
                f"Alliance rule: red below the cutoff{cutoff}, orange after a drop of 1+ point",
                a.cutoff,
                a.reliable_change,
                a.higher_is_better,
            )
        )
    return tuple(out)


def trajectory(page: ClientPage, e: EpisodeView) -> Trajectory:
    """The chart's numbers: scores per session, cutoff, band and expected lines."""
    d, a = page.outcome, page.alliance
    points = tuple(
        TrajectoryPoint(
            s.number,
            s.date,
            s.totals.get(d.name) if d else None,
            s.totals.get(a.name) if a else None,
            s.signal,
        )
        for s in e.sessions
        if (d and d.name in s.totals) or (a and a.name in s.totals)
    )
    band = None
    if d is not None and e.intake is not None and d.reliable_change:
        band = (e.intake - d.reliable_change, e.intake + d.reliable_change)
    fitted = e.model == "fitted"
    return Trajectory(
        outcome=d.name if d else None,
        alliance=a.name if a else None,
        y_min=d.min if d else None,
        y_max=d.max if d else None,
        higher_is_better=d.higher_is_better if d else True,
        points=points,
        cutoff=d.cutoff if d else None,
        reliable_band=band,
        expected_x=e.expected_x if fitted else (),
        expected_success=e.expected_success if fitted else (),
        expected_fail=e.expected_fail if fitted else (),
        model=e.model,
        model_text=e.model_text,
        alliance_cutoff=a.cutoff if a else None,
        alliance_min=a.min if a else None,
        alliance_max=a.max if a else None,
    )


def item_tables(page: ClientPage, e: EpisodeView) -> tuple[ItemTable, ...]:
    """Item scores per instrument (those with items recorded), earliest session first."""
    tables = []
    for d in (page.outcome, page.alliance):
        if d is None or not d.items:
            continue
        scored = [s for s in e.sessions if d.name in s.totals or d.name in s.items]
        if not scored:
            continue
        limit = d.cutoff / len(d.items) if d.alliance and d.cutoff else None
        rows = []
        sums = [0.0] * len(d.items)
        counts = [0] * len(d.items)
        for s in scored:
            raw = s.items.get(d.name) or [None] * len(d.items)
            values = tuple(raw[: len(d.items)])
            for k, v in enumerate(values):
                if v is not None:
                    sums[k] += v
                    counts[k] += 1
            low = tuple(limit is not None and v is not None and v < limit for v in values)
            rows.append(ItemRow(s.number, s.date, values, s.totals.get(d.name), low))
        means = [(sums[k] / counts[k], d.items[k]) for k in range(len(d.items)) if counts[k]]
        if not means:
            continue  # totals only: the trajectory shows them, a table of dashes would not help
        lowest = min(means)
        tables.append(
            ItemTable(
                d.name,
                d.items,
                tuple(rows),
                limit,
                lowest[1],
                lowest[0],
            )
        )
    return tuple(tables)


def sudden(e: EpisodeView) -> tuple[SuddenChange, ...]:
    """The episode's sudden gains and losses with their dates."""
    dates = {s.number: s.date for s in e.sessions}
    return tuple(
        SuddenChange(
            m.kind,
            m.pregain_session,
            m.postgain_session,
            dates.get(m.pregain_session),
            dates.get(m.postgain_session),
            m.pregain,
            m.postgain,
            m.magnitude,
        )
        for m in e.sudden
    )


def alliance_summary(
    page: ClientPage, e: EpisodeView, tables: tuple[ItemTable, ...]
) -> AllianceSummary | None:
    """The alliance over the episode, or None without alliance scores."""
    a = page.alliance
    if a is None:
        return None
    scored = [(s.number, s.totals[a.name]) for s in e.sessions if a.name in s.totals]
    if not scored:
        return None
    totals = [t for _, t in scored]
    below = tuple(n for n, t in scored if a.is_clinical(t)) if a.cutoff is not None else ()
    table = next((t for t in tables if t.instrument == a.name), None)
    return AllianceSummary(
        a.name,
        e.alliance,
        ALLIANCE_WORDS[e.alliance],
        len(totals),
        totals[-1],
        min(totals),
        sum(totals) / len(totals),
        a.cutoff,
        below,
        table.lowest_item if table else None,
        table.lowest_mean if table else None,
    )


_SIGNAL_CODES = {"green": GREEN, "orange": ORANGE, "red": RED}


def red_count(e: EpisodeView) -> int:
    """Measurements at which the outcome signal was red."""
    return sum(1 for s in e.sessions if s.signal == "red")


def signals(
    page: ClientPage, e: EpisodeView, alliance: AllianceSummary | None
) -> tuple[SignalNote, ...]:
    """The alerts worth raising: outcome, alliance, prompts, sudden changes."""
    notes: list[SignalNote] = []
    if page.outcome is not None and e.n:
        notes.append(
            SignalNote(
                e.signal, f"Outcome signal ({page.outcome.name}): {e.signal}", signal_words(e)
            )
        )
        ever_red = sum(1 for s in e.sessions if s.signal == "red")
        if ever_red and e.signal != "red":
            notes.append(
                SignalNote(
                    "orange",
                    "Not on track earlier",
                    f"red at {ever_red} measurement{'s' if ever_red != 1 else ''} of {e.n}",
                )
            )
    if alliance is not None:
        text = alliance.words
        if alliance.below_cutoff:
            listed = ", ".join(str(n) for n in alliance.below_cutoff)
            plural = "s" if len(alliance.below_cutoff) > 1 else ""
            text += f"; below the cutoff at session{plural} {listed}"
        title = f"Alliance signal ({alliance.instrument}): {alliance.signal}"
        notes.append(SignalNote(alliance.signal, title, text))
    if e.prompt:
        notes.append(
            SignalNote(
                "red",
                "Discuss a change of approach or a referral",
                f"{e.n} measurements without reliable improvement (prompt from the "
                f"{PROMPT_FROM}th)",
            )
        )
    # The "sacrifice bunt" (science.md section 7), the rule the weekly review and the
    # Learning screen apply: open, red now and at 4+ measurements, alliance not below cutoff.
    reds = red_count(e)
    a_def = page.alliance
    good_alliance = (
        alliance is not None
        and alliance.latest is not None
        and a_def is not None
        and not a_def.is_clinical(alliance.latest)
    )
    if is_bunt(
        [_SIGNAL_CODES.get(x.signal or "", NONE) for x in e.sessions], good_alliance, not e.ending
    ):
        notes.append(
            SignalNote(
                "red",
                "Red despite a good alliance",
                f"red at {reds} of {e.n} measurements while the alliance holds: the "
                "relationship works, the approach may not. Consider talking about changing "
                "approach or referring on",
            )
        )
    for m in e.sudden:
        level = "green" if m.kind == "gain" else "red"
        notes.append(
            SignalNote(
                level,
                f"Sudden {m.kind}",
                f"session {m.pregain_session} → {m.postgain_session}: "
                f"{m.pregain:.1f} → {m.postgain:.1f} ({m.magnitude:.1f} points)",
            )
        )
    return tuple(notes)


def lessons(
    session: OrmSession, client_id: int, labels: dict[int, str], today: dt.date
) -> tuple[LessonNote, ...]:
    """The client's lessons up to ``today`` (any episode), oldest first."""
    rows = session.scalars(
        select(ClientLesson)
        .where(ClientLesson.client_id == client_id, ClientLesson.date <= today)
        .options(selectinload(ClientLesson.tags))
        .order_by(ClientLesson.date, ClientLesson.id)
    ).all()
    return tuple(
        LessonNote(
            r.date,
            labels.get(r.episode_id) if r.episode_id is not None else None,
            r.taught,
            r.new_or_different or "",
            r.will_practise or "",
            tuple(sorted(t.tag for t in r.tags)),
        )
        for r in rows
    )


def session_notes(session: OrmSession, episode_id: int) -> tuple[SessionNote, ...]:
    """The therapist's notes on the episode's sessions, in session order."""
    rows = session.execute(
        select(SessionModel.number, SessionModel.date, SessionModel.notes)
        .where(SessionModel.episode_id == episode_id, SessionModel.notes.is_not(None))
        .order_by(SessionModel.number)
    ).all()
    return tuple(SessionNote(n, d, t.strip()) for n, d, t in rows if t and t.strip())
