"""What changed since the previous year: the appendix "与上年相比的变化".

It counts and flags; it does not demand equality. Every function takes the current YearData and the
previous one (or None) and returns a DataFrame (empty, with its columns, when there is nothing to show).
The display functions at the end are what notebooks/ch11_changes.ipynb calls.
"""

from __future__ import annotations

import math

import pandas as pd

from qzanalysis.catalog import fact_specs, table_specs
from qzanalysis.dataset import YearData
from qzanalysis.formatting import MISSING_TEXT, fmt_change, fmt_number

# The columns that name a row in a way that stays stable from year to year (the primary key without
# running numbers or terms). Their values are the "categories" that can appear or disappear.
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "aid_amounts": ("aid_type",),
    "aid_recipients": ("aid_type", "grade"),
    "culture_scores": ("grade", "subject"),
    "enrolment_plan": ("major", "registry"),
    "fitness": ("group",),
    "funding": ("source",),
    "graduates_by_channel": ("channel",),
    "online_learners": ("breakdown", "category"),
    "program_levels": ("major",),
    "public_course_hours": ("course",),
    "satisfaction": ("respondent", "item"),
    "skill_certification": ("scope", "level"),
    "skill_pass_rates": ("major",),
    "starting_salaries": ("major",),
    "students_by_level": ("level",),
}
# Columns that are bookkeeping, not values: not compared for emptied cells.
_NOT_VALUES = {"note", "seq", "amount_yuan", "amount_wan_yuan", "printed_unit"}

CHANGE_COLUMNS = ["id", "类型", "指标", "单位", "上年", "本年", "变化", "变化率", "小数位", "章节"]
CATEGORY_COLUMNS = ["table", "表", "类别", "变化"]
EMPTIED_COLUMNS = ["table", "表", "行", "列", "上年值"]
PRESENCE_COLUMNS = ["table", "表", "上年", "本年", "变化"]

APPEARED, DISAPPEARED = "新增", "不再出现"


def _clean_label(label: str) -> str:
    return label.replace("（报告值）", "")


def _relative(now: float, before: float) -> float:
    if math.isnan(now) or math.isnan(before) or before == 0:
        return math.nan
    return (now - before) / abs(before) * 100


_CACHE: dict[tuple[int, int], tuple[YearData, YearData, pd.DataFrame]] = {}


def indicator_changes(current: YearData, previous: YearData | None) -> pd.DataFrame:
    """Every fact and registry indicator with a value in both years: previous, current, change, relative
    change (%). Sorted by the size of the relative change (largest first); unchanged values are kept."""
    if previous is None:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    key = (id(current), id(previous))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is current and hit[1] is previous:
        return hit[2].copy()
    frame = _indicator_changes(current, previous)
    _CACHE.clear()  # one pair at a time: a notebook compares one year with the one before
    _CACHE[key] = (current, previous, frame)
    return frame.copy()


def _decimals_map(data: YearData) -> dict[str, int]:
    if "decimals" not in data.facts:
        return {}
    return {k: int(v) for k, v in data.facts["decimals"].items()}


def _indicator_changes(current: YearData, previous: YearData) -> pd.DataFrame:
    from qzanalysis.indicators import compute_all, registry

    rows = []
    # One pass over each facts frame (YearData.fact() per id is slow: pandas copies frame attrs per lookup).
    now_facts, before_facts = current.fact_map(), previous.fact_map()
    now_dec, before_dec = _decimals_map(current), _decimals_map(previous)
    for fid, spec in fact_specs().items():
        if fid not in now_facts or fid not in before_facts:
            continue
        now, before = now_facts[fid], before_facts[fid]
        decimals = max(now_dec.get(fid, 0), before_dec.get(fid, 0))
        rows.append(
            dict(
                id=fid,
                类型="报告数值",
                指标=_clean_label(spec.label),
                单位=spec.unit,
                上年=before,
                本年=now,
                小数位=decimals,
                章节=spec.section,
            )
        )
    now_all, before_all = compute_all(current), compute_all(previous)
    for ind_id, ind in registry().items():
        now, before = now_all[ind_id], before_all[ind_id]
        if math.isnan(now) or math.isnan(before):
            continue
        rows.append(
            dict(
                id=ind_id,
                类型="计算指标",
                指标=ind.name,
                单位=ind.unit,
                上年=before,
                本年=now,
                小数位=ind.decimals,
                章节=ind.section,
            )
        )
    if not rows:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    frame = pd.DataFrame(rows)
    frame["变化"] = frame["本年"] - frame["上年"]
    frame["变化率"] = [_relative(n, b) for n, b in zip(frame["本年"], frame["上年"], strict=True)]
    # Largest relative change first; a change from 0 (no rate) before all; unchanged values last.
    order = frame["变化率"].abs().fillna(math.inf).where(frame["变化"] != 0, -1.0)
    frame = (
        frame.assign(_order=order)
        .sort_values("_order", ascending=False, kind="stable")
        .drop(columns="_order")
    )
    return frame[CHANGE_COLUMNS].reset_index(drop=True)


