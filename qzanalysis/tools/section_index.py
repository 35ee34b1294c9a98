"""The section index (docs/section-index.md), generated from the outline, the notebooks and the metadata:
report section → notebook cell → chapter functions → tables, facts, indicators and the school's text.

A section id leads to everything behind it: the notebook cells that show it (the one calling
``show_section(data, "3.2.7", prev)`` and the calls after it), the chapter functions those cells call, the
tables, facts and indicators declared for that section (their ``section`` in qzanalysis/metadata/), and
whether the newest year's text (data/<year>/text/) has words for it. Sections with no data or no text say so.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from qzanalysis.core.catalog import fact_specs, table_specs
from qzanalysis.core.outline import Chapter, chapters
from qzanalysis.core.paths import (
    DOCS_DIR,
    METADATA_DIR,
    NOTEBOOK_DIR,
    PACKAGE_DIR,
    SCHEMA_DIR,
    available_years,
)

DOC_PATH = DOCS_DIR / "section-index.md"
_SHOW_SECTION = re.compile(r'show_section\(data, "([\d.]+)"')


@dataclass
class Placement:
    cells: list[int] = field(default_factory=list)  # 1-based notebook cell numbers
    functions: list[str] = field(default_factory=list)  # "ch03_quality.table_facts", in call order
    cell_of: dict[str, int] = field(default_factory=dict)  # function → the first cell that calls it


def placements(chapter: Chapter) -> dict[str, Placement]:
    """Section id → the notebook cells from its show_section call up to the next one, and their calls."""
    nb = json.loads((NOTEBOOK_DIR / f"{chapter.notebook}.ipynb").read_text(encoding="utf-8"))
    out: dict[str, Placement] = {}
    current = None
    for number, cell in enumerate(nb["cells"], 1):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        match = _SHOW_SECTION.search(source)
        if match:
            current = out.setdefault(match.group(1), Placement())
        if current is None:
            continue
        current.cells.append(number)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if isinstance(owner, ast.Name) and owner.id.startswith("ch"):
                    name = f"{owner.id}.{node.func.attr}"
                    if name not in current.functions:
                        current.functions.append(name)
                        current.cell_of[name] = number
    return out


# ---- where things are defined: files and lines, for the look-up tables -----------------------------------
@dataclass(frozen=True)
class Function:
    """A chapter function a notebook cell calls: where it is defined, and its source together with the
    module-level constants it names (so an id listed in a constant counts as used by the function)."""

    name: str  # "ch01_school.figure_teacher_ratios", as the notebook calls it
    where: str  # "report/chapters/ch01_school.py:388"
    source: str

    def uses(self, ident: str) -> bool:
        return re.search(rf"[\"']{re.escape(ident)}[\"']", self.source) is not None


def _package_path(path: str | Path) -> str:
    """The path from the repository root ("qzanalysis/metadata/…"), as a newcomer types it."""
    return Path(path).resolve().relative_to(PACKAGE_DIR.parent).as_posix()


def _module_constants(module) -> dict[str, str]:
    """Module-level NAME = … assignments, by name → their source."""
    source = inspect.getsource(module)
    out = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    out[target.id] = ast.get_source_segment(source, node) or ""
    return out


def chapter_function(name: str) -> Function:
    """The chapter function `name` ("ch01_school.figure_teacher_ratios" or "area01_overview.…")."""
    module_name, attr = name.split(".", 1)
    package = "qzanalysis.report.area" if module_name.startswith("area") else "qzanalysis.report.chapters"
    module = importlib.import_module(f"{package}.{module_name}")
    obj = inspect.unwrap(getattr(module, attr))
    home = inspect.getmodule(obj) or module
    source = inspect.getsource(obj)
    named = [text for const, text in _module_constants(home).items() if re.search(rf"\b{const}\b", source)]
    return Function(name, _where(obj), "\n".join([source, *named]))


def _where(obj) -> str:
    """ "qzanalysis/…/module.py:line" of a function's `def` line (past its decorators)."""
    lines, first = inspect.getsourcelines(obj)
    first += next(i for i, line in enumerate(lines) if line.lstrip().startswith("def "))
    return f"{_package_path(inspect.getsourcefile(obj) or '')}:{first}"


def yaml_entry_lines(path: Path, key: str) -> list[tuple[int, dict, dict[str, int]]]:
    """The entries of the list under `key` in a YAML file, each as (1-based line, entry, {entry key: its
    line})."""
    text = path.read_text(encoding="utf-8")
    entries = yaml.safe_load(text).get(key) or []
    root = yaml.compose(text)
    assert isinstance(root, yaml.MappingNode), path  # the metadata files are mappings (tests read them)
    nodes = next(value for k, value in root.value if k.value == key).value
    out = []
    for node, entry in zip(nodes, entries, strict=True):
        key_lines = {k.value: k.start_mark.line + 1 for k, _ in node.value}
        out.append((node.start_mark.line + 1, entry, key_lines))
    return out


def _cells(numbers: list[int]) -> str:
    if not numbers:
        return "—"
    return f"第 {numbers[0]} 格" if len(numbers) == 1 else f"第 {numbers[0]}–{numbers[-1]} 格"


