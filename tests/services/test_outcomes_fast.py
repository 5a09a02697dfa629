"""The lean `stats` path: the same figures as the full analysis, from less work.

`stats` loads three columns per score (``load_outcome_rows``; on an up-to-date SQLite
file without SQLAlchemy at all, ``quick_effectiveness_data``) and skips what the
figures do not use. These tests hold it to the full path (``analyse_instrument``)
exactly, on the demo database and on a pool large enough for fitted trajectories
without leave-one-out; they check the loaders by hand; and they pin the speed-only
rewrites in practice_app.analysis to the computations they replaced.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from practice_app.analysis import effectiveness as eff
from practice_app.analysis import trajectories as traj
from practice_app.cli import main
from practice_app.services.outcomes import (
    analyse_instrument,
    effectiveness_data,
    quick_effectiveness_data,
    stats,
)
from practice_app.storage import analysis_data as ad
from practice_app.storage import plain_sqlite
from practice_app.storage.database import head_revision, open_database, sqlite_backup
from practice_app.storage.engine import resolve_location
from practice_app.storage.instruments import load_instruments
from practice_app.storage.models import Client, Episode, Instrument, Score, Session, Therapist

DAY = dt.date(2025, 1, 6)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo database per module; each test works on its own copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    assert main(["--db", str(path), "demo"]) == 0
    return path


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A fresh copy of the demo database for this test."""
    capsys.readouterr()
    path = tmp_path / "demo.sqlite3"
    sqlite_backup(demo_template, path)
    return path


def _cli_json(path: Path | str, args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["--db", str(path), "stats", "--json", *args]) == 0
    return capsys.readouterr().out


def _general_json(
    path: Path, args: dict[str, Any], capsys: pytest.CaptureFixture[str], **load: Any
) -> str:
    """`stats --json` as the full analysis gives it (what the command printed before)."""
    from practice_app.cli.output import print_json

    db = open_database(str(path))
    try:
        with db.session() as session:
            analysis = analyse_instrument(session, load.pop("instrument", "ORS"), **load)
    finally:
        db.dispose()
    print_json(stats(analysis, **args))
    return capsys.readouterr().out


OPTION_SETS: list[tuple[list[str], dict[str, Any], dict[str, Any]]] = [
    ([], {}, {}),
    (["--by", "quarter", "--rolling"], {"by": "quarter", "rolling": True}, {}),
    (["--closed-only", "--by", "month"], {"closed_only": True, "by": "month"}, {}),
    (
        ["--since", "2025-01-01", "--until", "2025-12-31", "--by", "year"],
        {"since": dt.date(2025, 1, 1), "until": dt.date(2025, 12, 31), "by": "year"},
        {},
    ),
    (["--instrument", "srs"], {}, {"instrument": "srs"}),
]


