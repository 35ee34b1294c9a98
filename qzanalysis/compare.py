"""Compare a recomputed figure with the value the report printed, within the printed rounding.

Shared by the indicator registry and the audit so that both give the same verdict for the same pair.
"""

from __future__ import annotations

import math
from enum import Enum


class Verdict(str, Enum):
    CONSISTENT = "一致"
    ROUNDING = "舍入差异"
    INCONSISTENT = "不一致"
    UNCHECKABLE = "无法核对"
    COMPUTED_ONLY = "仅计算值"


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def compare(
    computed: float | None, printed: float | None, printed_decimals: int | None
) -> tuple[Verdict, float | None]:
    """Verdict and difference (computed − printed).

    一致: the computed value rounds to the printed one (|diff| ≤ half a unit in the last printed digit).
    舍入差异: off by at most one unit in the last printed digit (truncation or double rounding).
    不一致: further apart than that.
    """
    if is_missing(computed):
        return Verdict.UNCHECKABLE, None
    if is_missing(printed):
        return Verdict.COMPUTED_ONLY, None
    diff = computed - printed
    unit = 10.0 ** -(printed_decimals or 0)
    if abs(diff) <= unit / 2 + 1e-9:
        return Verdict.CONSISTENT, diff
    if abs(diff) <= unit + 1e-9:
        return Verdict.ROUNDING, diff
    return Verdict.INCONSISTENT, diff


def implied_denominator(numerator: float, printed: float, scale: float = 1.0) -> float | None:
    """The denominator that would make numerator / d × scale equal the printed value."""
    if is_missing(numerator) or is_missing(printed) or printed == 0:
        return None
    return numerator * scale / printed
