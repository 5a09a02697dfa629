"""Learning from clients over the stored data: patterns, the SRS-item finding, the bunt list.

``load_pattern_report(session, ...) -> PatternReport`` loads one outcome instrument's
analysis (and the alliance instrument's, SRS when in use), builds the flags and
candidate features of science.md section 7 and runs every test
(``analysis.patterns``). ``load_bunt_list`` gives only the "sacrifice bunt" list, for
the weekly review. ``sentence(row)`` (also ``PatternReport.sentence``) says one
pattern in plain words (``services.pattern_text``). No Qt here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from practice_app.analysis import pattern_features as pf
from practice_app.analysis.bunt import BUNT_MIN_RED, bunt_rows, red_counts
from practice_app.analysis.categories import DETERIORATED, HARMED, clinical_mask
from practice_app.analysis.instruments import InstrumentDef
from practice_app.analysis.patterns import (
    FLAGS,
    MIN_SUPPORT,
    Feature,
    Flag,
    SrsItemFinding,
    find_patterns,
    srs_item_finding,
)
from practice_app.analysis.scores import BoolArray, FloatArray
from practice_app.errors import UserError
from practice_app.services.pattern_text import sentence as _sentence

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as OrmSession

    from practice_app.services.outcomes import InstrumentAnalysis

__all__ = [
    "FLAGS",
    "BuntRow",
    "FlagSummary",
    "PatternReport",
    "PatternRow",
    "SrsItemFinding",
    "load_bunt_list",
    "load_pattern_report",
    "sentence",
]

RECENT_DAYS = 365
"""The "last 12 months" of recurring patterns, counted back from today."""
FIXED_ATTRIBUTES = ("gender", "age group", "group", "referral source")


@dataclass(frozen=True)
class PatternRow:
    """One flag x feature value test, with the episodes behind it for drill-down."""

    flag: str
    feature: str
    value: str
    n_with: int
    n_without: int
    rate_with: float
    rate_without: float
    risk_ratio: float
    ci: tuple[float, float]
    p: float
    q: float
    status: str
    """"pattern" (q < 0.10), "emerging" (p < 0.05 only) or "" (neither)."""
    recurring: bool
    episode_ids: tuple[int, ...]
    """The episodes with this feature value (the n_with episodes)."""
    events_with: int
    flagged_ids: tuple[int, ...] = ()
    """Those of ``episode_ids`` that carry the flag."""
    events_without: int = 0

    def json(self) -> dict[str, Any]:
        """The row as ``patterns --json`` prints it."""
        return {
            "flag": self.flag,
            "feature": self.feature,
            "value": self.value,
            "n_with": self.n_with,
            "n_without": self.n_without,
            "rate_with": round(self.rate_with, 4),
            "rate_without": round(self.rate_without, 4),
            "risk_ratio": round(self.risk_ratio, 3),
            "ci": [round(self.ci[0], 3), round(self.ci[1], 3)],
            "p": self.p,
            "q": self.q,
            "status": self.status or None,
            "recurring": self.recurring,
        }


@dataclass(frozen=True)
class BuntRow:
    """An open episode red at 4+ measurements with a good alliance: time to talk."""

    client: str
    episode_id: int
    external_id: str | None
    red_measurements: int
    alliance_mean: float | None
    alliance_last: float | None
    sessions: int
    last_date: dt.date | None
    measurements: int = 0
    intake: float | None = None
    latest: float | None = None


@dataclass(frozen=True)
class FlagSummary:
    """How often a flag occurs among the episodes where it is known."""

    flag: str
    events: int
    n: int


@dataclass(frozen=True)
class PatternReport:
    """Everything the Learning screen and the ``patterns`` command show."""

    instrument: str
    alliance_instrument: str | None
    patterns: tuple[PatternRow, ...]
    """Every test run, patterns first, then emerging, then the rest (by q, then p)."""
    srs_item: SrsItemFinding | None
    bunt: tuple[BuntRow, ...]
    n_episodes: int
    """Episodes with two or more measurements on the instrument (since ``since``)."""
    n_tests: int = 0
    flags: tuple[FlagSummary, ...] = ()
    since: dt.date | None = None
    today: dt.date = field(default_factory=dt.date.today)
    min_support: int = MIN_SUPPORT

    @property
    def shown(self) -> tuple[PatternRow, ...]:
        """The rows with a status: patterns and emerging ones."""
        return tuple(r for r in self.patterns if r.status)

    def sentence(self, row: PatternRow) -> str:
        """The plain sentence for ``row`` on this report's instruments."""
        return _sentence(
            row,
            instrument=self.instrument,
            alliance=self.alliance_instrument,
            n_tests=self.n_tests,
        )


