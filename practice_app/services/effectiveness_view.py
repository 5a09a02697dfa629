"""The Effectiveness screen's data: overall figures, quarters, rolling 12 months, baseline.

Qt-free. The work is split so the screen can run it off the GUI thread in two steps:

- ``load_inputs(session, instrument=None, today=None) -> EffectivenessInputs`` reads the
  database (database worker): the instrument's analysis (services.outcomes), the client
  group of every episode, the instruments and groups to offer as filters.
- ``compute_summary(inputs, query) -> EffectivenessView`` (analysis pool): the overall
  figures of the selected period and group, the quarterly windows that overlap the
  period, the own baseline and the benchmarks.
- ``compute_rolling(inputs, query) -> tuple[WindowFigures, ...]`` (analysis pool, in
  parallel): one rolling 12-month window per month of the period.
- ``effectiveness_view(session, query)`` does all three; ``load_effectiveness(session)``
  is the registry's loader (default query).

Every figure comes from practice_app.analysis.effectiveness.effectiveness (the same
fixed-seed percentile bootstrap as ``practice-app stats``). The SAES reference is the
therapist's own measured episodes over all time and all groups (services.outcomes
.own_reference), fixed across windows, so windows and groups compare at equal case mix.
Quarters are whole calendar quarters by the date an episode ended (open: its latest
session); the period selects which quarters are shown. Rolling windows are shown only
where a full 12 months of history exist before their end.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from practice_app.analysis.categories import CATEGORIES
from practice_app.analysis.effectiveness import (
    MIN_EPISODES,
    Effectiveness,
    Figure,
    SaesReference,
    effectiveness,
)
from practice_app.analysis.scores import BoolArray, DateArray
from practice_app.analysis.windows import effectiveness_by_period, period_labels
from practice_app.resources import resource_path
from practice_app.services.clients import instruments_in_use
from practice_app.services.outcomes import InstrumentAnalysis, analyse_instrument, own_reference
from practice_app.storage.models import Client

PERIODS: dict[str, str] = {
    "all": "All time",
    "12m": "Last 12 months",
    "3y": "Last 3 years",
    "custom": "Custom dates",
}
ALL_GROUPS = "all"
NO_GROUP = "(no group)"
ROLLING_MONTHS = 12
BASELINE_MONTHS = 12
StrArray = npt.NDArray[np.str_]


@dataclass(frozen=True)
class ViewQuery:
    """What the screen asks for: instrument (None: the primary one), period and client group."""

    instrument: str | None = None
    period: str = "all"
    since: dt.date | None = None
    """First day of a custom period (ignored for the other periods)."""
    until: dt.date | None = None
    group: str = ALL_GROUPS


@dataclass(frozen=True)
class EffectivenessInputs:
    """What the database worker loads for one instrument."""

    analysis: InstrumentAnalysis | None
    instruments: tuple[tuple[str, str], ...]
    """Outcome instruments in use: (name, title), the primary first."""
    groups: tuple[str, ...]
    """Client groups present (Client.group_name), sorted; NO_GROUP for clients without one."""
    episode_group: StrArray
    """The client group of each episode, aligned with ``analysis.episodes``."""
    today: dt.date


@dataclass(frozen=True)
class WindowFigures:
    """One window (a quarter or 12 months up to a month): its figures, or none below 10."""

    label: str
    start: dt.date
    end: dt.date
    n: int
    enough: bool
    effect_size: Figure
    saes: Figure
    categories: dict[str, int]
    percent: dict[str, float | None]
    """Category shares and "reliably_improved" in %, None when the window has too few."""


@dataclass(frozen=True)
class Baseline:
    """The therapist's own starting point: the figures over their earliest ended episodes."""

    start: dt.date
    end: dt.date
    n: int
    rule: str
    """"months" (the first 12 months held 10+ episodes) or "episodes" (widened)."""
    description: str
    effect_size: Figure
    saes: Figure
    reliably_improved: Figure


@dataclass(frozen=True)
class Benchmark:
    """A published norm with its source (resources/benchmarks.toml)."""

    key: str
    label: str
    low: float
    high: float
    unit: str
    instruments: tuple[str, ...]
    short_source: str
    sources: tuple[str, ...]
    note: str

    def applies_to(self, instrument: str) -> bool:
        """Whether the norm was collected on ``instrument`` (or on any)."""
        return not self.instruments or instrument in self.instruments


