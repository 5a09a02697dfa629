"""stats, clients and sudden-changes on a small database whose answers are computed by hand."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from practice_app.cli import main
from practice_app.storage.database import open_database
from practice_app.storage.instruments import instrument_ids
from practice_app.storage.models import Client, Episode, Score, Session, Therapist

# ORS totals per episode (intake ... latest). RC 5, cutoff 25 (clinical below 25).
EPISODES: list[list[float]] = [
    [15, 22, 27],  # +12, clinical -> not clinical: recovered
    [18, 24, 30],  # recovered
    [10, 14, 16],  # +6, stays clinical: improved
    [20, 21, 22],  # +2: unchanged
    [22, 20, 16],  # -6, intake clinical: deteriorated
    [27, 24, 21],  # -6, intake not clinical, outcome clinical: harmed
    [16, 20, 26],  # recovered
    [19, 19, 19],  # unchanged
    [12, 18, 21],  # improved (+9, outcome still clinical)
    [24, 26, 29],  # +5 exactly, 24 clinical -> 29 not: recovered
    [17, 21, 23],  # +6: improved
    [21, 27, 33],  # recovered
    [14],  # one measurement: no category, outside the population
]
EXPECTED = {"recovered": 5, "improved": 3, "unchanged": 2, "deteriorated": 1, "harmed": 1}
START = dt.date(2024, 1, 8)


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    """A database holding EPISODES, all closed as planned a week after the last session."""
    path = str(tmp_path / "hand.sqlite3")
    db = open_database(path)
    with db.session() as s:
        ors = instrument_ids(s)["ORS"]
        therapist = Therapist(code="T1", display_name="T")
        s.add(therapist)
        for i, totals in enumerate(EPISODES):
            client = Client(code=f"C{i:02d}")
            last = START + dt.timedelta(days=7 * (len(totals) - 1) + 40 * i)
            ep = Episode(
                client=client,
                therapist=therapist,
                external_id=f"CASE-{i}",
                start_date=START,
                end_date=last,
                ending_reason="planned",
            )
            s.add(ep)
            for k, total in enumerate(totals):
                when = START + dt.timedelta(days=7 * k + 40 * i)
                sess = Session(episode=ep, number=k + 1, date=when)
                sess.scores.append(Score(instrument_id=ors, total=total))
                s.add(sess)
    db.dispose()
    return path


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> object:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_stats_matches_hand_computation(db_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    result = _json(capsys, ["--db", db_path, "stats", "--instrument", "ORS", "--json"])
    assert isinstance(result, dict)
    assert result["instrument"] == "ORS" and result["n"] == 12
    assert result["categories"] == EXPECTED
    assert result["percent"]["recovered"] == pytest.approx(100 * 5 / 12, abs=0.05)
    measured = [e for e in EPISODES if len(e) >= 2]
    intake = np.array([e[0] for e in measured])
    change = np.array([e[-1] - e[0] for e in measured])
    expected_es = change.mean() / intake.std(ddof=1)
    assert result["effect_size"]["value"] == pytest.approx(expected_es, abs=1e-3)
    low, high = result["effect_size"]["ci"]
    assert low < expected_es < high
    # With the own episodes as reference, the mean residual is 0: SAES = mean change / SD.
    assert result["saes"]["value"] == pytest.approx(expected_es, abs=1e-3)
    assert result["saes"]["reference"]["n"] == 12
    assert result["mean_sessions"] == pytest.approx(3.0)
    assert result["dropout"] == {"n": 0, "percent": 0.0}
    assert result["windows"] == []


def test_stats_refuses_a_figure_below_ten(db_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Episode i ends 14 + 40*i days after START: the first 9 end by 2024-12-07.
    result = _json(capsys, ["--db", db_path, "stats", "--until", "2024-12-10", "--json"])
    assert isinstance(result, dict)
    assert result["n"] < 10
    assert result["effect_size"]["value"] is None
    assert "not enough data" in result["reason"]


def test_stats_by_year_windows(db_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    result = _json(capsys, ["--db", db_path, "stats", "--by", "year", "--json"])
    assert isinstance(result, dict)
    assert [w["period"] for w in result["windows"]] == ["2024", "2025"]
    assert sum(w["n"] for w in result["windows"]) == 12


def test_clients_list_and_filters(db_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, ["--db", db_path, "clients", "--json"])
    assert isinstance(rows, list) and len(rows) == len(EPISODES)
    first = rows[0]
    assert first["client"] == "C00" and first["episode"] == "CASE-0"
    assert first["therapist"] == "T1" and first["sessions"] == 3
    assert first["status"] == "closed" and first["ending"] == "planned"
    ors = first["instruments"]["ORS"]
    assert (ors["n"], ors["intake"], ors["latest"], ors["change"]) == (3, 15, 27, 12)
    assert ors["category"] == "recovered" and ors["model"] == "starter"
    # Episode 5 fell 6 points from intake: red under the starter rules.
    red = _json(capsys, ["--db", db_path, "clients", "--signal", "red", "--json"])
    assert isinstance(red, list)
    assert {"C04", "C05"} <= {r["client"] for r in red}
    assert all(r["instruments"]["ORS"]["signal"] == "red" for r in red)
    assert _json(capsys, ["--db", db_path, "clients", "--open", "--json"]) == []


def test_sudden_changes_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / "sg.sqlite3")
    db = open_database(path)
    with db.session() as s:
        ors = instrument_ids(s)["ORS"]
        ep = Episode(client=Client(code="G1"), therapist=Therapist(code="T1"))
        # 2->3: +8 >= RC 5; 8 >= 25% of (40-14)=6.5; windows (12,14) vs (22,23,24) differ.
        for k, total in enumerate([12, 14, 22, 23, 24]):
            sess = Session(episode=ep, number=k + 1, date=START + dt.timedelta(days=7 * k))
            sess.scores.append(Score(instrument_id=ors, total=total))
            s.add(sess)
    db.dispose()
    found = _json(capsys, ["--db", path, "sudden-changes", "--json"])
    assert found == [
        {
            "client": "G1",
            "episode": "1",
            "kind": "gain",
            "pregain_session": 2,
            "postgain_session": 3,
            "pregain": 14.0,
            "postgain": 22.0,
            "magnitude": 8.0,
        }
    ]
    assert _json(capsys, ["--db", path, "sudden-changes", "--kind", "loss", "--json"]) == []
    assert _json(capsys, ["--db", path, "sudden-changes", "--cutoff", "9", "--json"]) == []


def test_bad_options_are_one_line(db_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db_path, "stats", "--instrument", "XYZ"]) == 2
    assert "unknown instrument 'XYZ'" in capsys.readouterr().err
    assert main(["--db", db_path, "stats", "--since", "yesterday"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "YYYY-MM-DD" in err
    assert main(["--db", db_path, "stats", "--since", "2025-01-01", "--until", "2024-01-01"]) == 2