def _text_state(year_text, chapter: Chapter, section_id: str) -> str:
    if year_text is None:
        return "无文字"
    tf = year_text.chapter(chapter.notebook)
    if tf is None:
        return "无文字"
    placed = tf.placed(section_id)
    if not placed:
        return "无文字（本年度文字中没有此节）"
    words = sum(len(re.sub(r"\s|\{\{.*?\}\}", "", s.body)) for s in placed)  # references not counted
    if not words:
        return "无文字（只有标题）"
    extra = [s for s in placed if s.id != section_id and s.heading]
    note = f"，含学校自加的 {len(extra)} 节" if extra else ""
    return f"有（{words} 字{note}）`data/{tf.path.parent.parent.name}/text/{tf.path.name}:{placed[0].line}`"


def render_section_index(year: int | None = None) -> str:
    """The Markdown of docs/section-index.md; the text column describes `year` (default: the newest)."""
    from qzanalysis.core.dataset import read_year
    from qzanalysis.indicators.registry import registry

    years = available_years()
    year = year or (max(years) if years else None)
    data = read_year(year) if year else None
    year_text = data.text if data is not None else None
    # the built-in tables and facts, and those the year declares itself (its catalogue.yaml)
    table_list = data.catalogue.tables if data is not None else table_specs()
    fact_list = data.catalogue.facts if data is not None else fact_specs()
    tables: dict[str, list[str]] = {}
    facts: dict[str, list[str]] = {}
    indicators: dict[str, list[str]] = {}
    for spec in table_list.values():
        tables.setdefault(spec.section, []).append(f"`{spec.filename}`")
    for fact in fact_list.values():
        facts.setdefault(fact.section, []).append(f"`{fact.id}`")
    for ind in registry().values():
        indicators.setdefault(ind.section, []).append(f"`{ind.id}`")
    lines = [
        "# 章节索引",
        "",
        "本文件由 `qz docs` 根据提纲（`qzanalysis/metadata/outline.yaml`）、笔记本和元数据生成，请勿手改。",
        "每一行是报告的一节：笔记本中显示这一节的单元格（先是学校的文字 `show_section`，再是本节的表和图），",
        "这些单元格调用的章节函数，以及在元数据中（和该年度的 `catalogue.yaml` 中）登记到这一节的数据表、数值"
        "（`facts.csv` 的代码）和指标。",
        f"“文字”一栏说明 {year} 年度的报告文字（`data/{year}/text/`）中这一节有没有正文。"
        if year
        else "数据目录中没有年度，“文字”一栏为空。",
        "没有数据表、数值、指标和函数的节标为“无数据”。",
        "章节函数后是它在本章模块中的行和调用它的单元格（从 1 数起）；文字后是该节标题所在的文件和行。",
        "按代码（数据表、指标、国家标准）查找它的定义所在、文件和显示它的函数，见文末“按代码查找”。",
        "",
    ]
    from qzanalysis.report import text as report_text

    used: dict[str, Function] = {}  # every chapter function a notebook calls, in report order
    cell_of: dict[str, int] = {}
    show_section_at = _where(report_text.show_section)
    for chapter in chapters():
        if chapter.is_appendix:
            continue
        placed = placements(chapter)
        for p in placed.values():
            for name in p.functions:
                used.setdefault(name, chapter_function(name))
                cell_of.setdefault(name, p.cell_of[name])
        lines += [
            f"## {chapter.title}",
            "",
            f"笔记本 `notebooks/{chapter.notebook}.ipynb`，章节函数 `qzanalysis/report/chapters/{chapter.notebook}.py`，"
            f"文字 `data/<年度>/text/{chapter.notebook}.md`，由每节第一格的 `show_section`（{show_section_at}）放入报告。",
            "",
            "| 章节 | 笔记本单元格 | 章节函数 | 数据表 | 数值 | 指标 | 文字 |",
            "|---|---|---|---|---|---|---|",
        ]
        for section_id in chapter.section_ids():
            title = (
                chapter.title
                if section_id == chapter.id
                else next(s.heading for s in chapter.sections if s.id == section_id)
            )
            p = placed.get(section_id, Placement())
            functions = "、".join(
                _function_cell(used[f], chapter.notebook, p.cell_of[f]) for f in p.functions
            )
            placed_by = f"，由 `show_section`（{show_section_at}，第 {p.cells[0]} 格）放入" if p.cells else ""
            data_parts = [tables.get(section_id), facts.get(section_id), indicators.get(section_id)]
            cells = [("、".join(part) if part else "—") for part in data_parts]
            if not p.functions and not any(data_parts):
                functions = "无数据"
            lines.append(
                f"| {title} | {_cells(p.cells)} | {functions or '—'} | {cells[0]} | {cells[1]} | {cells[2]} "
                f"| {_text_state(year_text, chapter, section_id)}{placed_by} |"
            )
        lines.append("")
    whole = tables.get("全文")
    if whole:
        lines += ["## 全文", "", "跨章节使用的数据表：" + "、".join(whole) + "。", ""]
    lines += _lookup_by_id(table_list, year, list(used.values()), cell_of)
    return "\n".join(lines)


