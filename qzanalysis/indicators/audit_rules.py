"""The audit rules: every derivable figure the report prints, recomputed and compared.

Rules come from metadata/audit_rules.yaml (plus every indicator of the registry that has a printed
value). Each kind below turns one rule into one or more rows; verdicts come from
`qzanalysis.compare.compare`, so the audit and the indicator registry agree on the same pair.
A rule whose inputs are missing gives 无法核对 — never a crash, never a 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from qzanalysis.core.catalog import _load_yaml
from qzanalysis.core.dataset import YearData
from qzanalysis.core.paths import METADATA_DIR
from qzanalysis.indicators.compare import (
    CHAINED_ROUNDING,
    TRUNCATION,
    Verdict,
    compare,
    implied_denominator,
    rounding_mechanism,
)
from qzanalysis.indicators.formula import Context, evaluate, fact_name, number_text, ratio_parts
from qzanalysis.indicators.registry import Indicator, registry
from qzanalysis.indicators.standards import thresholds

CONSISTENT, ROUNDING, INCONSISTENT, UNCHECKABLE = (
    Verdict.CONSISTENT.value,
    Verdict.ROUNDING.value,
    Verdict.INCONSISTENT.value,
    Verdict.UNCHECKABLE.value,
)
VERDICT_ORDER = [INCONSISTENT, ROUNDING, UNCHECKABLE, CONSISTENT]
COLUMNS = ["章节", "项目", "报告值", "重算值", "算法", "差异", "结论", "说明"]
KIND_NAMES = {
    "indicator": "指标重算",
    "change": "年度变化",
    "growth": "增长率",
    "formula": "比率与差距",
    "count": "计数",
    "sum": "分项与合计",
    "row_sum": "分项与合计",
    "per_recipient": "资助人均",
    "same": "两处数值",
    "unit_table": "单位",
    "unit_label": "单位",
    "unit_note": "单位",
}


@cache
def rule_metadata() -> dict[str, Any]:
    return _load_yaml(METADATA_DIR / "audit_rules.yaml")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def unit_of(data: YearData, fact_id: str) -> str:
    return data.fact_spec(fact_id).unit


def value_text(value: float, decimals: int, unit: str | None = None) -> str:
    if _missing(value):
        return "—"
    text = number_text(value, decimals)
    if not unit:
        return text
    if unit in ("%", ":1"):
        return text + unit
    return f"{text} {unit}"


def computed_decimals(value: float, printed_decimals: int) -> int:
    """Decimals to show a recomputed value: as printed when it is exact there, else at least two."""
    if _missing(value) or abs(value - round(value, printed_decimals)) < 1e-9:
        return printed_decimals
    return max(2, printed_decimals + 1)


def signed_text(value: float, decimals: int, unit: str | None = None) -> str:
    text = value_text(abs(value), decimals, unit)
    if _missing(value) or abs(value) < 10.0 ** -(decimals + 1):
        return text if not _missing(value) else "—"
    return ("+" if value > 0 else "−") + text


@dataclass
class Row:
    section: str
    item: str
    kind: str
    printed: float = math.nan
    computed: float = math.nan
    decimals: int = 0
    unit: str = ""
    algorithm: str = ""
    verdict: str = UNCHECKABLE
    diff: float | None = None
    note: str = ""
    printed_text: str | None = None
    computed_text: str | None = None

    def as_dict(self) -> dict[str, Any]:
        diff_text = (
            "—"
            if self.diff is None or _missing(self.diff)
            else signed_text(self.diff, computed_decimals(self.diff, self.decimals))
        )
        return {
            "章节": self.section,
            "项目": self.item,
            "报告值": self.printed_text or value_text(self.printed, self.decimals, self.unit),
            "重算值": self.computed_text
            or value_text(self.computed, computed_decimals(self.computed, self.decimals), self.unit),
            "算法": self.algorithm or "—",
            "差异": diff_text,
            "结论": self.verdict,
            "说明": self.note,
            "规则": KIND_NAMES.get(self.kind, self.kind),
            "kind": self.kind,
            "printed_value": self.printed,
            "computed_value": self.computed,
            "diff_value": math.nan if self.diff is None else self.diff,
        }


def _integral(value) -> bool:
    return not _missing(value) and float(value) == round(float(value))


def judge(
    row: Row,
    computed: float,
    printed: float,
    decimals: int | None,
    missing: list[str] | None = None,
    exact: bool = False,
) -> Row:
    """Fill verdict, diff and the standard explanations for a computed/printed pair.

    `exact`: both are whole counts (sums, counts, the same number printed twice): no rounding is
    involved, so any difference is 不一致 rather than 舍入差异.
    """
    row.computed, row.printed = computed, printed
    row.decimals = decimals or 0
    verdict, diff = compare(computed, printed, decimals)
    if exact and verdict == Verdict.ROUNDING and _integral(computed) and _integral(printed) and not decimals:
        verdict = Verdict.INCONSISTENT
    notes = []
    if verdict == Verdict.COMPUTED_ONLY:
        verdict = Verdict.UNCHECKABLE
        notes.append("本年度没有报告值，只有重算值。")
    elif verdict == Verdict.UNCHECKABLE:
        if _missing(printed):
            notes.append("本年度既无报告值，也缺少重算所需的数据。")
        else:
            what = "、".join(dict.fromkeys(missing or [])) or "原始数据"
            notes.append(f"报告未提供重算所需的{what}，无法核对。")
    elif verdict == Verdict.ROUNDING:
        mechanism = rounding_mechanism(computed, printed, decimals)
        how = {
            TRUNCATION: f"报告值是重算值截尾到 {row.decimals} 位小数的结果（截尾）",
            CHAINED_ROUNDING: f"报告值是重算值从第 {row.decimals + 3} 位小数起逐位四舍五入到 {row.decimals} 位的结果（逐位舍入）",
        }.get(mechanism or "", "舍入方式不明")
        notes.append(
            f"重算值按四舍五入应印为 {number_text(computed, row.decimals)}，报告印 {number_text(printed, row.decimals)}；{how}。"
        )
    elif (
        verdict == Verdict.INCONSISTENT
        and not exact
        and diff is not None
        and abs(diff) <= 10.0**-row.decimals + 1e-9
    ):
        notes.append(
            f"重算值 {number_text(computed, row.decimals + 2)} 按四舍五入、截尾或逐位舍入都得不到报告值 {number_text(printed, row.decimals)}。"
        )
    row.verdict, row.diff = verdict.value, diff
    if notes:
        row.note = " ".join(notes + ([row.note] if row.note else []))
    return row


def add_note(row: Row, text: str) -> None:
    if text:
        row.note = f"{row.note} {text}".strip()


# ---- rule kinds ---------------------------------------------------------------------------------
def _ctx(data: YearData, prev: YearData | None) -> Context:
    return Context(data=data, prev=prev, standards=thresholds(data.year))


def _implied_note(ctx: Context, formula: str, spec: dict, printed: float) -> str:
    """Which denominator the printed value implies, from the indicator's own formula (N / D × k)."""
    parts = ratio_parts(formula)
    if parts is None:
        return ""
    numerator_formula, denominator_formula, scale = parts
    numerator = evaluate(numerator_formula, ctx).value
    implied = implied_denominator(numerator, printed, scale)
    if implied is None:
        return ""
    text = f"报告值相当于以约 {number_text(implied, 0)} 为{spec['what']}"
    actual = evaluate(denominator_formula, ctx).value
    if not _missing(actual):
        text += f"（按定义应为 {number_text(actual)}）"
    tolerance = rule_metadata()["defaults"]["implied_match_tolerance"]
    for fid in spec.get("candidates", []):
        value = ctx.data.fact(fid)
        if not _missing(value) and value and abs(implied - value) / value <= tolerance:
            text += f"，即用了{fact_name(ctx.data, fid)}（{number_text(value)}）作分母"
    return text + "。"


