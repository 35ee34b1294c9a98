"""Read a CSV as analysts save it from Excel or WPS, and normalise its cells before type checks.

Decisions (each one tested in tests/test_readers.py):
- UTF-8 with or without BOM: read as is. GBK/GB18030 (WPS default on Chinese Windows): read, with an INFO note.
- Full-width digits and punctuation (“９５６”，“９８．４１％”): converted with NFKC, INFO note.
- Stray spaces around a value: stripped silently.
- "98.41%" in a column whose unit is %: the sign is dropped. In any other column: FAIL.
- "956人" where the column's unit is 人: the unit is dropped, INFO. A different unit ("956元" in a 人 column): FAIL.
- Thousands separators "4,082,500": removed when well formed; "40,82,500" is a FAIL.
- "/", "-", "—" (the report's "not applicable"): read as missing, INFO note.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from qzanalysis.core.catalog import TableSpec
from qzanalysis.core.findings import Finding, Level

# Columns where a line break inside a quoted cell is legitimate text.
FREE_TEXT_FIELDS = {"note", "summary", "heading"}
MISSING_MARKERS = {"", "/", "-", "—", "–", "－", "NA", "N/A", "无"}
_NUMBER_WITH_SUFFIX = re.compile(r"^(?P<num>[+-]?[0-9][0-9,]*(?:\.[0-9]+)?|[+-]?\.[0-9]+)\s*(?P<suffix>\S*)$")
_WELL_FORMED_THOUSANDS = re.compile(r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$")


@dataclass
class RawTable:
    """A CSV's cells as normalised text, keyed to the physical line each record started on."""

    path: Path
    display_path: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    encoding: str
    findings: list[Finding] = field(default_factory=list)
    # (row index, column name) of cells already reported, so later checks do not report them twice.
    flagged: set[tuple[int, str]] = field(default_factory=set)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Tries UTF-8 (with BOM) first, then GB18030, a superset of GBK."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError as exc:
        raise ValueError(f"无法识别文件编码（既不是 UTF-8 也不是 GBK）：第 {exc.start} 字节附近") from exc


def normalise_text(cell: str) -> str:
    """Strip spaces (including the full-width U+3000). Chinese punctuation in text is kept as typed."""
    return cell.strip().strip("\u3000").strip()


def normalise_numeric_text(cell: str) -> str:
    """NFKC for number cells only: full-width digits, point, comma and % become ASCII."""
    return unicodedata.normalize("NFKC", cell).strip()


def normalise_number(cell: str, unit: str | None) -> tuple[str, str | None, str | None]:
    """Normalise one numeric cell. Returns (text for the type check, info note or None, error or None)."""
    text = normalise_numeric_text(cell)
    note = "全角字符已转换为半角" if text != cell.strip() else None
    if text in MISSING_MARKERS:
        return "", (f"“{text}”按缺失值读取" if text else note), None
    match = _NUMBER_WITH_SUFFIX.match(text)
    if not match:
        return text, note, None  # left for the type check to report
    num, suffix = match.group("num"), match.group("suffix")
    if suffix:
        if suffix == "%" and unit != "%":
            return text, note, f"带有“%”，但此列单位是“{unit or '无'}”"
        if suffix != "%" and suffix != unit:
            return text, note, f"带有单位“{suffix}”，但此列单位是“{unit or '无'}”"
        note = f"已去掉单位“{suffix}”"
    if "," in num:
        if not _WELL_FORMED_THOUSANDS.match(num):
            return text, note, "千位分隔符位置不对"
        num = num.replace(",", "")
        note = (note + "；" if note else "") + "已去掉千位分隔符"
    return num, note, None


