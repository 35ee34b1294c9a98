"""qzanalysis：衢州市工程技术学校（衢州市技师学院）中等职业教育质量年度报告的可复现分析。"""

from qzanalysis.core.dataset import YearData, data_version, load_year, read_year
from qzanalysis.core.findings import DataValidationError

__version__ = "0.1.0"

__all__ = ["YearData", "DataValidationError", "data_version", "load_year", "read_year", "__version__"]