@pytest.mark.parametrize(("cli_args", "stats_args", "load"), OPTION_SETS)
def test_stats_command_prints_exactly_what_the_full_analysis_gives(
    demo: Path,
    cli_args: list[str],
    stats_args: dict[str, Any],
    load: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert quick_effectiveness_data(str(demo), "ORS") is not None  # the lean path is taken
    fast = _cli_json(demo, cli_args, capsys)
    assert fast == _general_json(demo, stats_args, capsys, **load)
    result = json.loads(fast)
    assert sum(result["categories"].values()) == result["n"]
    # SRS (an alliance measure) has no change categories, so no episode to count.
    assert result["n"] == 0 if load else result["n"] > 30


def test_therapist_filter_gives_the_same_as_the_full_analysis(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    con = sqlite3.connect(demo)
    (code,) = con.execute("SELECT code FROM therapist").fetchone()
    con.close()
    fast = _cli_json(demo, ["--therapist", code, "--by", "quarter"], capsys)
    assert fast == _general_json(demo, {"by": "quarter"}, capsys, therapist_code=code)
    empty = json.loads(_cli_json(demo, ["--therapist", "nobody"], capsys))
    assert empty["n"] == 0 and not empty["enough_data"]


def test_session_path_and_quick_path_give_identical_inputs(demo: Path) -> None:
    today = dt.date(2026, 1, 15)
    quick = quick_effectiveness_data(str(demo), "ors", today=today)
    db = open_database(str(demo))
    try:
        with db.session() as session:
            lean = effectiveness_data(session, "ORS", today=today)
            full = analyse_instrument(session, "ORS", today=today)
    finally:
        db.dispose()
    assert quick is not None
    for data in (quick, lean):
        assert np.array_equal(data.episode_id, full.episodes.id)
        assert np.array_equal(data.counts, full.matrix.counts)
        assert np.array_equal(data.closed, full.closed)
        assert np.array_equal(data.window_date, full.window_date)
        for field in ("intake", "outcome", "sessions", "weeks"):
            a, b = getattr(data.outcomes, field), getattr(full.outcomes, field)
            assert np.array_equal(a, b, equal_nan=True), field
        for field in ("category", "not_on_track", "dropout"):
            assert np.array_equal(getattr(data.outcomes, field), getattr(full.outcomes, field))
    assert full.outcomes.not_on_track.any() and full.outcomes.dropout.any()


def _write_large_pool(path: Path) -> None:
    """260 closed episodes (fitted trajectories, no leave-one-out), 30 open, two therapists."""
    rng = np.random.default_rng(11)
    db = open_database(str(path))
    try:
        with db.session() as s:
            ors = s.scalars(select(Instrument).where(Instrument.name == "ORS")).one()
            therapists = [Therapist(code="T1"), Therapist(code="T2")]
            for i in range(290):
                closed = i < 260
                n = int(rng.integers(2, 9))
                start = DAY + dt.timedelta(days=int(rng.integers(0, 500)))
                episode = Episode(
                    client=Client(code=f"C{i:04d}"),
                    therapist=therapists[i % 2],
                    start_date=start,
                    end_date=start + dt.timedelta(days=7 * n) if closed else None,
                    ending_reason=("planned", "stopped", "referred")[i % 3] if closed else None,
                )
                score = float(np.round(rng.uniform(8, 32), 1))
                for k in range(1, n + 1):
                    session = Session(
                        episode=episode, number=k, date=start + dt.timedelta(days=7 * (k - 1))
                    )
                    if k == 1 or rng.random() > 0.15:  # some sessions go unscored
                        session.scores.append(Score(instrument=ors, total=score))
                    score = float(np.clip(np.round(score + rng.normal(1.2, 3.5), 1), 0, 40))
                s.add(episode)
    finally:
        db.dispose()


def test_large_pool_without_leave_one_out_gives_the_same_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pool.sqlite3"
    _write_large_pool(path)
    today = DAY + dt.timedelta(days=2000)
    for therapist in (None, "T2"):
        quick = quick_effectiveness_data(str(path), "ORS", therapist_code=therapist, today=today)
        db = open_database(str(path))
        try:
            with db.session() as session:
                full = analyse_instrument(session, "ORS", therapist_code=therapist, today=today)
        finally:
            db.dispose()
        assert quick is not None
        if therapist is None:
            assert full.summaries.pool_size >= 200 and set(full.summaries.model) == {"fitted"}
        for by in (None, "quarter"):
            assert stats(quick, by=by, rolling=True) == stats(full, by=by, rolling=True)
    assert _cli_json(path, [], capsys) == _general_json(path, {}, capsys)


def test_quick_path_declines_what_needs_the_full_open(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert quick_effectiveness_data(f"sqlite:///{demo}", "ORS") is None  # a URL
    assert quick_effectiveness_data(str(tmp_path / "missing.sqlite3"), "ORS") is None
    (tmp_path / "empty.sqlite3").touch()
    assert quick_effectiveness_data(str(tmp_path / "empty.sqlite3"), "ORS") is None
    (tmp_path / "text.sqlite3").write_text("not a database")
    assert quick_effectiveness_data(str(tmp_path / "text.sqlite3"), "ORS") is None
    # An unknown instrument: the full open gives the error.
    assert quick_effectiveness_data(str(demo), "nope") is None
    assert main(["--db", str(demo), "stats", "--instrument", "nope"]) == 2
    assert "unknown instrument 'nope'" in capsys.readouterr().err
    # Another schema revision: the full open refuses it, and nothing was written.
    con = sqlite3.connect(demo)
    con.execute("UPDATE alembic_version SET version_num = 'zz-newer'")
    con.commit()
    con.close()
    before = demo.read_bytes()
    assert quick_effectiveness_data(str(demo), "ORS") is None
    assert main(["--db", str(demo), "stats", "--json"]) == 2
    assert "newer version" in capsys.readouterr().err
    assert demo.read_bytes() == before


def test_a_missing_builtin_is_added_by_the_full_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fresh.sqlite3"
    open_database(str(path)).dispose()
    con = sqlite3.connect(path)
    con.execute("DELETE FROM instrument WHERE name = 'ORS'")
    con.commit()
    con.close()
    assert quick_effectiveness_data(str(path), "ORS") is None
    result = json.loads(_cli_json(path, [], capsys))
    assert result["instrument"] == "ORS" and result["n"] == 0
    assert quick_effectiveness_data(str(path), "ORS") is not None


def test_stats_on_a_url_takes_the_session_path(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli_json(f"sqlite:///{demo}", [], capsys) == _general_json(demo, {}, capsys)


def test_stats_loads_neither_sqlalchemy_nor_scipy(demo: Path) -> None:
    script = (
        "import sys\n"
        "from practice_app.cli import main\n"
        "rc = main(sys.argv[1:])\n"
        "heavy = {'sqlalchemy', 'scipy', 'alembic'} & {m.split('.')[0] for m in sys.modules}\n"
        "print('heavy:', sorted(heavy), file=sys.stderr)\n"
        "raise SystemExit(rc)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PRACTICE_APP_DB"}
    done = subprocess.run(
        [sys.executable, "-c", script, "--db", str(demo), "stats", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "heavy: []"
    assert json.loads(done.stdout)["instrument"] == "ORS"


# --- the loaders, by hand ---------------------------------------------------------------


def _write_small(path: Path) -> None:
    """E1 (T1): ORS 10 at session 1, session 2 unscored, ORS 20.5 at 3 (SRS 38 at 1);
    E2 (T2, open): ORS 30 at session 1; E3 (T1): no sessions."""
    db = open_database(str(path))
    try:
        with db.session() as s:
            inst = {i.name: i for i in s.scalars(select(Instrument))}
            t1, t2 = Therapist(code="T1"), Therapist(code="T2")
            e1 = Episode(
                client=Client(code="A"), therapist=t1, end_date=dt.date(2025, 2, 1),
                ending_reason="planned",
            )  # fmt: skip
            s1 = Session(episode=e1, number=1, date=dt.date(2025, 1, 6))
            s1.scores += [Score(instrument=inst["ORS"], total=10.0),
                          Score(instrument=inst["SRS"], total=38.0)]  # fmt: skip
            Session(episode=e1, number=2, date=dt.date(2025, 1, 13))
            s3 = Session(episode=e1, number=3, date=dt.date(2025, 1, 20))
            s3.scores.append(Score(instrument=inst["ORS"], total=20.5))
            s.add(e1)
            s.flush()  # one flush per episode: ids 1, 2, 3
            e2 = Episode(client=Client(code="B"), therapist=t2)
            s4 = Session(episode=e2, number=1, date=dt.date(2025, 3, 3))
            s4.scores.append(Score(instrument=inst["ORS"], total=30.0))
            s.add(e2)
            s.flush()
            s.add(Episode(client=Client(code="C"), therapist=t1))
    finally:
        db.dispose()


def _sorted_scores(rows: ad.OutcomeRows) -> list[tuple[int, int, float]]:
    return sorted(
        zip(
            rows.score_episode_id.tolist(),
            rows.score_number.tolist(),
            rows.score_total.tolist(),
            strict=True,
        )
    )


def test_outcome_rows_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "small.sqlite3"
    _write_small(path)
    con = plain_sqlite.open_for_reading(str(path))
    assert con is not None
    try:
        rows = ad.fetch_outcome_rows(con, "ORS")
        t1 = ad.fetch_outcome_rows(con, "ORS", therapist_code="T1")
        srs = ad.fetch_outcome_rows(con, "SRS", therapist_code="T2")
    finally:
        con.close()
    assert _sorted_scores(rows) == [(1, 1, 10.0), (1, 3, 20.5), (2, 1, 30.0)]
    assert rows.episode_id.tolist() == [1, 2, 3]
    assert rows.sessions.tolist() == [3, 1, 0]
    assert rows.ending_reason == ["planned", None, None]
    assert rows.first_session_date.astype(str).tolist() == ["2025-01-06", "2025-03-03", "NaT"]
    assert rows.last_session_date.astype(str).tolist() == ["2025-01-20", "2025-03-03", "NaT"]
    assert rows.end_date.astype(str).tolist() == ["2025-02-01", "NaT", "NaT"]
    assert _sorted_scores(t1) == [(1, 1, 10.0), (1, 3, 20.5)]
    assert t1.episode_id.tolist() == [1, 3] and t1.sessions.tolist() == [3, 0]
    assert srs.score_total.size == 0 and srs.episode_id.tolist() == [2]

    db = open_database(str(path))
    try:
        with db.session() as session:
            via_orm = ad.load_outcome_rows(session, "ORS", therapist_code="T1")
            episodes = ad.load_episodes(session, therapist_code="T1")
    finally:
        db.dispose()
    assert _sorted_scores(via_orm) == _sorted_scores(t1)
    assert np.array_equal(via_orm.episode_id, episodes.id)
    assert np.array_equal(via_orm.sessions, episodes.sessions)
    for field in ("end_date", "first_session_date", "last_session_date"):
        assert np.array_equal(getattr(via_orm, field), getattr(episodes, field), equal_nan=True)


@pytest.mark.parametrize(
    ("style", "sql", "args"),
    [
        ("qmark", "a = ? AND b = ?", [1, "x"]),
        ("format", "a = %s AND b = %s", [1, "x"]),
        ("pyformat", "a = %s AND b = %s", [1, "x"]),
        ("numeric", "a = :1 AND b = :2", [1, "x"]),
        ("named", "a = :p0 AND b = :p1", {"p0": 1, "p1": "x"}),
    ],
)
def test_placeholders_follow_the_driver(style: str, sql: str, args: Any) -> None:
    assert ad._placeholders("a = {} AND b = {}", style, [1, "x"]) == (sql, args)


def test_sqlalchemy_free_helpers_agree_with_storage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert plain_sqlite.head_revision_from_files() == head_revision()
    monkeypatch.delenv("PRACTICE_APP_DB", raising=False)
    for target in (str(tmp_path / "a.sqlite3"), "~/x.sqlite3", "rel/b.sqlite3", None):
        assert plain_sqlite.plain_sqlite_path(target) == resolve_location(target).path
    monkeypatch.setenv("PRACTICE_APP_DB", str(tmp_path / "env.sqlite3"))
    assert (
        plain_sqlite.plain_sqlite_path(None)
        == resolve_location(None).path
        == tmp_path / "env.sqlite3"
    )
    with pytest.raises(ValueError):
        plain_sqlite.plain_sqlite_path("postgresql://host/db")
    path = tmp_path / "i.sqlite3"
    db = open_database(str(path))
    try:
        with db.session() as session:
            stored = load_instruments(session)
    finally:
        db.dispose()
    con = plain_sqlite.open_for_reading(str(path))
    assert con is not None
    try:
        assert plain_sqlite.read_instruments(con) == stored
    finally:
        con.close()


# --- the speed-only rewrites in practice_app.analysis --------------------------------


def _bootstrap_reference(
    values: np.ndarray, valid: np.ndarray, n_resamples: int, seed: int
) -> np.ndarray:
    """bootstrap_means as first written: int64 index chunks, one bincount per chunk."""
    n = values.shape[0]
    rng = np.random.default_rng(seed)
    v = np.where(valid > 0, values, 0.0)
    out = np.empty((n_resamples, values.shape[1]))
    chunk = 250
    for start in range(0, n_resamples, chunk):
        rows = min(chunk, n_resamples - start)
        idx = rng.integers(0, n, size=(rows, n))
        flat = (idx + (np.arange(rows) * n)[:, None]).ravel()
        counts = np.bincount(flat, minlength=rows * n).reshape(rows, n).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start : start + rows] = (counts @ v) / (counts @ valid)
    return out


@pytest.mark.parametrize("n", [12, 700, eff._ROW_BY_ROW + 5])
def test_bootstrap_means_draws_the_same_resamples_as_before(n: int) -> None:
    rng = np.random.default_rng(n)
    values = rng.normal(size=(n, 4))
    values[rng.random(n) < 0.1, 2] = np.nan
    valid = (~np.isnan(values)).astype(np.float64)
    got = eff.bootstrap_means(values, valid, 600, 99)
    want = _bootstrap_reference(values, valid, 600, 99)
    assert np.allclose(got, want, rtol=1e-12, atol=1e-12, equal_nan=True)
    # The complete columns share the denominator n; the partial one divides by its count.
    assert np.array_equal(np.isnan(got), np.isnan(want))


def _kernel_rows_reference(
    grid: np.ndarray, intakes: np.ndarray, mult: np.ndarray, bandwidth: float
) -> np.ndarray:
    """The first bandwidth h = 2 x 1.25^k whose Kish effective n reaches 20, row by row."""
    out = np.ones((grid.size, intakes.size))
    if mult.sum() < traj.MIN_EFFECTIVE_N:
        return out
    for g, x in enumerate(grid):
        for k in range(traj._MAX_WIDENINGS + 1):
            w = np.exp(-0.5 * ((x - intakes) / (bandwidth * traj.WIDEN**k)) ** 2)
            if (w @ mult) ** 2 / ((w * w) @ mult) >= traj.MIN_EFFECTIVE_N - 1e-9:
                out[g] = w
                break
    return out


@pytest.mark.parametrize("m", [15, 60, 900])
def test_kernel_rows_widen_each_grid_row_to_the_first_sufficient_bandwidth(m: int) -> None:
    rng = np.random.default_rng(m)
    intakes = np.unique(np.round(rng.uniform(10, 30, m), 1))
    mult = rng.integers(1, 4, intakes.size).astype(np.float64)
    grid = np.arange(0.0, 40.5, 0.5)
    got = traj._kernel_rows(grid, intakes, mult, traj.BANDWIDTH)
    want = _kernel_rows_reference(grid, intakes, mult, traj.BANDWIDTH)
    assert np.allclose(got, want, rtol=1e-12, atol=0)