def _other_definition_note(
    ind: Indicator, data: YearData, prev, options: dict, printed: float, decimals
) -> str:
    """When the printed value matches another definition than the school's, name it."""
    name = next(iter(ind.options), None)
    if name is None:
        return ""
    for choice, formula in ind.alternatives(options).items():
        value = evaluate(formula, _ctx(data, prev)).value
        if compare(value, printed, decimals)[0] is Verdict.CONSISTENT:
            text = ind.options[name]["choices"][choice]
            return (
                f"报告值与另一口径（{name}={choice}：{text}）的计算结果 {number_text(value, (decimals or 0) + 2)} 一致，"
                f"而本校声明的口径是“{ind.choice_text(options)}”（school.yaml 的 definitions）。"
            )
    return ""


def indicator_rows(data: YearData, prev: YearData | None) -> list[Row]:
    """Every registry indicator that has a printed value, recomputed by the registry with the school's
    definition; the algorithm is the indicator's own formula."""
    ctx = _ctx(data, prev)
    notes = rule_metadata().get("indicators", {})
    rows = []
    for ind in registry().values():
        if not ind.printed or ind.printed not in data.catalogue.facts:
            continue
        meta = notes.get(ind.id, {})
        ev = ind.evaluate(data, prev)
        printed = data.fact(ind.printed)
        decimals = data.fact_decimals(ind.printed)
        row = Row(section=ind.section, item=ind.name, kind="indicator", unit=ind.unit)
        row.algorithm = ev.text
        judge(row, ev.value, printed, decimals, ev.missing)
        for sub in ev.substitutions:
            if not sub.same_quantity:
                add_note(row, sub.sentence() + "。")
        if ev.out_of_range:
            add_note(row, f"重算值超出定义允许的范围（{ind.range_text()}），数据有误。")
        if row.verdict in (INCONSISTENT, ROUNDING, UNCHECKABLE) and not _missing(printed):
            add_note(row, _other_definition_note(ind, data, prev, ev.options, printed, decimals))
            if meta.get("implied"):
                add_note(row, _implied_note(ctx, ind.formula_for(ev.options), meta["implied"], printed))
        rows.append(row)
    return rows


