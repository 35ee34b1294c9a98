"""What counts as a missing value: None, pandas NA, or NaN. Missing is shown as "—", never as 0."""

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
