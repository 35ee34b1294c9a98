"""One text cell as an analyst typed or pasted it, made into what a reader would see it as.

- Invisible characters (zero-width space, BOM, soft hyphen, direction marks, control characters) are
  removed; unusual spaces (no-break, thin, tab…) become an ordinary space; spaces around the value go.
  Each change is described by naming the character, e.g. "U+200B 零宽空格", so the analyst can find it.
- Chinese punctuation in text is kept as typed (“，”“（”), but two keys that differ only by full-width
  and half-width forms or spaces cannot be told apart by a reader: `lookalike_key` folds them, and the
  validation refuses such a pair.
- A text cell that starts with = + - @ is refused (`formula_prefix`): Excel runs it as a formula when the
  CSV is opened or the value is written into a workbook.
"""

from __future__ import annotations

import unicodedata

# Names readers know, for the characters analysts paste without seeing them.
CHARACTER_NAMES = {
    "\u200b": "零宽空格",
    "\u200c": "零宽非连接符",
    "\u200d": "零宽连接符",
    "\u2060": "零宽不折行符",
    "\ufeff": "零宽不换行空格（BOM）",
    "\u00ad": "软连字符",
    "\u200e": "从左到右标记",
    "\u200f": "从右到左标记",
    "\u00a0": "不换行空格",
    "\u202f": "窄不换行空格",
    "\u2007": "数字空格",
    "\u2009": "窄空格",
    "\u3000": "全角空格",
    "\t": "制表符",
    "\r": "回车符",
    "\n": "换行符",
}
FORMULA_PREFIXES = ("=", "+", "-", "@")


def character_name(char: str) -> str:
    """'U+200B 零宽空格'; characters without a Chinese name get their Unicode name."""
    name = CHARACTER_NAMES.get(char) or unicodedata.name(char, "未命名字符")
    return f"U+{ord(char):04X} {name}"


def _is_invisible(char: str) -> bool:
    """Format and control characters: nothing shows on screen (line breaks are handled by the caller)."""
    return char not in "\n\t" and unicodedata.category(char) in ("Cf", "Cc", "Co", "Cn")


def _is_odd_space(char: str) -> bool:
    return char == "\t" or (unicodedata.category(char) == "Zs" and char not in " \u3000")


def clean_text(cell: str) -> tuple[str, str | None]:
    """(cleaned text, a note naming what was changed, or None).

    Spaces of any kind at both ends are stripped silently (a reader cannot see them). Inside the text,
    unusual spaces become an ordinary space; a full-width space is kept (readers see it as a gap), and so
    are line breaks (as "\\n"), which the caller accepts only in free-text columns.
    """
    text = cell.replace("\r\n", "\n").replace("\r", "\n")
    removed = sorted({c for c in text if _is_invisible(c)})
    if removed:
        text = "".join(c for c in text if c not in removed)
    text = text.strip()
    spaces = sorted({c for c in text if _is_odd_space(c)})
    if spaces:
        text = "".join(" " if c in spaces else c for c in text)
    notes = []
    if removed:
        notes.append("已删除看不见的字符：" + "、".join(character_name(c) for c in removed))
    if spaces:
        notes.append("已把 " + "、".join(character_name(c) for c in spaces) + " 换成普通空格")
    return text, "；".join(notes) or None


def lookalike_key(text: str) -> str:
    """The form two keys share when a reader cannot tell them apart: full-width and half-width forms
    folded (NFKC), spaces removed, letters in one case."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(folded.split()).casefold()


def lookalike_difference(a: str, b: str) -> str:
    """What tells two look-alike keys apart, in words (for the finding)."""
    if "".join(a.split()) == "".join(b.split()):
        return "只差空格"
    return "只差全角/半角写法（如“（”与“(”、“Ａ”与“A”）或大小写"


def formula_prefix(text: str) -> str | None:
    """The character that would make Excel read `text` as a formula, None when it is plain text."""
    return text[0] if text[:1] in FORMULA_PREFIXES and len(text) > 1 else None