def registry_change_rules() -> list[dict]:
    """A change rule for each indicator whose year-over-year change the report printed."""
    out = []
    for ind in registry().values():
        if ind.printed and ind.printed_change:
            out.append(
                {
                    "kind": "change",
                    "section": ind.section,
                    "item": f"{ind.name}变化情况",
                    "value": ind.printed,
                    "printed": ind.printed_change,
                    "unsigned": rule_metadata()["defaults"]["change_unsigned"],
                }
            )
    return out


def change_rows(rule: dict, data: YearData, prev: YearData | None) -> list[Row]:
    now, before = data.fact(rule["value"]), prev.fact(rule["value"]) if prev is not None else math.nan
    printed = data.fact(rule["printed"])
    change = now - before
    unsigned = rule.get("unsigned", False)
    row = Row(section=rule["section"], item=rule["item"], kind="change", unit=unit_of(data, rule["printed"]))
    row.algorithm = f"{number_text(now)} − {number_text(before)}（{data.year} 年 − 上年）"
    missing = [f"上年{fact_name(data, rule['value'])}"] if _missing(before) else []
    if _missing(now):
        missing.insert(0, fact_name(data, rule["value"]))
    compared = abs(change) if unsigned and not _missing(change) else change
    judge(row, compared, printed, data.fact_decimals(rule["printed"]), missing)
    if not _missing(change):
        row.computed = change
        row.computed_text = signed_text(change, computed_decimals(change, row.decimals), row.unit)
        if row.verdict == INCONSISTENT:
            add_note(row, f"按两年的报告值相减，变化应为 {row.computed_text}。")
        if unsigned and change < 0:
            add_note(row, "报告印的是不带符号的变化量，实际为下降。")
    return [row]


