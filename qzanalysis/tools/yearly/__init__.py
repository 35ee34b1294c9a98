"""The annual rerun: a blank year and its Excel workbook (`qz new-year`), importing the filled workbook
(`qz import`), and what changed since the previous year (the appendix chapter).

Modules: ``workbook`` (sheet layout shared by writing and reading), ``template`` (new-year folder and
workbook), ``importer`` (workbook → validated CSVs, atomically), ``changes`` (year-over-year), ``command`` (CLI).
"""

from qzanalysis.tools.yearly.importer import ImportResult, import_workbook
from qzanalysis.tools.yearly.template import NewYearResult, new_year

__all__ = ["ImportResult", "NewYearResult", "import_workbook", "new_year"]
