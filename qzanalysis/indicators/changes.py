"""What changed since the previous year: facts and indicators, categories, tables, emptied cells.

It counts and flags; it does not demand equality. Every function takes the current YearData and the
previous one (or None) and returns a DataFrame (empty, with its columns, when there is nothing to show).
Shown by the appendix notebooks/ch11_changes.ipynb (qzanalysis/report/chapters/ch11_changes.py).
"""

from __future__ import annotations

import math

import pandas as pd

from qzanalysis.core.catalog import FactSpec, TableSpec
from qzanalysis.core.dataset import YearData
from qzanalysis.core.values import MISSING_TEXT, fmt_number

# Columns that are bookkeeping, not values: not compared for emptied cells.
_NOT_VALUES = {"note", "seq", "amount_yuan", "amount_wan_yuan", "printed_unit"}

CHANGE_COLUMNS = ["id", "类型", "指标", "单位", "上年", "本年", "变化", "变化率", "小数位", "章节"]
CATEGORY_COLUMNS = ["table", "表", "类别", "变化"]
EMPTIED_COLUMNS = ["table", "表", "行", "列", "上年值"]
PRESENCE_COLUMNS = ["table", "表", "上年", "本年", "变化"]

APPEARED, DISAPPEARED = "新增", "不再出现"


def _union(part: str, *years: YearData | None) -> dict:
    """`part` ("tables" or "facts") of either year's catalogue (built-in and each year's own), first seen first."""
    out: dict = {}
    for data in years:
        if data is not None:
            for key, spec in getattr(data.catalogue, part).items():
                out.setdefault(key, spec)
    return out


def _tables(*years: YearData | None) -> dict[str, TableSpec]:
    return _union("tables", *years)


def _facts(*years: YearData | None) -> dict[str, FactSpec]:
    return _union("facts", *years)


def row_keys(current: YearData | None = None, previous: YearData | None = None) -> dict[str, tuple[str, ...]]:
    """Per table, the columns that name a row the same way every year (the schema's rowKey, which
    defaults to its primary key). Their values are the categories that can appear or disappear.
    Without years: the built-in tables; with them, their own tables too."""
    from qzanalysis.core.catalog import table_specs

    tables = _tables(current, previous) if current is not None or previous is not None else table_specs()
    return {name: spec.row_key for name, spec in tables.items() if name != "facts"}


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
    from qzanalysis.indicators.registry import compute_all, registry

    rows = []
    # One pass over each facts frame (YearData.fact() per id is slow: pandas copies frame attrs per lookup).
    now_facts, before_facts = current.fact_map(), previous.fact_map()
    now_dec, before_dec = _decimals_map(current), _decimals_map(previous)
    for fid, spec in _facts(current, previous).items():
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
        tables = _tables(current, previous)
        for table, keys in row_keys(current, previous).items():
            now, before = _table(current, table), _table(previous, table)
            if now is None or before is None:
                continue
            title = tables[table].title
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
        for table, spec in _tables(current, previous).items():
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
    """Cells filled last year and empty this year, in rows that exist in both years (matched by each schema's row key),
    plus facts that had a value last year and have none now."""
    rows: list[dict] = []
    if previous is None:
        return pd.DataFrame(rows, columns=EMPTIED_COLUMNS)
    tables = _tables(current, previous)
    facts_title = tables["facts"].title
    now_facts, before_facts, before_dec = current.fact_map(), previous.fact_map(), _decimals_map(previous)
    for fid, fact in _facts(current, previous).items():
        if fid in before_facts and fid not in now_facts:
            rows.append(
                dict(
                    table="facts",
                    表=facts_title,
                    行=_clean_label(fact.label),
                    列="数值",
                    上年值=fmt_number(before_facts[fid], before_dec.get(fid, 0), fact.unit),
                )
            )
    for table, keys in row_keys(current, previous).items():
        now, before = _table(current, table), _table(previous, table)
        if now is None or before is None:
            continue
        spec = tables[table]
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
