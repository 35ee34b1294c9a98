"""四、各校与上年相比: each compared school's main indicators this year and the change from its previous year,
under the school's own definitions. A school without a previous year, or whose definition changed between the
years, is named rather than compared.
"""

from __future__ import annotations

import pandas as pd

from qzanalysis.core.values import MISSING_TEXT, is_missing
from qzanalysis.indicators import area as calc
from qzanalysis.indicators.registry import registry
from qzanalysis.report.area.common import OWN_DEFINITION_MARK, Area, change_text, value_text
from qzanalysis.report.narrative import sentence, show_markdown, show_table


def changes_frame(area: Area) -> pd.DataFrame:
    return calc.changes(area.schools)


def table_changes(area: Area) -> None:
    """Rows: schools; columns: indicators; cells: this year's value and (the change)."""
    frame = changes_frame(area)
    if frame.empty:
        show_markdown("没有通过校验的学校，无法比较。")
        return
    rows = []
    for _, group in frame.groupby("代码", sort=False):
        row = {"学校": group["学校"].iloc[0]}
        for item in group.to_dict("records"):
            now = value_text(item["本年"], item["id"], unit=False)
            if item["本校口径"] and now != MISSING_TEXT:
                now += OWN_DEFINITION_MARK
            change = change_text(item["变化"], item["id"], unit=False)
            row[registry()[item["id"]].label()] = now if change == MISSING_TEXT else f"{now}（{change}）"
        rows.append(row)
    show_table(
        pd.DataFrame(rows),
        None,
        f"主要指标：{area.year} 年数值（括号内为与上年相比的变化，比率的变化以百分点计）",
    )
    if (frame["本校口径"] != "").any():
        show_markdown(
            f"“{OWN_DEFINITION_MARK}”：按本校口径计算，与统一口径不同（见第二章“口径”），不宜与其他学校直接比较。"
        )


def narrative_changes(area: Area) -> None:
    """Who has no previous year, whose definition changed, and which values are missing."""
    frame = changes_frame(area)
    if frame.empty:
        return
    lines = []
    for _, group in frame.groupby("代码", sort=False):
        name = group["学校"].iloc[0]
        notes = group[group["说明"] != ""]
        if notes.empty:
            continue
        whole = notes["说明"].nunique() == 1 and len(notes) == len(group)
        if whole:
            lines.append(sentence("- {name}：{why}，各项均不比较", name=name, why=notes["说明"].iloc[0]))
            continue
        for item in notes.to_dict("records"):
            lines.append(sentence("- {name}的{ind}：{why}", name=name, ind=item["指标"], why=item["说明"]))
    compared = frame[frame["变化"].map(lambda v: not is_missing(v))]
    head = sentence(
        "{n} 所学校有可比的上年数据，共 {k} 项变化列于下表。",
        n=compared["代码"].nunique(),
        k=len(compared),
    )
    show_markdown(head + ("\n\n未比较的项目：\n\n" + "\n".join(lines) if lines else ""))
