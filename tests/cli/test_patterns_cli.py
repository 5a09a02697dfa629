"""``patterns`` and the pattern service on a small database whose answers are counted by hand.

Fewer than 30 closed episodes, so the starter rules judge every episode (science.md
section 3): red when 5+ points worse than intake, or without a 5-point gain by the 6th
measurement.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from scipy import stats

from practice_app.cli import main
from practice_app.services.patterns import load_bunt_list, load_pattern_report
from practice_app.storage.database import open_database
from practice_app.storage.instruments import instrument_ids
from practice_app.storage.models import Client, ClientAttribute, Episode, Score, Session, Therapist

TODAY = dt.date.today()
WORSE = [15.0, 13.0, 9.0, 8.0]  # -7 points: red (not on track), deteriorated
BETTER = [15.0, 19.0, 23.0, 27.0]  # +12, ends non-clinical: recovered
FLAT9 = [15.0] * 9  # red at measurements 6, 7, 8 and 9
FLAT8 = [15.0] * 8  # red at 6, 7 and 8 only
GOALS_LOW = [10.0, 8.5, 9.5, 9.8]  # SRS 37.8, "Goals and topics" lowest
RELATION_LOW = [9.5, 9.8, 9.9, 10.0]  # SRS 39.2, "Relationship" lowest
OVERALL_LOW = [9.6, 9.7, 9.8, 9.5]  # SRS 38.6, "Overall" lowest
POOR = [7.0, 7.5, 7.5, 8.0]  # SRS 30: below the cutoff of 36


def _episode(
    s: object,
    ids: dict[str, int],
    therapist: Therapist,
    code: str,
    referral: str,
    ors: list[float],
    srs: list[list[float]],
    last: dt.date,
    closed: bool,
    modality: str,
) -> None:
    client = Client(code=code, referral_source=referral, gender="Female", age_group="26-40")
    client.attributes.append(ClientAttribute(name="Modality", value=modality))
    first = last - dt.timedelta(days=7 * (len(ors) - 1))
    ep = Episode(
        client=client,
        therapist=therapist,
        external_id=f"E-{code}",
        start_date=first,
        end_date=last if closed else None,
        ending_reason="planned" if closed else None,
    )
    for k, total in enumerate(ors):
        sess = Session(episode=ep, number=k + 1, date=first + dt.timedelta(days=7 * k))
        sess.scores.append(Score(instrument_id=ids["ORS"], total=total))
        items = srs[min(k, len(srs) - 1)]
        sess.scores.append(Score(instrument_id=ids["SRS"], total=sum(items), items=items))
    s.add(ep)  # type: ignore[attr-defined]


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    """12 employer episodes that went worse, 14 others that recovered, 3 open flat ones."""
    path = str(tmp_path / "patterns.sqlite3")
    db = open_database(path)
    recent, earlier = TODAY - dt.timedelta(days=60), TODAY - dt.timedelta(days=500)
    with db.session() as s:
        ids = instrument_ids(s)
        t = Therapist(code="T1")
        s.add(t)
        for i in range(12):
            when = (recent if i % 2 else earlier) - dt.timedelta(days=3 * i)
            _episode(s, ids, t, f"W{i:02d}", "Employer", WORSE, [GOALS_LOW], when, True, "Video")
        for i in range(14):
            when = (recent if i % 2 else earlier) - dt.timedelta(days=3 * i)
            modality = "Video" if i < 7 else "In person"
            referral = "GP" if i % 3 else "Self"
            _episode(s, ids, t, f"B{i:02d}", referral, BETTER, [RELATION_LOW], when, True, modality)
        last = TODAY - dt.timedelta(days=7)
        _episode(s, ids, t, "F01", "GP", FLAT9, [OVERALL_LOW], last, False, "In person")
        _episode(
            s, ids, t, "F02", "GP", FLAT9, [OVERALL_LOW] * 8 + [POOR], last, False, "In person"
        )
        _episode(s, ids, t, "F03", "Self", FLAT8, [OVERALL_LOW], last, False, "In person")
    db.dispose()
    return path


def _report(db_path: str, **kwargs: object):  # type: ignore[no-untyped-def]
    db = open_database(db_path)
    try:
        with db.session() as session:
            return load_pattern_report(session, today=TODAY, **kwargs)  # type: ignore[arg-type]
    finally:
        db.dispose()


def test_employer_pattern_counted_by_hand(db_path: str) -> None:
    report = _report(db_path)
    assert report.n_episodes == 29
    row = next(
        r for r in report.patterns
        if r.flag == "not_on_track" and r.feature == "referral source" and r.value == "Employer"
    )  # fmt: skip
    # Others with a known referral source: 14 recovered + 3 open flat ones (all red).
    assert (row.n_with, row.events_with, row.n_without) == (12, 12, 17)
    assert row.rate_without == pytest.approx(3 / 17)
    assert row.p == pytest.approx(stats.fisher_exact([[12, 0], [3, 14]]).pvalue)
    assert row.status == "pattern" and row.recurring
    assert len(row.episode_ids) == 12 and row.flagged_ids == row.episode_ids
    text = report.sentence(row)
    assert text.startswith(
        "Clients referred by an employer were not on track in 12 of 12 episodes (100%) "
        "against 18% of the others (3 of 17): "
    )
    assert "seen both in the last 12 months and before" in text
    ps = [r.p for r in report.patterns]
    assert [r.q for r in report.patterns] == pytest.approx(list(stats.false_discovery_control(ps)))
    assert all(min(r.n_with, r.n_without) >= 5 for r in report.patterns)


def test_srs_item_and_bunt(db_path: str) -> None:
    report = _report(db_path)
    finding = report.srs_item
    assert finding is not None
    assert finding.item == "Goals and topics"
    assert (finding.count_not_on_track, finding.n_not_on_track) == (12, 15)
    assert (finding.count_others, finding.n_others) == (0, 14)
    # F01: red at 4 measurements, alliance good -> listed; F02: latest SRS 30 (poor);
    # F03: red at 3 measurements only.
    assert [b.client for b in report.bunt] == ["F01"]
    bunt = report.bunt[0]
    assert bunt.red_measurements == 4 and bunt.alliance_last == pytest.approx(38.6)
    assert bunt.sessions == 9 and bunt.last_date == TODAY - dt.timedelta(days=7)
    db = open_database(db_path)
    try:
        with db.session() as session:
            assert load_bunt_list(session, today=TODAY) == report.bunt
    finally:
        db.dispose()


def test_since_limits_the_episodes(db_path: str) -> None:
    report = _report(db_path, since=TODAY - dt.timedelta(days=365))
    assert report.n_episodes == 6 + 7 + 3
    row = next(r for r in report.patterns if r.value == "Employer" and r.flag == "not_on_track")
    assert row.n_with == 6


def test_patterns_json(db_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db_path, "patterns", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    keys = ["flag", "feature", "value", "n_with", "n_without", "rate_with", "rate_without",
            "risk_ratio", "ci", "p", "q", "status", "recurring"]  # fmt: skip
    assert rows and all(list(r) == keys for r in rows)
    # Deteriorated (12 of 12 against 0 of 17) comes first: the smallest p.
    assert (rows[0]["flag"], rows[0]["value"]) == ("deteriorated", "Employer")
    first = next(r for r in rows if r["flag"] == "not_on_track" and r["value"] == "Employer")
    assert first["status"] == "pattern" and first["recurring"] is True
    assert first["n_with"] == 12 and first["ci"][0] > 1
    assert {r["status"] for r in rows} <= {"pattern", "emerging", None}


def test_patterns_text(db_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db_path, "patterns"]) == 0
    out = capsys.readouterr().out
    assert "Clients referred by an employer were not on track in 12 of 12 episodes" in out
    assert "lowest SRS item was most often Goals and topics: 12 of 15" in out
    assert "F01" in out and "F02" not in out


def test_patterns_refuses_alliance_instrument_and_empty_db(
    db_path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_path, "patterns", "--instrument", "SRS"]) == 2
    assert "outcome instrument" in capsys.readouterr().err
    empty = str(tmp_path / "empty.sqlite3")
    assert main(["--db", empty, "patterns"]) == 0
    assert "0 episodes" in capsys.readouterr().out
    assert main(["--db", empty, "patterns", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
