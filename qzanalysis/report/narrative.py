"""Narrative text generated from data, for notebooks' Markdown outputs.

Markdown outputs pass raw HTML through nbconvert, so every value put into text is escaped here.
"""

from __future__ import annotations

import contextvars
import functools
import html
import re

from qzanalysis.report.formatting import MISSING_TEXT, display_table, fmt_number, table_html

# Markdown syntax characters, written as HTML character references so data can never form a link, image,
# emphasis or code span (e.g. "[x](javascript:…)" in a note), while readers still see the same characters.
_MARKDOWN_SYNTAX = str.maketrans({c: f"&#{ord(c)};" for c in "[]()*_`!#|~\\"})
# nbconvert's Markdown renderer links bare "http://…" text (its "url" plugin matches the raw source, where
# character references stay undecoded, so a ")" would also show as "&#41;"): break the "://" instead.
_BARE_URL = re.compile(r":(?=//)")


def esc(value) -> str:
    """Escape a data string for Markdown output: HTML first, then Markdown syntax, and no bare URL becomes
    a link. Data text is shown as text, exactly as typed."""
    return _BARE_URL.sub("&#58;", html.escape(str(value)).translate(_MARKDOWN_SYNTAX))


def fact_text(data, fact_id: str, decimals: int | None = None) -> str:
    """'3,742 人' for a fact, in the catalogue's unit and the printed decimals; '—' when missing (or when
    the school never declares it: a number only some schools' catalogues hold)."""
    if not data.declares(fact_id):
        return MISSING_TEXT
    spec = data.fact_spec(fact_id)
    value = data.fact(fact_id)
    if decimals is None:
        decimals = data.fact_decimals(fact_id) or 0
    return fmt_number(value, decimals, spec.unit)


def sentence(template: str, **values) -> str:
    """Fill a Chinese sentence template; values are escaped, numbers must come pre-formatted."""
    return template.format(**{k: esc(v) for k, v in values.items()})


# The editions a display output appears in. Publication (发布版) is the school's report as published;
# review (审阅版) adds the audit's voice; analysis (分析版) shows everything with code. An output shown only
# for review carries this in its display metadata, and the publication export drops it.
EDITIONS = ("publication", "review", "analysis")
REVIEW_ONLY = {"qz": {"editions": ["review", "analysis"]}}


# Inside a function decorated with @review_voice every display is review-only.
_REVIEW_VOICE = contextvars.ContextVar("qz_review_voice", default=False)


def edition_metadata(review_only: bool) -> dict | None:
    return REVIEW_ONLY if (review_only or _REVIEW_VOICE.get()) else None


def review_voice(fn):
    """Decorate a chapter function whose every output is the audit's (or the analyst's) voice: what it
    displays is review-only, and a figure it returns is wrapped with `review_only`. The publication
    edition is the school's words, its tables and figures; checks, recomputations and generated
    commentary belong to the review edition."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        token = _REVIEW_VOICE.set(True)
        try:
            result = fn(*args, **kwargs)
        finally:
            _REVIEW_VOICE.reset(token)
        return review_only(result)

    setattr(wrapper, "review_voice", True)  # noqa: B010 - a marker attribute mypy cannot see on a wrapper
    return wrapper


def show_markdown(text: str, *, review_only: bool = False):
    """Display Markdown. `review_only`: the audit's voice, left out of the publication edition."""
    from IPython.display import Markdown, display

    display(Markdown(text), metadata=edition_metadata(review_only))


def show_table(frame, spec=None, caption: str | None = None, *, review_only: bool = False, **kwargs):
    """Display a data table formatted with Chinese titles and units, escaped."""
    from IPython.display import HTML, display

    display(
        HTML(table_html(display_table(frame, spec, **kwargs), caption)),
        metadata=edition_metadata(review_only),
    )


class ReviewOnly:
    """A figure (or any displayable) shown in the review and analysis editions only.

    A chapter function returns ``review_only(fig)`` instead of ``fig`` for a chart that belongs to the audit.
    """

    def __init__(self, obj):
        self.obj = obj

    def _repr_mimebundle_(self, include=None, exclude=None):
        from IPython.core.formatters import format_display_data

        data, metadata = format_display_data(self.obj, include=include, exclude=exclude)
        return data, {**metadata, "qz": {**metadata.get("qz", {}), **REVIEW_ONLY["qz"]}}


def review_only(obj):
    """Mark a figure for the review and analysis editions only (None stays None)."""
    if obj is None or isinstance(obj, ReviewOnly):
        return obj
    return ReviewOnly(obj)


def missing_notice(what: str) -> str:
    space = " " if str(what)[:1].isdigit() else ""  # "未提供 2022 年……", not "未提供2022 年……"
    return f"> 本年度未提供{space}{esc(what)}数据。"


__all__ = [
    "EDITIONS",
    "MISSING_TEXT",
    "REVIEW_ONLY",
    "esc",
    "fact_text",
    "missing_notice",
    "review_only",
    "review_voice",
    "sentence",
    "show_markdown",
    "show_table",
]
