"""Plain sentences for learning-from-clients patterns, as a therapist would say them.

``sentence(row, instrument, alliance, n_tests)`` turns one pattern row into, e.g.,
"Clients referred by an employer were not on track in 9 of 15 episodes (60%) against
24% of the others (26 of 110): 2.5 times as often (95% CI 1.4-4.3), q = 0.03; seen both
in the last 12 months and before". ``subject`` and ``predicate`` give the two halves.
"""

from __future__ import annotations

from typing import Protocol

PREDICATES = {
    "not_on_track": "were not on track",
    "deteriorated": "ended reliably worse (deteriorated or harmed)",
    "dropout": "dropped out",
    "low_alliance": "rated the alliance below its cutoff at some session",
    "sudden_loss": "had a sudden loss",
}
FLAG_NAMES = {
    "not_on_track": "not on track",
    "deteriorated": "deteriorated or harmed",
    "dropout": "dropout",
    "low_alliance": "low alliance",
    "sudden_loss": "sudden loss",
}
_GENDER_ADJECTIVES = {
    "female": "Female",
    "male": "Male",
    "woman": "Female",
    "women": "Female",
    "man": "Male",
    "men": "Male",
    "non-binary": "Non-binary",
    "nonbinary": "Non-binary",
    "non binary": "Non-binary",
    "transgender": "Transgender",
    "trans": "Trans",
}
_FORMATS = {"individual", "couples", "couple", "group", "family", "families"}
_NO_ARTICLE = {
    "insurance",
    "family",
    "friends",
    "police",
    "other",
    "others",
    "unknown",
    "internet",
    "online",
    "web",
    "website",
    "word of mouth",
    "social services",
    "children's services",
}
_SELF = {"self", "self-referral", "self referral", "self-referred", "themselves"}
# Letters whose names start with a vowel sound: "an MP", "an HR department".
_VOWEL_LETTERS = set("AEFHILMNORSX")


class RowLike(Protocol):
    """What a sentence needs from a pattern row (read-only)."""

    @property
    def flag(self) -> str: ...

    @property
    def feature(self) -> str: ...

    @property
    def value(self) -> str: ...

    @property
    def n_with(self) -> int: ...

    @property
    def n_without(self) -> int: ...

    @property
    def events_with(self) -> int: ...

    @property
    def rate_with(self) -> float: ...

    @property
    def rate_without(self) -> float: ...

    @property
    def risk_ratio(self) -> float: ...

    @property
    def ci(self) -> tuple[float, float]: ...

    @property
    def p(self) -> float: ...

    @property
    def q(self) -> float: ...

    @property
    def status(self) -> str: ...

    @property
    def recurring(self) -> bool: ...


def _article(value: str) -> str:
    """ "a" or "an" before a referral source such as "employer", "GP" or "court"."""
    if value.isupper() and value.isalpha():
        return "an" if value[0] in _VOWEL_LETTERS else "a"
    return "an" if value[:1].lower() in "aeiou" else "a"


def _plain(value: str) -> str:
    """Lower case except acronyms (GP, NHS) and names with inner capitals."""
    return value if value.isupper() or any(c.isupper() for c in value[1:]) else value.lower()


def _referral(value: str) -> str:
    low = value.strip().lower()
    if low in _SELF:
        return "Self-referred clients"
    if low in _NO_ARTICLE:
        return (
            f"Clients referred by {_plain(value)}"
            if low != "other"
            else ("Clients with an 'other' referral source")
        )
    if len(value.split()) <= 2 and not low.endswith("s"):
        return f"Clients referred by {_article(value)} {_plain(value)}"
    return f"Clients referred by {_plain(value)}"