def _table(data: YearData, table: str) -> pd.DataFrame | None:
    """The table without its attrs: pandas deep-copies attrs on every selection, which is slow here."""
    frame = data.table(table)
    if frame is None:
        return None
    plain = pd.DataFrame({c: frame[c].array for c in frame.columns})
    return plain


def _row_labels(frame: pd.DataFrame, keys: tuple[str, ...]) -> list[str]:
    """Each row's category label, e.g. "高一·数学" (one per row, in order)."""
    present = [k for k in keys if k in frame]
    if not len(frame) or not present:
        return []
    labels = frame[present].astype("object").where(frame[present].notna(), MISSING_TEXT).astype(str)
    return list(labels.agg("·".join, axis=1))


def _categories(frame: pd.DataFrame, keys: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(_row_labels(frame, keys)))


def category_changes(current: YearData, previous: YearData | None) -> pd.DataFrame:
    """Categories (majors, subjects, aid types, levels…) present in one year's table but not the other's.
    Only tables both years provide are compared (a missing table is reported by table_presence)."""
    rows = []
    if previous is not None:
        for table, keys in ROW_KEYS.items():
            now, before = _table(current, table), _table(previous, table)
            if now is None or before is None:
                continue
            title = table_specs()[table].title
            now_cats, before_cats = _categories(now, keys), _categories(before, keys)
            rows += [
                dict(table=table, 表=title, 类别=c, 变化=APPEARED) for c in now_cats if c not in before_cats
            ]
            rows += [
                dict(table=table, 表=title, 类别=c, 变化=DISAPPEARED)
                for c in before_cats
                if c not in now_cats
            ]
    return pd.DataFrame(rows, columns=CATEGORY_COLUMNS)


def table_presence(current: YearData, previous: YearData | None) -> pd.DataFrame:
    """Tables one year provides and the other does not."""
    rows = []
    if previous is not None:
        for table, spec in table_specs().items():
            if table == "facts":
                had, has = len(previous.facts) > 0, len(current.facts) > 0
            else:
                had, has = previous.has(table), current.has(table)
            if had != has:
                rows.append(
                    dict(
                        table=table,
                        表=spec.title,
                        上年="有" if had else "无",
                        本年="有" if has else "无",
                        变化=APPEARED if has else DISAPPEARED,
                    )
                )
    return pd.DataFrame(rows, columns=PRESENCE_COLUMNS)


