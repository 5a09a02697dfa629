"""Instrument definitions: data files (TOML), validated into InstrumentDef.

An instrument is data, not code (science.md section 1). Built-ins ship in
resources/instruments/*.toml; users add their own files with the same keys.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from practice_app.errors import UserError
from practice_app.resources import resource_path

Z_95 = 1.96
"""Two-sided 95% normal quantile in the Jacobson & Truax (1991) reliable change index."""

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,39}$")


@dataclass(frozen=True)
class InstrumentDef:
    """A validated instrument definition (science.md section 1)."""

    name: str
    title: str
    min: float
    max: float
    higher_is_better: bool
    cutoff: float | None
    reliable_change: float | None
    items: tuple[str, ...] = ()
    item_min: float | None = None
    item_max: float | None = None
    alliance: bool = False
    clinical_at_cutoff: bool = False
    sources: tuple[str, ...] = ()
    notes: str = ""
    rc_derivation: str = ""
    cutoff_derivation: str = ""
    builtin: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The name normalised for matching column headers (lower case, letters and digits)."""
        return normalise_name(self.name)

    def is_clinical(self, score: float) -> bool:
        """Whether ``score`` lies on the clinical side of the cutoff."""
        if self.cutoff is None:
            return False
        if self.higher_is_better:
            return score <= self.cutoff if self.clinical_at_cutoff else score < self.cutoff
        return score >= self.cutoff if self.clinical_at_cutoff else score > self.cutoff

    def to_public_dict(self) -> dict[str, Any]:
        """Return the keys ``instruments show --json`` promises."""
        return {
            "name": self.name,
            "title": self.title,
            "min": self.min,
            "max": self.max,
            "higher_is_better": self.higher_is_better,
            "cutoff": self.cutoff,
            "reliable_change": self.reliable_change,
            "items": list(self.items),
            "alliance": self.alliance,
            "sources": list(self.sources),
        }