def sentence(row: PatternRow, instrument: str = "ORS", n_tests: int | None = None) -> str:
    """The plain sentence for one pattern row."""
    return _sentence(row, instrument=instrument, alliance="SRS", n_tests=n_tests)


def _outcome_instrument(session: OrmSession, name: str) -> InstrumentDef:
    from practice_app.services.outcomes import find_instrument
    from practice_app.storage.instruments import load_instruments

    instrument = find_instrument(load_instruments(session), name)
    if instrument.alliance or instrument.reliable_change is None:
        what = "is an alliance measure" if instrument.alliance else "has no reliable change"
        raise UserError(
            f"{instrument.name} {what}; patterns need an outcome instrument such as ORS"
        )
    return instrument


def _alliance_instrument(session: OrmSession) -> InstrumentDef | None:
    from practice_app.services.clients import instruments_in_use

    return next((d for d in instruments_in_use(session) if d.alliance), None)


@dataclass(frozen=True)
class _Loaded:
    outcome: InstrumentAnalysis
    alliance: InstrumentAnalysis | None


def _load(
    session: OrmSession, instrument: str, therapist_code: str | None, today: dt.date
) -> _Loaded:
    from practice_app.services.outcomes import analyse_instrument

    outcome_def = _outcome_instrument(session, instrument)
    outcome = analyse_instrument(
        session, outcome_def.name, therapist_code=therapist_code, today=today
    )
    ally_def = _alliance_instrument(session)
    alliance = (
        analyse_instrument(session, ally_def.name, therapist_code=therapist_code, today=today)
        if ally_def is not None
        else None
    )
    return _Loaded(outcome, alliance)


def _alliance_latest_mean(
    alliance: InstrumentAnalysis | None, n: int
) -> tuple[FloatArray, FloatArray]:
    if alliance is None:
        return np.full(n, np.nan), np.full(n, np.nan)
    m = alliance.matrix
    with np.errstate(invalid="ignore"):
        mean = np.where(m.counts > 0, np.nansum(m.scores, axis=1) / np.maximum(m.counts, 1), np.nan)
    return m.latest, np.asarray(mean, dtype=np.float64)


def _bunt(loaded: _Loaded) -> tuple[BuntRow, ...]:
    a = loaded.outcome
    eps = a.episodes
    latest, mean = _alliance_latest_mean(loaded.alliance, eps.id.size)
    good = ~np.isnan(latest)
    if loaded.alliance is not None:
        good &= ~clinical_mask(latest, loaded.alliance.instrument)
    rows = bunt_rows(a.summaries.per_measurement, good, ~a.closed, BUNT_MIN_RED)
    reds = red_counts(a.summaries.per_measurement)

    def num(x: float) -> float | None:
        return None if np.isnan(x) else round(float(x), 1)

    out = [
        BuntRow(
            client=eps.client_code[e],
            episode_id=int(eps.id[e]),
            external_id=eps.external_id[e],
            red_measurements=int(reds[e]),
            alliance_mean=num(mean[e]),
            alliance_last=num(latest[e]),
            sessions=int(eps.sessions[e]),
            last_date=None
            if np.isnat(eps.last_session_date[e])
            else eps.last_session_date[e].astype(dt.date),
            measurements=int(a.matrix.counts[e]),
            intake=num(a.summaries.intake[e]),
            latest=num(a.summaries.latest[e]),
        )
        for e in rows.tolist()
    ]
    # Longest red run first: the most pressing conversations lead.
    return tuple(sorted(out, key=lambda r: (-r.red_measurements, r.client)))


