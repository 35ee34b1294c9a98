"""One number cell as typed in Excel or WPS → the plain decimal text the type checks read, or a message.

Decisions (each one tested in tests/test_readers.py):
- Full-width digits and punctuation (“９５６”，“９８．４１％”): converted (NFKC), with a note.
- "98.41%" in a column whose unit is %: the sign is dropped. In any other column: refused.
- "956人" where the column's unit is 人: the unit is dropped, with a note. Another unit ("956元" in a 人 column):
  refused, naming both units.
- Thousands separators "4,082,500": removed when well formed; "40,82,500" is refused.
- Placeholders ("/", "-", "—", "N/A", "暂无", …): missing. The caller shows what was typed if the cell is
  required.
- Not a finite number ("inf", "NaN", "∞"), scientific notation ("4.08E+06": Excel keeps only the digits it
  shows), a date ("2021/9/1"), a Chinese full stop for the decimal point ("88。63"), or digits mixed with
  anything else: refused, saying what is wrong and what the number should look like. Text without any digit
  ("一千") is left to the type check ("不是整数").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from qzanalysis.core.cells import clean_text

# What analysts type for "no number". Compared case-insensitively, after NFKC.
PLACEHOLDERS = frozenset(
    s.casefold()
    for s in (
        "",
        "/",
        "-",
        "--",
        "—",
        "——",
        "–",
        "－",
        "…",
        "...",
        "NA",
        "N/A",
        "#N/A",
        "null",
        "none",
        "无",
        "暂无",
        "不详",
        "未知",
        "空",
    )
)
NON_FINITE = frozenset(
    s.casefold()
    for s in (
        "inf",
        "+inf",
        "-inf",
        "infinity",
        "+infinity",
        "-infinity",
        "nan",
        "+nan",
        "-nan",
        "∞",
        "+∞",
        "-∞",
    )
)
EXCEL_ERRORS = frozenset(
    ("#DIV/0!", "#REF!", "#VALUE!", "#NUM!", "#NAME?", "#NULL!", "#N/A", "#SPILL!", "#CALC!")
)

_PLAIN = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)$")
_WITH_SUFFIX = re.compile(
    r"^(?P<num>[+-]?(?:[0-9][0-9,]*(?:\.[0-9]+)?|\.[0-9]+))\s*(?P<suffix>[^\d\s.,+\-][^\d]*)?$"
)
_WELL_FORMED_THOUSANDS = re.compile(r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$")
_SCIENTIFIC = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+$")
_DATE = re.compile(
    r"^\d{1,4}\s*[/\-.年]\s*\d{1,2}(?:\s*[/\-.月]\s*\d{1,2}\s*日?)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_CHINESE_POINT = re.compile(r"^[+-]?[0-9]+[。，、][0-9]+$")
# Signs that NFKC leaves alone but are minus signs all the same.
_MINUS_SIGNS = str.maketrans({"−": "-", "－": "-"})


@dataclass(frozen=True)
class NumberCell:
    """The outcome for one cell. `text`: plain decimal text for the type check ("" = missing).
    `placeholder`: what was typed when it was read as missing. `note`: a normalisation worth telling.
    `error` / `hint`: why the cell is refused and a hint, added to the column's type and unit, on what it
    should look like."""

    text: str
    note: str | None = None
    error: str | None = None
    hint: str | None = None
    placeholder: str | None = None


def normalise_number(cell: str, unit: str | None) -> NumberCell:
    """Normalise one numeric cell for a column (or fact) whose unit is `unit`."""
    cleaned, invisible = clean_text(cell)
    text = unicodedata.normalize("NFKC", cleaned).translate(_MINUS_SIGNS).strip()
    notes = [invisible] if invisible else []
    if text != cleaned:
        notes.append("全角字符已转换为半角")
    if text.casefold() in PLACEHOLDERS:
        return NumberCell("", f"“{text}”按缺失值读取" if text else _join(notes), placeholder=text or None)
    if _PLAIN.match(text):
        return NumberCell(text, _join(notes))
    match = _WITH_SUFFIX.match(text)
    if not match:
        error, expected = malformed(text)
        return NumberCell(text, _join(notes), error, expected)
    num, suffix = match.group("num"), (match.group("suffix") or "").strip()
    if suffix:
        if suffix == "%" and unit != "%":
            return NumberCell(text, None, f"带有“%”，但此列单位是“{unit or '无'}”")
        if suffix != "%" and suffix != unit:
            return NumberCell(text, None, f"带有单位“{suffix}”，但此列单位是“{unit or '无'}”")
        notes.append(f"已去掉单位“{suffix}”")
    if "," in num:
        if not _WELL_FORMED_THOUSANDS.match(num):
            return NumberCell(
                text, None, "千位分隔符位置不对（小数请用小数点“.”）", "如 4082500 或 4,082,500"
            )
        num = num.replace(",", "")
        notes.append("已去掉千位分隔符")
    return NumberCell(num, _join(notes))


def malformed(text: str) -> tuple[str | None, str | None]:
    """Why `text` (NFKC'd) is not a number, and what it should look like; (None, None) when the text has
    no digit at all and the type check can say it plainly ("不是整数")."""
    if text.casefold() in NON_FINITE:
        return "不是有限的数字（inf、NaN、∞ 等不能作为数值）", "本年没有的数请留空"
    if text.upper() in EXCEL_ERRORS:
        return (
            f"是 Excel 的错误值“{text}”（公式出错）",
            "请在 Excel 中改正公式，再“选择性粘贴 → 数值”",
        )
    if _SCIENTIFIC.match(text):
        return (
            "是科学计数法；Excel 按显示的几位有效数字保存，原数可能已丢失",
            f"写出全部位数，不用 E（“{text}”只表示约 {float(text):,.0f}）；"
            "在 Excel 中把此列设为“数值”格式、显示全部位数后再保存",
        )
    if _DATE.match(text):
        return (
            "像日期，不是数字（多半是 Excel 把它识别成了日期）",
            "请把单元格设为“数值”或“文本”格式后重新输入",
        )
    if _CHINESE_POINT.match(text):
        mark = next(c for c in text if c in "。，、")
        return f"小数点写成了“{mark}”", f"如 {text.replace(mark, '.')}"
    if not any(c.isdigit() for c in text):
        return None, None
    return "数字格式不对（数字中混有其他字符）", "只含数字和小数点，如 1388 或 88.63"


def _join(notes: list[str]) -> str | None:
    return "；".join(n for n in notes if n) or None
