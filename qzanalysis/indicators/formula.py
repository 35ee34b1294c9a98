"""A tiny, safe formula language: the one place an indicator's definition is written (indicators.yaml),
and what audit rules and standards refer to.

A formula is a Python-like arithmetic expression over fact ids and a few functions, e.g.
``dual_qualified_teachers / specialty_teachers * 100`` or ``total("students_by_level", "students")``.
It is evaluated with `ast` (no `eval`): names are facts of the year's catalogue (built-in or the year's
own), missing inputs give NaN (never 0), and the text writes the same formula in words with the numbers
used ("双师型教师数 139 ÷ 专业课教师数 164 × 100%").

Functions: ``total(表, 列, 条件…)``, ``count(表, 条件…)``, ``nunique(表, 列)``, ``prev(事实代码)`` (the previous
year's value), ``std(标准代码)`` (the threshold in force), ``ind(指标代码)`` (another indicator, by the
school's definition). A missing fact whose catalogue entry names `substitutes` is replaced by the first one
given, converted to the fact's unit; `Result.substitutions` says which.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field

from qzanalysis.core.catalog import FactSpec
from qzanalysis.core.dataset import YearData
from qzanalysis.core.units import convert

OPERATORS = {ast.Add: " + ", ast.Sub: " − ", ast.Mult: " × ", ast.Div: " ÷ "}
FUNCTIONS = {"total", "count", "nunique", "prev", "std", "ind"}
DERIVED_COLUMNS = {"amount_yuan": "金额（元）", "amount_wan_yuan": "金额（万元）"}


class FormulaError(ValueError):
    """A formula in the metadata is malformed (a metadata bug, not a data problem)."""


@dataclass
class Context:
    """What a formula can see: the year, the previous year (for prev()), the thresholds in force (for
    std()) and the definition options to use for ind() (default: the school's own)."""

    data: YearData
    prev: YearData | None = None
    standards: dict[str, float] = field(default_factory=dict)
    options: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Substitution:
    """A missing fact replaced by an accepted substitute (e.g. 在校生数 by 在籍学生数)."""

    wanted: FactSpec
    used: FactSpec
    value: float  # the substitute's value, in its own unit

    @property
    def same_quantity(self) -> bool:
        """The same quantity in another unit (校园占地面积 in 亩 for 平方米): the formula text already shows the
        conversion, so only the indicator's own notes need to say it."""
        return self.used.name == self.wanted.name

    def sentence(self) -> str:
        """'未提供在校生数（不含顶岗实习学生），以在籍学生数代替', or for the same quantity in another unit
        '校园占地面积以亩填报，换算为平方米'."""
        if self.used.name == self.wanted.name:
            return f"{self.wanted.name}以{self.used.unit}填报，换算为{self.wanted.unit}"
        converted = (
            f"（由{self.used.unit}换算为{self.wanted.unit}）" if self.used.unit != self.wanted.unit else ""
        )
        return f"未提供{self.wanted.name}，以{self.used.name}代替{converted}"


@dataclass
class Result:
    value: float
    text: str  # the formula with names and numbers, e.g. "双师型教师数 139 ÷ 专业课教师数 164 × 100%"
    missing: list[str]  # Chinese names of inputs that were missing
    substitutions: list[Substitution] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)  # fact ids read (after substitution)


