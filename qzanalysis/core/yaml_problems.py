"""What is wrong with a YAML file an analyst typed (collection.yaml, school.yaml, catalogue.yaml, a text file's
header), in words they can act on. PyYAML says it in English ("found character '\\t' that cannot start any
token"); the common slips of hand-typed YAML get a Chinese sentence saying what to change, others keep the
parser's words after a Chinese lead.
"""

from __future__ import annotations

import re

import yaml

# (pattern in PyYAML's `problem`, what to tell the analyst), first match wins.
_PROBLEMS = [
    (r"found character '\\t'", "用了制表符（Tab）：YAML 只能用空格缩进，请把 Tab 换成空格"),
    (r"mapping values are not allowed", "此处不能写“键: 值”：多半是缩进不对，或值中有冒号而没加引号"),
    (r"could not find expected ':'", "缺少冒号：键与值之间用英文冒号加空格“: ”分隔（不是中文冒号“：”）"),
    (
        r"expected <block end>|did not find expected key|did not find expected '-'",
        "缩进不一致：同一层的各行应对齐",
    ),
    (r"expected ',' or '\]'|expected ',' or '\}'", "方括号或花括号不配对，或各项之间缺少英文逗号“,”"),
    (r"unexpected end of stream|found unexpected end", "引号或括号没有配对"),
    (r"found character '(.)' that cannot start any token", "值不能以“{0}”开头：请给这个值加上引号"),
    (
        r"found undefined alias|expected alphabetic or numeric character",
        "值不能以“*”或“&”开头：请给这个值加上引号",
    ),
    (r"found duplicate key", "键重复：同一层的每个键只写一次"),
]


def yaml_problem(exc: yaml.YAMLError) -> tuple[str, int | None]:
    """('YAML 格式错误：<what to change>', the 1-based line where the parser stopped, or None)."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = str(getattr(exc, "problem", None) or exc)
    for pattern, words in _PROBLEMS:
        found = re.search(pattern, problem)
        if found:
            return f"YAML 格式错误：{words.format(*found.groups())}", line
    return f"YAML 格式错误（解析器的说明：{problem}）", line
