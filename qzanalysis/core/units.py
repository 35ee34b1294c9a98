"""Units that convert into each other (area in 亩 or 平方米, money in 元, 万元 or 亿元).

A fact given in another unit than the one an indicator or a standard wants is converted here, and
nowhere else. Units of different quantities (人 and 人次, 元 and 平方米) never convert.
"""

from __future__ import annotations

# Each unit's size in the base unit of its quantity.
_SIZES: dict[str, tuple[str, float]] = {
    "平方米": ("area", 1.0),
    "亩": ("area", 10000 / 15),  # 1 亩 = 10000/15 平方米 (666.67)
    "元": ("money", 1.0),
    "万元": ("money", 1e4),
    "亿元": ("money", 1e8),
}


def convertible(from_unit: str, to_unit: str) -> bool:
    """Whether a value in `from_unit` can be written in `to_unit` (always true for the same unit)."""
    if from_unit == to_unit:
        return True
    a, b = _SIZES.get(from_unit), _SIZES.get(to_unit)
    return a is not None and b is not None and a[0] == b[0]


def factor(from_unit: str, to_unit: str) -> float:
    """The number to multiply a value in `from_unit` by to get it in `to_unit`.

    Raises ValueError when the two units measure different quantities (a metadata error).
    """
    if from_unit == to_unit:
        return 1.0
    if not convertible(from_unit, to_unit):
        raise ValueError(f"单位“{from_unit}”不能换算为“{to_unit}”")
    return _SIZES[from_unit][1] / _SIZES[to_unit][1]


def convert(value: float, from_unit: str, to_unit: str) -> float:
    return value * factor(from_unit, to_unit)
