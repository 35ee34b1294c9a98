"""qzanalysis：中等职业学校质量年度报告（中等职业教育质量年度报告）的可复现分析：数据校验、指标、核查与报告生成。"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

__all__ = ["YearData", "DataValidationError", "data_version", "load_year", "read_year", "__version__"]

# The facade is imported lazily: `qz` (qzanalysis.tools.cli) imports this package first, and must be able to
# take Ctrl+C / SIGTERM before pandas and frictionless load (about a second).
_LAZY = {
    "YearData": "qzanalysis.core.dataset",
    "data_version": "qzanalysis.core.dataset",
    "load_year": "qzanalysis.core.dataset",
    "read_year": "qzanalysis.core.dataset",
    "DataValidationError": "qzanalysis.core.findings",
}

if TYPE_CHECKING:
    from qzanalysis.core.dataset import YearData, data_version, load_year, read_year
    from qzanalysis.core.findings import DataValidationError


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'qzanalysis' has no attribute {name!r}")
