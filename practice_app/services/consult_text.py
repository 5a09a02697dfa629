"""The consultation brief as plain text: what "Copy as text" puts on the clipboard. No Qt.

Written to be pasted into an email to a consultant: short headed sections, numbers with
what they rest on, tables in a fixed-width layout (readable in a plain-text mail, still
tidy in a proportional font), and the client as a code only. The only free text is the
therapist's own (notes, lessons, what was tried, questions), and the brief reminds the
therapist to check it for names before sending.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from practice_app.services.consult import ConsultBriefView, ItemTable

SHORT = {
    "Individually": "Indiv",
    "Interpersonally": "Interp",
    "Socially": "Social",
    "Overall": "Overall",
    "Relationship": "Relat",
    "Goals and topics": "Goals",
    "Approach or method": "Approach",
}


def short_item(name: str) -> str:
    """A short column caption for an item (full names are listed under the table)."""
    return SHORT.get(name, name.split(" ")[0][:9])


def day(value: dt.date | None) -> str:
    """A date as "24 Nov 2026" ("–" when unknown)."""
    return value.strftime("%d %b %Y") if value else "–"


def number(value: float | None, signed: bool = False) -> str:
    """One decimal ("–" when absent), with a sign for changes."""
    if value is None:
        return "–"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


WIDTH = 88
"""Generated lines wrap here (the therapist's own text is kept as written)."""


def _bullet(text: str, first: str = "  - ", rest: str = "    ") -> list[str]:
    """A generated line, wrapped with a hanging indent."""
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=rest)