def growth_rows(rule: dict, data: YearData, prev: YearData | None) -> list[Row]:
    now, before = data.fact(rule["value"]), prev.fact(rule["value"]) if prev is not None else math.nan
    growth = math.nan if _missing(before) or before == 0 else (now - before) / before * 100
    row = Row(section=rule["section"], item=rule["item"], kind="growth", unit="%")
    row.algorithm = f"（{number_text(now)} − {number_text(before)}）÷ {number_text(before)} × 100%"
    missing = [f"上年{fact_name(data, rule['value'])}"] if _missing(before) else []
    judge(row, growth, data.fact(rule["printed"]), data.fact_decimals(rule["printed"]), missing)
    if (
        row.verdict != CONSISTENT
        and not _missing(now)
        and not _missing(before)
        and not _missing(row.printed)
        and now
    ):
        alt = (now - before) / now * 100
        if compare(alt, row.printed, row.decimals)[0] == Verdict.CONSISTENT:
            add_note(row, "报告值相当于以本年数为分母。")
    return [row]


def formula_rows(rule: dict, data: YearData, prev: YearData | None) -> list[Row]:
    ctx = _ctx(data, prev)
    result = evaluate(rule["formula"], ctx)
    printed_id = rule["printed"]
    row = Row(section=rule["section"], item=rule["item"], kind=rule["kind"], unit=unit_of(data, printed_id))
    row.algorithm = result.text
    judge(
        row,
        result.value,
        data.fact(printed_id),
        data.fact_decimals(printed_id),
        result.missing,
        exact=rule["kind"] == "count",
    )
    if row.verdict == INCONSISTENT and rule.get("note"):
        add_note(row, rule["note"])
    elif rule.get("note") and rule["kind"] == "formula":
        add_note(row, rule["note"])
    return [row]


def _table_parts(data: YearData, spec: dict) -> tuple[list[tuple[str, float]] | None, str]:
    frame = data.table(spec["name"])
    title = data.catalogue.tables[spec["name"]].title
    if frame is None:
        return None, title
    for key, value in (spec.get("where") or {}).items():
        frame = frame[frame[key] == value]
    return [
        (str(r[spec["label"]]), float(r[spec["column"]]) if not _missing(r[spec["column"]]) else math.nan)
        for _, r in frame.iterrows()
    ], title


def sum_rows(rule: dict, data: YearData, prev: YearData | None) -> list[Row]:
    if "table" in rule:
        parts, title = _table_parts(data, rule["table"])
        missing_what = title
    else:
        parts = [(fact_name(data, f), data.fact(f)) for f in rule["parts"]]
        missing_what = "、".join(name for name, v in parts if _missing(v))
    total_id = rule["total"]
    row = Row(section=rule["section"], item=rule["item"], kind="sum", unit=unit_of(data, total_id))
    missing = []
    if not parts or any(_missing(v) for _, v in parts):
        value = math.nan
        missing = [missing_what or "分项"]
    else:
        value = sum(v for _, v in parts)
    if parts:
        row.algorithm = " + ".join(f"{name} {number_text(v)}" for name, v in parts)
    decimals = data.fact_decimals(total_id)
    if decimals is None:
        decimals = max([computed_decimals(v, 0) for _, v in (parts or []) if not _missing(v)] or [0])
    judge(row, value, data.fact(total_id), decimals, missing, exact=True)
    add_note(row, rule.get("note", ""))
    return [row]