def load_bunt_list(
    session: OrmSession,
    *,
    instrument: str = "ORS",
    today: dt.date | None = None,
    therapist_code: str | None = None,
) -> tuple[BuntRow, ...]:
    """Open episodes red at 4+ measurements whose latest alliance is at or above cutoff."""
    return _bunt(_load(session, instrument, therapist_code, today or dt.date.today()))


def _item_means(
    session: OrmSession, alliance: InstrumentAnalysis
) -> tuple[FloatArray, tuple[str, ...]]:
    """Each episode's mean of every alliance item over its scored sessions (NaN: none)."""
    from sqlalchemy import String, select, type_coerce

    from practice_app.analysis.scores import episode_index
    from practice_app.storage.models import Instrument, Score
    from practice_app.storage.models import Session as SessionRow

    items = alliance.instrument.items
    n, k = alliance.episodes.id.size, len(items)
    if k == 0:
        return np.full((n, 0), np.nan), items
    stmt = (
        # The JSON as text, parsed below in one call: per-row decoding is most of the time.
        select(SessionRow.episode_id, type_coerce(Score.items, String))
        .join(Score, Score.session_id == SessionRow.id)
        .join(Instrument, Instrument.id == Score.instrument_id)
        .where(Instrument.name == alliance.instrument.name, Score.items.is_not(None))
    )
    rows_found = session.execute(stmt).all()
    ids = np.array([r[0] for r in rows_found], dtype=np.int64)
    texts = [r[1] if isinstance(r[1], str) else json.dumps(r[1]) for r in rows_found]
    parsed = json.loads("[" + ",".join(t or "null" for t in texts) + "]")
    fits = np.array([isinstance(v, list) and len(v) == k for v in parsed], dtype=bool)
    # None items become NaN in a float array.
    vals = np.array([v for v, ok in zip(parsed, fits, strict=True) if ok], dtype=np.float64)
    vals = vals.reshape(-1, k)
    rows = episode_index(ids[fits], alliance.episodes.id)
    ok = rows >= 0
    rows, vals = rows[ok], vals[ok]
    sums = np.zeros((n, k))
    counts = np.zeros((n, k))
    np.add.at(sums, rows, np.nan_to_num(vals))
    np.add.at(counts, rows, ~np.isnan(vals))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan), items


