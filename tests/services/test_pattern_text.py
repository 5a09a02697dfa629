"""The plain sentences of learning-from-clients patterns, for each flag and feature kind."""

from __future__ import annotations

from dataclasses import replace

import pytest

from practice_app.services.pattern_text import sentence, subject
from practice_app.services.patterns import PatternRow

ROW = PatternRow(
    flag="not_on_track",
    feature="referral source",
    value="Employer",
    n_with=15,
    n_without=100,
    rate_with=9 / 15,
    rate_without=0.24,
    risk_ratio=2.5,
    ci=(1.456, 4.293),
    p=0.001,
    q=0.03,
    status="pattern",
    recurring=True,
    episode_ids=tuple(range(15)),
    events_with=9,
)


def test_the_issue_example() -> None:
    assert sentence(ROW) == (
        "Clients referred by an employer were not on track in 9 of 15 episodes (60%) "
        "against 24% of the others (24 of 100): 2.5 times as often (95% CI 1.5-4.3), "
        "q = 0.03; seen both in the last 12 months and before"
    )


@pytest.mark.parametrize(
    ("flag", "words"),
    [
        ("not_on_track", "were not on track in 9 of 15"),
        ("deteriorated", "ended reliably worse (deteriorated or harmed) in 9 of 15"),
        ("dropout", "dropped out in 9 of 15"),
        ("low_alliance", "rated the alliance below its cutoff at some session in 9 of 15"),
        ("sudden_loss", "had a sudden loss in 9 of 15"),
    ],
)
def test_each_flag_reads(flag: str, words: str) -> None:
    assert f"Clients referred by an employer {words} episodes" in sentence(replace(ROW, flag=flag))


@pytest.mark.parametrize(
    ("feature", "value", "who"),
    [
        ("referral source", "GP", "Clients referred by a GP"),
        ("referral source", "Court", "Clients referred by a court"),
        ("referral source", "Self", "Self-referred clients"),
        ("referral source", "Insurance", "Clients referred by insurance"),
        ("gender", "Female", "Female clients"),
        ("gender", "Non-binary", "Non-binary clients"),
        ("gender", "X", "Clients whose gender is recorded as X"),
        ("age group", "18-25", "Clients aged 18-25"),
        ("age group", "60+", "Clients aged 60+"),
        ("group", "Couples", "Clients seen in couples therapy"),
        ("group", "Tuesday DBT", "Clients in the group or programme 'Tuesday DBT'"),
        (
            "presenting concerns",
            "work stress",
            "Clients whose presenting concerns included work stress",
        ),
        ("presenting concerns", "PTSD", "Clients whose presenting concerns included PTSD"),
        ("intake severity", "severe (under 15)", "Clients whose intake ORS was severe (under 15)"),
        ("early alliance", "low", "Clients whose SRS was below its cutoff at session 1 or 2"),
        (
            "lowest SRS item",
            "Goals and topics",
            "Clients whose lowest SRS item was Goals and topics",
        ),
        (
            "gap in the first 4 sessions",
            "4 weeks or more",
            "Clients with a gap of 4 weeks or more between two of their first 4 sessions",
        ),
        (
            "weekly load",
            "20 or more sessions a week",
            "Clients who started while your weekly load was 20 or more sessions a week",
        ),
        ("Modality", "Video", "Clients whose modality is Video"),
    ],
)
def test_each_feature_kind_reads(feature: str, value: str, who: str) -> None:
    assert subject(feature, value) == who


def test_less_often_emerging_and_not_recurring() -> None:
    row = replace(
        ROW, risk_ratio=0.4, ci=(0.2, 0.8), status="emerging", p=0.02, q=0.31, recurring=False
    )
    text = sentence(row, n_tests=120)
    assert "60% less often (risk ratio 0.40, 95% CI 0.20-0.80)" in text
    assert "p = 0.02; emerging: it may still be chance once the 120 comparisons" in text
    assert "(q = 0.31)" in text and "before" not in text
    assert sentence(replace(ROW, q=0.1004)).endswith(
        "q = 0.100; seen both in the last 12 months and before"
    )
