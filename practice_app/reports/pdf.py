"""HTML to PDF through Qt: A4 pages with margins, a confidentiality header and page numbers.

QTextDocument lays the report out in pages of the printable height (lines and table
rows that would cross a page edge move to the next page); each page is then drawn
with a clip to its own rectangle, so text flows onto as many pages as it needs and
nothing is cut. The header and the "Page i of n" footer are painted in the margins.
QTextDocument and QPdfWriter are reentrant, so this runs on a worker thread; it
needs a QGuiApplication (fonts) but no widgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
)

from practice_app.progress import Progress

HEADER = "Confidential, de-identified"
RESOLUTION = 300
"""Dots per inch of the PDF's coordinate system (text is vector; this sets the grid)."""
MARGINS_MM = (18.0, 20.0, 18.0, 18.0)
"""Left, top, right, bottom page margins; the header and footer sit inside the top and
bottom margins."""
BASE_POINT_SIZE = 9.5


def _mm(value: float, dpi: float) -> float:
    return value / 25.4 * dpi


def build_document(
    html: str, images: Mapping[str, bytes] | None = None, width: float | None = None
) -> QTextDocument:
    """Return a QTextDocument holding ``html`` with PNG ``images`` registered by name.

    The report templates refer to images by name (``<img src="chart-trajectory">``) in
    the print variant; the bytes are registered here as document resources.
    """
    doc = QTextDocument()
    font = QFont("DejaVu Sans")
    font.setStyleHint(QFont.StyleHint.SansSerif)
    font.setPointSizeF(BASE_POINT_SIZE)
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    for name, data in (images or {}).items():
        image = QImage()
        image.loadFromData(data, "PNG")
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    if width is not None:
        doc.setTextWidth(width)
    doc.setHtml(html)
    return doc


def write_pdf(
    html: str,
    path: str | Path,
    *,
    title: str,
    images: Mapping[str, bytes] | None = None,
    header: str = HEADER,
    progress: Progress | None = None,
) -> int:
    """Write ``html`` to ``path`` as an A4 PDF; return the number of pages."""
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
    writer.setCreator("practice-app")
    writer.setResolution(RESOLUTION)
    # Margins are ours (header and footer live in them), so the writer's are zero.
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    return paint_pages(writer, html, title=title, images=images, header=header, progress=progress)


def paint_pages(
    device: QPagedPaintDevice,
    html: str,
    *,
    title: str,
    images: Mapping[str, bytes] | None = None,
    header: str = HEADER,
    progress: Progress | None = None,
) -> int:
    """Lay ``html`` out in pages of ``device`` (a PDF writer or a printer set to full page).

    Returns the number of pages painted. The device's whole page is drawn on: the
    margins, header and footer are placed here.
    """
    progress = progress or Progress()
    dpi = float(device.logicalDpiY())
    left, top, right, bottom = (_mm(m, dpi) for m in MARGINS_MM)
    page_w, page_h = float(device.width()), float(device.height())
    body = QRectF(left, top, page_w - left - right, page_h - top - bottom)
    doc = build_document(html, images)
    # Lay out with the device's resolution so point sizes are true on paper.
    doc.documentLayout().setPaintDevice(device)
    doc.setPageSize(QSizeF(body.width(), body.height()))
    pages = doc.pageCount()
    progress.update(0, pages, "Writing the pages")
    painter = QPainter()
    if not painter.begin(device):
        raise OSError(f"cannot write {title}")
    try:
        for index in range(pages):
            progress.check()
            if index:
                device.newPage()
            _decorate(painter, header, title, index + 1, pages, body, dpi)
            painter.save()
            painter.translate(body.left(), body.top() - index * body.height())
            doc.drawContents(painter, QRectF(0, index * body.height(), body.width(), body.height()))
            painter.restore()
            progress.update(index + 1)
    finally:
        painter.end()
    return pages


def _decorate(
    painter: QPainter, header: str, title: str, page: int, pages: int, body: QRectF, dpi: float
) -> None:
    """Draw the header (confidentiality, title) and the footer (page i of n) of one page."""
    font = QFont("DejaVu Sans")
    font.setPointSizeF(7.5)
    grey = QColor("#546e7a")
    gap = _mm(4, dpi)
    head = QRectF(body.left(), body.top() - gap - _mm(6, dpi), body.width(), _mm(6, dpi))
    bottom = Qt.AlignmentFlag.AlignBottom
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QPen(grey))
    painter.drawText(head, int(bottom | Qt.AlignmentFlag.AlignLeft), header.upper())
    font.setBold(False)
    painter.setFont(font)
    painter.drawText(head, int(bottom | Qt.AlignmentFlag.AlignRight), title)
    line = QPen(QColor("#b0bec5"))
    line.setWidthF(_mm(0.2, dpi))
    painter.setPen(line)
    y = body.top() - gap / 2
    painter.drawLine(QPointF(body.left(), y), QPointF(body.right(), y))
    painter.setPen(QPen(grey))
    foot = QRectF(body.left(), body.bottom() + gap, body.width(), _mm(6, dpi))
    top_centre = Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter
    painter.drawText(foot, int(top_centre), f"Page {page} of {pages}")
