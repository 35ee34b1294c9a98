"""`qz validate --all --year Y`: one screen, one row per school, to see which schools to chase.

Each table's status is one character (完 完整, 不 不完整, 缺 缺失, 错 有错误) under the table's number; a legend
numbers the tables. Below the table, every school with problems gets the command that lists them all and its
first findings. Exit status 0 only when every school passed validation.
"""

from __future__ import annotations

import sys
import unicodedata

from qzanalysis.core.catalog import table_specs
from qzanalysis.core.collection import read_schools
from qzanalysis.core.findings import Level
from qzanalysis.indicators.area import findings_of, table_status
from qzanalysis.indicators.plausibility import read_checked_year
from qzanalysis.tools.collection.args import COLLECTION_PROBLEMS, collection_option, open_collection, refuse

STATUS_MARK = {"完整": "完", "不完整": "不", "缺失": "缺", "有错误": "错"}
SHOWN_FINDINGS = 3  # per school below the table; the command shows the rest
NAME_WIDTH = 20  # display columns for the school's name


def width(text: str) -> int:
    """Display columns in a terminal: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))


def fit(text: str, columns: int) -> str:
    """`text` cut to `columns` display columns (… marks a cut) and padded to exactly that width."""
    text = str(text)
    if width(text) > columns:
        while width(text) > columns - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (columns - width(text))


def format_status(collection, year: int, schools) -> str:
    """The status screen: legend, one row per school, conclusion, and where to look."""
    frame = table_status(schools)
    titles = [spec.title for spec in table_specs().values()]
    lines = [f"学校名单：{collection.path}（{collection.area}，{len(schools)} 所学校），{year} 年数据", ""]
    legend = [f"{i:>2} {title}" for i, title in enumerate(titles, start=1)]
    per_line = 2
    lines.append("数据表：")
    for start in range(0, len(legend), per_line):
        lines.append("  " + "".join(fit(item, 46) for item in legend[start : start + per_line]).rstrip())
    lines.append("")
    code_width = max(4, *(width(s.school.id) for s in schools))
    head = fit("代码", code_width) + " " + fit("学校", NAME_WIDTH) + " "
    head += " ".join(f"{i:>2}" for i in range(1, len(titles) + 1))
    head += "  错误  警告  结论"
    lines.append(head)
    for row, school in zip(frame.to_dict("records"), schools, strict=True):
        marks = " ".join(STATUS_MARK.get(row[title], "？") for title in titles)
        verdict = "通过" if school.ok else "未通过"
        lines.append(
            fit(school.school.id, code_width)
            + " "
            + fit(school.name, NAME_WIDTH)
            + " "
            + marks
            + f"  {row['错误']:>4}  {row['警告']:>4}  {verdict}"
        )
    lines.append("")
    lines.append("  ".join(f"{mark}＝{status}" for status, mark in STATUS_MARK.items()))
    failed = [s for s in schools if not s.ok]
    lines.append(
        f"结论：{len(schools)} 所学校中 {len(schools) - len(failed)} 所通过校验"
        + (f"，{len(failed)} 所未通过：{'、'.join(s.school.id for s in failed)}。" if failed else "。")
    )
    chase = [s for s in schools if not s.ok or findings_of(s, Level.WARN)]
    if chase:
        lines += ["", "去看哪里："]
    for school in chase:
        errors, warnings = findings_of(school, Level.FAIL), findings_of(school, Level.WARN)
        lines.append(
            f"  {school.school.id} {school.name}：{len(errors)} 个错误，{len(warnings)} 个警告。"
            f"全部问题：qz validate --school {school.school.id} --year {year}{collection_option(collection)}"
        )
        shown = (errors + warnings)[:SHOWN_FINDINGS]
        lines += [f"    {collection.relative(finding)}" for finding in shown]
        if len(errors) + len(warnings) > len(shown):
            lines.append(f"    ……另有 {len(errors) + len(warnings) - len(shown)} 个")
    return "\n".join(lines)


def run_all(args) -> int:
    """`qz validate --all`: exit 0 when every school passed, 1 otherwise, 2 for a usage problem."""
    if getattr(args, "school", None) or getattr(args, "data_dir", None):
        print("qz validate：--all 校验名单中的全部学校，不能与 --school 或 --data-dir 同用", file=sys.stderr)
        return 2
    try:
        collection = open_collection(args)
    except COLLECTION_PROBLEMS as exc:
        return refuse("qz validate", exc)
    schools = read_schools(collection, args.year, read_checked_year)
    print(format_status(collection, args.year, schools))
    return 0 if all(s.ok for s in schools) else 1