def normalise_name(name: str) -> str:
    """Lower-case ``name`` and keep only letters and digits ('PHQ-9' -> 'phq9')."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def reliable_change_from(sd: float, reliability: float) -> float:
    """Jacobson & Truax (1991): RC = 1.96 x sd x sqrt(2 x (1 - reliability))."""
    return Z_95 * sd * math.sqrt(2.0 * (1.0 - reliability))


def jacobson_truax_cutoff(
    functional_mean: float, functional_sd: float, dysfunctional_mean: float, dysfunctional_sd: float
) -> float:
    """Jacobson & Truax (1991) cutoff c = (sd_d x m_f + sd_f x m_d) / (sd_d + sd_f)."""
    return (dysfunctional_sd * functional_mean + functional_sd * dysfunctional_mean) / (
        dysfunctional_sd + functional_sd
    )


class _Reader:
    """Typed access to one definition table, raising errors that name the key."""

    def __init__(self, data: Mapping[str, Any], source: str) -> None:
        self.data = data
        self.source = source

    def fail(self, key: str, message: str) -> UserError:
        return UserError(f"{self.source}: key '{key}': {message}")

    def number(self, key: str, *, required: bool = True) -> float | None:
        if key not in self.data:
            if required:
                raise self.fail(key, "is missing")
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"must be a number, not {value!r}")
        if not math.isfinite(value):
            raise self.fail(key, "must be a finite number")
        return float(value)

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        if key not in self.data:
            if required:
                raise self.fail(key, "is missing")
            return default
        value = self.data[key]
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(key, f"must be a non-empty text, not {value!r}")
        return value.strip()

    def flag(self, key: str, *, required: bool = False, default: bool = False) -> bool:
        if key not in self.data:
            if required:
                raise self.fail(key, "is missing")
            return default
        value = self.data[key]
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, not {value!r}")
        return value

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, "must be a list of texts")
        return tuple(v.strip() for v in value)


KNOWN_KEYS = {
    "name", "title", "min", "max", "higher_is_better", "cutoff", "clinical_at_cutoff",
    "reliable_change", "sd", "reliability", "items", "item_min", "item_max", "alliance",
    "sources", "notes", "norms", "rc_note", "cutoff_note",
}  # fmt: skip


def parse_instrument(
    data: Mapping[str, Any], source: str, *, builtin: bool = False
) -> InstrumentDef:
    """Validate a parsed definition table; errors name the file and the key."""
    r = _Reader(data, source)
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise r.fail(
            unknown[0], "is not a known key (known: " + ", ".join(sorted(KNOWN_KEYS)) + ")"
        )
    name = r.text("name")
    if not _NAME_RE.match(name):
        raise r.fail("name", "must start with a letter and hold only letters, digits, - and _")
    low, high = r.number("min"), r.number("max")
    assert low is not None and high is not None
    if high <= low:
        raise r.fail("max", f"must be greater than min ({low:g})")
    cutoff, cutoff_derivation = _cutoff(r)
    if cutoff is not None and not low <= cutoff <= high:
        raise r.fail("cutoff", f"must lie between min and max ({low:g}-{high:g})")
    rc, rc_derivation = _reliable_change(r, alliance=r.flag("alliance"))
    items = r.text_list("items")
    item_min = r.number("item_min", required=False)
    item_max = r.number("item_max", required=False)
    if items and (item_min is None or item_max is None):
        raise r.fail(
            "item_min" if item_min is None else "item_max", "is needed when items are given"
        )
    if item_min is not None and item_max is not None and item_max <= item_min:
        raise r.fail("item_max", "must be greater than item_min")
    return InstrumentDef(
        name=name,
        title=r.text("title"),
        min=low,
        max=high,
        higher_is_better=r.flag("higher_is_better", required=True),
        cutoff=cutoff,
        reliable_change=rc,
        items=items,
        item_min=item_min,
        item_max=item_max,
        alliance=r.flag("alliance"),
        clinical_at_cutoff=r.flag("clinical_at_cutoff"),
        sources=r.text_list("sources"),
        notes=r.text("notes", required=False),
        rc_derivation=rc_derivation,
        cutoff_derivation=cutoff_derivation,
        builtin=builtin,
        extra=dict(data),
    )


def _cutoff(r: _Reader) -> tuple[float | None, str]:
    note = r.text("cutoff_note", required=False)
    if "cutoff" in r.data:
        return r.number("cutoff"), note
    norms = r.data.get("norms")
    if norms is None:
        if r.flag("alliance"):
            raise r.fail("cutoff", "is missing (an alliance measure needs its concern cutoff)")
        return None, note
    if not isinstance(norms, Mapping):
        raise r.fail("norms", "must be a table with functional_mean, functional_sd, ...")
    n = _Reader(norms, f"{r.source}: norms")
    values = [
        n.number(k)
        for k in ("functional_mean", "functional_sd", "dysfunctional_mean", "dysfunctional_sd")
    ]
    fm, fsd, dm, dsd = (float(v) for v in values if v is not None)
    if fsd <= 0 or dsd <= 0:
        raise r.fail("norms", "standard deviations must be positive")
    c = jacobson_truax_cutoff(fm, fsd, dm, dsd)
    return c, f"Jacobson-Truax c = (sd_d x m_f + sd_f x m_d) / (sd_d + sd_f) = {c:.2f}"


def _reliable_change(r: _Reader, *, alliance: bool) -> tuple[float | None, str]:
    note = r.text("rc_note", required=False)
    if "reliable_change" in r.data:
        rc = r.number("reliable_change")
        assert rc is not None
        if rc <= 0:
            raise r.fail("reliable_change", "must be positive")
        return rc, note
    if "sd" in r.data or "reliability" in r.data:
        sd, rel = r.number("sd"), r.number("reliability")
        assert sd is not None and rel is not None
        if sd <= 0:
            raise r.fail("sd", "must be positive")
        if not 0 < rel < 1:
            raise r.fail("reliability", "must lie between 0 and 1")
        rc = reliable_change_from(sd, rel)
        return rc, f"RC = 1.96 x {sd:g} x sqrt(2 x (1 - {rel:g})) = {rc:.2f}"
    if alliance:
        return None, note
    raise r.fail("reliable_change", "is missing (give reliable_change, or sd and reliability)")


def load_instrument_file(path: Path, *, builtin: bool = False) -> InstrumentDef:
    """Read and validate one TOML definition file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not a valid TOML file ({exc})") from None
    return parse_instrument(data, str(path), builtin=builtin)


@cache
def builtin_instruments() -> dict[str, InstrumentDef]:
    """Return the shipped instruments keyed by name."""
    folder = resource_path("instruments")
    defs = [load_instrument_file(p, builtin=True) for p in sorted(folder.glob("*.toml"))]
    return {d.name: d for d in defs}
