"""A schema's `pattern` constraint said in words, for analysts who do not read regular expressions.

Handles what table schemas use for codes: character classes ([0-9], \\d, [A-Z], [a-z], [A-Za-z]) and
literal characters, each with an optional {n}, {m,n}, +, * or ? quantifier. Anything else is described
without showing the expression.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"(?P<atom>\[0-9\]|\\d|\[A-Z\]|\[a-z\]|\[A-Za-z\]|\[a-zA-Z\]|\[0-9A-Z\]|\[A-Z0-9\]|[^\\\[\]{}()*+?|^$.])"
    r"(?P<quant>\{\d+\}|\{\d+,\d+\}|[+*?])?"
)
_CLASSES = {
    "[0-9]": "数字",
    r"\d": "数字",
    "[A-Z]": "大写字母",
    "[a-z]": "小写字母",
    "[A-Za-z]": "字母",
    "[a-zA-Z]": "字母",
    "[0-9A-Z]": "数字或大写字母",
    "[A-Z0-9]": "数字或大写字母",
}
UNKNOWN = "符合本列规定的格式（见数据字典 docs/data-dictionary.md）"


def _count(quant: str | None, digits: bool) -> str:
    unit = "位" if digits else "个"
    if not quant:
        return f"1 {unit}"
    if quant == "+":
        return f"1 {unit}或更多"
    if quant == "*":
        return "任意个"
    if quant == "?":
        return f"0 或 1 {unit}"
    low, _, high = quant.strip("{}").partition(",")
    return f"{low}–{high} {unit}" if high else f"{low} {unit}"


def describe_pattern(pattern: str) -> str:
    """'[0-9]{4,6}' → '4–6 位数字'; '[A-Z]{2}[0-9]{4}' → '2 个大写字母，接 4 位数字'."""
    body = pattern.removeprefix("^").removesuffix("$")
    parts, pos = [], 0
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if not m:
            return UNKNOWN
        atom, quant = m.group("atom"), m.group("quant")
        kind = _CLASSES.get(atom)
        if kind:
            parts.append(f"{_count(quant, kind == '数字')}{kind}")
        else:
            parts.append(f"“{atom}”" if not quant else f"{_count(quant, False)}“{atom}”")
        pos = m.end()
    return "，接 ".join(parts) if parts else UNKNOWN


def only_digits(pattern: str) -> bool:
    """True for patterns of digits only, such as codes whose leading zeros matter."""
    text = describe_pattern(pattern)
    return text.endswith("位数字") and "，接" not in text
