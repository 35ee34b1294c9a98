"""The audit: every derivable figure of the report recomputed and checked, national standards, chapter 8."""

from .report import audit, declines, lowest, standards_not_met, verdict_counts
from .rules import all_rules, rule_count
from .standards import standards, standards_table

__all__ = [
    "audit",
    "all_rules",
    "declines",
    "lowest",
    "rule_count",
    "standards",
    "standards_not_met",
    "standards_table",
    "verdict_counts",
]
