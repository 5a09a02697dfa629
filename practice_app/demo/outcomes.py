"""Generate the demo clients and episodes: ORS and SRS at every session.

The shapes follow science.md: typical adult intake ORS 16-19 (some non-clinical),
most change early (score = intake + b x ln(session)), about 60% reliably improved,
about 8% deteriorated, dropouts mostly after a low early SRS, a few planted sudden
gains and losses (Tang & DeRubeis 1999 criteria), and one hidden recurring pattern:
clients referred by an employer are far more often not on track, before and within
the last 12 months. A full-time caseload (about 270 episodes in three years). Two
links give the Practice screen's results tabs something to find: the speed of change
follows the practice of the months the episode ran (demo.skill), and outcomes worsen
when the week holds more sessions than the therapist's typical week (heavy periods)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from practice_app.demo import texts
from practice_app.demo.calendar import (
    DAY,
    WEEK,
    draw,
    in_windows,
    is_holiday,
    is_workday,
    monday,
    to_workday,
)
from practice_app.demo.model import DemoClient, DemoEpisode, DemoScore, DemoSession

Windows = tuple[tuple[dt.date, dt.date], ...]

ORS_RC = 5.0
"""ORS reliable change in points (PCOMS; Jacobson-Truax with SD 6.8, alpha .93)."""
T_CRIT_DF4 = 2.776
"""Two-sided 5% t for 4 df: Tang & DeRubeis criterion 3 with both windows full."""

N_MAIN_EPISODES = 262
N_RETURNING = 10
SKILL_DELAY = dt.timedelta(days=56)
"""Skill is taken a month into the episode, where most of the change happens."""
OBJECTIVE_DAYS = 110
"""The current objective (employer-referred clients' own goals) began this many days ago."""
HEAVY_INTAKE = 2.2
"""Intake in a heavy period, relative to the usual rate."""
LOAD_KNEE = 3.0
"""Outcomes suffer once the week holds more than LOAD_KNEE sessions above the typical week."""
LOAD_SLOPE = 0.06
LOAD_STALL = 0.06
"""Per session a week above the knee, early change shrinks by LOAD_SLOPE and LOAD_STALL
more of the clients who would have responded stay flat."""
EMPLOYER_SHARE = 0.32
OTHER_REFERRALS = (("GP", 0.36), ("Self", 0.34), ("Insurance", 0.20), ("Court", 0.10))
GENDERS = (("Female", 0.60), ("Male", 0.37), ("Non-binary", 0.03))
AGE_GROUPS = (("18-25", 0.20), ("26-40", 0.40), ("41-60", 0.30), ("60+", 0.10))
GROUPS = (("Individual", 0.75), ("Couples", 0.15), ("Group", 0.10))
CONCERNS = ("anxiety", "depression", "trauma", "relationship", "work stress", "grief")
MODALITIES = (("In person", 0.6), ("Video", 0.4))
EARLY_GAPS = ((7, 0.82), (14, 0.14), (21, 0.03), (28, 0.01))
LATE_GAPS = ((7, 0.5), (14, 0.4), (21, 0.07), (28, 0.03))
"""Days between sessions: weekly at first, then weekly or fortnightly, some longer gaps."""
ORS_ITEMS = 4
SRS_ITEMS = 4


@dataclass(frozen=True)
class _Plan:
    kind: str
    length: int
    dropout: bool
    low_alliance: bool
    heavy: bool
    intake: float
    reason: str
    skill: float = 1.0
    """Multiplier of the early-change slope: follows the preceding months' practice."""
    load: float = 1.0
    """Multiplier of the early-change slope for the weekly load while the episode ran."""


def _pick(rng: np.random.Generator, table: tuple[tuple[str, float], ...]) -> str:
    return draw(rng, table)


def heavy_windows(rng: np.random.Generator, first: dt.date, today: dt.date) -> Windows:
    """Three ten-week stretches in which the therapist took on many more clients.

    Each is moved by whole weeks to the nearest place clear of the holidays, so that
    every heavy stretch is ten full working weeks.
    """
    span = (today - first).days
    windows = []
    for fraction in (0.25, 0.52, 0.75):
        start = first + dt.timedelta(days=int(span * fraction + rng.integers(-30, 31)))
        shifts = sorted(range(-20, 21), key=abs)
        start = next(
            (
                start + k * WEEK
                for k in shifts
                if not any(is_holiday(start + k * WEEK + i * DAY) for i in range(71))
            ),
            start,
        )
        windows.append((start, start + dt.timedelta(days=70)))
    return tuple(windows)


def _start_dates(
    rng: np.random.Generator, first: dt.date, today: dt.date, heavy: Windows, n: int
) -> list[dt.date]:
    # A full-time caseload from the start (the clients already in care when the record
    # begins come in as a burst of intakes), a slow rise, and double intake in heavy periods.
    span = (today - first).days
    days = [first + dt.timedelta(days=i) for i in range(span)]
    weights = np.array(
        [
            (0.95 + 0.1 * i / span)
            * (1.0 + 1.5 * math.exp(-i / 45))
            * (HEAVY_INTAKE if in_windows(d, heavy) else 1.0)
            * is_workday(d)
            for i, d in enumerate(days)
        ]
    )
    # Stratified draws: a full practice fills the slots that free up, so intakes follow
    # the planned rate closely instead of bunching by chance as independent draws would.
    cdf = np.cumsum(weights) / weights.sum()
    picks = np.searchsorted(cdf, (np.arange(n) + rng.random(n)) / n, side="right")
    return [days[int(i)] for i in picks]


def _clients(rng: np.random.Generator, starts: list[dt.date], today: dt.date) -> list[DemoClient]:
    # Referral sources by quota within each period, so the planted employer pattern has
    # enough episodes both in the last 12 months and before; everything else is random.
    recent = [i for i, s in enumerate(starts) if s > today - dt.timedelta(days=365)]
    earlier = [i for i, s in enumerate(starts) if s <= today - dt.timedelta(days=365)]
    employer: set[int] = set()
    for group in (recent, earlier):
        k = max(16, round(EMPLOYER_SHARE * len(group)))
        employer.update(int(i) for i in rng.choice(group, size=min(k, len(group)), replace=False))
    clients = []
    for i in range(len(starts)):
        n_concerns = 1 if rng.random() < 0.6 else 2
        concerns = rng.choice(len(CONCERNS), size=n_concerns, replace=False)
        clients.append(
            DemoClient(
                key=i + 1,
                code=f"C{i + 1:04d}",
                gender=_pick(rng, GENDERS),
                age_group=_pick(rng, AGE_GROUPS),
                group_name=_pick(rng, GROUPS),
                referral_source="Employer" if i in employer else _pick(rng, OTHER_REFERRALS),
                presenting_concerns=", ".join(CONCERNS[int(c)] for c in sorted(concerns)),
                attributes={"Modality": _pick(rng, MODALITIES)},
            )
        )
    return clients


def _plan(
    rng: np.random.Generator, client: DemoClient, heavy: bool, skill: float, goals: bool = False
) -> _Plan:
    """Plan one episode; ``skill`` is the therapist's skill at its start (about 0.8-1.3).

    ``goals``: started under the current objective (agree the client's own goals with
    employer-referred clients), which halves the employer clients' disadvantage.
    """
    employer = client.referral_source == "Employer"
    if rng.random() < 0.14:
        intake = min(35.0, max(25.5, rng.normal(28.5, 2.5)))
    else:
        intake = min(24.5, max(3.0, rng.normal(17.0, 5.5)))
    p_resp, p_det = ((0.5 if goals else 0.24), 0.12) if employer else (0.88, 0.05)
    # Practice shows in who responds at all, not only in how fast (Chow et al. 2015).
    p_resp = min(0.95, p_resp + 0.5 * (skill - 1.0))
    if intake >= 25:
        p_resp *= 0.8
    u = rng.random()
    kind = "responder" if u < p_resp else "deteriorating" if u < p_resp + p_det else "flat"
    if kind == "responder":
        length = 4 + int(rng.poisson(6)) + (int(rng.poisson(8)) if rng.random() < 0.15 else 0)
        reason = _pick(
            rng, (("planned", 0.86), ("other", 0.08), ("referred", 0.03), ("stopped", 0.03))
        )
    elif kind == "flat":
        # Feedback-informed: a stuck episode is talked about and mostly ended or referred
        # on within a few months, so few linger on the caseload for long.
        length = 6 + int(rng.poisson(3)) + (int(rng.poisson(7)) if rng.random() < 0.12 else 0)
        table = (
            (("referred", 0.4), ("planned", 0.3), ("stopped", 0.2), ("other", 0.1))
            if length >= 10
            else (("planned", 0.45), ("stopped", 0.35), ("other", 0.1), ("referred", 0.1))
        )
        reason = _pick(rng, table)
    else:
        length = 4 + int(rng.poisson(4))
        reason = _pick(
            rng, (("referred", 0.45), ("stopped", 0.3), ("other", 0.15), ("planned", 0.1))
        )
    low_alliance = rng.random() < 0.17
    dropout = rng.random() < (0.55 if low_alliance else 0.10)
    if dropout:
        length = int(rng.integers(1, 4 if low_alliance else 5))
        reason = "stopped"
    length = int(np.clip(length, 1, 25))
    return _Plan(kind, length, dropout, low_alliance, heavy, intake, reason, skill)


def _schedule(rng: np.random.Generator, start: dt.date, length: int) -> list[dt.date]:
    dates = [start]
    for n in range(2, length + 1):
        gap = draw(rng, EARLY_GAPS if n <= 4 else LATE_GAPS)
        if rng.random() < 0.2:
            gap += int(rng.integers(-1, 2))
        nxt = to_workday(dates[-1] + dt.timedelta(days=gap))
        dates.append(max(nxt, dates[-1] + DAY))
    return dates


def _ors_means(rng: np.random.Generator, plan: _Plan, length: int) -> tuple[np.ndarray, int]:
    n = np.arange(1, length + 1, dtype=float)
    intake = plan.intake
    room = min(1.0, (40.0 - intake) / 21.0)
    jump_at = 0
    if plan.kind == "responder":
        b = max(3.0, rng.normal(6.0, 1.3)) * room * plan.skill * plan.load
        mu = intake + b * np.log(n)
    elif plan.kind == "flat":
        mu = intake + rng.normal(0.3, 0.7) * np.log(n)
    elif plan.kind == "deteriorating":
        mu = intake + min(-2.2, rng.normal(-3.4, 0.8)) * np.log(n)
    else:
        # Sudden gain or loss: stable, one large step at session jump_at, stable after.
        jump_at = int(rng.integers(4, length - 1))
        step = rng.uniform(8.0, 10.0) if plan.kind == "sudden-gain" else -rng.uniform(7.5, 9.5)
        mu = intake + 0.3 * np.log(n) + np.where(n >= jump_at, step, 0.0)
    return np.clip(mu, 1.5, 38.5), jump_at


def item_scores(
    rng: np.random.Generator, totals: np.ndarray, offsets: np.ndarray, sd: float
) -> list[DemoScore]:
    """Split each total into items (one decimal, 0-10) around total/4; re-sum the items."""
    count = len(offsets)
    noise = rng.normal(0.0, sd, (len(totals), count))
    spread = offsets + noise
    raw = totals[:, None] / count + spread - spread.mean(axis=1, keepdims=True)
    rows = np.round(np.clip(raw, 0.0, 10.0), 1).tolist()
    return [
        DemoScore(total=round(sum(row), 1), items=tuple(round(v, 1) for v in row)) for row in rows
    ]


def sudden_change(totals: list[float], k: int, sign: int, scale_max: float = 40.0) -> bool:
    """Tang & DeRubeis criteria between sessions k-1 and k (1-based), full windows only.

    ``sign`` +1 tests a gain, -1 a loss. Criterion 2 for a higher-is-better scale uses
    the room left in the direction of change (science.md section 4).
    """
    if k < 4 or k + 2 > len(totals):
        return False
    pre, post = totals[k - 2], totals[k - 1]
    d = sign * (post - pre)
    room = scale_max - pre if sign > 0 else pre
    before, after = np.array(totals[k - 4 : k - 1]), np.array(totals[k - 1 : k + 2])
    pooled = math.sqrt((2 * before.var(ddof=1) + 2 * after.var(ddof=1)) / 4)
    shift = sign * (after.mean() - before.mean())
    return d >= ORS_RC and d >= 0.25 * room and shift > T_CRIT_DF4 * pooled


def _ors(rng: np.random.Generator, plan: _Plan, length: int) -> list[DemoScore]:
    offsets = rng.normal(0.0, 0.8, ORS_ITEMS)
    sudden = plan.kind in ("sudden-gain", "sudden-loss")
    for _attempt in range(50):
        mu, jump_at = _ors_means(rng, plan, length)
        noise = np.zeros(length)
        sd = 0.6 if sudden else 1.3
        for i in range(1, length):
            noise[i] = 0.3 * noise[i - 1] + rng.normal(0.0, sd)
        scores = item_scores(rng, np.clip(mu + noise, 0.4, 39.6), offsets, 0.45)
        sign = 1 if plan.kind == "sudden-gain" else -1
        if not sudden or sudden_change([s.total for s in scores], jump_at, sign):
            return scores
    return scores


def _srs(rng: np.random.Generator, plan: _Plan, length: int) -> list[DemoScore]:
    base = min(39.6, rng.normal(38.0, 0.9)) - (0.6 if plan.kind != "responder" else 0.0)
    offsets = rng.normal(0.0, 0.2, SRS_ITEMS)
    n = np.arange(1, length + 1, dtype=float)
    noise = rng.normal(0.0, 0.5, length)
    if plan.low_alliance:
        # Low at sessions 1-2, then recovering towards the client's usual level.
        totals = base - (base - 33.0) * np.exp(-(n - 2) / 1.5) + noise
        totals[:2] = np.clip(rng.normal(32.5, 1.8, 2), 24.0, 35.2)[: min(2, length)]
    else:
        dips = (n >= 3) & (rng.random(length) < 0.04)
        totals = np.minimum(39.7, base + 0.2 * np.log(n)) + noise - 2.5 * dips
    return item_scores(rng, np.clip(totals, 0.0, 40.0), offsets, 0.3)


def _note(rng: np.random.Generator, plan: _Plan, n: int, length: int, srs: float) -> str | None:
    def choose(options: tuple[str, ...]) -> str:
        return options[int(rng.integers(len(options)))]

    if n == 1:
        return choose(texts.INTAKE_NOTES) if rng.random() < 0.25 else None
    if srs < 36 and rng.random() < 0.5:
        return choose(texts.LOW_SRS_NOTES)
    if n == length and plan.reason == "planned" and rng.random() < 0.3:
        return choose(texts.ENDING_NOTES)
    return choose(texts.SESSION_NOTES) if rng.random() < 0.06 else None


def _episode(
    rng: np.random.Generator,
    key: int,
    client: DemoClient,
    plan: _Plan,
    planned_dates: list[dt.date],
    today: dt.date,
) -> DemoEpisode:
    dates = [d for d in planned_dates if d <= today]
    ors, srs = _ors(rng, plan, plan.length), _srs(rng, plan, plan.length)
    sessions = []
    jump = _jump_session(ors, plan)
    for i, date in enumerate(dates):
        n = i + 1
        note = _note(rng, plan, n, plan.length, srs[i].total)
        if n == jump:
            note = texts.GAIN_NOTES[0] if plan.kind == "sudden-gain" else texts.LOSS_NOTES[0]
        sessions.append(DemoSession(n, date, {"ORS": ors[i], "SRS": srs[i]}, note))
    # Open when sessions are still to come, or when a client stopped coming only
    # recently (the therapist does not know yet); closed episodes carry a reason.
    is_open = len(dates) < plan.length or (
        plan.reason == "stopped" and dates[-1] > today - dt.timedelta(days=21)
    )
    return DemoEpisode(
        key=key,
        client_key=client.key,
        external_id=f"E{key:04d}",
        start_date=dates[0],
        end_date=None if is_open else dates[-1],
        ending_reason=None if is_open else plan.reason,
        sessions=tuple(sessions),
        kind=plan.kind,
        dropout=plan.dropout,
        early_low_alliance=plan.low_alliance,
        heavy_load=plan.heavy,
    )


def _jump_session(scores: list[DemoScore], plan: _Plan) -> int:
    if plan.kind not in ("sudden-gain", "sudden-loss"):
        return 0
    sign = 1 if plan.kind == "sudden-gain" else -1
    totals = [s.total for s in scores]
    return next((k for k in range(4, len(totals) - 1) if sudden_change(totals, k, sign)), 0)


def _plant_sudden(
    rng: np.random.Generator, plans: list[_Plan], starts: list[dt.date], today: dt.date
) -> list[_Plan]:
    # Only episodes long enough to be finished before today get a planted sudden change,
    # so the step and both windows around it exist.
    def eligible(i: int, kinds: tuple[str, ...]) -> bool:
        p = plans[i]
        return (
            p.kind in kinds
            and not p.dropout
            and p.length >= 8
            and starts[i] + dt.timedelta(days=14 * p.length) < today
        )

    result = list(plans)
    gains = [i for i in range(len(plans)) if eligible(i, ("responder",))]
    losses = [i for i in range(len(plans)) if eligible(i, ("flat", "deteriorating"))]
    for i in rng.choice(gains, size=min(5, len(gains)), replace=False):
        result[int(i)] = replace(
            plans[int(i)], kind="sudden-gain", intake=min(plans[int(i)].intake, 22.0)
        )
    for i in rng.choice(losses, size=min(3, len(losses)), replace=False):
        result[int(i)] = replace(
            plans[int(i)], kind="sudden-loss", intake=max(plans[int(i)].intake, 14.0)
        )
    return result


def episode_loads(schedules: list[list[dt.date]], today: dt.date) -> tuple[np.ndarray, float]:
    """Each episode's mean sessions per working week from its first to its last session,
    and the typical (median) working week.

    The app's definition (analysis.practice_results.episode_load): all sessions of the
    week count, and weeks without any session (holidays) are left out.
    """
    held = [[d for d in dates if d <= today] for dates in schedules]
    weeks = Counter(monday(d) for dates in held for d in dates)
    if not weeks:
        return np.zeros(len(schedules)), 0.0
    base = min(weeks)
    n_weeks = (max(weeks) - base).days // 7 + 1
    counts = np.zeros(n_weeks)
    for w, c in weeks.items():
        counts[(w - base).days // 7] = c
    sessions = np.concatenate([[0.0], np.cumsum(counts)])
    working = np.concatenate([[0.0], np.cumsum(counts > 0)])
    out = np.zeros(len(schedules))
    for i, dates in enumerate(held):
        a, b = (monday(dates[0]) - base).days // 7, (monday(dates[-1]) - base).days // 7
        out[i] = (sessions[b + 1] - sessions[a]) / max(1.0, working[b + 1] - working[a])
    return out, float(np.median(counts[counts > 0]))


def _strained(
    rng: np.random.Generator, plan: _Plan, load: float, knee: float, skill: float
) -> _Plan:
    """The plan under the weekly load and the skill of the months the episode ran.

    Above ``knee`` sessions a week early change shrinks and some clients who would
    have responded do not; the speed of change follows the practice done meanwhile.
    """
    excess = max(0.0, load - knee)
    factor = max(0.55, 1.0 - LOAD_SLOPE * excess)
    kind = plan.kind
    if kind == "responder" and rng.random() < min(0.4, LOAD_STALL * excess):
        kind = "flat"
    return replace(plan, kind=kind, load=factor, skill=skill)


def generate_outcomes(
    rng: np.random.Generator,
    first: dt.date,
    today: dt.date,
    heavy: Windows,
    skill_at: Callable[[dt.date, dt.date | None], float],
) -> tuple[list[DemoClient], list[DemoEpisode]]:
    """Generate the clients and their episodes between ``first`` and ``today``."""
    starts = _start_dates(rng, first, today, heavy, N_MAIN_EPISODES)
    clients = _clients(rng, starts, today)
    goals_from = today - dt.timedelta(days=OBJECTIVE_DAYS)
    plans = [
        _plan(rng, c, in_windows(s, heavy), skill_at(s + SKILL_DELAY, None), s >= goals_from)
        for c, s in zip(clients, starts, strict=True)
    ]
    plans = _plant_sudden(rng, plans, starts, today)
    schedules = [_schedule(rng, s, p.length) for s, p in zip(starts, plans, strict=True)]
    owners = list(range(len(plans)))
    # A few clients come back for a second episode months after a planned ending.
    candidates = [
        i
        for i, p in enumerate(plans)
        if p.reason == "planned" and schedules[i][-1] < today - dt.timedelta(days=300)
    ]
    chosen = rng.choice(len(candidates), size=min(N_RETURNING, len(candidates)), replace=False)
    for j in sorted(int(c) for c in chosen):
        i = candidates[j]
        start = to_workday(schedules[i][-1] + dt.timedelta(days=int(rng.integers(90, 240))))
        if start > today:
            continue
        plans.append(
            _plan(rng, clients[i], in_windows(start, heavy), skill_at(start + SKILL_DELAY, None))
        )
        schedules.append(_schedule(rng, start, plans[-1].length))
        owners.append(i)
    # Outcomes follow the load the therapist actually carried while each episode ran.
    loads, typical = episode_loads(schedules, today)
    knee = typical + LOAD_KNEE
    episodes = [
        _episode(
            rng, k + 1, clients[owners[k]],
            _strained(rng, p, float(loads[k]), knee, skill_at(min(dates[-1], today), dates[0])),
            dates, today,
        )
        for k, (p, dates) in enumerate(zip(plans, schedules, strict=True))
    ]  # fmt: skip
    return clients, episodes


def starter_red(totals: list[float]) -> bool:
    """Red at some measurement by the starter rules (science.md section 3), ORS."""
    intake = totals[0] if totals else 0.0
    return any(
        t - intake <= -ORS_RC or (n >= 6 and t - intake < ORS_RC)
        for n, t in enumerate(totals, start=1)
        if n >= 2
    )
