"""二、主要指标逐校比较: each indicator school by school, its distribution with the area median, and each school's
place; schools on another definition are named and compared on the reference one.

Values are each school's own (its definitions, e.g. 双师型 over 专任教师); medians, ranks and charts use the
reference definition (the indicator's default in indicators.yaml) so that like is compared with like.
"""

from __future__ import annotations

import math

import pandas as pd

from qzanalysis.core.values import MISSING_TEXT
from qzanalysis.indicators import area as calc
from qzanalysis.indicators.registry import registry
from qzanalysis.report import charts
from qzanalysis.report.area.common import OWN_DEFINITION_MARK, Area, value_text
from qzanalysis.report.narrative import esc, sentence, show_markdown, show_table


def narrative_definitions(area: Area) -> None:
    """Where a school's definition differs from the reference one: say so, with both values."""
    values = area.values
    other = values[~values["口径相同"]]
    if other.empty:
        show_markdown("各校对主要指标采用相同的口径，可以直接比较。")
        return
    lines = []
    for row in other.to_dict("records"):
        ind = registry()[row["id"]]
        reference = calc.definition_text(ind, ind.default_options())
        own = value_text(row["本校值"], row["id"])
        if math.isnan(row["统一口径值"]):
            tail = "缺少按统一口径重算所需的数据，不参与比较"
        else:
            tail = sentence("按统一口径重算为 {v}，比较时用后者", v=value_text(row["统一口径值"], row["id"]))
        lines.append(
            sentence(
                "- {name}的{ind}按“{own_def}”计算，为 {own}；统一口径为“{ref_def}”，",
                name=row["学校"],
                ind=ind.name,
                own_def=row["本校口径"],
                own=own,
                ref_def=reference,
            )
            + tail
            + "。"
        )
    show_markdown(
        f"以下学校的指标口径与统一口径不同（表中以“{OWN_DEFINITION_MARK}”标出本校口径的数值）：\n\n"
        + "\n".join(lines)
    )


def indicator_table(area: Area, ids: list[str] | None = None) -> pd.DataFrame:
    """Rows: schools, then 区域中位数 and 合计口径; columns: the indicators. Own-definition values are marked."""
    ids = ids or calc.headline_indicators()
    values = area.values
    rows = []
    for school in area.compared:
        mine = values[values["代码"] == school.school.id].set_index("id")
        row = {"学校": calc.short_name(school)}
        for ind_id in ids:
            item = mine.loc[ind_id]
            mark = OWN_DEFINITION_MARK if not item["口径相同"] else ""
            row[registry()[ind_id].label()] = value_text(item["本校值"], ind_id, unit=False) + mark
        rows.append(row)
    median = {"学校": "区域中位数（统一口径）"}
    pooled = {"学校": "全区合计口径"}
    for ind_id in ids:
        label = registry()[ind_id].label()
        median[label] = value_text(calc.distribution(values, ind_id).median, ind_id, unit=False)
        value, _ = calc.pooled(area.schools, values, ind_id)
        pooled[label] = value_text(value, ind_id, unit=False)
    rows += [median, pooled]
    return pd.DataFrame(rows)


def table_indicators(area: Area) -> None:
    if not area.compared:
        show_markdown("没有通过校验的学校，无法比较。")
        return
    show_table(indicator_table(area), None, "主要指标逐校比较")
    show_markdown(
        "“区域中位数”按统一口径计算；“全区合计口径”把各校的分子、分母分别相加后再计算，"
        "只含能按统一口径重算的学校。",
    )


def narrative_distribution(area: Area, ind_id: str) -> None:
    """One sentence: how many schools, the median, the highest and the lowest, and who is left out."""
    dist = calc.distribution(area.values, ind_id)
    ind = dist.indicator
    if dist.n == 0:
        show_markdown(sentence("{ind}：各校均未提供，无法比较。", ind=ind.name))
        return
    top, bottom = dist.values.iloc[0], dist.values.iloc[-1]
    text = sentence(
        "{ind}：{n} 所学校可比，区域中位数 {median}；最高为{top}（{top_v}），最低为{bottom}（{bottom_v}）。",
        ind=ind.name,
        n=dist.n,
        median=value_text(dist.median, ind_id),
        top=top["学校"],
        top_v=value_text(top["value"], ind_id),
        bottom=bottom["学校"],
        bottom_v=value_text(bottom["value"], ind_id),
    )
    if len(dist.left_out):
        text += sentence(
            "未参与比较：{who}。",
            who="；".join(f"{r['学校']}（{r['原因']}）" for r in dist.left_out.to_dict("records")),
        )
    show_markdown(text)


def figure_distribution(area: Area, ind_id: str):
    """Each school's value (reference definition), high to low, with the area median as a dashed line."""
    dist = calc.distribution(area.values, ind_id)
    if dist.n == 0:
        return None
    ind = dist.indicator
    return charts.barh_sorted(
        dist.values["学校"],
        dist.values["value"],
        ind.name,
        ind.unit,
        decimals=ind.decimals,
        reference=dist.median,
        reference_label=f"区域中位数 {value_text(dist.median, ind_id)}",
    )


def table_positions(area: Area, ind_id: str) -> None:
    """Each school's place: rank from the highest, above or below the median."""
    dist = calc.distribution(area.values, ind_id)
    if dist.n == 0:
        return
    frame = pd.DataFrame(
        {
            "学校": dist.values["学校"],
            "数值": [value_text(v, ind_id) for v in dist.values["value"]],
            "位次（从高到低）": [f"{r}/{dist.n}" for r in dist.values["rank"]],
            "与中位数相比": dist.values["position"],
            "口径说明": [t or MISSING_TEXT for t in dist.values["口径说明"]],
        }
    )
    if (frame["口径说明"] == MISSING_TEXT).all():
        frame = frame.drop(columns="口径说明")
    show_table(frame, None, f"{dist.indicator.name}：各校位置")


def show_indicators(area: Area, ids: list[str] | None = None) -> None:
    """For each main indicator: a heading, the sentence, the chart and each school's place."""
    from IPython.display import display

    if not area.compared:
        return
    for ind_id in ids or calc.headline_indicators():
        show_markdown(f"### {esc(registry()[ind_id].name)}")
        narrative_distribution(area, ind_id)
        figure = figure_distribution(area, ind_id)
        if figure is not None:
            display(figure)
        table_positions(area, ind_id)


def summary_frame(area: Area) -> pd.DataFrame:
    """Every registered indicator: 可比学校数, 中位数, 最低, 最高, 全区合计口径, 未参与比较."""
    rows = []
    for ind_id, ind in registry().items():
        dist = calc.distribution(area.values, ind_id)
        pooled, _ = calc.pooled(area.schools, area.values, ind_id)
        values = dist.values["value"]
        rows.append(
            {
                "指标": ind.name,
                "单位": ind.unit,
                "可比学校数": dist.n,
                "区域中位数": value_text(dist.median, ind_id),
                "最低": value_text(values.min() if dist.n else math.nan, ind_id),
                "最高": value_text(values.max() if dist.n else math.nan, ind_id),
                "全区合计口径": value_text(pooled, ind_id),
                "未参与比较": "、".join(dist.left_out["学校"]) or MISSING_TEXT,
            }
        )
    return pd.DataFrame(rows)


def table_summary(area: Area) -> None:
    show_table(summary_frame(area), None, "全部登记指标的区域概览（统一口径）")
