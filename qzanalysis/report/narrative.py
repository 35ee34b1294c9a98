"""Narrative text generated from data, for notebooks' Markdown outputs.

Markdown outputs pass raw HTML through nbconvert, so every value put into text is escaped here.
"""

from __future__ import annotations

import html

from qzanalysis.report.formatting import MISSING_TEXT, display_table, fmt_number, table_html

# Markdown syntax characters, written as HTML character references so data can never form a link, image,
# emphasis or code span (e.g. "[x](javascript:…)" in a note), while readers still see the same characters.
_MARKDOWN_SYNTAX = str.maketrans({c: f"&#{ord(c)};" for c in "[]()*_`!#|\\"})


def esc(value) -> str:
    """Escape a data string for Markdown output: HTML first, then Markdown syntax."""
    return html.escape(str(value)).translate(_MARKDOWN_SYNTAX)


def fact_text(data, fact_id: str, decimals: int | None = None) -> str:
    """'3,742 人' for a fact, in the catalogue's unit and the printed decimals; '—' when missing."""
    from qzanalysis.core.catalog import fact_specs

    spec = fact_specs()[fact_id]
    value = data.fact(fact_id)
    if decimals is None:
        decimals = data.fact_decimals(fact_id) or 0
    return fmt_number(value, decimals, spec.unit)


def sentence(template: str, **values) -> str:
    """Fill a Chinese sentence template; values are escaped, numbers must come pre-formatted."""
    return template.format(**{k: esc(v) for k, v in values.items()})


def show_markdown(text: str):
    from IPython.display import Markdown, display

    display(Markdown(text))


def show_table(frame, spec=None, caption: str | None = None, **kwargs):
    """Display a data table formatted with Chinese titles and units, escaped."""
    from IPython.display import HTML, display

    display(HTML(table_html(display_table(frame, spec, **kwargs), caption)))


def missing_notice(what: str) -> str:
    space = " " if str(what)[:1].isdigit() else ""  # "未提供 2022 年……", not "未提供2022 年……"
    return f"> 本年度未提供{space}{esc(what)}数据。"


__all__ = ["MISSING_TEXT", "esc", "fact_text", "sentence", "show_markdown", "show_table", "missing_notice"]
