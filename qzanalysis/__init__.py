"""qzanalysis：中等职业学校质量年度报告（中等职业教育质量年度报告）的可复现分析：数据校验、指标、核查与报告生成。"""

from qzanalysis.core.dataset import YearData, data_version, load_year, read_year
from qzanalysis.core.findings import DataValidationError

__version__ = "0.1.0"

__all__ = ["YearData", "DataValidationError", "data_version", "load_year", "read_year", "__version__"]
