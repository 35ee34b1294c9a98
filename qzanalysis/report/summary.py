"""The summary page at the front of the report: each headline indicator this year and last, the change with
an arrow coloured by whether it is an improvement, and the national standard where there is one.

Headline indicators are those flagged `headline: true` in metadata/indicators.yaml; an indicator's `better`
(higher | lower | neither) says which way of change is good. The publication edition shows the values the
school printed (the indicator recomputed from raw counts only where the school printed none); the review
edition adds the printed and recomputed values side by side with the comparison's verdict.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

from qzanalysis.core.values import MISSING_TEXT, fmt_change, fmt_number, is_missing

ARROWS = {"up": "↑", "down": "↓", "flat": "→"}


@dataclass(frozen=True)
class SummaryRow:
    """One headline indicator. Values are floats (NaN when missing); texts are formatted for readers."""

    id: str
    name: str
    unit: str
    better: str  # higher | lower | neither
    value: float  # shown this year: printed, else recomputed
    previous: float  # shown last year: printed, else recomputed
    decimals: int
    printed: float  # this year's printed value (NaN when not printed)
    computed: float  # this year's value recomputed from raw counts
    verdict: str  # the printed-vs-recomputed verdict (review edition)
    standards: tuple[tuple[str, str], ...]  # (threshold text, 达标/未达标/无法判断) per applicable standard
    sources: tuple[str, ...] = ()  # the document (and clause) of each standard, in the same order

    @property
    def change(self) -> float:
        if is_missing(self.value) or is_missing(self.previous):
            return math.nan
        return self.value - self.previous

    @property
    def direction(self) -> str | None:
        """up, down or flat; None when a year is missing."""
        change = self.change
        if is_missing(change):
            return None
        if round(change, self.decimals) == 0:
            return "flat"
        return "up" if change > 0 else "down"

    @property
    def judgement(self) -> str:
        """good, bad or neutral: whether the change is an improvement by the indicator's `better`."""
        direction = self.direction
        if direction in (None, "flat") or self.better not in ("higher", "lower"):
            return "neutral"
        return "good" if (direction == "up") == (self.better == "higher") else "bad"


def _text(value: float, unit: str, decimals: int) -> str:
    if is_missing(value):
        return MISSING_TEXT
    if unit == ":1":
        return fmt_number(value, decimals) + ":1"
    return fmt_number(value, decimals, unit)


def _standards_for(ind, data, value: float) -> dict[tuple[str, str], str]:
    """(threshold, verdict) → document of each standard on this indicator that grades the school: in force
    that year, for its types (qzanalysis.indicators.standards.standards_for). The value shown is the
    school's, on its own definition; a standard defined otherwise (双师型 over 专业课教师 where the school
    counts 专任教师) grades the value recomputed on the standard's definition, which the threshold text
    then gives, or is left out when the data cannot give it. The document is its title and clause."""
    from qzanalysis.indicators.standards import documents, standards_for

    school = ind.chosen_options(data)
    found: dict[tuple[str, str], str] = {}
    for std in standards_for(data).values():
        if std.value.get("indicator") != ind.id and std.id != ind.id:
            continue
        fixed = std.value.get("options") or {}
        graded, rule = value, std.threshold_text()
        if any(school.get(k) != v for k, v in fixed.items()):
            graded = ind.compute(data, **fixed)
            if is_missing(graded):
                continue
            rule += f"（按标准口径为 {_text(graded, ind.unit, ind.decimals)}）"
        title = documents().get(std.document, {}).get("title", std.document)
        clause = re.split(r"[（；(;]", std.clause, maxsplit=1)[0].strip()  # the clause, not its notes
        found.setdefault((rule, std.met(graded)), f"{title}{clause}")
    return found


def _shown(data, ind) -> tuple[float, float, int]:
    """(value shown, printed value, decimals): the printed value in its printed decimals, else the
    recomputed one in the indicator's decimals."""
    computed = ind.compute(data)
    printed = data.fact(ind.printed) if ind.printed else math.nan
    if not is_missing(printed):
        return printed, printed, data.fact_decimals(ind.printed) or 0
    return computed, printed, ind.decimals


