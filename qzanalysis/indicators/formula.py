"""A tiny, safe formula language for audit rules and standards, written in YAML.

A formula is a Python-like arithmetic expression over fact ids and a few table functions, e.g.
``dual_qualified_teachers / specialty_teachers * 100`` or ``total("students_by_level", "students")``.
It is evaluated with `ast` (no `eval`): names are facts of the year, missing inputs give NaN (never 0),
and `describe` writes the same formula in words with the numbers used ("139 ÷ 164 × 100%").
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field

from qzanalysis.core.catalog import fact_specs, table_specs
from qzanalysis.core.dataset import YearData
from qzanalysis.indicators.registry import MU_TO_SQUARE_METRES

CONSTANTS = {"MU": MU_TO_SQUARE_METRES}
CONSTANT_WORDS = {"MU": "每亩平方米数"}
OPERATORS = {ast.Add: " + ", ast.Sub: " − ", ast.Mult: " × ", ast.Div: " ÷ "}


class FormulaError(ValueError):
    """A formula in the rule metadata is malformed (a metadata bug, not a data problem)."""


@dataclass
class Context:
    """What a formula can see: the year, the previous year (for prev()) and the standards."""

    data: YearData
    prev: YearData | None = None
    standards: dict[str, float] = field(default_factory=dict)


@dataclass
class Result:
    value: float
    text: str  # the formula with numbers, e.g. "139 ÷ 164 × 100%"
    missing: list[str]  # Chinese names of inputs that were missing


def number_text(value: float, decimals: int | None = None) -> str:
    """Readable number: thousands separators, no trailing zeros; '—' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if decimals is not None:
        return f"{value:,.{decimals}f}"
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def fact_name(fact_id: str) -> str:
    return fact_specs()[fact_id].label.replace("（报告值）", "")


def _table_frame(ctx: Context, table: str, where: dict):
    frame = ctx.data.table(table)
    if frame is None:
        return None
    for key, value in where.items():
        frame = frame[frame[key] == value]
    return frame


DERIVED_COLUMNS = {"amount_yuan": "金额（元）", "amount_wan_yuan": "金额（万元）"}


def _column_title(table: str, column: str) -> str:
    if column in DERIVED_COLUMNS:
        return DERIVED_COLUMNS[column]
    spec = table_specs()[table]
    try:
        return spec.field(column).title
    except KeyError:
        return column


def _call(ctx: Context, name: str, args: list, where: dict) -> tuple[float, str]:
    """Value and Chinese name of a function call."""
    cond = "，".join(
        (f"{_column_title(args[0], k)}为{'是' if v else '否'}" if isinstance(v, bool) else f"{v}")
        for k, v in where.items()
    )
    if name == "total":
        table, column = args
        frame = _table_frame(ctx, table, where)
        label = f"{table_specs()[table].title}{'（' + cond + '）' if cond else ''}{_column_title(table, column)}合计"
        if frame is None or frame.empty or frame[column].isna().all():
            return math.nan, label
        return float(frame[column].sum()), label
    if name == "count":
        (table,) = args
        frame = _table_frame(ctx, table, where)
        label = f"{table_specs()[table].title}{'（' + cond + '）' if cond else ''}行数"
        return (math.nan if frame is None else float(len(frame))), label
    if name == "nunique":
        table, column = args
        frame = _table_frame(ctx, table, where)
        label = f"{table_specs()[table].title}中不同的{_column_title(table, column)}"
        return (math.nan if frame is None else float(frame[column].dropna().nunique())), label
    if name == "prev":
        (fact_id,) = args
        value = ctx.prev.fact(fact_id) if ctx.prev is not None else math.nan
        return value, f"上年{fact_name(fact_id)}"
    if name == "std":
        (standard_id,) = args
        return ctx.standards.get(standard_id, math.nan), "国家标准"
    raise FormulaError(f"公式中不认识的函数：{name}")


FUNCTIONS = {"total", "count", "nunique", "prev", "std"}


def evaluate(formula: str, ctx: Context, words: bool = True, percent: bool = False) -> Result:
    """Evaluate `formula`; `text` names each input (when `words`) and shows its value."""
    try:
        tree = ast.parse(str(formula), mode="eval").body
    except SyntaxError as exc:
        raise FormulaError(f"公式无法解析：{formula}") from exc
    missing: list[str] = []

    def leaf(value: float, label: str) -> tuple[float, str]:
        if math.isnan(value):
            missing.append(label)
        return value, (f"{label} {number_text(value)}" if words else number_text(value))

    def walk(node) -> tuple[float, str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value), number_text(float(node.value))
        if isinstance(node, ast.Name):
            if node.id in CONSTANTS:
                return CONSTANTS[node.id], number_text(CONSTANTS[node.id], 2)
            if node.id not in fact_specs():
                raise FormulaError(f"公式中未登记的事实代码：{node.id}")
            return leaf(ctx.data.fact(node.id), fact_name(node.id))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            value, text = walk(node.operand)
            return -value, f"−{text}"
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            left, ltext = walk(node.left)
            right, rtext = walk(node.right)
            if (
                isinstance(node.left, ast.BinOp)
                and isinstance(node.op, (ast.Mult, ast.Div))
                and isinstance(node.left.op, (ast.Add, ast.Sub))
            ):
                ltext = f"（{ltext}）"
            if isinstance(node.right, ast.BinOp) and not (
                isinstance(node.op, (ast.Add,)) or isinstance(node.right.op, (ast.Mult, ast.Div))
            ):
                rtext = f"（{rtext}）"
            if isinstance(node.op, ast.Add):
                value = left + right
            elif isinstance(node.op, ast.Sub):
                value = left - right
            elif isinstance(node.op, ast.Mult):
                value = left * right
            else:
                value = math.nan if right == 0 or math.isnan(right) else left / right
            return value, f"{ltext}{OPERATORS[type(node.op)]}{rtext}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
            args = []
            for a in node.args:
                if not isinstance(a, ast.Constant):
                    raise FormulaError(f"函数参数须为常量：{formula}")
                args.append(a.value)
            where = {}
            for kw in node.keywords:
                if not isinstance(kw.value, ast.Constant):
                    raise FormulaError(f"筛选条件须为常量：{formula}")
                where[kw.arg] = kw.value.value
            value, label = _call(ctx, node.func.id, args, where)
            return leaf(value, label)
        raise FormulaError(f"公式中不允许的写法：{ast.unparse(node)}")

    value, text = walk(tree)
    if percent and text.endswith(" × 100"):
        text += "%"
    return Result(value=value, text=text, missing=missing)


def names_in(formula: str) -> set[str]:
    """Fact ids a formula reads (for metadata tests)."""
    tree = ast.parse(str(formula), mode="eval")
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {
        n.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Name) and id(n) not in calls and n.id not in CONSTANTS
    }