def row_sum_rows(rule: dict, data: YearData, prev: YearData | None) -> list[Row]:
    frame = data.table(rule["table"])
    row = Row(
        section=rule["section"],
        item=rule["item"],
        kind="row_sum",
        unit=data.catalogue.tables[rule["table"]].field(rule["total"]).unit or "",
    )
    if frame is None or frame.empty:
        return [judge(row, math.nan, math.nan, 0, [data.catalogue.tables[rule["table"]].title])]
    parts = (
        frame[rule["parts"]].astype("float64").fillna(0).sum(axis=1)
    )  # an empty part cell is “not offered”
    totals = frame[rule["total"]].astype("float64")
    bad = [
        (str(frame.iloc[i][rule["label"]]), parts.iloc[i], totals.iloc[i])
        for i in range(len(frame))
        if _missing(totals.iloc[i]) or abs(parts.iloc[i] - totals.iloc[i]) > 1e-9
    ]
    judge(row, float(parts.sum()), float(totals.sum(skipna=True)) if totals.notna().any() else math.nan, 0)
    row.algorithm = f"逐行相加（{len(frame)} 行），报告值与重算值为各行合计之和"
    if bad:
        row.verdict = INCONSISTENT
        add_note(
            row,
            "分项之和与合计不符："
            + "；".join(f"{name} {number_text(p)} ≠ {number_text(t)}" for name, p, t in bad)
            + "。",
        )
    else:
        add_note(row, "每一行的分项之和都等于该行合计。")
    return [row]


def per_recipient_rows(rule: dict, data: YearData, prev: YearData | None) -> list[Row]:
    a_spec, r_spec = rule["amounts"], rule["recipients"]
    amounts, recipients = data.table(a_spec["table"]), data.table(r_spec["table"])
    if amounts is None or recipients is None:
        missing = [
            data.catalogue.tables[s["table"]].title
            for s, f in ((a_spec, amounts), (r_spec, recipients))
            if f is None
        ]
        return [
            judge(
                Row(section=rule["section"], item=rule["item"], kind="per_recipient", unit="元"),
                math.nan,
                math.nan,
                0,
                missing,
            )
        ]
    counts = recipients.groupby(r_spec["keys"], sort=False)[r_spec["count"]].sum(min_count=1)
    rows = []
    for _, r in amounts.iterrows():
        key = tuple(r[k] for k in a_spec["keys"])
        people = float(counts.get(key, math.nan)) if key in counts.index else math.nan
        total = float(r[a_spec["total"]]) if not _missing(r[a_spec["total"]]) else math.nan
        per = math.nan if _missing(people) or not people else total / people
        row = Row(
            section=rule["section"],
            item=f"{rule['item']}：{'·'.join(map(str, key))}",
            kind="per_recipient",
            unit="元",
        )
        row.algorithm = f"资助金额 {number_text(total)} ÷ 资助人数 {number_text(people)}"
        missing = [] if not _missing(people) else ["资助人数"]
        judge(
            row,
            per,
            r[a_spec["per_recipient"]] if not _missing(r[a_spec["per_recipient"]]) else math.nan,
            0,
            missing,
        )
        if row.verdict == UNCHECKABLE and _missing(r[a_spec["per_recipient"]]):
            row.note = "报告未印人均标准，只列出重算值。"
        elif row.verdict == INCONSISTENT:
            add_note(
                row,
                f"报告印“每人 {number_text(row.printed)} 元”，与合计金额和人数不符，疑为错印或人均标准另有口径。",
            )
        rows.append(row)
    return rows


def same_rows(rule: dict, data: YearData, prev: YearData | None) -> list[Row]:
    ids = rule["facts"]
    first = ids[0]
    rows = []
    for other in ids[1:]:
        a, b = data.fact(first), data.fact(other)
        item = (
            rule["item"]
            if len(ids) == 2
            else f"{rule['item']}（{fact_name(data, first)} / {fact_name(data, other)}）"
        )
        row = Row(section=rule["section"], item=item, kind="same", unit=unit_of(data, first))
        row.algorithm = (
            f"{fact_name(data, first)} {number_text(a)}；{fact_name(data, other)} {number_text(b)}"
        )
        missing = [fact_name(data, f) for f, v in ((first, a), (other, b)) if _missing(v)]
        judge(row, b, a, data.fact_decimals(first), missing, exact=True)
        row.printed, row.computed = a, b
        if rule.get("relation") == "<=" and row.verdict != UNCHECKABLE:
            row.verdict = CONSISTENT if b <= a else INCONSISTENT
        if row.verdict in (INCONSISTENT, ROUNDING):
            add_note(row, "同一数量在报告两处印的数不同。" if not rule.get("note") else rule["note"])
            if prev is not None:
                for f, v in ((first, b), (other, a)):
                    if not _missing(v) and v == prev.fact(f):
                        add_note(
                            row, f"{number_text(v)} 与上年的{fact_name(data, f)}相同，可能沿用了上年数。"
                        )
        rows.append(row)
    return rows