def _function_cell(function: Function, notebook: str, cell: int) -> str:
    path, line = function.where.rsplit(":", 1)
    own = path == f"qzanalysis/report/chapters/{notebook}.py"
    return f"`{function.name}`（{'第 ' + line + ' 行' if own else function.where}，第 {cell} 格）"


def _users(functions: list[Function], ident: str, cell_of: dict[str, int]) -> str:
    found = [
        f"`{f.name}`（{f.where}；`notebooks/{f.name.split('.')[0]}.ipynb` 第 {cell_of[f.name]} 格）"
        for f in functions
        if f.uses(ident)
    ]
    return "、".join(found) or "—"


def _lookup_by_id(
    table_list, year: int | None, functions: list[Function], cell_of: dict[str, int]
) -> list[str]:
    """The tables, indicators and national standards by id: where each is declared (file:line) and which
    chapter functions show it."""
    from qzanalysis.indicators import formula as formula_module
    from qzanalysis.indicators.registry import Indicator, registry
    from qzanalysis.indicators.standards import all_standards

    built_in = set(table_specs())
    lines = [
        "## 按代码查找",
        "",
        "“显示它的函数”是笔记本调用的章节函数中写到这个代码的（函数本身或它用到的模块常量），"
        "“第 n 格”是笔记本中从上往下数的第 n 个单元格（从 1 数起）。",
        "",
        "### 数据表",
        "",
        "| 表 | 中文名 | 章节 | 表结构 | 数据 | 显示它的函数 |",
        "|---|---|---|---|---|---|",
    ]
    for name, spec in sorted(table_list.items()):
        schema = (
            f"`{_package_path(SCHEMA_DIR / (name + '.yaml'))}`"
            if name in built_in
            else f"`data/{year}/catalogue.yaml`（本年度自行登记）"
        )
        data = f"`data/{year}/{spec.filename}`" if year else f"`data/<年度>/{spec.filename}`"
        lines.append(
            f"| `{name}` | {spec.title} | {spec.section} | {schema} | {data} | {_users(functions, name, cell_of)} |"
        )
    path = METADATA_DIR / "indicators.yaml"
    lines += [
        "",
        f"### 指标（计算：`Indicator.evaluate`，{_where(Indicator.evaluate)}）",
        "",
        f"定义、单位、口径和唯一的公式都在 `{_package_path(path)}`；核查规则和国家标准按指标代码引用它。"
        f"没有逐个指标的计算函数：每个指标都由 `Indicator.evaluate`（{_where(Indicator.evaluate)}）"
        f"按所选口径的公式计算，公式语言见 `{_package_path(formula_module.__file__)}`。",
        "",
        "| 指标 | 中文名 | 章节 | 定义所在 | 公式（各口径，默认在前） | 显示它的函数 |",
        "|---|---|---|---|---|---|",
    ]
    indicators = registry()
    evaluate_at = _where(Indicator.evaluate)
    for line, entry, _ in yaml_entry_lines(path, "indicators"):
        ind = indicators[entry["id"]]
        default = ind.formula_for(ind.default_options())
        others = ind.alternatives(ind.default_options()) if ind.options else {}
        formulas = (
            "；".join(
                [f"`{default}`"] + [f"{choice}：`{formula}`" for choice, formula in others.items()]
            ).replace("|", "\\|")
            + f"（由 `Indicator.evaluate`，{evaluate_at} 计算）"
        )
        lines.append(
            f"| `{ind.id}` | {ind.name} | {ind.section} | `{_package_path(path)}:{line}` | {formulas} "
            f"| {_users(functions, ind.id, cell_of)} |"
        )
    path = METADATA_DIR / "standards.yaml"
    lines += [
        "",
        "### 国家标准",
        "",
        f"阈值在 `{_package_path(path)}`。改阈值时不要改动原条目（那会改写往年的评判）：给原条目加 `until: 新施行日期`，"
        "再新增一条同样的条目，写 `from: 新施行日期` 和新阈值；每个年度只按该年 12 月 31 日施行的条目评判"
        "（见该文件开头的说明和 `tests/test_standards.py`）。",
        "",
        "| 标准 | 名称 | 适用的学校类型 | 阈值 | 本校值取自 | 所在 |",
        "|---|---|---|---|---|---|",
    ]
    # all_standards() holds one row per entry, in file order, with types and dates resolved as graded
    for (line, entry, key_lines), std in zip(
        yaml_entry_lines(path, "standards"), all_standards(), strict=True
    ):
        value = std.value
        source = (
            f"指标 `{value['indicator']}`" if "indicator" in value else f"数值 `{value.get('fact', '—')}`"
        )
        lines.append(
            f"| `{std.id}` | {std.name} | {'、'.join(std.types)}，{std.period_text()} "
            f"| {entry['comparison']} {entry['threshold']} {entry.get('unit', '')} | {source} "
            f"| `{_package_path(path)}:{line}`（阈值在第 {key_lines['threshold']} 行） |"
        )
    lines.append("")
    return lines
