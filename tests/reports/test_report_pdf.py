"""The report machinery: autoescaping templates, the PDF writer's pages, headers and numbers."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from practice_app.errors import UserError
from practice_app.reports.environment import environment, paragraphs
from practice_app.reports.render import report_format

HOSTILE = '<script>alert(1)</script> & "quoted" {{ 7*7 }}'


def pdf_text(path: Path) -> str:
    """The PDF's text (pdftotext), or skip when poppler is not installed."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    # -raw: the order the text was drawn in, so a table cell's lines stay together.
    out = subprocess.run([tool, "-raw", str(path), "-"], capture_output=True, check=True)
    # NFKC undoes the typographic ligatures the PDF's fonts use ("ﬁ" -> "fi").
    return unicodedata.normalize("NFKC", out.stdout.decode("utf-8"))


def pdf_pages(path: Path) -> int:
    """Count the pages by the PDF's own page objects (no PDF library needed)."""
    data = path.read_bytes()
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def test_templates_autoescape_html_and_strings() -> None:
    env = environment()
    assert env.autoescape("consult.html") is True
    assert env.from_string("{{ x }}").render(x=HOSTILE).startswith("&lt;script&gt;")


def test_paragraphs_escape_and_keep_line_breaks() -> None:
    html = str(paragraphs(f"first line\n{HOSTILE}\n\nsecond paragraph"))
    assert html == (
        "<p>first line<br>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quoted&#34; "
        "{{ 7*7 }}</p><p>second paragraph</p>"
    )
    assert str(paragraphs("  ")) == ""


@pytest.mark.parametrize("name", ["brief.txt", "brief", "brief.PDF.bak"])
def test_the_extension_names_the_format(name: str) -> None:
    with pytest.raises(UserError, match=r"\.html or \.pdf"):
        report_format(name)
    assert report_format("Brief.PDF") == "pdf"
    assert report_format("brief.htm") == "html"


def test_long_document_flows_onto_numbered_pages_with_the_header(qapp: Any, tmp_path: Path) -> None:
    from practice_app.reports.pdf import write_pdf

    rows = "".join(
        f"<tr><td>{i}</td><td>{'words that wrap across the cell ' * 8}</td></tr>"
        for i in range(1, 121)
    )
    html = f"<h1>Long</h1><table><thead><tr><th>n</th><th>text</th></tr></thead>{rows}</table>"
    html += "<p>THE-LAST-LINE</p>"
    out = tmp_path / "long.pdf"
    pages = write_pdf(html, out, title="Long brief")
    assert pages >= 5
    assert pdf_pages(out) == pages
    text = pdf_text(out)
    chunks = text.split("\f")
    assert len([c for c in chunks if c.strip()]) == pages
    for number, chunk in enumerate(chunks[:pages], start=1):
        assert "CONFIDENTIAL, DE-IDENTIFIED" in chunk
        assert f"Page {number} of {pages}" in chunk
    # Nothing is cut: every row and the last line are somewhere in the text.
    body = re.sub(r"\s+", " ", text)
    for i in (1, 60, 119, 120):
        assert re.search(rf"\b{i} words that wrap", body), i
    assert "THE-LAST-LINE" in chunks[pages - 1]


def test_many_charts_in_one_process_do_not_crash(tmp_path: Path) -> None:
    # PySide6 6.12 on Python 3.11 drops references to None/True/False; without the
    # pinning in reports.charts the interpreter aborted after about 25 charts.
    import sys
    import textwrap

    script = textwrap.dedent(
        f"""
        import datetime as dt
        from practice_app.demo import load_demo
        from practice_app.reports.charts import ensure_application, trajectory_png
        from practice_app.services.client_page import load_client_page
        from practice_app.storage.database import open_database

        ensure_application()
        db = open_database({str(tmp_path / "demo.sqlite3")!r})
        load_demo(db, today=dt.date(2026, 12, 1))
        with db.session() as s:
            page = load_client_page(s, "C0034")
        db.dispose()
        for _ in range(35):
            trajectory_png(page.episodes[0], page.outcome, page.alliance)
        print("drew 35")
        """
    )
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "drew 35" in done.stdout
