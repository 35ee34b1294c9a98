"""A year's own facts and tables: ``data/<year>/catalogue.yaml``.

The built-in catalogue (qzanalysis/metadata/) holds what the national outline, the indicators and the
standards need. A school that prints one more number, or one more small table, declares it in its year's
catalogue.yaml without touching code::

    facts:
      - {id: young_craftsmen, label: 浙江省青年工匠, unit: 人, section: 1.3.1, type: integer, kind: raw}
    tables:
      teacher_awards:                # its data: data/<year>/teacher_awards.csv
        title: 教师获奖情况
        section: 1.3.1
        fields:
          - {name: award, title: 奖项, type: string, constraints: {required: true}}
          - {name: people, title: 人数, type: integer, unit: 人, constraints: {minimum: 0}}
        primaryKey: [award]

    rules:                           # the year's own audit rules over its facts
      - {kind: sum, section: 1.3.3, item: 获奖论文 = 各等级之和, parts: [a, b], total: c}

Facts take the same keys as metadata/facts.yaml, tables the same Table Schema as metadata/schemas/, and
rules the format of metadata/audit_rules.yaml `rules` (kinds sum, same, formula, count, change, growth).
Problems become findings naming the file, the line and the key.

A fact another year of the same data root declares (its catalogue.yaml), and this year does not, is
known to this year as “not provided” (`Catalogue.elsewhere`): comparing with last year never stumbles on
a number only one of the two years printed.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import yaml

from qzanalysis.core.catalog import Catalogue, FactSpec, fact_spec, table_spec
from qzanalysis.core.findings import Finding, Level, Report
from qzanalysis.core.yaml_problems import yaml_problem

CATALOGUE_FILE = "catalogue.yaml"
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
FACT_KEYS = {"id", "label", "unit", "section", "type", "kind", "maximum", "note", "substitutes"}
FACT_TYPES = ("integer", "number")
FACT_KINDS = ("raw", "printed")
FIELD_TYPES = ("string", "integer", "number", "boolean", "date")
TABLE_KEYS = {"title", "section", "description", "fields", "primaryKey", "rowKey"}
# Rule kinds a year may declare, and the keys each needs (beyond kind, section and item).
RULE_KEYS = {
    "sum": ("total",),
    "same": ("facts",),
    "formula": ("formula", "printed"),
    "count": ("formula", "printed"),
    "change": ("value", "printed"),
    "growth": ("value", "printed"),
}


def _line_of(node, index_or_key) -> int | None:
    """The YAML line (1-based) where a list item or mapping key starts."""
    try:
        if isinstance(node, yaml.SequenceNode):
            return node.value[index_or_key].start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, _value in node.value:
                if key.value == index_or_key:
                    return key.start_mark.line + 1
    except (IndexError, AttributeError):
        pass
    return None


def _child(node, key):
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v
    return None


def read_catalogue(folder: Path, label: str, builtin: Catalogue | None = None) -> tuple[Catalogue, Report]:
    """The year's catalogue: the built-in one plus ``<folder>/catalogue.yaml`` when present."""
    builtin = builtin or Catalogue.builtin()
    report = Report(checks_run=["catalogue"])
    path = Path(folder) / CATALOGUE_FILE
    if not path.is_file():
        return replace(builtin, elsewhere=_elsewhere(folder, builtin.facts)), report
    where = f"{label}/{CATALOGUE_FILE}"
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
        raw = yaml.safe_load(text) or {}
    except UnicodeDecodeError:
        report.add(Finding(Level.FAIL, "catalogue", "文件不是 UTF-8 编码", where, expected="另存为 UTF-8"))
        return builtin, report
    except yaml.YAMLError as exc:
        problem, line = yaml_problem(exc)
        report.add(Finding(Level.FAIL, "catalogue", problem, where, line))
        return builtin, report
    if not isinstance(raw, dict):
        report.add(Finding(Level.FAIL, "catalogue", "内容应为含 facts 和 tables 的映射", where))
        return builtin, report
    for key in raw:
        if key not in ("facts", "tables", "rules"):
            report.add(
                Finding(
                    Level.FAIL,
                    "catalogue",
                    "未定义的键",
                    where,
                    _line_of(root, key),
                    str(key),
                    str(key),
                    "facts、tables 或 rules",
                )
            )

    def entries(key: str, kind: type, wrong: str) -> list[tuple[Any, Any, int | None]]:
        """(key or index, entry, YAML line) of a list or mapping section; a FAIL when it has another shape."""
        value, node = raw.get(key) or kind(), _child(root, key)
        if not isinstance(value, kind):
            report.add(Finding(Level.FAIL, "catalogue", wrong, where, _line_of(root, key)))
            return []
        pairs: list[tuple[Any, Any]] = (
            list(value.items()) if isinstance(value, dict) else list(enumerate(cast(list, value)))
        )
        return [(k, v, _line_of(node, k)) for k, v in pairs]

    def accepted(problems: list[tuple], line: int | None) -> bool:
        for column, value, message, expected in problems:
            report.add(Finding(Level.FAIL, "catalogue", message, where, line, column, value, expected))
        return not problems

    facts = dict(builtin.facts)
    own_facts: set[str] = set()
    for _i, item, line in entries("facts", list, "facts 应为列表"):
        if accepted(fact_problems(item, builtin, own_facts), line):
            spec = fact_spec(item)
            facts[spec.id] = spec
            own_facts.add(spec.id)
    tables = dict(builtin.tables)
    own_tables: set[str] = set()
    for name, descriptor, line in entries("tables", dict, "tables 应为“表名: 表结构”的映射"):
        if accepted(table_problems(str(name), descriptor, builtin), line):
            tables[str(name)] = table_spec(str(name), descriptor)
            own_tables.add(str(name))
    rules = [
        {**rule, "section": str(rule["section"])}
        for _i, rule, line in entries("rules", list, "rules 应为列表")
        if accepted(rule_problems(rule, facts, tables), line)
    ]
    catalogue = Catalogue(
        facts, tables, frozenset(own_facts), frozenset(own_tables), tuple(rules), _elsewhere(folder, facts)
    )
    return catalogue, report


