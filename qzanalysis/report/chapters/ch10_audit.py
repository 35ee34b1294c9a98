"""附录 数据核查: every derivable figure recomputed and compared with the printed one, and the school's
figures against the national standards. Each function displays one block (Markdown or an HTML table).
"""

from __future__ import annotations

from qzanalysis.indicators.audit import audit, verdict_counts
from qzanalysis.indicators.audit_rules import CONSISTENT, INCONSISTENT, ROUNDING, UNCHECKABLE
from qzanalysis.indicators.standards import MET, NOT_MET, UNKNOWN, standards_table
from qzanalysis.report.formatting import table_html
from qzanalysis.report.narrative import esc, show_markdown


def _display_html(html: str):
    from IPython.display import HTML, display

    display(HTML(html))


def narrative_audit_summary(data) -> None:
    table = audit(data)
    counts = dict(verdict_counts(table).values)
    show_markdown(
        esc(
            f"共核查 {len(table)} 项可由原始数据推导或相互印证的数值：不一致 {counts[INCONSISTENT]} 项，"
            f"舍入差异 {counts[ROUNDING]} 项，无法核对 {counts[UNCHECKABLE]} 项，一致 {counts[CONSISTENT]} 项。"
        )
    )


def table_verdict_counts(data) -> None:
    _display_html(table_html(verdict_counts(audit(data)).astype(str), "核查结论汇总"))


def table_audit(data, verdicts: list[str] | None = None) -> None:
    """The audit table (不一致 first); `verdicts` limits it to some verdicts."""
    table = audit(data)
    if verdicts:
        table = table[table["结论"].isin(verdicts)]
    if table.empty:
        show_markdown("> 没有此类结论的项目。")
        return
    columns = ["章节", "项目", "报告值", "重算值", "算法", "差异", "结论", "说明"]
    _display_html(table_html(table[columns], "数据核查明细"))


def table_standards(data) -> None:
    table = standards_table(data)
    order = {NOT_MET: 0, UNKNOWN: 1, MET: 2}
    table = table.sort_values("结论", key=lambda s: s.map(order), kind="stable")
    columns = ["指标", "适用", "本校值", "取值", "标准", "结论", "差距", "全国平均", "出处", "核实", "说明"]
    _display_html(table_html(table[columns], "对照国家标准"))


def narrative_verdict_legend() -> None:
    show_markdown(
        "- **一致**：重算值四舍五入后等于报告值。\n"
        "- **舍入差异**：四舍五入得不到报告值，但把重算值截尾到所印位数（截尾），或从多三位小数起逐位四舍五入（逐位舍入）恰好得到报告值；说明栏注明是哪一种。\n"
        "- **不一致**：四舍五入、截尾、逐位舍入都得不到报告值，或同一数量两处印的不同，或单位印错。\n"
        "- **无法核对**：报告没有公布重算所需的原始数，或缺少上年数据。"
    )
