"""The instruments command and the instrument definition files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from practice_app.analysis.instruments import (
    builtin_instruments,
    jacobson_truax_cutoff,
    load_instrument_file,
    reliable_change_from,
)
from practice_app.cli import main
from practice_app.errors import UserError

# The published constants of science.md section 1: (cutoff, RC, higher_is_better, range).
PUBLISHED = {
    "ORS": (25, 5, True, (0, 40)),
    "ORS-A": (28, 5, True, (0, 40)),
    "CORS": (32, 5, True, (0, 40)),
    "SRS": (36, None, True, (0, 40)),
    "PHQ-9": (10, 6, False, (0, 27)),
    "GAD-7": (8, 4, False, (0, 21)),
    "CORE-10": (11, 6, False, (0, 40)),
    "OQ-45": (64, 14, False, (0, 180)),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_builtin_constants_match_science_md(name: str) -> None:
    cutoff, rc, higher, (low, high) = PUBLISHED[name]
    d = builtin_instruments()[name]
    assert (d.cutoff, d.reliable_change, d.higher_is_better, d.min, d.max) == (
        cutoff,
        rc,
        higher,
        low,
        high,
    )
    assert d.sources, f"{name} must cite its sources"


def test_cutoff_boundaries_follow_clinical_at_cutoff() -> None:
    ors, phq = builtin_instruments()["ORS"], builtin_instruments()["PHQ-9"]
    assert not ors.is_clinical(25.0) and ors.is_clinical(24.9)
    assert phq.is_clinical(10.0) and not phq.is_clinical(9.0)


def test_jacobson_truax_formulas_by_hand() -> None:
    # science.md: 1.96 x 6.8 x sqrt(2 x (1 - .93)) = 4.99
    assert reliable_change_from(6.8, 0.93) == pytest.approx(4.987, abs=0.001)
    # c = (sd_d m_f + sd_f m_d) / (sd_d + sd_f) = (10*5 + 5*30) / 15 = 13.33
    assert jacobson_truax_cutoff(5, 5, 30, 10) == pytest.approx(200 / 15)
    assert math.isclose(reliable_change_from(10, 0.75), 1.96 * 10 * math.sqrt(0.5))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "custom.toml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = 'name = "BDI-II"\ntitle = "Beck"\nmin = 0\nmax = 63\nhigher_is_better = false\n'


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("cutoff = 14\n", "reliable_change"),
        ("cutoff = 14\nreliable_change = -1\n", "reliable_change"),
        ("cutoff = 99\nreliable_change = 8\n", "cutoff"),
        ("cutoff = 14\nsd = 8\nreliability = 1.5\n", "reliability"),
        ("cutoff = 14\nreliable_change = 8\ncolour = 'red'\n", "colour"),
        ("cutoff = 14\nreliable_change = 8\nitems = ['a']\n", "item_min"),
        ("cutoff = 'x'\nreliable_change = 8\n", "cutoff"),
    ],
)
def test_bad_files_name_the_key(tmp_path: Path, body: str, key: str) -> None:
    path = _write(tmp_path, BASE + body)
    with pytest.raises(UserError, match=f"key '{key}'"):
        load_instrument_file(path)


def test_missing_key_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, 'name = "X"\ntitle = "x"\nmin = 0\nhigher_is_better = true\n')
    with pytest.raises(UserError, match="key 'max': is missing"):
        load_instrument_file(path)


def test_sd_and_norms_are_derived(tmp_path: Path) -> None:
    body = (
        "sd = 8.4\nreliability = 0.9\n[norms]\nfunctional_mean = 7.65\nfunctional_sd = 5.9\n"
        "dysfunctional_mean = 28.5\ndysfunctional_sd = 10.4\n"
    )
    d = load_instrument_file(_write(tmp_path, BASE + body))
    assert d.reliable_change == pytest.approx(1.96 * 8.4 * math.sqrt(0.2))
    assert d.cutoff == pytest.approx((10.4 * 7.65 + 5.9 * 28.5) / (10.4 + 5.9))


def test_cli_list_show_add(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "p.sqlite3")
    assert main(["--db", db, "instruments", "list", "--json"]) == 0
    names = [d["name"] for d in json.loads(capsys.readouterr().out)]
    assert {"ORS", "SRS", "PHQ-9", "OQ-45"} <= set(names)

    assert main(["--db", db, "instruments", "show", "phq9", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert set(shown) == {
        "name", "title", "min", "max", "higher_is_better", "cutoff",
        "reliable_change", "items", "alliance", "sources",
    }  # fmt: skip
    assert shown["name"] == "PHQ-9" and shown["cutoff"] == 10

    path = _write(tmp_path, BASE + "cutoff = 14\nreliable_change = 8\n")
    assert main(["--db", db, "instruments", "add", str(path)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "instruments", "show", "BDI-II", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["reliable_change"] == 8

    # A second add without --replace, and a clash with a built-in, are refused.
    assert main(["--db", db, "instruments", "add", str(path)]) == 2
    assert "--replace" in capsys.readouterr().err
    clash = _write(tmp_path, BASE.replace("BDI-II", "ors") + "cutoff = 14\nreliable_change = 8\n")
    assert main(["--db", db, "instruments", "add", str(clash)]) == 2
    assert "built-in" in capsys.readouterr().err


def test_cli_unknown_instrument(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(tmp_path / "p.db"), "instruments", "show", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown instrument 'nope'" in err