def _heading(title: str) -> list[str]:
    return ["", title.upper(), "-" * len(title)]


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """Columns padded to their widest cell; the first two left-aligned, numbers right."""
    widths = [max(len(h), *(len(r[c]) for r in rows)) for c, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        parts = [
            cell.ljust(widths[c]) if c < 2 else cell.rjust(widths[c])
            for c, cell in enumerate(cells)
        ]
        return "  " + "  ".join(parts).rstrip()

    return [line(headers), *(line(r) for r in rows)]


def _wrapped(text: str, indent: str = "  ") -> list[str]:
    """The therapist's text, kept as written (line breaks too), indented."""
    return [indent + row.rstrip() if row.strip() else "" for row in text.strip().splitlines()]


def _item_table(table: ItemTable) -> list[str]:
    headers = ["#", "Date", *(short_item(i) for i in table.items), "Total"]
    rows = []
    for r in table.rows:
        cells = [str(r.session), day(r.date)]
        for value, low in zip(r.values, r.low, strict=True):
            cells.append(number(value) + ("*" if low else ""))
        cells.append(number(r.total))
        rows.append(cells)
    out = _table(headers, rows)
    legend = ", ".join(f"{short_item(i)} = {i}" for i in table.items if short_item(i) != i)
    if legend:
        out.append(f"  ({legend})")
    if table.low_below is not None and any(any(r.low) for r in table.rows):
        out.append(f"  * below {table.low_below:g}: a weak spot in the alliance")
    if table.lowest_item is not None and table.lowest_mean is not None:
        out.append(f"  Lowest item on average: {table.lowest_item} ({table.lowest_mean:.1f})")
    return out


def brief_text(view: ConsultBriefView, *, notes: bool = True) -> str:
    """The whole brief as plain text (sections in the order a consultant reads them)."""
    lines = [
        f"Consultation brief: client {view.code}  (de-identified: the client is a code only)",
        f"Episode {view.episode_label} · therapist {view.therapist} · {view.status}",
        (
            f"{view.sessions} session{'s' if view.sessions != 1 else ''}, "
            f"{day(view.first_date)} – {day(view.last_date)}"
            if view.sessions
            else "No sessions yet"
        )
        + (f" · ended {day(view.end_date)}" if view.end_date else ""),
        f"Prepared {day(view.today)}",
    ]
    lines += _heading("Summary")
    if not view.instruments:
        lines.append("  No scores in this episode yet.")
    for i in view.instruments:
        measured = f"{i.measurements} measurement{'s' if i.measurements != 1 else ''}"
        lines.append(f"  {i.name} – {i.title}, {measured}:")
        start = "intake" if i.role == "outcome" else "first"
        change = (
            f"{start} {number(i.intake)}, latest {number(i.latest)}, "
            f"change {number(i.change, signed=True)}"
        )
        if i.category:
            change += f" ({i.category})"
        lines.append(f"    {change}")
        refs = []
        if i.cutoff is not None:
            refs.append(f"cutoff {i.cutoff:g}")
        if i.reliable_change is not None and i.role == "outcome":
            refs.append(f"reliable change {i.reliable_change:g} points")
        refs.append("higher is better" if i.higher_is_better else "lower is better")
        lines.append(f"    {', '.join(refs)}")
        lines.append(f"    Signal: {i.signal} – {i.signal_words}")
        lines.append(f"    {i.model}")
    lines += _heading("Signals and sudden changes")
    if view.signals:
        for note in view.signals:
            lines += _bullet(f"{note.title} – {note.text}" if note.text else note.title)
    else:
        lines.append("  None.")
    if not view.sudden and view.outcome is not None:
        lines.append("  - No sudden gains or losses.")
    t = view.trajectory
    if t.points:
        lines += _heading("Scores by session")
        headers = ["#", "Date"]
        if t.outcome:
            headers += [t.outcome, "Signal"]
        if t.alliance:
            headers.append(t.alliance)
        rows = []
        for p in t.points:
            cells = [str(p.session), day(p.date)]
            if t.outcome:
                shown = p.score is not None and p.signal != "none"
                cells += [number(p.score), p.signal if shown else "–"]
            if t.alliance:
                cells.append(number(p.alliance))
            rows.append(cells)
        lines += _table(headers, rows)
        lines.append(f"  {t.model_text}.")
    for table in view.item_tables:
        lines += _heading(f"Item scores: {table.instrument}")
        lines += _item_table(table)
    a = view.alliance
    if a is not None:
        lines += _heading(f"Alliance ({a.instrument})")
        lines.append(
            f"  Latest {number(a.latest)}, lowest {number(a.lowest)}, mean {number(a.mean)} "
            f"over {a.measurements} session{'s' if a.measurements != 1 else ''}"
            + (f"; cutoff {a.cutoff:g}" if a.cutoff is not None else "")
        )
        if a.below_cutoff:
            lines.append(
                "  Below the cutoff at session " + ", ".join(str(n) for n in a.below_cutoff)
            )
        else:
            lines.append("  Never below the cutoff.")
        lines.append(f"  Signal: {a.signal} – {a.words}")
    lines += _heading("Lessons so far")
    if not view.lessons:
        lines.append("  None recorded for this client.")
    for lesson in view.lessons:
        where = f", episode {lesson.episode}" if lesson.episode else ""
        lines += _bullet(f"{day(lesson.date)}{where}: {lesson.taught.strip()}", "  ")
        if lesson.new_or_different:
            lines.append(f"    New or different: {lesson.new_or_different.strip()}")
        if lesson.will_practise:
            lines.append(f"    I will practise: {lesson.will_practise.strip()}")
        if lesson.tags:
            lines.append(f"    Tags: {', '.join(lesson.tags)}")
    if notes and view.notes:
        lines += _heading("Session notes")
        lines.append("  (the therapist's own notes: check them for names before sending)")
        for n in view.notes:
            first, *rest = n.text.splitlines() or [""]
            lines += _bullet(f"Session {n.session}, {day(n.date)}: {first.strip()}", "  ")
            lines += _wrapped("\n".join(rest), "    ") if rest else []
    lines += _heading("What has been tried")
    lines += _wrapped(view.tried) if view.tried.strip() else ["  (not filled in)"]
    lines += _heading("Questions for the consultant")
    lines += _wrapped(view.questions) if view.questions.strip() else ["  (not filled in)"]
    return "\n".join(lines).rstrip() + "\n"