def _text(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def emptied_cells(current: YearData, previous: YearData | None) -> pd.DataFrame:
    """Cells filled last year and empty this year, in rows that exist in both years (matched by ROW_KEYS),
    plus facts that had a value last year and have none now."""
    rows = []
    if previous is None:
        return pd.DataFrame(rows, columns=EMPTIED_COLUMNS)
    facts_title = table_specs()["facts"].title
    now_facts, before_facts, before_dec = current.fact_map(), previous.fact_map(), _decimals_map(previous)
    for fid, spec in fact_specs().items():
        if fid in before_facts and fid not in now_facts:
            rows.append(
                dict(
                    table="facts",
                    表=facts_title,
                    行=_clean_label(spec.label),
                    列="数值",
                    上年值=fmt_number(before_facts[fid], before_dec.get(fid, 0), spec.unit),
                )
            )
    for table, keys in ROW_KEYS.items():
        now, before = _table(current, table), _table(previous, table)
        if now is None or before is None:
            continue
        spec = table_specs()[table]
        titles = spec.titles()
        value_cols = [c for c in spec.field_names if c not in keys and c not in _NOT_VALUES and c in now]
        if not value_cols or now.empty or before.empty:
            continue
        before_labels = _row_labels(before, keys)
        filled_before = before[value_cols].notna().groupby(before_labels, sort=False).any()
        filled_now = now[value_cols].notna().groupby(_row_labels(now, keys), sort=False).any()
        # Rows present in both years only: a whole row gone is a category change, not an emptied cell.
        both = [label for label in filled_before.index if label in filled_now.index]
        for label in both:
            for col in value_cols:
                if filled_before.at[label, col] and not filled_now.at[label, col]:
                    values = [
                        v for v, k in zip(before[col], before_labels, strict=True) if k == label and v == v
                    ]
                    rows.append(
                        dict(
                            table=table,
                            表=spec.title,
                            行=label,
                            列=titles[col],
                            上年值="、".join(_text(v) for v in values if v is not None),
                        )
                    )
    return pd.DataFrame(rows, columns=EMPTIED_COLUMNS)


def summary(current: YearData, previous: YearData | None) -> dict[str, int]:
    """Counts for the overview sentence."""
    changes = indicator_changes(current, previous)
    categories = category_changes(current, previous)
    return {
        "compared": len(changes),
        "changed": int((changes["变化"] != 0).sum()) if len(changes) else 0,
        "appeared": int((categories["变化"] == APPEARED).sum()),
        "disappeared": int((categories["变化"] == DISAPPEARED).sum()),
        "tables_changed": len(table_presence(current, previous)),
        "emptied": len(emptied_cells(current, previous)),
    }


# ---- display (called from notebooks/ch11_changes.ipynb) -----------------------------------------
def no_previous_text(current: YearData) -> str:
    return f"> 数据目录中没有 {current.year} 年以前的数据，本年度无法与上年比较。"


def overview_text(current: YearData, previous: YearData | None) -> str:
    from qzanalysis.narrative import sentence

    if previous is None:
        return no_previous_text(current)
    s = summary(current, previous)
    return sentence(
        "本附录将 {year} 年的数据与 {prev} 年逐项比较：两年都有数值的指标共 {compared} 项，其中 {changed} 项有变化；"
        "各数据表中新增类别 {appeared} 个、不再出现的类别 {disappeared} 个；两年提供情况不同的数据表 {tables} 张；"
        "上年填写而本年空缺的单元格 {emptied} 个。这里只列出差别，差别本身不一定是问题，需结合说明解读。",
        year=current.year,
        prev=previous.year,
        compared=s["compared"],
        changed=s["changed"],
        appeared=s["appeared"],
        disappeared=s["disappeared"],
        tables=s["tables_changed"],
        emptied=s["emptied"],
    )


def change_text(value: float, decimals: int, unit: str) -> str:
    """'+0.4 个百分点' for a rate, '−0.8' for a ratio such as 15.1:1, '+50 个' otherwise."""
    if unit == "%":
        return fmt_change(value, decimals, "个百分点")
    return (
        fmt_change(value, decimals, "").rstrip() if unit in (":1", "") else fmt_change(value, decimals, unit)
    )


def largest_changes_display(current: YearData, previous: YearData | None, n: int = 15) -> pd.DataFrame:
    """The n largest relative changes, formatted for readers."""
    frame = indicator_changes(current, previous)
    frame = frame[frame["变化"] != 0].head(n)
    return pd.DataFrame(
        {
            "指标": frame["指标"],
            "类型": frame["类型"],
            f"{previous.year if previous else '上'}年": [
                fmt_number(v, d, u)
                for v, d, u in zip(frame["上年"], frame["小数位"], frame["单位"], strict=True)
            ],
            f"{current.year}年": [
                fmt_number(v, d, u)
                for v, d, u in zip(frame["本年"], frame["小数位"], frame["单位"], strict=True)
            ],
            "变化": [
                change_text(v, d, u)
                for v, d, u in zip(frame["变化"], frame["小数位"], frame["单位"], strict=True)
            ],
            "变化率": [fmt_change(v, 1, "%") for v in frame["变化率"]],
            "章节": frame["章节"],
        }
    )


def show_overview(current: YearData, previous: YearData | None) -> None:
    from qzanalysis.narrative import show_markdown

    show_markdown(overview_text(current, previous))


def _show(frame: pd.DataFrame, caption: str, empty_text: str) -> None:
    from qzanalysis.narrative import esc, show_markdown, show_table

    if frame.empty:
        show_markdown(f"> {esc(empty_text)}")
    else:
        show_table(frame, caption=caption)


def show_largest_changes(current: YearData, previous: YearData | None, n: int = 15) -> None:
    from qzanalysis.narrative import show_markdown

    if previous is None:
        show_markdown(no_previous_text(current))
        return
    _show(
        largest_changes_display(current, previous, n),
        f"变化最大的 {n} 项指标（按变化率排序）",
        f"{previous.year} 年与 {current.year} 年都有数值的指标中，没有发生变化的。",
    )


def figure_largest_changes(current: YearData, previous: YearData | None, n: int = 12):
    """Horizontal bars of the n largest relative changes (%), rises and falls in two colours; None without data."""
    import matplotlib.pyplot as plt

    from qzanalysis.style import NEGATIVE, POSITIVE, use_house_style

    frame = indicator_changes(current, previous)
    frame = frame[frame["变化率"].notna() & (frame["变化"] != 0)].head(n)
    if frame.empty:
        return None
    use_house_style()
    frame = frame.iloc[::-1].copy()
    # A printed value and the indicator recomputed from raw counts can share a name: keep the bars apart.
    frame["指标"] = [
        f"{name}（计算值）" if kind == "计算指标" else name
        for name, kind in zip(frame["指标"], frame["类型"], strict=True)
    ]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(frame) + 1.4))
    colors = [POSITIVE if v > 0 else NEGATIVE for v in frame["变化率"]]
    bars = ax.barh(frame["指标"], frame["变化率"], color=colors)
    for bar, value in zip(bars, frame["变化率"], strict=True):
        ax.annotate(
            fmt_change(value, 1, "%"),
            (value, bar.get_y() + bar.get_height() / 2),
            xytext=(4 if value >= 0 else -4, 0),
            textcoords="offset points",
            ha="left" if value >= 0 else "right",
            va="center",
            fontsize=9,
        )
    ax.axvline(0, color="#555555", linewidth=0.8)
    ax.set_title(f"{current.year} 年比 {previous.year} 年变化最大的指标（变化率，%）", loc="left")
    ax.set_xlabel("变化率（%）")
    lo, hi = min(0.0, frame["变化率"].min()), max(0.0, frame["变化率"].max())
    pad = (hi - lo) * 0.25 or 1.0
    ax.set_xlim(lo - (pad if lo < 0 else 0), hi + (pad if hi > 0 else 0))
    plt.close(fig)
    return fig


