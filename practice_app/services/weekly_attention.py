"""The weekly review's attention list and its changes since the last review, in plain words.

``attention`` turns one snapshot (``services.weekly_state``) into one item per open
episode that needs a look this week; ``changes`` compares two snapshots. The reasons
follow science.md sections 3, 4 and 7 (signals, sudden losses, the change-of-approach
prompt and the "sacrifice bunt"). No Qt here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from practice_app.analysis.categories import CATEGORIES, DETERIORATED, HARMED, IMPROVED, RECOVERED
from practice_app.analysis.scores import BoolArray, IntArray
from practice_app.analysis.scores import episode_index as to_rows
from practice_app.analysis.signals import GREEN, ORANGE, RED
from practice_app.services.weekly_state import Snapshot, WeeklyData
from practice_app.storage.analysis_data import ScoreRows
from practice_app.storage.models import ENDING_LABELS

RECENT_DAYS = 21
"""A sudden loss stays on the list for the week it was seen and the three weeks before."""
LEVELS = {"red": 2, "orange": 1}


@dataclass(frozen=True)
class AttentionItem:
    """One episode needing attention this week, with every reason in plain words."""

    client: str
    episode: str
    episode_id: int
    name: str
    """The client code, with the episode when the client has several."""
    level: str
    """"red" or "orange": the most urgent of its reasons."""
    kinds: tuple[str, ...]
    """Which rules fired: outcome, alliance, sudden-loss, referral, missing-scores."""
    reasons: tuple[str, ...]
    view: str


@dataclass(frozen=True)
class ChangeItem:
    """One change since the last review."""

    kind: str
    """new-signal, cleared, alliance, started, closed, category."""
    client: str
    episode: str
    episode_id: int
    text: str
    good: bool | None
    """True for good news, False for bad, None when neither."""
    view: str


def episode_name(data: WeeklyData, e: int) -> str:
    """ "C0042" or "C0042 (episode 2)" when the client has several episodes."""
    eps = data.episodes
    code = eps.client_code[e]
    if data.episodes_per_client.get(code, 0) > 1:
        label = eps.external_id[e] or str(int(eps.id[e]))
        return f"{code} (episode {label})"
    return code


def _label(data: WeeklyData, e: int) -> str:
    return data.episodes.external_id[e] or str(int(data.episodes.id[e]))


def _day(day: dt.date | None) -> str:
    return day.strftime("%a %d %b") if day else "an undated session"


def sessions_between(data: WeeklyData, start: dt.date, end: dt.date) -> int:
    """Therapy sessions dated from ``start`` to ``end`` (inclusive)."""
    d = data.sessions.date
    return int(
        np.count_nonzero(
            ~np.isnat(d) & (d >= np.datetime64(start, "D")) & (d <= np.datetime64(end, "D"))
        )
    )


def _outcome_reason(data: WeeklyData, s: Snapshot, e: int) -> str | None:
    o, d = s.outcome, data.outcome
    if o is None or d is None or int(o.signal[e]) not in (RED, ORANGE):
        return None
    n, intake, latest = int(o.n[e]), float(o.intake[e]), float(o.latest[e])
    scores = f"{d.name} {intake:g} → {latest:g}, {n} measurements"
    rc = float(d.reliable_change or 0.0)
    fitted = o.model[e] == "fitted"
    if int(o.signal[e]) == RED:
        if float(o.change[e]) <= -rc:
            why = "reliably worse than at intake"
        elif fitted:
            why = "below the expected fail line"
        else:
            why = f"no reliable improvement by measurement {n}"
        return f"Not on track: {why} ({scores})"
    why = (
        "between the expected lines, slower than clients who improve"
        if fitted
        else "no improvement by the 3rd measurement"
    )
    return f"At risk: {why} ({scores})"


def _alliance_reason(data: WeeklyData, s: Snapshot, e: int) -> str | None:
    a, d, m = s.alliance, data.alliance, s.alliance_matrix
    if a is None or d is None or m is None or int(a.alliance[e]) not in (RED, ORANGE):
        return None
    n = int(m.counts[e])
    latest = float(m.scores[e, n - 1])
    if int(a.alliance[e]) == RED:
        cutoff = f" (cutoff {d.cutoff:g})" if d.cutoff is not None else ""
        return f"Weak alliance: {d.name} {latest:g}, below the cutoff{cutoff}"
    before = float(m.scores[e, n - 2])
    drop = before - latest
    points = "point" if drop == 1 else "points"
    return (
        f"Alliance dropped {drop:g} {points} since the session before "
        f"({d.name} {before:g} → {latest:g})"
    )


Add = Callable[[int, str, str, str], None]


def _sudden_losses(
    data: WeeklyData, s: Snapshot, rows: BoolArray, start: dt.date, as_of: dt.date, add: Add
) -> None:
    """Sudden losses (Tang & DeRubeis, reversed) whose later session fell in the recent weeks."""
    if s.outcome is None or data.outcome is None:
        return
    sudden = s.outcome.sudden
    first = start - dt.timedelta(days=RECENT_DAYS)
    for k in np.flatnonzero(sudden.kind == "loss").tolist():
        e = int(sudden.episode[k])
        if not rows[e]:
            continue
        post = int(sudden.postgain_session[k])
        day = data.session_date(int(data.episodes.id[e]), post)
        if day is None or not first <= day <= as_of:
            continue
        when = "this week" if day >= start else f"on {_day(day)}"
        add(
            e,
            "red",
            "sudden-loss",
            f"Sudden loss {when}: {data.outcome.name} fell from {sudden.pregain[k]:g} to "
            f"{sudden.postgain[k]:g} between sessions {int(sudden.pregain_session[k])} and {post}",
        )


def _scored(scores: ScoreRows | None) -> set[tuple[int, int]]:
    if scores is None:
        return set()
    return set(zip(scores.episode_id.tolist(), scores.session_number.tolist(), strict=True))


def _missing_scores(
    data: WeeklyData, s: Snapshot, start: dt.date, as_of: dt.date, add: Add
) -> None:
    """Sessions of the week without the outcome (or, where it is used, the alliance) score."""
    d = data.sessions.date
    week = ~np.isnat(d) & (d >= np.datetime64(start, "D")) & (d <= np.datetime64(as_of, "D"))
    if not week.any():
        return
    outcome, alliance = _scored(data.outcome_scores), _scored(data.alliance_scores)
    with_outcome = {eid for eid, _n in outcome}
    with_alliance = {eid for eid, _n in alliance}
    rows = to_rows(data.sessions.episode_id, data.episodes.id)
    for k in np.flatnonzero(week).tolist():
        eid, number, e = (
            int(data.sessions.episode_id[k]),
            int(data.sessions.number[k]),
            int(rows[k]),
        )
        if e < 0 or not s.exists[e]:
            continue
        key = (eid, number)
        has_alliance = key in alliance
        missing = []
        # Flag a measure only where the episode uses it (or the session has no score at all).
        if (
            data.outcome is not None
            and key not in outcome
            and (eid in with_outcome or not has_alliance)
        ):
            missing.append(data.outcome.name)
        if data.alliance is not None and not has_alliance and eid in with_alliance:
            missing.append(data.alliance.name)
        if missing:
            day = dt.date.fromisoformat(str(d[k]))
            add(
                e,
                "orange",
                "missing-scores",
                f"Session {number} ({_day(day)}) has no {' or '.join(missing)} score",
            )


def attention(
    data: WeeklyData,
    s: Snapshot,
    week_start: dt.date,
    as_of: dt.date,
    bunts: dict[int, int] | None = None,
) -> list[AttentionItem]:
    """One item per open episode needing attention as of ``s.day``, most urgent first."""
    eps = data.episodes
    found: dict[int, list[tuple[str, str, str]]] = {}  # row -> [(level, kind, reason)]

    def add(e: int, level: str, kind: str, reason: str) -> None:
        found.setdefault(e, []).append((level, kind, reason))

    open_rows = s.exists & ~s.closed
    for e in np.flatnonzero(open_rows).tolist():
        reason = _outcome_reason(data, s, e)
        if reason:
            level = "red" if s.outcome is not None and int(s.outcome.signal[e]) == RED else "orange"
            add(e, level, "outcome", reason)
        reason = _alliance_reason(data, s, e)
        if reason:
            ally = s.alliance
            level = "red" if ally is not None and int(ally.alliance[e]) == RED else "orange"
            add(e, level, "alliance", reason)
        measurements = (bunts or {}).get(int(eps.id[e]))
        if measurements is not None:
            add(
                e,
                "red",
                "referral",
                f"Red for {measurements} measurements with a good alliance: consider talking "
                "about a change of approach or a referral",
            )
        elif s.outcome is not None and bool(s.outcome.prompt[e]):
            add(
                e,
                "red",
                "referral",
                "10+ measurements without reliable improvement: discuss a change of approach "
                "or a referral",
            )
    _sudden_losses(data, s, open_rows, week_start, as_of, add)
    _missing_scores(data, s, week_start, as_of, add)
    items = []
    for e, reasons in found.items():
        level = max((r[0] for r in reasons), key=LEVELS.__getitem__)
        kinds = tuple(dict.fromkeys(r[1] for r in reasons))
        items.append(
            AttentionItem(
                client=eps.client_code[e],
                episode=_label(data, e),
                episode_id=int(eps.id[e]),
                name=episode_name(data, e),
                level=level,
                kinds=kinds,
                reasons=tuple(r[2] for r in sorted(reasons, key=lambda r: -LEVELS[r[0]])),
                view=f"client:{eps.client_code[e]}",
            )
        )
    items.sort(key=lambda i: (-LEVELS[i.level], -len(i.reasons), i.client, i.episode_id))
    return items


def _signal_change(data: WeeklyData, prev: Snapshot, now: Snapshot, e: int) -> ChangeItem | None:
    o, p = now.outcome, prev.outcome
    if o is None or p is None:
        return None
    before, after = int(p.signal[e]) if prev.exists[e] else 0, int(o.signal[e])
    words = ("no signal", "green", "orange", "red")
    eps = data.episodes
    text = None
    good: bool | None = None
    kind = "new-signal"
    if after in (ORANGE, RED) and after > before:
        was = f" (was {words[before]})" if prev.exists[e] and before else ""
        text, good = f"New {words[after]} signal{was}", False
    elif before in (ORANGE, RED) and after < before and after != 0:
        kind, good = "cleared", True
        text = (
            f"Signal cleared: now green (was {words[before]})"
            if after == GREEN
            else f"Signal eased: {words[before]} → {words[after]}"
        )
    if text is None:
        return None
    code = eps.client_code[e]
    name = episode_name(data, e)
    return ChangeItem(
        kind, code, _label(data, e), int(eps.id[e]), f"{name}: {text}", good, f"client:{code}"
    )


def _alliance_change(data: WeeklyData, prev: Snapshot, now: Snapshot, e: int) -> ChangeItem | None:
    a, p, d = now.alliance, prev.alliance, data.alliance
    if a is None or p is None or d is None or not prev.exists[e] or int(a.n[e]) == 0:
        return None
    before, after = int(p.alliance[e]), int(a.alliance[e])
    if after == RED and before != RED:
        text, good = f"alliance fell below the cutoff ({d.name} {float(a.latest[e]):g})", False
    elif before == RED and after in (GREEN, ORANGE):
        text, good = f"alliance back above the cutoff ({d.name} {float(a.latest[e]):g})", True
    else:
        return None
    code = data.episodes.client_code[e]
    return ChangeItem(
        "alliance", code, _label(data, e), int(data.episodes.id[e]),
        f"{episode_name(data, e)}: {text}", good, f"client:{code}",
    )  # fmt: skip


CATEGORY_TEXT = {
    RECOVERED: ("recovered (reliable change and out of the clinical range)", True),
    IMPROVED: ("reliably improved", True),
    DETERIORATED: ("reliably worse than at intake (deteriorated)", False),
    HARMED: ("reliably worse and now in the clinical range (harmed)", False),
}


def _changed_rows(prev: Snapshot, now: Snapshot) -> IntArray:
    """Rows whose state differs between the snapshots (the only ones worth a closer look)."""
    mask = now.exists & ~(prev.exists & prev.closed)
    differs = ~prev.exists | (now.closed != prev.closed)
    for a, b in ((now.outcome, prev.outcome), (now.alliance, prev.alliance)):
        if a is not None and b is not None:
            differs |= (a.signal != b.signal) | (a.alliance != b.alliance)
            differs |= a.category != b.category
    return np.flatnonzero(mask & differs)


def changes(data: WeeklyData, prev: Snapshot, now: Snapshot) -> list[ChangeItem]:
    """What changed between two snapshots, bad news first."""
    eps = data.episodes
    out: list[ChangeItem] = []
    for e in _changed_rows(prev, now).tolist():
        code, label, eid = eps.client_code[e], _label(data, e), int(eps.id[e])
        name, view = episode_name(data, e), f"client:{code}"
        o, p = now.outcome, prev.outcome
        category = int(o.category[e]) if o is not None else -1
        before = int(p.category[e]) if p is not None and prev.exists[e] else -1
        if now.closed[e] and not (prev.exists[e] and prev.closed[e]):
            ending = ENDING_LABELS.get(str(now.ending[e]), str(now.ending[e])).lower()
            result = CATEGORIES[category] if category >= 0 else "no change category"
            good = category in (RECOVERED, IMPROVED) or str(now.ending[e]) == "referred"
            text = f"{name}: episode closed ({ending}), {result}"
            out.append(ChangeItem("closed", code, label, eid, text, good, view))
            continue
        if now.closed[e]:
            continue
        if not prev.exists[e]:
            first = now.first_session[e]
            when = "" if np.isnat(first) else f" on {_day(dt.date.fromisoformat(str(first)))}"
            out.append(
                ChangeItem("started", code, label, eid, f"{name}: new episode{when}", None, view)
            )
        for found in (_signal_change(data, prev, now, e), _alliance_change(data, prev, now, e)):
            if found is not None:
                out.append(found)
        if category != before and category in CATEGORY_TEXT:
            words, good = CATEGORY_TEXT[category]
            out.append(ChangeItem("category", code, label, eid, f"{name}: now {words}", good, view))
    order = {False: 0, None: 1, True: 2}
    out.sort(key=lambda c: (order[c.good], c.client, c.episode_id))
    return out