@dataclass(frozen=True)
class EffectivenessView:
    """Everything the Effectiveness screen shows for one query."""

    query: ViewQuery
    instrument: str
    instrument_title: str
    instruments: tuple[tuple[str, str], ...]
    groups: tuple[str, ...]
    since: dt.date | None
    until: dt.date | None
    first_date: dt.date | None
    """Earliest window date among the selected episodes (None when none)."""
    last_date: dt.date | None
    overall: Effectiveness | None
    reference: SaesReference | None
    reference_note: str
    quarters: tuple[WindowFigures, ...]
    baseline: Baseline | None
    baseline_note: str
    benchmarks: tuple[Benchmark, ...]
    message: str = ""
    """Why there is nothing to show (empty database, no outcome scores), else ""."""
    rolling: tuple[WindowFigures, ...] = field(default_factory=tuple)


def load_benchmarks(path: Path | None = None) -> tuple[Benchmark, ...]:
    """Read the benchmarks file (default: the shipped resources/benchmarks.toml)."""
    data = tomllib.loads((path or resource_path("benchmarks.toml")).read_text(encoding="utf-8"))
    return tuple(
        Benchmark(
            key=str(b["key"]),
            label=str(b["label"]),
            low=float(b["low"]),
            high=float(b["high"]),
            unit=str(b["unit"]),
            instruments=tuple(str(i) for i in b.get("instruments", [])),
            short_source=str(b["short_source"]),
            sources=tuple(str(s) for s in b["sources"]),
            note=str(b.get("note", "")),
        )
        for b in data["benchmark"]
    )


def period_bounds(
    period: str, today: dt.date, since: dt.date | None = None, until: dt.date | None = None
) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of a period (None: open-ended)."""
    if period == "all":
        return None, None
    if period == "12m":
        return _add_months(today, -12) + dt.timedelta(days=1), today
    if period == "3y":
        return _add_months(today, -36) + dt.timedelta(days=1), today
    if period == "custom":
        return since, until
    raise ValueError(f"unknown period '{period}' (known: {', '.join(PERIODS)})")


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    # Clamp the day: 31 March minus one month is 28/29 February.
    nxt = dt.date(year + (month == 11), (month + 1) % 12 + 1, 1)
    last = (nxt - dt.timedelta(days=1)).day
    return dt.date(year, month + 1, min(day.day, last))


def _date(value: np.datetime64) -> dt.date:
    return dt.date.fromisoformat(str(value.astype("datetime64[D]")))


def group_of_episodes(session: OrmSession, client_codes: list[str]) -> StrArray:
    """The client group (Client.group_name, NO_GROUP when blank) of each episode's client."""
    groups = {
        code: (name or "").strip() or NO_GROUP
        for code, name in session.execute(select(Client.code, Client.group_name))
    }
    return np.array([groups.get(c, NO_GROUP) for c in client_codes], dtype=str)


def load_inputs(
    session: OrmSession, instrument: str | None = None, today: dt.date | None = None
) -> EffectivenessInputs:
    """Load the analysis of ``instrument`` (default: the primary outcome instrument)."""
    today = today or dt.date.today()
    outcome = [d for d in instruments_in_use(session) if not d.alliance]
    choices = tuple((d.name, d.title) for d in outcome)
    name = instrument or (outcome[0].name if outcome else None)
    if name is None:
        return EffectivenessInputs(None, choices, (), np.array([], dtype=str), today)
    analysis = analyse_instrument(session, name, today=today)
    groups = group_of_episodes(session, analysis.episodes.client_code)
    present = tuple(sorted(set(groups[analysis.measured].tolist())))
    return EffectivenessInputs(analysis, choices, present, groups, today)


def group_mask(inputs: EffectivenessInputs, group: str) -> BoolArray:
    """Measured episodes of the client group (all of them for ALL_GROUPS)."""
    assert inputs.analysis is not None
    mask = inputs.analysis.measured.copy()
    if group != ALL_GROUPS:
        mask &= inputs.episode_group == group
    return mask


def _in_period(dates: DateArray, since: dt.date | None, until: dt.date | None) -> BoolArray:
    ok = ~np.isnat(dates)
    if since is not None:
        ok &= dates >= np.datetime64(since, "D")
    if until is not None:
        ok &= dates <= np.datetime64(until, "D")
    return np.asarray(ok, dtype=bool)


def _window(label: str, start: dt.date, end: dt.date, result: Effectiveness) -> WindowFigures:
    percent: dict[str, float | None] = {
        k: result.percent[k].value for k in ("reliably_improved", *CATEGORIES)
    }
    return WindowFigures(
        label=label,
        start=start,
        end=end,
        n=result.n,
        enough=result.enough,
        effect_size=result.effect_size,
        saes=result.saes,
        categories=dict(result.categories),
        percent=percent,
    )