def show_category_changes(current: YearData, previous: YearData | None) -> None:
    from qzanalysis.narrative import show_markdown

    if previous is None:
        show_markdown(no_previous_text(current))
        return
    frame = category_changes(current, previous)
    _show(
        frame[["表", "类别", "变化"]],
        f"{previous.year} 年至 {current.year} 年新增或不再出现的类别",
        "两年都提供的数据表中，类别（专业、学科、资助类型等）没有增减。",
    )


def show_table_presence(current: YearData, previous: YearData | None) -> None:
    from qzanalysis.narrative import show_markdown

    if previous is None:
        show_markdown(no_previous_text(current))
        return
    frame = table_presence(current, previous).rename(
        columns={"上年": f"{previous.year}年", "本年": f"{current.year}年"}
    )
    _show(frame.drop(columns="table"), "两年提供情况不同的数据表", "两年提供的数据表相同。")


def show_emptied_cells(current: YearData, previous: YearData | None) -> None:
    from qzanalysis.narrative import show_markdown

    if previous is None:
        show_markdown(no_previous_text(current))
        return
    frame = emptied_cells(current, previous).rename(columns={"上年值": f"{previous.year}年的值"})
    _show(
        frame.drop(columns="table"),
        f"{previous.year} 年已填、{current.year} 年空缺的数据",
        f"没有 {previous.year} 年已填而 {current.year} 年空缺的数据。",
    )