def summary_rows(data, prev=None) -> list[SummaryRow]:
    """The headline indicators of `data` (a YearData) against `prev` (the previous YearData or None)."""
    from qzanalysis.indicators.compare import compare
    from qzanalysis.indicators.registry import registry

    rows = []
    for ind in registry().values():
        if not ind.headline:
            continue
        value, printed, decimals = _shown(data, ind)
        before = math.nan
        if prev is not None:
            before, _, prev_decimals = _shown(prev, ind)
            decimals = max(decimals, prev_decimals) if not is_missing(before) else decimals
        computed = ind.compute(data)
        verdict, _ = compare(computed, printed, data.fact_decimals(ind.printed) if ind.printed else None)
        standards = _standards_for(ind, data, value)
        rows.append(
            SummaryRow(
                id=ind.id,
                name=ind.name,
                unit=ind.unit,
                better=ind.better,
                value=value,
                previous=before,
                decimals=decimals,
                printed=printed,
                computed=computed,
                verdict=getattr(verdict, "value", str(verdict)),
                standards=tuple(standards),
                sources=tuple(standards.values()),
            )
        )
    return rows


def _change_text(row: SummaryRow) -> str:
    if row.direction is None:
        return MISSING_TEXT
    if row.direction == "flat":
        return "持平"
    unit = {"%": "个百分点", ":1": ""}.get(row.unit, row.unit)
    return fmt_change(row.change, row.decimals, unit).strip()


JUDGEMENT_TEXT = {"good": "向好", "bad": "变差", "neutral": ""}


STANDARD_CLASS = {"达标": "met", "未达标": "unmet"}


def _standards_html(row: SummaryRow) -> str:
    """Each standard on its own line with its verdict, and its document below it in small type (so that
    two standards stay readable in a phone's narrow card); empty when the indicator has none."""
    if not row.standards:
        return ""
    blocks = []
    for (text, met), source in zip(row.standards, row.sources or [""] * len(row.standards), strict=True):
        kind = STANDARD_CLASS.get(met, "unknown")
        doc = f'<span class="qz-std-doc">{html.escape(source)}</span>' if source else ""
        blocks.append(
            f'<span class="qz-std"><span class="qz-std-rule">{html.escape(text)}</span> '
            f'<span class="qz-std-{kind}">{html.escape(met)}</span>{doc}</span>'
        )
    return f'<span class="qz-stds">{"".join(blocks)}</span>'


def summary_html(data, prev=None, edition: str = "publication") -> str:
    """The summary as an escaped HTML table. `edition`: "publication" (the school's values) or "review"/
    "analysis" (printed and recomputed values with the verdict)."""
    rows = summary_rows(data, prev)
    if not rows:
        return '<p class="qz-note">没有登记为主要指标的指标。</p>'
    year, last = data.year, (prev.year if prev is not None else data.year - 1)
    review = edition != "publication"
    head = ["指标", f"{year} 年", f"{last} 年", "变化", "国家标准"]
    if review:
        head[1:2] = [f"{year} 年报告值", f"{year} 年计算值", "核对"]
    out = ['<table class="qz-summary-table qz-cards"><thead><tr>']
    out += [f"<th>{html.escape(h)}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        change = _change_text(row)
        arrow = ARROWS.get(row.direction or "", "")
        verdict = JUDGEMENT_TEXT[row.judgement]
        change_cell = (
            f'<span class="qz-change qz-{row.judgement}" title="{html.escape(verdict)}">'
            f'<span class="qz-arrow" aria-hidden="true">{arrow}</span> {html.escape(change)}'
            + (f'<span class="qz-judgement">（{html.escape(verdict)}）</span>' if verdict else "")
            + "</span>"
        )
        standards = _standards_html(row)
        cells = [
            html.escape(row.name),
            html.escape(_text(row.value, row.unit, row.decimals)),
            html.escape(_text(row.previous, row.unit, row.decimals)),
            change_cell,
            standards or MISSING_TEXT,
        ]
        if review:
            cells[1:2] = [
                html.escape(_text(row.printed, row.unit, row.decimals)),
                html.escape(_text(row.computed, row.unit, row.decimals + 1)),
                html.escape(row.verdict),
            ]
        labels = head
        out.append(
            "<tr>"
            + "".join(
                f'<td data-label="{html.escape(label)}">{cell}</td>'
                for label, cell in zip(labels, cells, strict=True)
            )
            + "</tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


__all__ = ["SummaryRow", "summary_html", "summary_rows"]
