"""What counts as a missing value (None, pandas NA, NaN), and how a number is written for readers.
Missing is shown as "—", never as 0."""

from __future__ import annotations

import math

import pandas as pd


def is_missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(value)
    except TypeError:  # strings, booleans of other kinds, objects: present
        return False


MISSING_TEXT = "—"


def fmt_number(value, decimals: int = 0, unit: str | None = None, thousands: bool = True) -> str:
    """'3,742 人', '98.41%', '15.1:1'; missing values show as '—', never as 0."""
    if is_missing(value):
        return MISSING_TEXT
    text = f"{float(value):,.{decimals}f}" if thousands else f"{float(value):.{decimals}f}"
    if not unit:
        return text
    if unit in ("%", ":1"):
        return text + unit
    return f"{text} {unit}"


def fmt_change(value, decimals: int = 1, unit: str = "个百分点") -> str:
    if is_missing(value):
        return MISSING_TEXT
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{abs(value):,.{decimals}f}{'' if unit == '%' else ' '}{unit}"
