"""The data dictionary (docs/data-dictionary.md), generated from the same metadata that drives validation."""

from __future__ import annotations

from qzanalysis.core.catalog import fact_specs, table_specs
from qzanalysis.core.paths import DOCS_DIR
from qzanalysis.core.patterns import describe_pattern

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


def render_data_dictionary() -> str:
    from qzanalysis.indicators.registry import registry

    lines = [
        "# 数据字典",
        "",
        "本文件由 `qz docs` 根据 `qzanalysis/metadata/` 生成，请勿手改。每个年度文件夹 `data/<年度>/` 使用同一套表。",
        "",
    ]
    for spec in sorted(table_specs().values(), key=lambda t: section_key(t.section)):
        lines += [
            f"## {spec.title}（`{spec.filename}`）",
            "",
            f"报告章节：{spec.section}。{spec.description}",
            "",
        ]
        if spec.primary_key:
            lines += [f"主键：{'、'.join(spec.primary_key)}", ""]
        lines += ["| 列 | 中文名 | 类型 | 单位 | 约束 |", "|---|---|---|---|---|"]
        for f in spec.fields:
            lines.append(f"| `{f.name}` | {f.title} | {f.type} | {f.unit or ''} | {_constraints(f)} |")
        lines.append("")
    lines += [
        "## 正文数值目录（`facts.csv` 的 id）",
        "",
        "| id | 名称 | 单位 | 章节 | 类型 | 性质 |",
        "|---|---|---|---|---|---|",
    ]
    for fact in fact_specs().values():
        kind = "报告印出的派生值" if fact.kind == "printed" else "原始数"
        lines.append(f"| `{fact.id}` | {fact.label} | {fact.unit} | {fact.section} | {fact.type} | {kind} |")
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
    return "\n".join(lines) + "\n"