def subject(feature: str, value: str, instrument: str = "ORS", alliance: str | None = "SRS") -> str:
    """Who the pattern is about, e.g. "Clients referred by an employer"."""
    low = value.strip().lower()
    ally = alliance or "alliance"
    if feature == "referral source":
        return _referral(value)
    if feature == "gender":
        adjective = _GENDER_ADJECTIVES.get(low)
        return (
            f"{adjective} clients" if adjective else f"Clients whose gender is recorded as {value}"
        )
    if feature == "age group":
        if any(ch.isdigit() for ch in value):
            return f"Clients aged {value}"
        return f"Clients in the age group '{value}'"
    if feature == "group":
        if low in _FORMATS:
            return f"Clients seen in {low} therapy"
        return f"Clients in the group or programme '{value}'"
    if feature == "presenting concerns":
        return f"Clients whose presenting concerns included {_plain(value)}"
    if feature == "intake severity":
        return f"Clients whose intake {instrument} was {value}"
    if feature == "early alliance":
        return f"Clients whose {ally} was below its cutoff at session 1 or 2"
    if feature.startswith("lowest ") and feature.endswith(" item"):
        return f"Clients whose lowest {ally} item was {value}"
    if feature.startswith("gap in the first "):
        first = feature.removeprefix("gap in the first ").removesuffix(" sessions")
        return f"Clients with a gap of {value} between two of their first {first} sessions"
    if feature == "weekly load":
        return f"Clients who started while your weekly load was {value}"
    return f"Clients whose {feature[:1].lower() + feature[1:]} is {value}"


def predicate(flag: str) -> str:
    """What happened, e.g. "were not on track"."""
    return PREDICATES.get(flag, f"were flagged '{flag}'")


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _num(x: float) -> str:
    """A ratio with two significant figures (0.42, 2.5, 13)."""
    if x >= 10:
        return f"{x:.0f}"
    if x >= 1:
        # Two decimals just above 1, so a tiny ratio does not read "1.0 times as often".
        return f"{x:.2f}" if x < 1.1 else f"{x:.1f}"
    return f"{x:.2f}"


def _bound(x: float, low: float) -> str:
    """A CI bound: both bounds with two decimals when the lower one is under 1.1."""
    if x >= 10:
        return f"{x:.0f}"
    return f"{x:.2f}" if low < 1.1 else f"{x:.1f}"


def _pq(name: str, x: float) -> str:
    if x < 0.001:
        return f"{name} < 0.001"
    # Three decimals near the thresholds, so "q = 0.10" never hides q = 0.1004.
    if x < 0.01 or round(x, 2) in (0.05, 0.10):
        return f"{name} = {x:.3f}"
    return f"{name} = {x:.2f}"


def effect(row: RowLike) -> str:
    """How much more (or less) often, with the 95% CI."""
    rr, (low, high) = row.risk_ratio, row.ci
    ci = f"95% CI {_bound(low, low)}-{_bound(high, low)}"
    if rr >= 1:
        return f"{_num(rr)} times as often ({ci})"
    return f"{100 * (1 - rr):.0f}% less often (risk ratio {_num(rr)}, {ci})"


def sentence(
    row: RowLike,
    *,
    instrument: str = "ORS",
    alliance: str | None = "SRS",
    n_tests: int | None = None,
) -> str:
    """The whole sentence for one pattern row."""
    others = row.n_without
    events_without = round(row.rate_without * others)
    text = (
        f"{subject(row.feature, row.value, instrument, alliance)} {predicate(row.flag)} "
        f"in {row.events_with} of {row.n_with} episodes ({_pct(row.rate_with)}) "
        f"against {_pct(row.rate_without)} of the others ({events_without} of {others}): "
        f"{effect(row)}, "
    )
    if row.status == "pattern":
        text += _pq("q", row.q)
    elif row.status == "emerging":
        tests = f"the {n_tests} comparisons" if n_tests else "all the comparisons"
        text += (
            f"{_pq('p', row.p)}; emerging: it may still be chance once {tests} "
            f"are taken into account ({_pq('q', row.q)})"
        )
    else:
        text += f"{_pq('p', row.p)}, {_pq('q', row.q)}; no pattern"
    if row.recurring:
        text += "; seen both in the last 12 months and before"
    return text
