"""Compare a recomputed figure with the value the report printed, within the printed rounding.

舍入差异 is given only when a named rounding mechanism reproduces the printed value exactly:
截尾 (the computed value truncated to the printed decimals) or 逐位舍入 (rounded half-up step by step
from three extra decimals: d+3 → d+2 → d+1 → d, e.g. 1.03448 → 1.0345 → 1.035 → 1.04).

Shared by the indicator registry and the audit so that both give the same verdict for the same pair.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum

from qzanalysis.core.values import is_missing


class Verdict(StrEnum):
    CONSISTENT = "一致"
    ROUNDING = "舍入差异"
    INCONSISTENT = "不一致"
    UNCHECKABLE = "无法核对"
    COMPUTED_ONLY = "仅计算值"


TRUNCATION = "截尾"
CHAINED_ROUNDING = "逐位舍入"
CHAIN_EXTRA_DECIMALS = 3


def _decimal(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def truncated(value: float, decimals: int) -> float:
    """`value` cut (towards zero) to `decimals` decimals."""
    return float(_decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN))


def chain_rounded(value: float, decimals: int, extra: int = CHAIN_EXTRA_DECIMALS) -> float:
    """`value` rounded half-up at decimals+extra, then one decimal less at a time down to `decimals`."""
    d = _decimal(value)
    for places in range(decimals + extra, decimals - 1, -1):
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return float(d)


def rounding_mechanism(computed: float, printed: float, printed_decimals: int | None) -> str | None:
    """截尾 or 逐位舍入 when that mechanism turns `computed` into exactly `printed`, else None."""
    if is_missing(computed) or is_missing(printed):
        return None
    decimals = printed_decimals or 0
    tolerance = 10.0 ** -(decimals + 6)
    if abs(truncated(computed, decimals) - printed) <= tolerance:
        return TRUNCATION
    if abs(chain_rounded(computed, decimals) - printed) <= tolerance:
        return CHAINED_ROUNDING
    return None


def compare(
    computed: float | None, printed: float | None, printed_decimals: int | None
) -> tuple[Verdict, float | None]:
    """Verdict and difference (computed − printed).

    一致: the computed value rounds to the printed one (|diff| ≤ half a unit in the last printed digit).
    舍入差异: otherwise, when truncation or chained half-up rounding (see `rounding_mechanism`) gives
    exactly the printed value.
    不一致: anything else.
    """
    if computed is None or is_missing(computed):
        return Verdict.UNCHECKABLE, None
    if printed is None or is_missing(printed):
        return Verdict.COMPUTED_ONLY, None
    diff = computed - printed
    unit = 10.0 ** -(printed_decimals or 0)
    if abs(diff) <= unit / 2 + 1e-9:
        return Verdict.CONSISTENT, diff
    if rounding_mechanism(computed, printed, printed_decimals):
        return Verdict.ROUNDING, diff
    return Verdict.INCONSISTENT, diff


def implied_denominator(numerator: float, printed: float, scale: float = 1.0) -> float | None:
    """The denominator that would make numerator / d × scale equal the printed value."""
    if is_missing(numerator) or is_missing(printed) or printed == 0:
        return None
    return numerator * scale / printed