def read_csv(path: Path, spec: TableSpec, display_path: str, unit_for_row=None) -> RawTable:
    """Read and normalise a CSV against its table spec. Problems become findings; nothing is raised.

    `unit_for_row(record: dict) -> str | None` gives a per-row unit for tables such as facts.csv,
    whose single value column takes each row's unit from the catalogue.
    """
    findings: list[Finding] = []
    text, encoding = decode_bytes(path.read_bytes())
    if encoding == "gbk":
        findings.append(
            Finding(Level.INFO, "encoding", "文件为 GBK 编码，已按 GBK 读取；建议另存为 UTF-8", display_path)
        )

    # strict: a stray quote is an error, not a cell that silently swallows the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start_line = 1
    try:
        for record in reader:
            records.append((start_line, record))
            start_line = reader.line_num + 1
    except csv.Error as exc:
        findings.append(
            Finding(
                Level.FAIL,
                "shape",
                f'CSV 格式错误（多半是未配对的英文引号 "）：{exc}',
                display_path,
                start_line,
                expected="引号成对出现；单元格内不要有换行",
            )
        )
        return RawTable(path, display_path, [], [], [], encoding, findings)
    if not records:
        findings.append(
            Finding(
                Level.FAIL,
                "header",
                "文件为空，缺少表头",
                display_path,
                1,
                expected=",".join(spec.field_names),
            )
        )
        return RawTable(path, display_path, [], [], [], encoding, findings)

    # Accept either the code name or the Chinese title as a column header.
    by_title = {normalise_numeric_text(f.title): f.name for f in spec.fields}
    raw_header = [normalise_numeric_text(h) for h in records[0][1]]
    header = [by_title.get(h, h) for h in raw_header]
    for missing in [f.name for f in spec.fields if f.name not in header and not f.optional_column]:
        findings.append(
            Finding(
                Level.FAIL,
                "header",
                "缺少列",
                display_path,
                1,
                missing,
                expected="表头应包含：" + "，".join(f"{f.name}（{f.title}）" for f in spec.fields),
            )
        )
    for extra in [h for h in header if h not in spec.field_names]:
        findings.append(
            Finding(Level.FAIL, "header", "多出未定义的列", display_path, 1, extra or "（空列名）")
        )
    duplicated = {h for h in header if header.count(h) > 1}
    for dup in sorted(duplicated):
        findings.append(Finding(Level.FAIL, "header", "列名重复", display_path, 1, dup))

    position = {name: header.index(name) for name in spec.field_names if name in header}
    rows: list[list[str]] = []
    lines: list[int] = []
    flagged: set[tuple[int, str]] = set()
    for line, record in records[1:]:
        if all(not normalise_text(c) for c in record):
            continue  # blank lines Excel leaves at the end
        if len(record) > len(header):
            findings.append(
                Finding(
                    Level.FAIL,
                    "shape",
                    f"此行有 {len(record)} 个单元格，多于表头的 {len(header)} 列",
                    display_path,
                    line,
                )
            )
        cells = {name: (record[i] if i < len(record) else "") for name, i in position.items()}
        record_dict = {k: normalise_text(v) for k, v in cells.items()}
        out = []
        for f in spec.fields:
            cell = cells.get(f.name, "")
            if f.is_numeric:
                unit = unit_for_row(record_dict) if unit_for_row and f.name == "value" else f.unit
                value, note, error = normalise_number(cell, unit)
                if error:
                    flagged.add((len(rows), f.name))
                    findings.append(
                        Finding(
                            Level.FAIL,
                            "number_format",
                            error,
                            display_path,
                            line,
                            f.name,
                            cell.strip(),
                            _expected(f, unit),
                        )
                    )
                elif note:
                    findings.append(
                        Finding(Level.INFO, "number_format", note, display_path, line, f.name, cell.strip())
                    )
            else:
                value = normalise_text(cell)
                # a marker the column's enum lists (e.g. fitness.printed_unit “无”) is a value, not a blank
                if (
                    value in MISSING_MARKERS - {""}
                    and not f.required
                    and value not in f.constraints.get("enum", ())
                ):
                    value = ""
                if "\n" in value and f.name not in FREE_TEXT_FIELDS:
                    flagged.add((len(rows), f.name))
                    findings.append(
                        Finding(
                            Level.FAIL,
                            "shape",
                            "单元格内有换行（常因引号未配对，把下一行并进了本格）",
                            display_path,
                            line,
                            f.name,
                            value[:40],
                            "单行文本",
                        )
                    )
            out.append(value)
        rows.append(out)
        lines.append(line)
    return RawTable(path, display_path, list(spec.field_names), rows, lines, encoding, findings, flagged)


def _expected(f, unit: str | None) -> str:
    kind = "非负整数" if f.type == "integer" else "数字"
    c = f.constraints
    if "minimum" in c and "maximum" in c:
        kind = f"{c['minimum']} 到 {c['maximum']} 之间的{'整数' if f.type == 'integer' else '数字'}"
    return f"{kind}（单位：{unit}）" if unit else kind