def _session_dates(session: OrmSession, episode_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every session's episode row and date, for the given episodes."""
    from sqlalchemy import String, select, type_coerce

    from practice_app.analysis.scores import episode_index
    from practice_app.storage.analysis_data import to_dates
    from practice_app.storage.models import Session as SessionRow

    rows = session.execute(
        select(SessionRow.episode_id, type_coerce(SessionRow.date, String))
    ).all()
    if not rows:
        return np.empty(0, np.int64), np.empty(0, "datetime64[D]")
    ids, dates = zip(*rows, strict=True)
    idx = episode_index(np.array(ids, dtype=np.int64), episode_ids)
    d = to_dates(list(dates))
    keep = idx >= 0
    return idx[keep], d[keep]


def _features(
    session: OrmSession, loaded: _Loaded
) -> tuple[list[Feature], np.ndarray | None, tuple[str, ...]]:
    """The candidate features, and the lowest-item codes (for the SRS-item finding)."""
    from practice_app.storage.analysis_data import load_client_attributes

    a = loaded.outcome
    eps = a.episodes
    attrs = load_client_attributes(session)
    per_episode = [attrs.get(code, {}) for code in eps.client_code]
    features: list[Feature] = [
        pf.categorical(name, [d.get(name) for d in per_episode]) for name in FIXED_ATTRIBUTES
    ]
    features.append(
        pf.multi_valued("presenting concerns", [d.get("presenting concerns") for d in per_episode])
    )
    fixed = set(FIXED_ATTRIBUTES) | {"presenting concerns"}
    custom = sorted({k for d in per_episode for k in d if k not in fixed}, key=str.casefold)
    features += [pf.categorical(name, [d.get(name) for d in per_episode]) for name in custom]
    severity = pf.severity_bands(a.summaries.intake, a.instrument)
    if severity is not None:
        features.append(severity)
    codes: np.ndarray | None = None
    items: tuple[str, ...] = ()
    if loaded.alliance is not None:
        ally = loaded.alliance
        features.append(pf.early_low_alliance(ally.matrix.by_session(), ally.instrument))
        means, items = _item_means(session, ally)
        if items:
            codes = pf.lowest_items(means)
            features.append(pf.lowest_item(codes, items, ally.instrument.name))
    ep_row, dates = _session_dates(session, eps.id)
    gaps = pf.longest_gaps(ep_row, dates, eps.id.size, within=pf.GAP_SESSIONS)
    features.append(pf.long_gap(gaps))
    therapists = sorted(set(eps.therapist_code))
    owner = np.array([therapists.index(t) for t in eps.therapist_code], dtype=np.int64)
    load = pf.episode_load(eps.first_session_date, owner, dates, owner[ep_row])
    features.append(pf.load_bands(load))
    return features, codes, items


def _flags(loaded: _Loaded, selected: BoolArray) -> list[Flag]:
    a = loaded.outcome
    s = a.summaries
    counts = a.matrix.counts
    measured = selected & (counts >= 2)
    loss = np.zeros(counts.size, dtype=bool)
    rows = s.sudden.episode[s.sudden.kind == "loss"]
    loss[rows] = True
    flags = [
        Flag("not_on_track", np.asarray(s.ever_red, bool), measured),
        Flag("deteriorated", np.isin(s.category, (DETERIORATED, HARMED)), measured),
        Flag("dropout", np.asarray(a.outcomes.dropout, bool), selected & a.closed & (counts >= 1)),
    ]
    if loaded.alliance is not None:
        ally = loaded.alliance
        flags.append(
            Flag(
                "low_alliance",
                np.asarray(ally.summaries.alliance_low_ever, bool),
                selected & (ally.matrix.counts >= 1),
            )
        )
    flags.append(Flag("sudden_loss", loss, measured))
    return flags


def _ids(ids: np.ndarray, mask: BoolArray) -> tuple[int, ...]:
    return tuple(int(i) for i in ids[mask])


def load_pattern_report(
    session: OrmSession,
    *,
    instrument: str = "ORS",
    since: dt.date | None = None,
    today: dt.date | None = None,
    therapist_code: str | None = None,
) -> PatternReport:
    """Flags, features and every test of science.md section 7 on one outcome instrument."""
    today = today or dt.date.today()
    loaded = _load(session, instrument, therapist_code, today)
    a = loaded.outcome
    eps = a.episodes
    selected = np.ones(eps.id.size, dtype=bool)
    if since is not None:
        selected &= a.window_date >= np.datetime64(since, "D")
    recent = a.window_date > np.datetime64(today - dt.timedelta(days=RECENT_DAYS), "D")
    flags = _flags(loaded, selected)
    features, codes, items = _features(session, loaded)
    tests = find_patterns(flags, features, recent)
    by_name = {f.name: f for f in flags}
    rows = []
    for t in tests:
        flag = by_name[t.flag]
        feature = features[t.feature_index]
        with_value = feature.member[:, t.value_index] & feature.known & flag.known
        rows.append(
            PatternRow(
                flag=t.flag,
                feature=t.feature,
                value=t.value,
                n_with=t.n_with,
                n_without=t.n_without,
                rate_with=t.rate_with,
                rate_without=t.rate_without,
                risk_ratio=t.risk_ratio,
                ci=t.ci,
                p=t.p,
                q=t.q,
                status=t.status,
                recurring=t.recurring,
                episode_ids=_ids(eps.id, with_value),
                events_with=t.events_with,
                flagged_ids=_ids(eps.id, with_value & flag.event),
                events_without=t.events_without,
            )
        )
    nt = by_name["not_on_track"]
    finding = srs_item_finding(codes, items, nt.event, nt.known) if codes is not None else None
    return PatternReport(
        instrument=a.instrument.name,
        alliance_instrument=None if loaded.alliance is None else loaded.alliance.instrument.name,
        patterns=tuple(rows),
        srs_item=finding,
        bunt=_bunt(loaded),
        n_episodes=int((selected & (a.matrix.counts >= 2)).sum()),
        n_tests=len(rows),
        flags=tuple(
            FlagSummary(f.name, int((f.event & f.known).sum()), int(f.known.sum())) for f in flags
        ),
        since=since,
        today=today,
    )