def _empty_window(label: str, start: dt.date, end: dt.date) -> WindowFigures:
    reason = f"not enough data: 0 episodes, at least {MIN_EPISODES} needed"
    none = Figure(None, None, 0, reason)
    return WindowFigures(
        label, start, end, 0, False, none, none, dict.fromkeys(CATEGORIES, 0),
        dict.fromkeys(("reliably_improved", *CATEGORIES)),
    )  # fmt: skip


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def quarterly_windows(
    inputs: EffectivenessInputs,
    mask: BoolArray,
    since: dt.date | None,
    until: dt.date | None,
    reference: SaesReference | None,
) -> tuple[WindowFigures, ...]:
    """Every calendar quarter overlapping the period, empty ones included (n=0, no figure)."""
    a = inputs.analysis
    assert a is not None
    dates = a.window_date[mask]
    ok = ~np.isnat(dates)
    if not ok.any():
        return ()
    first = _quarter_start(since or _date(dates[ok].min()))
    last = _quarter_start(until or _date(dates[ok].max()))
    lo, hi = np.datetime64(first, "D"), np.datetime64(_add_months(last, 3), "D")
    keep = ok & (dates >= lo) & (dates < hi)
    subset = a.outcomes.subset(mask).subset(keep)
    found = {
        w.label: w
        for w in effectiveness_by_period(subset, dates[keep], a.instrument, "quarter", reference)
    }
    out = []
    q = first
    while q <= last:
        end = _add_months(q, 3) - dt.timedelta(days=1)
        label = str(period_labels(np.array([q], dtype="datetime64[D]"), "quarter")[0])
        w = found.get(label)
        out.append(_window(label, q, end, w.result) if w else _empty_window(label, q, end))
        q = _add_months(q, 3)
    return tuple(out)


def choose_baseline(dates: DateArray) -> tuple[BoolArray, str]:
    """Mask of the baseline episodes among ended episodes dated ``dates``, and the rule used.

    The baseline is the first 12 calendar months of endings (from the month of the
    first ending); when those hold fewer than 10 episodes it widens to the first 10
    episodes by ending date (with every episode ending on the 10th one's date).
    """
    ok = ~np.isnat(dates)
    if ok.sum() < MIN_EPISODES:
        return np.zeros(dates.shape, dtype=bool), "none"
    first_month = dates[ok].min().astype("datetime64[M]")
    limit = (first_month + np.timedelta64(BASELINE_MONTHS, "M")).astype("datetime64[D]")
    mask = ok & (dates < limit)
    if mask.sum() >= MIN_EPISODES:
        return np.asarray(mask, dtype=bool), "months"
    tenth = np.sort(dates[ok])[MIN_EPISODES - 1]
    return np.asarray(ok & (dates <= tenth), dtype=bool), "episodes"


def own_baseline(
    inputs: EffectivenessInputs, mask: BoolArray, reference: SaesReference | None
) -> tuple[Baseline | None, str]:
    """The baseline over the earliest ended episodes of the selection (all time), or why not."""
    a = inputs.analysis
    assert a is not None
    ended = mask & a.closed
    dates = a.window_date[ended]
    chosen, rule = choose_baseline(dates)
    if rule == "none":
        n = int((~np.isnat(dates)).sum())
        return None, f"No baseline yet: {n} ended episodes, at least {MIN_EPISODES} needed."
    result = effectiveness(a.outcomes.subset(ended).subset(chosen), a.instrument, reference)
    start, end = _date(dates[chosen].min()), _date(dates[chosen].max())
    span = f"{start:%b %Y}–{end:%b %Y}"
    if rule == "months":
        text = f"your first 12 months of ended episodes ({span}, n={result.n:,})"
    else:
        text = (
            f"your first {result.n} ended episodes by date ({span}): the first 12 months "
            f"held fewer than {MIN_EPISODES}"
        )
    baseline = Baseline(
        start, end, result.n, rule, text, result.effect_size, result.saes,
        result.percent["reliably_improved"],
    )  # fmt: skip
    return baseline, ""


