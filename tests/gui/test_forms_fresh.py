"""The generated forms in practice_app/gui/forms match ui/*.ui (run forms_build when this fails)."""

from __future__ import annotations

from pathlib import Path

import pytest

from practice_app.gui import forms_build


def test_every_form_has_its_generated_module() -> None:
    forms = forms_build.ui_files()
    assert {f.name for f in forms} >= {"main_window.ui", "about_dialog.ui", "welcome.ui"}
    for ui_file in forms:
        assert forms_build.target_for(ui_file).exists(), f"{ui_file.name} was never compiled"


@pytest.mark.parametrize("ui_file", forms_build.ui_files(), ids=lambda p: p.name)
def test_generated_form_is_fresh(ui_file: Path) -> None:
    fresh = forms_build.compile_form(ui_file)
    current = forms_build.target_for(ui_file).read_text(encoding="utf-8")
    assert forms_build.comparable(current) == forms_build.comparable(fresh), (
        f"{forms_build.target_for(ui_file).name} is stale: run "
        "`python -m practice_app.gui.forms_build`"
    )
    assert current.startswith("# Generated from ui/") and "do not edit" in current.splitlines()[0]


def test_a_stale_form_is_detected(tmp_path: Path) -> None:
    source = forms_build.ui_files()[0]
    changed = tmp_path / source.name
    changed.write_text(source.read_text(encoding="utf-8").replace("</ui>", "</ui>\n"), "utf-8")
    assert forms_build.comparable(forms_build.compile_form(changed)) == forms_build.comparable(
        forms_build.target_for(source).read_text(encoding="utf-8")
    )  # whitespace alone changes nothing
    edited = source.read_text(encoding="utf-8").replace("<ui version", "<ui  version", 1)
    edited = edited.replace("practice-app", "practice-app (edited)", 1)
    changed.write_text(edited, "utf-8")
    assert forms_build.comparable(forms_build.compile_form(changed)) != forms_build.comparable(
        forms_build.target_for(source).read_text(encoding="utf-8")
    )
    assert forms_build.compile_all(check=True) == []  # the real tree is up to date


def test_the_version_line_is_the_only_line_ignored() -> None:
    text = "a\n## Created by: Qt User Interface Compiler version 6.0.0\nb\n"
    assert forms_build.comparable(text) == ["a", "b"]
