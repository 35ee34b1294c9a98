"""The data dictionary (docs/data-dictionary.md), generated from the same metadata that drives validation:
the built-in tables and facts, the indicators, and each year's own declarations (data/<year>/catalogue.yaml)."""

from __future__ import annotations

from qzanalysis.core.catalog import FactSpec, TableSpec, fact_specs, table_specs
from qzanalysis.core.paths import DOCS_DIR, available_years, year_dir
from qzanalysis.core.patterns import describe_pattern
from qzanalysis.core.year_catalogue import CATALOGUE_FILE, read_catalogue

DOC_PATH = DOCS_DIR / "data-dictionary.md"


def _constraints(field) -> str:
    c = field.constraints
    parts = []
    if c.get("required"):
        parts.append("必填")
    if "minimum" in c:
        parts.append(f"≥ {c['minimum']}")
    if "maximum" in c:
        parts.append(f"≤ {c['maximum']}")
    if "enum" in c:
        parts.append("取值：" + "、".join(map(str, c["enum"])))
    if "pattern" in c:
        parts.append(f"格式：{describe_pattern(c['pattern'])}（`{c['pattern']}`）")
    return "；".join(parts)


def section_key(section: str) -> tuple[int, ...]:
    """'3.2.1' → (3, 2, 1); non-numeric sections ('全文') sort first."""
    try:
        return tuple(int(p) for p in section.split("."))
    except ValueError:
        return (0,)


def _table_lines(spec: TableSpec) -> list[str]:
    lines = [f"## {spec.title}（`{spec.filename}`）", "", f"报告章节：{spec.section}。{spec.description}", ""]
    if spec.primary_key:
        lines += [f"主键：{'、'.join(spec.primary_key)}", ""]
    lines += ["| 列 | 中文名 | 类型 | 单位 | 小数位 | 约束 |", "|---|---|---|---|---|---|"]
    for f in spec.fields:
        decimals = "" if f.decimals is None else str(f.decimals)
        lines.append(
            f"| `{f.name}` | {f.title} | {f.type} | {f.unit or ''} | {decimals} | {_constraints(f)} |"
        )
    return lines + [""]


def _fact_lines(facts: list[FactSpec]) -> list[str]:
    lines = ["| id | 名称 | 单位 | 章节 | 类型 | 性质 |", "|---|---|---|---|---|---|"]
    for fact in facts:
        kind = "报告印出的派生值" if fact.kind == "printed" else "原始数"
        lines.append(f"| `{fact.id}` | {fact.label} | {fact.unit} | {fact.section} | {fact.type} | {kind} |")
    return lines


def render_data_dictionary(data_dir=None) -> str:
    from qzanalysis.indicators.registry import registry

    lines = [
        "# 数据字典",
        "",
        "本文件由 `qz docs` 根据 `qzanalysis/metadata/` 和各年度的 `catalogue.yaml` 生成，请勿手改。"
        "每个年度文件夹 `data/<年度>/` 使用同一套内置表，年度可以另行登记自己的数值和表（见文末）。",
        "",
    ]
    for spec in sorted(table_specs().values(), key=lambda t: section_key(t.section)):
        lines += _table_lines(spec)
    lines += ["## 正文数值目录（`facts.csv` 的 id）", ""] + _fact_lines(list(fact_specs().values()))
    lines += [
        "",
        "## 指标",
        "",
        "| id | 指标 | 单位 | 小数位 | 章节 | 定义 | 口径选项 |",
        "|---|---|---|---|---|---|---|",
    ]
    for ind in registry().values():
        options = "；".join(
            f"{name}："
            + "、".join(f"{k}{'（默认）' if k == spec['default'] else ''}" for k in spec["choices"])
            for name, spec in ind.options.items()
        )
        lines.append(
            f"| `{ind.id}` | {ind.name} | {ind.unit} | {ind.decimals} | {ind.section} | {ind.definition} | {options} |"
        )
    for year in available_years(data_dir):
        folder = year_dir(year, data_dir)
        if not (folder / CATALOGUE_FILE).is_file():
            continue
        catalogue, _ = read_catalogue(folder, f"data/{year}")
        lines += ["", f"## {year} 年度自行登记的数值与数据表（`data/{year}/{CATALOGUE_FILE}`）", ""]
        own = [f for fid, f in catalogue.facts.items() if fid in catalogue.own_facts]
        if own:
            lines += _fact_lines(own) + [""]
        for name in sorted(catalogue.own_tables):
            lines += [
                "#" + line if line.startswith("## ") else line
                for line in _table_lines(catalogue.tables[name])
            ]
        if catalogue.rules:
            lines += [
                f"本年度核查规则 {len(catalogue.rules)} 条：" + "；".join(r["item"] for r in catalogue.rules),
                "",
            ]
    return "\n".join(lines).rstrip("\n") + "\n"