def compute_summary(inputs: EffectivenessInputs, query: ViewQuery) -> EffectivenessView:
    """Overall figures, quarters, baseline and benchmarks for ``query`` (no rolling windows)."""
    a = inputs.analysis
    since, until = period_bounds(query.period, inputs.today, query.since, query.until)
    benchmarks = load_benchmarks()
    if a is None:
        return EffectivenessView(
            query, "", "", inputs.instruments, inputs.groups, since, until, None, None, None,
            None, "", (), None, "", benchmarks,
            message="No outcome scores yet: effectiveness needs episodes with two or more "
            "measurements on an outcome measure (ORS, PHQ-9...).",
        )  # fmt: skip
    query = replace(query, instrument=a.instrument.name)
    reference = own_reference(a)
    groups = group_mask(inputs, query.group)
    selected = groups & _in_period(a.window_date, since, until)
    overall = effectiveness(a.outcomes.subset(selected), a.instrument, reference)
    dates = a.window_date[selected]
    ok = dates[~np.isnat(dates)]
    baseline, baseline_note = own_baseline(inputs, groups, reference)
    note = (
        f"SAES is computed against your own {reference.n:,} episodes over all time "
        f"(outcome = {reference.a:.2f} + {reference.b:.2f} × intake), so windows and groups "
        "are compared at equal case mix, not with other therapists."
        if reference is not None
        else "No SAES: fewer than 3 measured episodes to fit the reference."
    )
    return EffectivenessView(
        query=query,
        instrument=a.instrument.name,
        instrument_title=a.instrument.title,
        instruments=inputs.instruments,
        groups=inputs.groups,
        since=since,
        until=until,
        first_date=_date(ok.min()) if ok.size else None,
        last_date=_date(ok.max()) if ok.size else None,
        overall=overall,
        reference=reference,
        reference_note=note,
        quarters=quarterly_windows(inputs, groups, since, until, reference),
        baseline=baseline,
        baseline_note=baseline_note,
        benchmarks=tuple(b for b in benchmarks if b.applies_to(a.instrument.name)),
    )


def compute_rolling(inputs: EffectivenessInputs, query: ViewQuery) -> tuple[WindowFigures, ...]:
    """One window per month of the period: the 12 months up to and including that month.

    Only months with 12 months of history behind them (from the first month of the
    therapist's data) get a window, so every point of the line covers a full year.
    """
    a = inputs.analysis
    if a is None:
        return ()
    since, until = period_bounds(query.period, inputs.today, query.since, query.until)
    mask = group_mask(inputs, query.group)
    history = a.window_date[a.measured]
    history = history[~np.isnat(history)]
    dates = a.window_date[mask]
    month = np.asarray(dates, dtype="datetime64[D]").astype("datetime64[M]")
    ok = ~np.isnat(month)
    if not history.size or not ok.any():
        return ()
    start = history.min().astype("datetime64[M]") + np.timedelta64(ROLLING_MONTHS - 1, "M")
    stop = month[ok].max()
    if since is not None:
        start = max(start, np.datetime64(since, "M"))
    if until is not None:
        stop = min(stop, np.datetime64(until, "M"))
    subset = a.outcomes.subset(mask)
    reference = own_reference(a)
    out = []
    m = start
    while m <= stop:
        lo = m - np.timedelta64(ROLLING_MONTHS - 1, "M")
        inside = ok & (month >= lo) & (month <= m)
        result = effectiveness(subset.subset(inside), a.instrument, reference)
        end = _date((m + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D"))
        out.append(_window(str(m), _date(lo.astype("datetime64[D]")), end, result))
        m = m + np.timedelta64(1, "M")
    return tuple(out)


def effectiveness_view(
    session: OrmSession, query: ViewQuery | None = None, today: dt.date | None = None
) -> EffectivenessView:
    """Load and compute the whole screen's data in one go (CLI, tests, benchmarks)."""
    query = query or ViewQuery()
    inputs = load_inputs(session, query.instrument, today)
    view = compute_summary(inputs, query)
    return replace(view, rolling=compute_rolling(inputs, view.query))


def load_effectiveness(session: OrmSession) -> EffectivenessView:
    """The registry's loader: the default view (primary instrument, all time, all groups)."""
    return effectiveness_view(session)


def figure_text(fig: Figure, digits: int = 2, unit: str = "") -> str:
    """'0.85' or 'n=6, not enough data'."""
    if fig.value is None:
        return f"n={fig.n}, not enough data"
    return f"{fig.value:.{digits}f}{unit}"


def ci_text(fig: Figure, digits: int = 2, unit: str = "") -> str:
    """'95% CI 0.71–0.99' or ''."""
    if fig.ci is None:
        return ""
    return f"95% CI {fig.ci[0]:.{digits}f}–{fig.ci[1]:.{digits}f}{unit}"


def describe_span(view: EffectivenessView) -> str:
    """'ended Jan 2024–Nov 2026' for the selected episodes ('' when none)."""
    if view.first_date is None or view.last_date is None:
        return ""
    return f"ended {view.first_date:%b %Y}–{view.last_date:%b %Y}"


def summary_json(view: EffectivenessView) -> dict[str, Any]:
    """A compact, JSON-ready digest of the view (for benchmarks and debugging)."""
    overall = view.overall
    return {
        "instrument": view.instrument,
        "n": overall.n if overall else 0,
        "effect_size": overall.effect_size.value if overall else None,
        "saes": overall.saes.value if overall else None,
        "quarters": [(w.label, w.n, w.effect_size.value) for w in view.quarters],
        "rolling": len(view.rolling),
        "baseline": view.baseline.description if view.baseline else view.baseline_note,
    }
