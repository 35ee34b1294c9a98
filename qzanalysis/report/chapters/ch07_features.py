"""第七章 特色创新：学校自己写的特色（data/<year>/text/ch07_features.md）。

Each school's feature is its own, so this chapter holds no chart about any one feature: it shows the school's
text, and the numbers the school declares for the chapter in its catalogue.yaml (section 7) as a table
(review edition) and a chart of those that share one unit, the same way as every section's own numbers.
"""

from __future__ import annotations

from qzanalysis.report.chapters.common import figure_section_facts, table_section_facts

__all__ = ["figure_section_facts", "table_section_facts"]