def number_text(value: float, decimals: int | None = None) -> str:
    """Readable number: thousands separators, no trailing zeros; '—' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if decimals is not None:
        return f"{value:,.{decimals}f}"
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def fact_name(data: YearData, fact_id: str) -> str:
    """A fact's Chinese name from the year's catalogue, without “（报告值）”."""
    return data.fact_spec(fact_id).name


def _parse(formula: str) -> ast.expr:
    try:
        return ast.parse(str(formula), mode="eval").body
    except SyntaxError as exc:
        raise FormulaError(f"公式无法解析：{formula}") from exc


def _table_frame(ctx: Context, table: str, where: dict):
    frame = ctx.data.table(table)
    if frame is None:
        return None
    for key, value in where.items():
        frame = frame[frame[key] == value]
    return frame


def _table_title(ctx: Context, table: str) -> str:
    spec = ctx.data.catalogue.tables.get(table)
    if spec is None:
        raise FormulaError(f"公式中未登记的数据表：{table}")
    return spec.title


def _column_title(ctx: Context, table: str, column: str) -> str:
    if column in DERIVED_COLUMNS:
        return DERIVED_COLUMNS[column]
    try:
        return ctx.data.catalogue.tables[table].field(column).title
    except KeyError:
        return column


def _call(ctx: Context, name: str, args: list, where: dict) -> tuple[float, str]:
    """Value and Chinese name of a function call (ind() is expanded by the caller)."""
    cond = "，".join(
        (f"{_column_title(ctx, args[0], k)}为{'是' if v else '否'}" if isinstance(v, bool) else f"{v}")
        for k, v in where.items()
    )
    if name == "total":
        table, column = args
        frame = _table_frame(ctx, table, where)
        label = f"{_table_title(ctx, table)}{'（' + cond + '）' if cond else ''}{_column_title(ctx, table, column)}合计"
        if frame is None or frame.empty or frame[column].isna().all():
            return math.nan, label
        return float(frame[column].sum()), label
    if name == "count":
        (table,) = args
        frame = _table_frame(ctx, table, where)
        label = f"{_table_title(ctx, table)}{'（' + cond + '）' if cond else ''}行数"
        return (math.nan if frame is None else float(len(frame))), label
    if name == "nunique":
        table, column = args
        frame = _table_frame(ctx, table, where)
        label = f"{_table_title(ctx, table)}中不同的{_column_title(ctx, table, column)}"
        return (math.nan if frame is None else float(frame[column].dropna().nunique())), label
    if name == "prev":
        (fact_id,) = args
        value = (
            ctx.prev.fact(fact_id)
            if ctx.prev is not None and fact_id in ctx.prev.catalogue.facts
            else math.nan
        )
        return value, f"上年{fact_name(ctx.data, fact_id)}"
    if name == "std":
        (standard_id,) = args
        return ctx.standards.get(standard_id, math.nan), "国家标准"
    raise FormulaError(f"公式中不认识的函数：{name}")


def fact_value(data: YearData, fact_id: str) -> tuple[float, Substitution | None]:
    """A fact's value, or an accepted substitute's converted to its unit when the fact is missing.

    Raises FormulaError for an id the year's catalogue does not know."""
    spec = data.catalogue.facts.get(fact_id)
    if spec is None:
        raise FormulaError(f"公式中未登记的事实代码：{fact_id}")
    value = data.fact(fact_id)
    if not math.isnan(value):
        return value, None
    for other in spec.substitutes:
        used = data.catalogue.facts.get(other)
        if used is None:
            continue
        raw = data.fact(other)
        if not math.isnan(raw):
            return convert(raw, used.unit, spec.unit), Substitution(spec, used, raw)
    return math.nan, None


def _binary_text(node: ast.BinOp, ltext: str, rtext: str) -> str:
    """'a ÷ （b + c）': an operand in full-width brackets where the operator binds tighter than it."""
    if (
        isinstance(node.left, ast.BinOp)
        and isinstance(node.op, (ast.Mult, ast.Div))
        and isinstance(node.left.op, (ast.Add, ast.Sub))
    ):
        ltext = f"（{ltext}）"
    if isinstance(node.right, ast.BinOp) and not (
        isinstance(node.op, ast.Add) or isinstance(node.right.op, (ast.Mult, ast.Div))
    ):
        rtext = f"（{rtext}）"
    return f"{ltext}{OPERATORS[type(node.op)]}{rtext}"


