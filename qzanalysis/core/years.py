"""Several years side by side: the previous year for comparisons, all years for trends."""

from __future__ import annotations

from qzanalysis.core.dataset import YearData, load_year, read_year
from qzanalysis.core.findings import Report
from qzanalysis.core.paths import available_years
from qzanalysis.core.text import check_previous_references


def previous_year(data: YearData, data_dir=None) -> YearData | None:
    """The nearest earlier year in the data folder, loaded and validated; None when there is none."""
    earlier = [
        y for y in available_years(data_dir if data_dir is not None else data.path.parent) if y < data.year
    ]
    return load_year(max(earlier), data.path.parent) if earlier else None


def previous_reference_report(data: YearData) -> Report:
    """The 【待补】 warnings of the year's ``{{previous.…}}`` references whose value the previous year lacks
    (or all of them when there is no earlier year), like the current year's in `data.report`. The previous
    year is read, not validated: its own problems are its own `qz validate`'s."""
    if data.text is None or not any("previous." in tf.body for tf in data.text.files.values()):
        return Report(checks_run=["text_references"])
    earlier = [y for y in available_years(data.path.parent) if y < data.year]
    previous = read_year(max(earlier), data.path.parent) if earlier else None
    return check_previous_references(data.text, data, previous)


def all_years(data: YearData) -> list[YearData]:
    """Every year up to and including `data.year`, oldest first (for trend charts)."""
    years = [y for y in available_years(data.path.parent) if y < data.year]
    return [load_year(y, data.path.parent) for y in years] + [data]
