"""Several years side by side: the previous year for comparisons, all years for trends."""

from __future__ import annotations

from qzanalysis.core.dataset import YearData, load_year
from qzanalysis.core.paths import available_years


def previous_year(data: YearData, data_dir=None) -> YearData | None:
    """The nearest earlier year in the data folder, loaded and validated; None when there is none."""
    earlier = [
        y for y in available_years(data_dir if data_dir is not None else data.path.parent) if y < data.year
    ]
    return load_year(max(earlier), data.path.parent) if earlier else None


def all_years(data: YearData) -> list[YearData]:
    """Every year up to and including `data.year`, oldest first (for trend charts)."""
    years = [y for y in available_years(data.path.parent) if y < data.year]
    return [load_year(y, data.path.parent) for y in years] + [data]
