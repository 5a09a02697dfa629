"""Turn a loaded report into a standalone HTML file or an A4 PDF.

Three steps, so each can run on the thread it needs:

1. ``load_report`` (services.report_data): the data, on the database worker;
2. ``report_charts(report)``: the chart images, with pyqtgraph, on the GUI thread;
3. ``write_report(report, charts, path)``: the template and the file, on any thread.

``render_report`` does all three in a row (the ``report`` command).
The HTML embeds its charts as ``data:`` URIs and its CSS inline, so the one file can
be mailed or archived; the PDF comes from the print variant of the same template,
which keeps to the HTML and CSS that QTextDocument understands.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from practice_app.errors import UserError
from practice_app.progress import Progress
from practice_app.reports.charts import ChartImage, minutes_png, trajectory_png, week_label
from practice_app.reports.environment import environment
from practice_app.services.report_data import ConsultReport, Report, WeeklyReport

Format = Literal["html", "pdf"]
FORMATS: dict[str, Format] = {".html": "html", ".htm": "html", ".pdf": "pdf"}


def report_format(path: str | Path) -> Format:
    """The output format named by the file's extension; a UserError for any other."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        shown = suffix or "no extension"
        raise UserError(f"cannot tell the format from '{Path(path).name}' ({shown}); "
                        "name the file .html or .pdf")  # fmt: skip
    return FORMATS[suffix]


def report_title(report: Report) -> str:
    """The report's title (also the PDF's title and the page header's right side)."""
    if isinstance(report, ConsultReport):
        v = report.view
        return f"Consultation brief · client {v.code}, episode {v.episode_label}"
    w = report.view
    return f"Weekly review · week of {w.week_start:%d %b %Y}"


def report_charts(report: Report) -> dict[str, ChartImage]:
    """Draw the report's charts (GUI thread: pyqtgraph is not thread-safe)."""
    if isinstance(report, ConsultReport):
        v = report.view
        if not v.episode.sessions:
            return {}
        return {"trajectory": trajectory_png(v.episode, v.outcome_def, v.alliance_def)}
    weeks = report.weeks
    if not any(w.minutes for w in weeks):
        return {}
    target = report.view.practice.target_minutes or None
    chart = minutes_png(
        [week_label(w.week_start) for w in weeks],
        [w.minutes for w in weeks],
        target,
        highlight=len(weeks) - 1,
    )
    return {"minutes": chart}


def render_html(report: Report, charts: Mapping[str, ChartImage], *, for_print: bool) -> str:
    """The report as HTML: standalone (data URIs) or the print variant (named images)."""
    template = "consult.html" if isinstance(report, ConsultReport) else "weekly.html"
    sources = {
        name: (f"chart-{name}" if for_print else chart.uri) for name, chart in charts.items()
    }
    return (
        environment()
        .get_template(template)
        .render(
            report=report,
            view=report.view,
            title=report_title(report),
            charts=charts,
            sources=sources,
            for_print=for_print,
        )
    )


def write_report(
    report: Report,
    charts: Mapping[str, ChartImage],
    path: str | Path,
    progress: Progress | None = None,
) -> Path:
    """Write the report to ``path`` as HTML or PDF (by its extension); return the path.

    Runs on any thread (QTextDocument and QPdfWriter are reentrant); a PDF needs a
    QGuiApplication to exist.
    """
    path = Path(path)
    fmt = report_format(path)
    progress = progress or Progress()
    progress.update(0, 1, "Writing the report")
    # Written beside the target and renamed: a reader never sees half a file, and a
    # cancelled or failed export leaves the old file (if any) as it was.
    tmp = path.with_name(path.name + ".part")
    try:
        if fmt == "html":
            tmp.write_text(render_html(report, charts, for_print=False), encoding="utf-8")
        else:
            from practice_app.reports.pdf import write_pdf

            html = render_html(report, charts, for_print=True)
            images = {f"chart-{name}": chart.png for name, chart in charts.items()}
            write_pdf(html, tmp, title=report_title(report), images=images, progress=progress)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def render_report(report: Report, path: str | Path, progress: Progress | None = None) -> Path:
    """Draw the charts and write the file, all on the calling (GUI or only) thread."""
    report_format(path)  # refuse a wrong extension before drawing anything
    return write_report(report, report_charts(report), path, progress)


__all__ = [
    "ConsultReport",
    "Format",
    "WeeklyReport",
    "render_html",
    "render_report",
    "report_charts",
    "report_format",
    "report_title",
    "write_report",
]
