"""Years of data that pass validation yet are unusual: every allowed enum value, empty optional cells,
extreme but legal numbers, a single row, and text no school would type but any school may (rare characters,
markup, right-to-left text, very long labels, a unit the code does not know such as “千元”).

Generated from the schemas and the fact catalogue, so a new table or fact is covered without editing this
file. Used by tests/test_unusual.py: whatever validation lets through, every command must handle.
"""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import yaml

from qzanalysis.core.catalog import FieldSpec, TableSpec, fact_specs, table_specs
from qzanalysis.core.profile import SCHOOL_TYPES

# Text an analyst may paste: rare CJK (the chart font has no extension-B glyphs: see the report), markup that must stay text, a URL with parentheses,
# right-to-left text, a unit no code expects, a reference-like pattern, and a very long label.
TEXTS = (
    "䶮龘鿏 罕用字",
    "<script>alert(1)</script>",
    "[点此](http://example.com/a_(b)) **粗体** _斜体_ `代码`",
    "עברית مرحبا",
    "千元",
    "{{students_total}} $x^2$ | 竖线 |",
    "很长的名称" * 30,
    "Ａｂｃ 全角字母",
)
HUGE = 10**9


def text(i: int) -> str:
    return f"{TEXTS[i % len(TEXTS)]}{i}"


def number(f: FieldSpec, i: int, required: bool) -> str:
    """Cycle through the legal extremes: the minimum, the maximum (or a huge value), a fraction."""
    c = f.constraints
    low = c.get("minimum", 0)
    high = c.get("maximum", HUGE)
    choices = [low, high, (low + high) / 3 if f.type == "number" else (low + high) // 3]
    if not required:
        choices.append(None)
    value = choices[i % len(choices)]
    if value is None:
        return ""
    return str(int(value)) if f.type == "integer" else f"{value:.3f}".rstrip("0").rstrip(".")


def code(f: FieldSpec, i: int) -> str:
    """A value for a pattern column: digits patterns only (the ones the schemas use), zero-padded."""
    assert f.constraints["pattern"] == "[0-9]{4,6}", f"tests/unusual.py: teach me the pattern of {f.name}"
    return f"{i:04d}"


def cell(f: FieldSpec, i: int, sparse: bool, key: bool = False) -> str:
    c = f.constraints
    required = f.required
    if key and f.is_numeric:  # a numeric key (序号) must stay unique
        return str(int(c.get("minimum", 0)) + i)
    if sparse and not required:
        return ""
    if "enum" in c:
        return str(c["enum"][i % len(c["enum"])])
    if f.type == "boolean":
        values = [*f.descriptor.get("trueValues", ["true"]), *f.descriptor.get("falseValues", ["false"])]
        return values[i % len(values)]
    if f.is_numeric:
        return number(f, i, required and not sparse)
    if "pattern" in c:
        return code(f, i)
    if not required and i % 3 == 2:
        return ""
    return text(i) if key else TEXTS[i % len(TEXTS)]  # e.g. a printed unit of exactly “千元”


def rows(spec: TableSpec, count: int, sparse: bool) -> list[list[str]]:
    """`count` rows, or every combination of the enum values of an all-enum primary key."""
    enum_key = [spec.field(n) for n in spec.primary_key if "enum" in spec.field(n).constraints]
    out = []
    if enum_key and len(enum_key) == len(spec.primary_key):
        combos = list(itertools.product(*(f.constraints["enum"] for f in enum_key)))[:count]
        for i, combo in enumerate(combos):
            row = [cell(f, i, sparse, f.name in spec.primary_key) for f in spec.fields]
            for f, value in zip(enum_key, combo, strict=True):
                row[spec.field_names.index(f.name)] = str(value)
            out.append(row)
        return out
    return [[cell(f, i, sparse, f.name in spec.primary_key) for f in spec.fields] for i in range(count)]


def csv_text(header: list[str], body: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


def facts_rows(sparse: bool) -> list[list[str]]:
    out = []
    for i, (fid, spec) in enumerate(fact_specs().items()):
        if sparse and i % 4:
            continue
        high = spec.maximum if spec.maximum is not None else HUGE
        value = [0, high, high / 3][i % 3]
        shown = str(int(value)) if spec.type == "integer" else f"{value:.2f}"
        printed = ["", "千元", TEXTS[i % len(TEXTS)]][i % 3] if not sparse else ""
        out.append([fid, spec.label, shown, spec.unit, printed, text(i) if i % 2 else ""])
    return out


VARIANTS = {
    # every enum value, extremes, unicode text, optional cells sometimes empty
    "many": dict(count=12, sparse=False, types=list(SCHOOL_TYPES), facts=True),
    # one row per table, every optional cell empty, a quarter of the facts
    "single": dict(count=1, sparse=True, types=["技工学校"], facts=True),
    # every table header-only, no facts: a year with nothing but its profile
    "bare": dict(count=0, sparse=True, types=["中等职业学校"], facts=False),
}


def write_year(root: Path, year: int, variant: str) -> Path:
    """Write data/<year>/ of the given variant under `root` and return the folder."""
    v = VARIANTS[variant]
    folder = root / str(year)
    folder.mkdir(parents=True)
    for name, spec in table_specs().items():
        if name == "facts":
            body = facts_rows(v["sparse"]) if v["facts"] else []
        else:
            body = rows(spec, v["count"], v["sparse"])
        (folder / spec.filename).write_text(csv_text(spec.field_names, body), encoding="utf-8")
    profile = {
        "name": f"{text(0)}学校（{text(3)}）",
        "short_name": text(1),
        "types": v["types"],
        "address": text(2),
        "website": "http://example.com/a_(b)?x=1&y=<2>",
        "sponsor": text(5),
        "report_title": f"{year} 年度中等职业教育质量报告 {text(6)[:20]}",
        "period": "",
    }
    (folder / "school.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    return folder
