"""What every chapter of the area report (区域汇总) shares: the schools of one year, and how a value is written.

A notebook starts with ``area = load_area(year, collection)``; every function then takes `area` and displays one
paragraph, table or chart. Schools are named by their short name (school.yaml), else their full name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from qzanalysis.core.collection import Collection, SchoolYear, find_collection, load_collection, read_schools
from qzanalysis.core.values import MISSING_TEXT, fmt_change, fmt_number, is_missing
from qzanalysis.indicators import area as calc
from qzanalysis.indicators.plausibility import read_checked_year
from qzanalysis.indicators.registry import registry

# Marks a school's value computed under its own definition where the reference one differs (chapters 2 and 4).
OWN_DEFINITION_MARK = "†"


@dataclass
class Area:
    """One year of every school in a collection (read and validated once per notebook)."""

    year: int
    collection: Collection
    schools: list[SchoolYear] = field(repr=False)

    @property
    def compared(self) -> list[SchoolYear]:
        """The schools whose data passed validation: the only ones compared."""
        return calc.comparable(self.schools)

    @property
    def failed(self) -> list[SchoolYear]:
        return [s for s in self.schools if not s.ok]

    @cached_property
    def values(self) -> pd.DataFrame:
        """Every registered indicator of every compared school (see indicators.area.indicator_values)."""
        return calc.indicator_values(self.schools)


def load_area(year: int, collection: str | None = None) -> Area:
    """The collection file (`collection`, else $QZ_COLLECTION, else ./collection.yaml) and every school's `year`.

    Raises FileNotFoundError when there is no collection file and CollectionError when it has problems.
    """
    coll = load_collection(find_collection(collection))
    return Area(int(year), coll, read_schools(coll, int(year), read_checked_year))


def value_text(value, ind_id: str, unit: bool = True) -> str:
    """An indicator's value ('15.1:1', '84.8%', '20.19 平方米'; without `unit`, for a column titled with it:
    '15.1', '84.8', '20.19'); '—' when missing."""
    ind = registry()[ind_id]
    return fmt_number(value, ind.decimals, ind.unit if unit else None)


def change_text(value, ind_id: str, unit: bool = True) -> str:
    """A change in an indicator ('+2.1 个百分点', '−0.8', '±0.0'; without `unit`: '+2.1'); '—' when missing."""
    ind = registry()[ind_id]
    if is_missing(value):
        return MISSING_TEXT
    value = round(float(value), ind.decimals) + 0.0  # no "−0.0": a change that rounds to zero is ±0
    words = {"%": "个百分点", ":1": ""}.get(ind.unit, ind.unit) if unit else ""
    return fmt_change(value, ind.decimals, words).rstrip()


def names(schools) -> str:
    """'合成机电、合成卫校' for SchoolYears (short names)."""
    return "、".join(calc.short_name(s) for s in schools)
