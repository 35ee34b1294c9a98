"""What a data file really is, and its text: UTF-8 (with or without BOM) or GBK, or a clear refusal.

Analysts save CSVs from Excel and WPS. Some files named ``.csv`` are not CSV text at all: an ``.xlsx``
renamed, Excel's "Unicode 文本" (UTF-16, tab-separated), an old ``.xls``/``.et``. Others mix encodings,
when a line was pasted from a GBK file into a UTF-8 one. `decode_bytes` says which, on which line (as an
editor counts lines, not a byte offset), and how to re-save the file.
"""

from __future__ import annotations

RESAVE_CSV = "用 Excel 或 WPS 打开，“另存为 → CSV UTF-8（逗号分隔）(*.csv)”"

# First bytes → what the file is. Checked before any decoding.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "Excel 工作簿（.xlsx）或其他压缩文件，只是扩展名为 .csv"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Excel（.xls）或 WPS 表格（.et）文件，只是扩展名为 .csv"),
    (b"%PDF", "PDF 文件，只是扩展名为 .csv"),
    (b"{\\rtf", "RTF 文档，只是扩展名为 .csv"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"


class FileKindError(ValueError):
    """The file cannot be read as CSV text. `line` is the 1-based line (None: the whole file)."""

    def __init__(self, message: str, line: int | None = None, expected: str = RESAVE_CSV):
        super().__init__(message)
        self.message = message
        self.line = line
        self.expected = expected


def sniff_kind(data: bytes) -> str | None:
    """A description of a non-text file (Excel workbook, UTF-16 text, PDF…), None for plain text."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    head = data[:4096]
    if head.startswith(_UTF16_BOMS) or _looks_utf16(head):
        return "UTF-16 编码的文本（Excel“Unicode 文本”格式，以制表符分隔），不是 CSV"
    if b"\x00" in head:
        return "二进制文件，不是 CSV 文本"
    return None


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a BOM: ASCII characters leave a NUL byte in every other position."""
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return even.count(0) > len(even) // 2 or odd.count(0) > len(odd) // 2


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _mixed_lines(data: bytes) -> list[int]:
    """Lines that are not UTF-8 in a file whose other non-ASCII lines are UTF-8 ([] when not mixed)."""
    bad, utf8 = [], False
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            bad.append(number)
    return bad if utf8 and bad else []


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding): "utf-8", "utf-8-sig" or "gbk" (read as GB18030, a superset of GBK).

    Raises FileKindError naming what the file is, the line, and how to re-save it.
    """
    kind = sniff_kind(data)
    if kind:
        raise FileKindError(f"这不是 CSV 文本文件，而是{kind}")
    body, encoding = (data[3:], "utf-8-sig") if data.startswith(_UTF8_BOM) else (data, "utf-8")
    try:
        return body.decode("utf-8"), encoding
    except UnicodeDecodeError as exc:
        first_bad = _line_of(body, exc.start)
    mixed = _mixed_lines(body)
    if encoding == "utf-8-sig" or mixed:
        lines = mixed or [first_bad]
        shown = "、".join(f"第 {n} 行" for n in lines[:5]) + ("等" if len(lines) > 5 else "")
        raise FileKindError(
            f"文件混用了两种编码：大部分是 UTF-8，{shown}不是（多半是从 GBK 编码的文件复制过来的）",
            lines[0],
            "整个文件统一为 UTF-8：在 WPS 或记事本中重新输入这些行，再" + RESAVE_CSV,
        )
    try:
        return body.decode("gb18030"), "gbk"
    except UnicodeDecodeError as exc:
        raise FileKindError(
            "有无法识别的字符：既不是 UTF-8 也不是 GBK 编码", _line_of(body, exc.start)
        ) from None