def unit_table_rows(rule: dict, data: YearData, prev: YearData | None) -> list[Row]:
    from qzanalysis.core.dataset import UNIT_FACTORS_TO_YUAN

    total_id = rule["total"]
    row = Row(section=rule["section"], item=rule["item"], kind="unit_table", unit="")
    frame = data.table(rule["table"])
    printed_total = data.fact(total_id)
    if frame is None or frame.empty:
        return [
            judge(
                row,
                math.nan,
                printed_total,
                data.fact_decimals(total_id),
                [data.catalogue.tables[rule["table"]].title],
            )
        ]
    printed_units = frame[rule["printed_unit"]].dropna()
    label = printed_units.mode().iloc[0] if not printed_units.empty else None
    unknown = [u for u in dict.fromkeys(frame[rule["printed_unit"]]) if u not in UNIT_FACTORS_TO_YUAN]
    if unknown or label is None:
        # whatever validation lets through is handled: a unit we cannot convert is said, not a crash
        row.verdict = UNCHECKABLE
        row.printed_text, row.computed_text = "—", "—"
        shown = "、".join("（空白）" if _blank(u) else f"“{u}”" for u in unknown) or "（空白）"
        row.note = (
            f"报告所印单位{shown}不是可换算的金额单位（{'、'.join(UNIT_FACTORS_TO_YUAN)}），"
            "无法按印刷单位相加核对。"
        )
        return [row]
    # the parts as printed, all read in the unit most of them carry
    as_printed = sum(
        float(r[rule["amount"]]) * UNIT_FACTORS_TO_YUAN[r[rule["printed_unit"]]] / UNIT_FACTORS_TO_YUAN[label]
        for _, r in frame.iterrows()
    )
    row.algorithm = " + ".join(
        f"{number_text(float(r[rule['amount']]))} {r[rule['printed_unit']]}" for _, r in frame.iterrows()
    )
    judge(row, as_printed, printed_total, data.fact_decimals(total_id))
    row.diff = None  # a difference between numbers read in the wrong unit means nothing
    if _missing(printed_total):
        row.verdict = UNCHECKABLE
        row.printed_text, row.computed_text = "—", f"{number_text(as_printed, 2)} {label}"
        row.note = f"报告未印{fact_name(data, total_id)}，无法核对分项与合计的单位。"
        return [row]
    total_printed_unit = printed_unit_of(data, total_id)
    row.printed_text = f"{number_text(printed_total)} {total_printed_unit or unit_of(data, total_id)}"
    row.computed_text = f"{number_text(as_printed, 2)} {label}"
    wrong = frame[frame[rule["printed_unit"]] != frame[rule["unit"]]]
    if total_printed_unit and total_printed_unit != unit_of(data, total_id):
        add_note(
            row,
            f"合计印为“{total_printed_unit}”，事实目录的单位为“{unit_of(data, total_id)}”。",
        )
    if row.verdict != CONSISTENT and not wrong.empty:
        add_note(
            row,
            f"按报告印的单位（{label}）相加，分项与合计不符；只有把"
            + "、".join(f"{r.iloc[0]}" for _, r in wrong.iterrows())
            + f"读作{'、'.join(dict.fromkeys(wrong[rule['unit']]))}，分项才与合计（{unit_of(data, total_id)}）相符。",
        )
        row.verdict = INCONSISTENT
    elif not wrong.empty or (total_printed_unit and total_printed_unit != unit_of(data, total_id)):
        row.verdict = INCONSISTENT
        add_note(row, "印刷单位与实际单位不符。")
    return [row]


