"""The school profile of one year (``data/<year>/school.yaml``): who publishes the report, and how.

Every title, cover, footer and command-line text that names the school takes the name from here: no
school's name is written in code. The profile belongs to the year because it can change (a school is
renamed, gains a type, moves). ``definitions`` records the school's own choices where the national
practice differs (for example the denominator of 双师型比例); the indicators use them by default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qzanalysis.core.catalog import indicator_options
from qzanalysis.core.findings import Finding, Level, Report
from qzanalysis.core.yaml_problems import yaml_problem

PROFILE_FILE = "school.yaml"
# 中等职业学校 follow the 中职 standards; the other three are 技工院校 (人社部 standards).
SCHOOL_TYPES = ("中等职业学校", "技工学校", "高级技工学校", "技师学院")
TECHNICAL_TYPES = ("技工学校", "高级技工学校", "技师学院")
FIELDS = {
    "name": "学校全称",
    "short_name": "学校简称",
    "types": "学校类型（可多选）",
    "address": "地址",
    "website": "网址",
    "sponsor": "举办者",
    "report_title": "报告标题",
    "period": "报告所述期间（如“2020-2021学年”；学校未写明则留空）",
    "definitions": "本校采用的指标口径",
}
REQUIRED = ("name", "types")
# A web address the report may link: a scheme, a host, and none of the characters that end a link or
# would break out of one (the text prints any other value as plain text; see qzanalysis.report.text).
WEBSITE = re.compile(r"^https?://[^\s<>\"'`/]+\.[^\s<>\"'`/]+(?:/[^\s<>\"'`]*)?$")


@dataclass(frozen=True)
class SchoolProfile:
    """One year's school profile. `types` is a subset of SCHOOL_TYPES, in the order given."""

    name: str
    types: tuple[str, ...]
    short_name: str = ""
    address: str = ""
    website: str = ""
    sponsor: str = ""
    report_title: str = ""
    period: str = ""
    definitions: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_secondary_vocational(self) -> bool:
        """Held to the 中等职业学校 standards."""
        return "中等职业学校" in self.types

    @property
    def is_technical(self) -> bool:
        """A 技工院校 (技工学校, 高级技工学校 or 技师学院), held to the 技工院校 standards."""
        return any(t in TECHNICAL_TYPES for t in self.types)

    def title(self, year: int) -> str:
        """The report's title as printed on the cover: the school's own title, or the usual one."""
        return self.report_title or f"{year} 年度中等职业教育质量年度报告"

    def value(self, key: str) -> Any:
        """A profile field by its YAML key (for references such as {{school.name}} in the text)."""
        if key not in FIELDS:
            raise KeyError(key)
        value = getattr(self, key)
        return "、".join(value) if isinstance(value, tuple) else value


def read_profile(folder: Path, label: str) -> tuple[SchoolProfile | None, Report]:
    """Read ``<folder>/school.yaml``. Problems become findings naming the file, the line and the key.

    A missing file is a WARN, not a FAIL: the year's tables can still be validated, its indicators computed
    and audited (the definitions then take their defaults, and standards of every school type are listed).
    What cannot be done without the school's name is publishing: `qz render` refuses such a year with a FAIL
    before writing anything (qzanalysis.tools.common.publishable_year). A file that exists but is broken or
    incomplete (no name or no type, an unknown type or definition) is a FAIL here.
    """
    report = Report(checks_run=["profile"])
    path = Path(folder) / PROFILE_FILE
    where = f"{label}/{PROFILE_FILE}"
    if not path.is_file():
        report.add(
            Finding(
                Level.WARN,
                "profile",
                "缺少学校概况文件，报告标题和封面将没有学校名称",
                where,
                expected="school.yaml，至少含 name（学校全称）和 types（学校类型）",
            )
        )
        return None, report
    try:
        text = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(text) or {}
    except UnicodeDecodeError:
        report.add(Finding(Level.FAIL, "profile", "文件不是 UTF-8 编码", where, expected="另存为 UTF-8"))
        return None, report
    except yaml.YAMLError as exc:
        problem, line = yaml_problem(exc)
        report.add(Finding(Level.FAIL, "profile", problem, where, line))
        return None, report
    if raw == {}:  # only comments, e.g. the template `qz new-year` writes: not filled in yet
        report.add(
            Finding(
                Level.WARN,
                "profile",
                "学校概况尚未填写，报告标题和封面将没有学校名称",
                where,
                expected="去掉注释符号 # 并填写 name（学校全称）和 types（学校类型）",
            )
        )
        return None, report
    if not isinstance(raw, dict):
        report.add(Finding(Level.FAIL, "profile", "内容应为“键: 值”的映射", where, expected="name: …"))
        return None, report
    for key in raw:
        if key not in FIELDS:
            report.add(
                Finding(
                    Level.FAIL,
                    "profile",
                    "未定义的键",
                    where,
                    _line(text, str(key)),
                    column=str(key),
                    value=str(key),
                    expected="以下之一：" + "、".join(FIELDS),
                )
            )
    for key in REQUIRED:
        if not raw.get(key):
            report.add(
                Finding(
                    Level.FAIL,
                    "profile",
                    f"缺少{FIELDS[key]}",
                    where,
                    _line(text, key),
                    key,
                    expected="非空值",
                )
            )
    types = raw.get("types") or []
    if isinstance(types, str):
        types = [types]
    for t in types:
        if t not in SCHOOL_TYPES:
            report.add(
                Finding(
                    Level.FAIL,
                    "profile",
                    "未知的学校类型",
                    where,
                    _line(text, "types"),
                    column="types",
                    value=str(t),
                    expected="以下之一：" + "、".join(SCHOOL_TYPES),
                )
            )
    definitions = raw.get("definitions") or {}
    if not isinstance(definitions, dict) or not all(isinstance(v, dict) for v in definitions.values()):
        report.add(
            Finding(
                Level.FAIL,
                "profile",
                "口径应写成“指标代码: {选项: 取值}”",
                where,
                _line(text, "definitions"),
                column="definitions",
                expected="如 dual_qualified_ratio: {denominator: specialty}",
            )
        )
        definitions = {}
    for finding in definition_problems(definitions, where, text):
        report.add(finding)
    website = str(raw.get("website") or "").strip()
    if website and not WEBSITE.match(website):
        report.add(
            Finding(
                Level.WARN,
                "profile",
                "网址格式不对，报告中只作为文字印出、不成为链接",
                where,
                _line(text, "website"),
                "website",
                website,
                "以 http:// 或 https:// 开头、不含空格和 < > \" ' 的网址，如 https://www.example.edu.cn/",
            )
        )
    if report.errors:
        return None, report
    values = {k: str(raw.get(k) or "").strip() for k in FIELDS if k not in ("types", "definitions")}
    profile = SchoolProfile(
        types=tuple(str(t) for t in types),
        definitions={str(k): {str(o): str(c) for o, c in v.items()} for k, v in definitions.items()},
        **values,
    )
    return profile, report


