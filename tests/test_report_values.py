"""Every number the 2021 report prints, as loaded from data/, equals the report (tests/report_2021.py).

Changing any single number in data/2021 or data/2020 makes one of these tests fail; the mutation tests
below prove that for every cell rather than assuming it.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from qzanalysis import load_year
from qzanalysis.core.catalog import table_specs
from tests.report_2021 import FACT_PRINTED_UNITS, FACTS, TABLES


def _same(loaded, expected_text: str) -> bool:
    missing = loaded is None or loaded is pd.NA or (isinstance(loaded, float) and math.isnan(loaded))
    if expected_text == "":
        return missing
    if missing:
        return False
    if isinstance(loaded, (bool, np.bool_)):
        return {"是": True, "否": False}[expected_text] == bool(loaded)
    if isinstance(loaded, (int, float, np.integer, np.floating)):
        return Decimal(str(loaded)) == Decimal(expected_text)
    return str(loaded) == expected_text


def mismatches(data, year: int, only: str | None = None) -> list[str]:
    """Every cell where the loaded data differ from the report, as readable strings."""
    problems = []
    if only not in (None, "facts"):
        return _table_mismatches(data, year, only)
    expected_facts = FACTS[year]
    loaded_ids = set(data.facts.index)
    for missing in sorted(set(expected_facts) - loaded_ids):
        problems.append(f"facts: {missing} missing")
    for extra in sorted(loaded_ids - set(expected_facts)):
        problems.append(f"facts: {extra} not in the report")
    for fid, text in expected_facts.items():
        if fid in loaded_ids and not _same(data.facts.at[fid, "value"], text):
            problems.append(f"facts.{fid}: {data.facts.at[fid, 'value']} != {text}")
    printed_units = FACT_PRINTED_UNITS[year]
    if "printed_unit" not in data.facts.columns:
        problems.append("facts: printed_unit column missing")
    else:
        for fid in sorted(loaded_ids):
            loaded = data.facts.at[fid, "printed_unit"]
            if not _same(loaded, printed_units.get(fid, "")):
                problems.append(f"facts.{fid}.printed_unit: {loaded!r} != {printed_units.get(fid, '')!r}")
    if only == "facts":
        return problems
    return problems + _table_mismatches(data, year, None)


def _table_mismatches(data, year: int, only: str | None) -> list[str]:
    problems = []
    expected_tables = {name: years[year] for name, years in TABLES.items() if year in years}
    for name in sorted(set(data.tables) | set(expected_tables)):
        if only is not None and name != only:
            continue
        if name not in data.tables or name not in expected_tables:
            problems.append(f"{name}: present in only one of data/report")
            continue
        header, rows = expected_tables[name]
        frame = data.tables[name]
        if len(frame) != len(rows):
            problems.append(f"{name}: {len(frame)} rows != {len(rows)}")
            continue
        for i, row in enumerate(rows):
            for col, text in zip(header, row, strict=True):
                if not _same(frame[col].iloc[i], text):
                    problems.append(f"{name}[{i}].{col}: {frame[col].iloc[i]!r} != {text!r}")
    return problems


@pytest.mark.parametrize("year", [2021, 2020])
def test_data_equal_the_report(year):
    assert mismatches(load_year(year), year) == []


def test_expectations_cover_every_column_of_every_table():
    tables = {**table_specs(), **load_year(2021).catalogue.tables}  # built-in and the year's own
    for name, years in TABLES.items():
        spec = tables[name]
        for header, _rows in years.values():
            assert set(header) == set(spec.field_names) - {"note"}, name


def test_expectations_cover_every_column_of_facts():
    covered = {"value", "printed_unit"}  # FACTS and FACT_PRINTED_UNITS
    assert set(table_specs()["facts"].field_names) - {"id", "label", "unit", "note"} == covered
    for year, units in FACT_PRINTED_UNITS.items():
        assert set(units) <= set(FACTS[year]), year


def _numeric_cells(data):
    for fid in data.facts.index:
        yield ("facts", fid, "value")
        yield ("facts", fid, "printed_unit")
    for name, frame in data.tables.items():
        for col in frame.columns:
            if col.startswith("amount_") or col == "note":
                continue  # derived in the loader, or commentary rather than a printed value
            for i in range(len(frame)):
                yield (name, i, col)


@pytest.mark.parametrize("year", [2021, 2020])
def test_changing_any_single_cell_is_caught(year):
    """Mutate each loaded cell in turn (in memory) and check the comparison flags it."""
    data = load_year(year)
    checked = 0
    for name, row, col in _numeric_cells(data):
        frame = data.facts if name == "facts" else data.tables[name]
        pos = frame.index.get_loc(row) if name == "facts" else row
        original = frame[col].iloc[pos]
        if original is None or original is pd.NA or (isinstance(original, float) and math.isnan(original)):
            mutated = 1 if pd.api.types.is_numeric_dtype(frame[col]) else "x"
        elif pd.api.types.is_bool_dtype(frame[col]):
            mutated = not bool(original)
        elif pd.api.types.is_numeric_dtype(frame[col]):
            mutated = original + 1
        else:
            mutated = str(original) + "x"
        if col in ("label", "unit", "id", "decimals"):
            continue  # labels are display text from the catalogue; the value column is what the report prints
        frame.iat[pos, frame.columns.get_loc(col)] = mutated
        try:
            assert mismatches(data, year, only=name), f"changing {name}[{row}].{col} went unnoticed"
        finally:
            frame.iat[pos, frame.columns.get_loc(col)] = original
        checked += 1
    assert checked > (300 if year == 2021 else 40)


@pytest.mark.parametrize(
    "file, needle, replacement",
    [
        ("facts.csv", "full_time_teachers,专任教师数,247,", "full_time_teachers,专任教师数,248,"),
        ("students_by_level.csv", "高职层次,1737", "高职层次,1773"),
        ("skill_pass_rates.csv", "汽车维修工,56.89", "汽车维修工,56.98"),
        ("funding.csv", "8843.1069", "8843.1096"),
    ],
)
def test_a_typo_in_a_csv_fails(data_copy, file, needle, replacement):
    path = data_copy / "2021" / file
    text = path.read_text(encoding="utf-8")
    assert needle in text
    path.write_text(text.replace(needle, replacement), encoding="utf-8")
    assert mismatches(load_year(2021, data_copy, strict=False), 2021)
