"""The Jinja2 environment of the reports: packaged templates, autoescaping, small filters.

Autoescaping is on for every ``.html`` template (and for templates built from
strings), so text the therapist typed (notes, lessons, questions) can never become
markup. Undefined names fail loudly rather than print nothing. No Qt here.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from practice_app.resources import resource_path

CONFIDENTIAL = "Confidential, de-identified"


def paragraphs(text: str | None) -> Markup:
    """Escape ``text`` and keep its line breaks: blank lines part paragraphs, others break."""
    if not text or not text.strip():
        return Markup("")
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in b.split("\n")))
        for b in blocks
    )


def lines(text: str | None) -> Markup:
    """Escape ``text`` and keep its line breaks as ``<br>`` (for table cells: no paragraphs)."""
    if not text or not text.strip():
        return Markup("")
    rows = text.replace("\r\n", "\n").strip().split("\n")
    return Markup("<br>").join(escape(row) for row in rows)


def day(value: dt.date | dt.datetime | None, fmt: str = "%d %b %Y") -> str:
    """A date as "03 Mar 2025" (an empty string for none)."""
    return value.strftime(fmt) if value is not None else ""


def number(value: float | int | None, digits: int = 1, sign: bool = False) -> str:
    """A number with ``digits`` decimals and an en dash for none; ``sign`` adds a plus."""
    if value is None:
        return "–"
    text = f"{value:+,.{digits}f}" if sign else f"{value:,.{digits}f}"
    return text.replace("-", "−")  # a true minus sign reads better in print


def words(value: str | None) -> str:
    """An identifier as words: ``not_on_track`` -> ``not on track``."""
    return (value or "").replace("_", " ").replace("-", " ")


@cache
def environment() -> Environment:
    """Return the shared environment loading from ``resources/templates``."""
    env = Environment(
        loader=FileSystemLoader(str(resource_path("templates"))),
        autoescape=select_autoescape(
            enabled_extensions=("html", "htm", "xml"), default_for_string=True, default=True
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(paragraphs=paragraphs, lines=lines, day=day, number=number, words=words)
    env.globals["CONFIDENTIAL"] = CONFIDENTIAL
    return env