def _elsewhere(folder: Path, facts: dict) -> dict:
    """Facts other years of the data root declare in their catalogue.yaml and this year does not."""
    out: dict[str, FactSpec] = {}
    root = Path(folder).parent
    if not root.is_dir():
        return out
    for other in sorted(root.iterdir()):
        path = other / CATALOGUE_FILE
        if other == Path(folder) or not other.name.isdigit() or not path.is_file():
            continue
        try:
            items = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("facts") or []
        except (yaml.YAMLError, UnicodeDecodeError, AttributeError, OSError):
            continue  # reported when that year is read
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or str(item.get("id")) in facts:
                continue
            entry = dict(item)  # fact_problems fills in the default type and kind
            if not fact_problems(entry, Catalogue({}, {}), set()):
                spec = fact_spec(entry)
                out.setdefault(spec.id, spec)
    return out


def _names(formula: str) -> set[str] | None:
    """Fact ids a rule formula reads (None when it does not parse)."""
    try:
        tree = ast.parse(str(formula), mode="eval")
    except SyntaxError:
        return None
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in calls}


def rule_problems(rule: Any, facts: dict, tables: dict) -> list[tuple]:
    if not isinstance(rule, dict):
        return [("rules", str(rule)[:40], "每条规则应写成 {kind: …, section: …, item: …}", "映射")]
    kind = rule.get("kind")
    if kind not in RULE_KEYS:
        return [("kind", str(kind), "规则种类不对", "、".join(RULE_KEYS))]
    out = []
    for key in ("section", "item", *RULE_KEYS[kind]):
        if not rule.get(key):
            out.append((key, "", f"{kind} 规则缺少 {key}", "非空值"))
    referenced: list[str] = []
    for key in ("total", "printed", "value"):
        if rule.get(key):
            referenced.append(str(rule[key]))
    for key in ("parts", "facts"):
        if rule.get(key) is not None:
            if not isinstance(rule[key], list) or len(rule[key]) < (2 if key == "facts" else 1):
                out.append((key, str(rule[key]), f"{key} 应为事实代码的列表", "[代码, 代码, …]"))
            else:
                referenced += [str(x) for x in rule[key]]
    if kind == "sum" and not rule.get("parts") and not rule.get("table"):
        out.append(
            ("parts", "", "sum 规则需要 parts（分项的事实代码）或 table（数据表）", "parts: [代码, …]")
        )
    if isinstance(rule.get("table"), dict) and rule["table"].get("name") not in tables:
        out.append(("table", str(rule["table"].get("name")), "规则中的数据表未登记", "已登记的数据表"))
    if rule.get("formula"):
        names = _names(rule["formula"])
        if names is None:
            out.append(("formula", str(rule["formula"]), "公式无法解析", "如 a + b"))
        else:
            referenced += sorted(names)
    for fid in dict.fromkeys(referenced):
        if fid not in facts:
            out.append(("rules", fid, "规则引用了未登记的数值代码", "内置目录或本文件 facts 中的代码"))
    return out


