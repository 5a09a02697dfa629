"""Both reports rendered to HTML and PDF from real databases: escaping, no names, pages.

The demo database (as of TODAY) gets hostile text in every place a therapist types:
session notes, a lesson, what was tried, the questions, a practice note, the weekly
review's note and commitment. It must come out escaped in the HTML and as the very
same literal text in the PDF.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from test_report_pdf import pdf_pages, pdf_text

from practice_app.cli import main
from practice_app.demo import load_demo
from practice_app.reports.render import render_html, render_report, report_charts
from practice_app.services.report_data import (
    ConsultReport,
    load_consult_report,
    load_weekly_report,
)
from practice_app.storage.database import Database, open_database
from practice_app.storage.models import (
    Client,
    ClientLesson,
    ConsultationBrief,
    Episode,
    PracticeEntry,
    Session,
    Therapist,
    WeeklyReview,
)

TODAY = dt.date(2026, 12, 1)
WEEK = dt.date(2026, 11, 30)
CODE = "C0034"
HOSTILE = '<script>alert(1)</script> & "quoted" {{ 7*7 }}'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quoted&#34; {{ 7*7 }}"


def _episode(s: Any, code: str) -> Episode:
    client = s.scalar(select(Client).where(Client.code == code))
    assert client is not None
    return s.scalars(select(Episode).where(Episode.client_id == client.id)).first()


def _plant_hostile_text(db: Database) -> None:
    """Put HOSTILE (tagged by where it is) in every free-text field the reports show."""
    with db.session() as s:
        episode = _episode(s, CODE)
        sessions = s.scalars(
            select(Session).where(Session.episode_id == episode.id).order_by(Session.number)
        ).all()
        sessions[2].notes = f"note-field {HOSTILE}"
        s.add(
            ClientLesson(
                client_id=episode.client_id,
                episode_id=episode.id,
                date=TODAY,
                taught=f"lesson-field {HOSTILE}",
                new_or_different=f"new-field {HOSTILE}",
                will_practise=f"practise-field {HOSTILE}",
            )
        )
        brief = s.scalar(
            select(ConsultationBrief).where(ConsultationBrief.episode_id == episode.id)
        )
        if brief is None:
            brief = ConsultationBrief(episode_id=episode.id)
            s.add(brief)
        brief.tried = f"tried-field {HOSTILE}\nsecond line"
        brief.questions = f"question-field {HOSTILE}"
        therapist = s.scalars(select(Therapist)).one()
        s.add(
            PracticeEntry(
                therapist_id=therapist.id,
                date=WEEK,
                minutes=25,
                activity="rehearsal",
                notes=f"practice-field {HOSTILE}",
            )
        )
        review = s.scalar(select(WeeklyReview).where(WeeklyReview.week_start == WEEK))
        if review is None:
            review = WeeklyReview(therapist_id=therapist.id, week_start=WEEK)
            s.add(review)
        review.note = f"review-note-field {HOSTILE}"
        review.commitment = f"commitment-field {HOSTILE}"
        review.energy = 6


@pytest.fixture
def demo_db(db: Database) -> Database:
    """The demo practice as of TODAY, with hostile text planted."""
    load_demo(db, today=TODAY)
    _plant_hostile_text(db)
    return db


CONSULT_FIELDS = ("note-field", "lesson-field", "new-field", "practise-field", "tried-field",
                  "question-field")  # fmt: skip
WEEKLY_FIELDS = ("practice-field", "review-note-field", "commitment-field")


def _check_html(html: str, fields: tuple[str, ...]) -> None:
    assert "<script" not in html.lower()
    assert "alert(1)</" not in html
    for field in fields:
        assert f"{field} {ESCAPED}" in html, field


def _check_pdf(path: Path, fields: tuple[str, ...]) -> str:
    text = pdf_text(path)
    flat = re.sub(r"\s+", " ", text)
    for field in fields:
        assert f"{field} {HOSTILE}" in flat, field
    pages = pdf_pages(path)
    chunks = text.split("\f")
    for number in range(1, pages + 1):
        assert "CONFIDENTIAL, DE-IDENTIFIED" in chunks[number - 1]
        assert f"Page {number} of {pages}" in chunks[number - 1]
    return flat


def test_consult_brief_html_and_pdf_escape_hostile_text(
    demo_db: Database, qapp: Any, tmp_path: Path
) -> None:
    with demo_db.session() as s:
        report = load_consult_report(s, CODE, today=TODAY)
    html_path = render_report(report, tmp_path / "brief.html")
    html = html_path.read_text(encoding="utf-8")
    _check_html(html, CONSULT_FIELDS)
    # Standalone: the chart is embedded, nothing is fetched from elsewhere.
    assert html.count('src="data:image/png;base64,') == 1
    assert not re.search(r'(src|href)="(https?:|file:|//)', html)
    assert "Confidential, de-identified" in html
    assert f"client {CODE}" in html
    pdf = render_report(report, tmp_path / "brief.pdf")
    flat = _check_pdf(pdf, CONSULT_FIELDS)
    assert f"Consultation brief: client {CODE}" in flat
    assert "Questions for the consultant" in flat


def test_weekly_review_html_and_pdf_escape_hostile_text(
    demo_db: Database, qapp: Any, tmp_path: Path
) -> None:
    with demo_db.session() as s:
        report = load_weekly_report(s, WEEK, today=TODAY)
    assert report.weeks[-1].week_start == WEEK
    assert report.weeks[-1].minutes == report.view.practice.minutes
    html = render_report(report, tmp_path / "week.html").read_text(encoding="utf-8")
    _check_html(html, WEEKLY_FIELDS)
    assert html.count('src="data:image/png;base64,') == 1  # the practice-minutes chart
    flat = _check_pdf(render_report(report, tmp_path / "week.pdf"), WEEKLY_FIELDS)
    assert "Clients needing attention" in flat
    for item in report.view.attention:
        assert item.client in flat


def test_long_brief_flows_onto_more_pages(demo_db: Database, qapp: Any, tmp_path: Path) -> None:
    with demo_db.session() as s:
        episode = _episode(s, CODE)
        brief = s.scalar(
            select(ConsultationBrief).where(ConsultationBrief.episode_id == episode.id)
        )
        assert brief is not None
        brief.tried = "\n".join(
            f"tried step {i:03d}: reviewed the goals again" for i in range(1, 181)
        )
        brief.questions = "\n\n".join(
            f"question {i:02d}: what would you try?" for i in range(1, 41)
        )
    with demo_db.session() as s:
        report = load_consult_report(s, CODE, today=TODAY)
    out = render_report(report, tmp_path / "long.pdf")
    pages = pdf_pages(out)
    assert pages >= 5
    flat = _check_pdf(out, ())
    for i in (1, 90, 180):
        assert f"tried step {i:03d}" in flat
    assert "question 40: what would you try?" in flat
    assert "Session notes" in flat  # the last section is there too


def test_names_dropped_at_import_never_reach_a_report(qapp: Any, tmp_path: Path) -> None:
    header = (
        "Provider_ID,Client_ID,Client_FirstName,Client_LastName,Case_ID,Session_ID,"
        "Session_Date,ORSQ1,ORSQ2,ORSQ3,ORSQ4,Total_ORS,SRS_Skip,Total_SRS,Notes\n"
    )
    rows = [
        f"P1,K7,Zelda,Quixote,E1,{n},2026-{9 + (n - 1) // 4:02d}-{1 + 7 * ((n - 1) % 4):02d},"
        f"{a},{a},{a},{a},{4 * a},N,37,session {n} went fine\n"
        for n, a in enumerate((4, 4, 5, 6, 6, 7, 8, 8), start=1)
    ]
    src = tmp_path / "openfit.csv"
    src.write_text(header + "".join(rows), encoding="utf-8")
    db_path = tmp_path / "named.sqlite3"
    assert main(["--db", str(db_path), "import", str(src)]) == 0
    db = open_database(str(db_path))
    try:
        with db.session() as s:
            consult = load_consult_report(s, "K7", today=TODAY)
            weekly = load_weekly_report(s, dt.date(2026, 10, 20), today=TODAY)
    finally:
        db.dispose()
    assert len(consult.view.episode.sessions) == 8
    for report, stem in ((consult, "brief"), (weekly, "week")):
        for suffix in ("html", "pdf"):
            out = render_report(report, tmp_path / f"{stem}.{suffix}")
            text = out.read_text("utf-8") if suffix == "html" else pdf_text(out)
            assert "Zelda" not in text and "Quixote" not in text, out
            assert "zelda" not in text.lower() and "quixote" not in text.lower()
    assert "K7" in pdf_text(tmp_path / "brief.pdf")


def test_print_variant_names_its_images(demo_db: Database, qapp: Any) -> None:
    with demo_db.session() as s:
        report = load_consult_report(s, CODE, today=TODAY)
    assert isinstance(report, ConsultReport)
    charts = report_charts(report)
    assert set(charts) == {"trajectory"}
    assert charts["trajectory"].png.startswith(b"\x89PNG")
    texts = [e.text for e in charts["trajectory"].legend]
    assert any("reliable change" in t for t in texts)
    assert any("Expected" in t for t in texts)
    html = render_html(report, charts, for_print=True)
    assert 'src="chart-trajectory"' in html and "data:image" not in html


def test_report_command(
    demo_db: Database, db_path: Path, qapp: Any, tmp_path: Path, capsys: Any
) -> None:
    path = db_path  # the demo database's file
    out = tmp_path / "brief.pdf"
    assert main(["--db", str(path), "report", "consult", "--client", CODE, "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert out.read_bytes().startswith(b"%PDF")
    week = tmp_path / "week.html"
    assert (
        main(["--db", str(path), "report", "weekly", "--week", "2026-11-30", "--out", str(week)])
        == 0
    )
    assert "Weekly review" in week.read_text("utf-8")
    bad = tmp_path / "brief.docx"
    assert main(["--db", str(path), "report", "consult", "--client", CODE, "--out", str(bad)]) == 2
    err = capsys.readouterr().err
    assert ".html or .pdf" in err and len(err.strip().splitlines()) == 1
    assert not bad.exists()
    code = main(["--db", str(path), "report", "consult", "--client", "NOBODY", "--out", str(out)])
    assert code == 2
    assert "NOBODY" in capsys.readouterr().err
    assert main(["--db", str(path), "report", "consult", "--out", str(out)]) == 2  # no --client


def test_cancelled_pdf_leaves_the_old_file(demo_db: Database, qapp: Any, tmp_path: Path) -> None:
    from practice_app.progress import Cancelled, Progress
    from practice_app.reports.render import write_report

    with demo_db.session() as s:
        report = load_consult_report(s, CODE, today=TODAY)
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "brief.pdf"
    out.write_bytes(b"the previous export")
    progress = Progress()

    def cancel_after_first_page(done: int, total: int, message: str) -> None:
        if total > 1 and done == 1:
            progress.cancel()

    progress.subscribe(cancel_after_first_page)
    with pytest.raises(Cancelled):
        write_report(report, report_charts(report), out, progress)
    assert progress.done == 1 and progress.total >= 2  # it was stopped between pages
    assert out.read_bytes() == b"the previous export"
    assert sorted(p.name for p in folder.iterdir()) == ["brief.pdf"]