NO_UNIT = "无"  # printed_unit value: the report printed the number with no unit at all


def _blank(value) -> bool:
    return _missing(value) or (isinstance(value, str) and not value.strip())


def printed_unit_of(data: YearData, fact_id: str) -> str | None:
    """The unit the report printed next to a fact, when data record one (empty: the catalogue unit)."""
    if "printed_unit" not in data.facts.columns or fact_id not in data.facts.index:
        return None
    value = data.facts.at[fact_id, "printed_unit"]
    return None if _blank(value) else str(value).strip()


def _unit_text(unit: str) -> str:
    return "未印单位" if unit == NO_UNIT else f"“{unit}”"


def unit_note_rows(rule: dict, data: YearData, prev: YearData | None) -> list[Row]:
    """Compare the recorded printed units (column printed_unit) with the catalogue or column unit."""
    row = Row(section=rule["section"], item=rule["item"], kind="unit_note")
    row.algorithm = "比较数据记录的印刷单位（printed_unit）与目录单位"
    hits: list[str] = []
    if "table" in rule:
        spec = data.catalogue.tables[rule["table"]]
        frame = data.table(rule["table"])
        if frame is None:
            row.note = f"本年度未提供{spec.title}数据。"
            return [row]
        units = dict.fromkeys(spec.field(c).unit for c in rule["columns"])
        expected = "、".join(u or "" for u in units)
        printed = frame["printed_unit"] if "printed_unit" in frame.columns else pd.Series(dtype=object)
        label = rule.get("label", spec.fields[0].name)
        for i, value in printed.items():
            if not _blank(value) and str(value).strip() not in units:
                hits.append(f"{frame.at[i, label]}：{_unit_text(str(value).strip())}，应为“{expected}”")
        where = spec.title
    else:
        facts = data.facts[data.facts.index.str.endswith(rule["facts_suffix"])]
        if facts.empty:
            row.note = "本年度没有相关报告值。"
            return [row]
        for fid in facts.index:
            printed = printed_unit_of(data, fid)
            if printed and printed != unit_of(data, fid):
                hits.append(f"{fact_name(data, fid)}：{_unit_text(printed)}，应为“{unit_of(data, fid)}”")
        where = "事实目录"
    if hits:
        row.verdict = INCONSISTENT
        row.printed_text, row.computed_text = "单位有误", "—"
        add_note(row, f"{rule['note']}（{where}：{'；'.join(hits)}）")
    else:
        row.verdict = CONSISTENT
        row.printed_text, row.computed_text = "单位无误", "—"
    return [row]


KINDS: dict[str, Callable[[dict, YearData, YearData | None], list[Row]]] = {
    "change": change_rows,
    "growth": growth_rows,
    "formula": formula_rows,
    "count": formula_rows,
    "unit_label": formula_rows,
    "sum": sum_rows,
    "row_sum": row_sum_rows,
    "per_recipient": per_recipient_rows,
    "same": same_rows,
    "unit_table": unit_table_rows,
    "unit_note": unit_note_rows,
}


def all_rules(data: YearData | None = None) -> list[dict]:
    """The rules the audit runs besides the indicators: the registry's printed changes, the shared rules of
    metadata/audit_rules.yaml, and the year's own rules (data/<year>/catalogue.yaml `rules`)."""
    own = list(data.catalogue.rules) if data is not None else []
    return registry_change_rules() + list(rule_metadata()["rules"]) + own


def run_rule(rule: dict, data: YearData, prev: YearData | None) -> list[Row]:
    return KINDS[rule["kind"]](rule, data, prev)


def rule_count(data: YearData | None = None) -> int:
    """Rules the audit runs: the registry indicators with a printed value plus the rules above."""
    return sum(1 for i in registry().values() if i.printed) + len(all_rules(data))