def fact_problems(item: Any, builtin: Catalogue, seen: set[str]) -> list[tuple]:
    if not isinstance(item, dict):
        return [("facts", str(item)[:40], "每个数值应写成 {id: …, label: …, unit: …, section: …}", "映射")]
    out = []
    fid = str(item.get("id", ""))
    for key in ("id", "label", "unit", "section"):
        if not str(item.get(key, "") or "").strip():
            out.append((key, "", f"缺少 {key}", "非空值"))
    if fid and not ID_PATTERN.match(fid):
        out.append(("id", fid, "代码格式不对", "小写英文字母开头，只含小写字母、数字和下划线"))
    if fid in builtin.facts:
        out.append(("id", fid, "与内置目录中的代码重复，无需在本年度重复声明", "新的代码"))
    if fid in seen:
        out.append(("id", fid, "代码重复声明", "每个代码只声明一次"))
    if item.get("type", "number") not in FACT_TYPES:
        out.append(("type", str(item.get("type")), "类型不对", "integer 或 number"))
    if item.get("kind", "raw") not in FACT_KINDS:
        out.append(("kind", str(item.get("kind")), "性质不对", "raw（原始数）或 printed（报告印出的派生值）"))
    for key in item:
        if key not in FACT_KEYS:
            out.append((str(key), str(key), "未定义的键", "、".join(sorted(FACT_KEYS))))
    if not out:
        item.setdefault("type", "number")
        item.setdefault("kind", "raw")
    return out


def table_problems(name: str, descriptor: Any, builtin: Catalogue) -> list[tuple]:
    if not ID_PATTERN.match(name):
        return [("tables", name, "表名格式不对", "小写英文字母开头，只含小写字母、数字和下划线")]
    if name in builtin.tables or name == "facts":
        return [("tables", name, "与内置数据表重名", "新的表名")]
    if not isinstance(descriptor, dict):
        return [("tables", name, "表结构应为映射", "title、fields、primaryKey")]
    out = []
    for key in descriptor:
        if key not in TABLE_KEYS:
            out.append((str(key), str(key), f"表 {name}：未定义的键", "、".join(sorted(TABLE_KEYS))))
    if not str(descriptor.get("title") or "").strip():
        out.append(("title", "", f"表 {name}：缺少中文标题", "非空值"))
    fields = descriptor.get("fields")
    if not isinstance(fields, list) or not fields:
        return out + [("fields", "", f"表 {name}：缺少列定义", "fields: [{name: …, title: …, type: …}]")]
    names = []
    for f in fields:
        if not isinstance(f, dict) or not f.get("name"):
            out.append(("fields", str(f)[:40], f"表 {name}：列定义缺少 name", "{name: …, title: …, type: …}"))
            continue
        names.append(f["name"])
        if f.get("type", "string") not in FIELD_TYPES:
            out.append(
                ("fields", f"{f['name']}: {f.get('type')}", f"表 {name}：列类型不对", "、".join(FIELD_TYPES))
            )
    for key in descriptor.get("primaryKey") or []:
        if key not in names:
            out.append(("primaryKey", str(key), f"表 {name}：主键不是已定义的列", "、".join(names)))
    if len(set(names)) != len(names):
        out.append(("fields", "、".join(names), f"表 {name}：列名重复", "每列一个名字"))
    return out
