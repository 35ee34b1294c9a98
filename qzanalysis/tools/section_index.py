"""The section index (docs/section-index.md), generated from the outline, the notebooks and the metadata:
report section → notebook cell → chapter functions → tables, facts, indicators and the school's text.

A section id leads to everything behind it: the notebook cells that show it (the one calling
``show_section(data, "3.2.7", prev)`` and the calls after it), the chapter functions those cells call, the
tables, facts and indicators declared for that section (their ``section`` in qzanalysis/metadata/), and
whether the newest year's text (data/<year>/text/) has words for it. Sections with no data or no text say so.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field

from qzanalysis.core.catalog import fact_specs, table_specs
from qzanalysis.core.outline import Chapter, chapters
from qzanalysis.core.paths import DOCS_DIR, NOTEBOOK_DIR, available_years

DOC_PATH = DOCS_DIR / "section-index.md"
_SHOW_SECTION = re.compile(r'show_section\(data, "([\d.]+)"')


@dataclass
class Placement:
    cells: list[int] = field(default_factory=list)  # 1-based notebook cell numbers
    functions: list[str] = field(default_factory=list)  # "ch03_quality.table_facts", in call order


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
    return f"有（{words} 字{note}）"


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
        "",
    ]
    for chapter in chapters():
        if chapter.is_appendix:
            continue
        placed = placements(chapter)
        lines += [
            f"## {chapter.title}",
            "",
            f"笔记本 `notebooks/{chapter.notebook}.ipynb`，章节函数 `qzanalysis/report/chapters/{chapter.notebook}.py`，"
            f"文字 `data/<年度>/text/{chapter.notebook}.md`。",
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
            functions = "、".join(f"`{f}`" for f in p.functions)
            data_parts = [tables.get(section_id), facts.get(section_id), indicators.get(section_id)]
            cells = [("、".join(part) if part else "—") for part in data_parts]
            if not p.functions and not any(data_parts):
                functions = "无数据"
            lines.append(
                f"| {title} | {_cells(p.cells)} | {functions or '—'} | {cells[0]} | {cells[1]} | {cells[2]} "
                f"| {_text_state(year_text, chapter, section_id)} |"
            )
        lines.append("")
    whole = tables.get("全文")
    if whole:
        lines += ["## 全文", "", "跨章节使用的数据表：" + "、".join(whole) + "。", ""]
    return "\n".join(lines)