def evaluate(formula: str, ctx: Context, words: bool = True, percent: bool = False) -> Result:
    """Evaluate `formula`; `text` names each input (when `words`) and shows its value."""
    tree = _parse(formula)
    missing: list[str] = []
    substitutions: list[Substitution] = []
    inputs: list[str] = []

    def leaf(value: float, label: str) -> tuple[float, str]:
        if math.isnan(value):
            missing.append(label)
        return value, (f"{label} {number_text(value)}" if words else number_text(value))

    def walk(node) -> tuple[float, str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value), number_text(float(node.value))
        if isinstance(node, ast.Name):
            value, sub = fact_value(ctx.data, node.id)
            if sub is None:
                inputs.append(node.id)
                return leaf(value, fact_name(ctx.data, node.id))
            substitutions.append(sub)
            inputs.append(sub.used.id)
            text = f"{sub.used.name} {number_text(sub.value)}" if words else number_text(sub.value)
            if sub.used.unit != sub.wanted.unit:
                text += f" {sub.used.unit}（折合 {number_text(value, 2)} {sub.wanted.unit}）"
            return value, text
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            value, text = walk(node.operand)
            return -value, f"−{text}"
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            left, ltext = walk(node.left)
            right, rtext = walk(node.right)
            if isinstance(node.op, ast.Add):
                value = left + right
            elif isinstance(node.op, ast.Sub):
                value = left - right
            elif isinstance(node.op, ast.Mult):
                value = left * right
            else:
                value = math.nan if right == 0 or math.isnan(right) else left / right
            return value, _binary_text(node, ltext, rtext)
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
            if node.func.id == "ind":
                inner = _indicator(ctx, str(args[0]), words)
                missing.extend(inner.missing)
                substitutions.extend(inner.substitutions)
                inputs.extend(inner.inputs)
                return inner.value, inner.text
            value, label = _call(ctx, node.func.id, args, where)
            return leaf(value, label)
        raise FormulaError(f"公式中不允许的写法：{ast.unparse(node)}")

    value, text = walk(tree)
    if percent and text.endswith(" × 100"):
        text += "%"
    return Result(value=value, text=text, missing=missing, substitutions=substitutions, inputs=inputs)


def _indicator(ctx: Context, indicator_id: str, words: bool) -> Result:
    # The registry evaluates formulas with this module: imported here, not at the top, to avoid a cycle.
    from qzanalysis.indicators.registry import registry

    ind = registry().get(indicator_id)
    if ind is None:
        raise FormulaError(f"公式中未登记的指标：{indicator_id}")
    options = ind.chosen_options(ctx.data, ctx.options.get(indicator_id))
    return evaluate(ind.formula_for(options), ctx, words=words)


def describe(formula: str, data: YearData) -> str:
    """The formula in words only (no numbers), e.g. '双师型教师数 ÷ 专业课教师数 × 100%'.
    Facts are named as the year's catalogue names them; a `substitutes` replacement is not applied."""
    tree = _parse(formula)
    ctx = Context(data)

    def walk(node) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return number_text(float(node.value))
        if isinstance(node, ast.Name):
            if node.id not in data.catalogue.facts:
                raise FormulaError(f"公式中未登记的事实代码：{node.id}")
            return fact_name(data, node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return f"−{walk(node.operand)}"
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            return _binary_text(node, walk(node.left), walk(node.right))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            where = {kw.arg: kw.value.value for kw in node.keywords if isinstance(kw.value, ast.Constant)}
            if node.func.id == "ind":
                return _indicator(ctx, str(args[0]), words=True).text
            return _call(ctx, node.func.id, args, where)[1]
        raise FormulaError(f"公式中不允许的写法：{ast.unparse(node)}")

    text = walk(tree)
    return text + "%" if text.endswith(" × 100") else text


def ratio_parts(formula: str) -> tuple[str, str, float] | None:
    """(numerator, denominator, scale) of a formula written `N / D` or `N / D * k`; None otherwise.
    The audit uses it to say which denominator a printed rate implies."""
    tree = _parse(formula)
    scale = 1.0
    if (
        isinstance(tree, ast.BinOp)
        and isinstance(tree.op, ast.Mult)
        and isinstance(tree.right, ast.Constant)
        and isinstance(tree.right.value, (int, float))
    ):
        scale, tree = float(tree.right.value), tree.left
    if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Div):
        return ast.unparse(tree.left), ast.unparse(tree.right), scale
    return None


def names_in(formula: str) -> set[str]:
    """Fact ids a formula reads (for metadata checks)."""
    tree = ast.parse(str(formula), mode="eval")
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in calls}


def indicators_in(formula: str) -> set[str]:
    """Indicator ids a formula refers to with ind()."""
    tree = ast.parse(str(formula), mode="eval")
    return {
        str(n.args[0].value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Name)
        and n.func.id == "ind"
        and n.args
        and isinstance(n.args[0], ast.Constant)
    }