def _line(text: str, *keys: str) -> int | None:
    """The line (1-based) of a nested mapping key in YAML text, e.g. ("definitions", "dual_qualified_ratio")."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return line
        for k, v in node.value:
            if k.value == key:
                line, node = k.start_mark.line + 1, v
                break
        else:
            return line
    return line


def definition_problems(definitions: dict, where: str, text: str = "") -> list[Finding]:
    """Each definition naming an indicator, option or choice the registry does not have, as a FAIL
    naming school.yaml, its line, the key and the allowed choices."""
    known = indicator_options()
    out = []
    for ind_id, chosen in definitions.items():
        if ind_id not in known or not known[ind_id]:
            allowed = [k for k, v in known.items() if v]
            out.append(
                Finding(
                    Level.FAIL,
                    "profile",
                    "口径中的指标没有可选口径" if ind_id in known else "口径中有未登记的指标",
                    where,
                    _line(text, "definitions", str(ind_id)),
                    f"definitions.{ind_id}",
                    str(ind_id),
                    "以下之一：" + "、".join(allowed),
                )
            )
            continue
        for option, choice in chosen.items():
            line = _line(text, "definitions", str(ind_id), str(option)) or _line(
                text, "definitions", str(ind_id)
            )
            if option not in known[ind_id]:
                out.append(
                    Finding(
                        Level.FAIL,
                        "profile",
                        f"指标 {ind_id} 没有这个口径选项",
                        where,
                        line,
                        f"definitions.{ind_id}",
                        str(option),
                        "以下之一：" + "、".join(known[ind_id]),
                    )
                )
            elif str(choice) not in known[ind_id][option]:
                out.append(
                    Finding(
                        Level.FAIL,
                        "profile",
                        f"指标 {ind_id} 的口径 {option} 不能取这个值",
                        where,
                        line,
                        f"definitions.{ind_id}.{option}",
                        str(choice),
                        "以下之一：" + "、".join(known[ind_id][option]),
                    )
                )
    return out


def profile_template() -> str:
    """A commented school.yaml for a school's first year (`qz new-year` writes it when there is no previous
    profile). Every line is a comment, so an unedited template reads as “not filled in” (a WARN)."""
    examples = {
        "name": "学校全称（必填）",
        "short_name": "学校简称",
        "types": "[中等职业学校]    # 必填，可多选：" + "、".join(SCHOOL_TYPES),
        "address": "地址",
        "website": "https://…",
        "sponsor": "举办者，如某某市人民政府",
        "report_title": "报告标题（留空则用“<年度> 年度中等职业教育质量年度报告”）",
        "period": "如 2021-2022学年（学校未写明则留空）",
    }
    lines = [
        "# 学校概况：报告标题、封面、页脚和命令行提示中的学校名称都取自这里（qz new-year 生成的模板）。",
        "# 填写方法：去掉行首的 # 并改成本校的内容；name 和 types 必填。",
    ]
    lines += [f"# {key}: {value}" for key, value in examples.items()]
    lines.append("# definitions:    # 本校采用的指标口径；省略时用默认口径")
    for ind_id, options in indicator_options().items():
        for option, choices in options.items():
            lines.append(f"#   {ind_id}: {{{option}: {choices[0]}}}    # 可取：{'、'.join(choices)}")
    return "\n".join(lines) + "\n"
