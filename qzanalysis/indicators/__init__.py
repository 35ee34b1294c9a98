"""Layer 2, the indicators and standards: the indicator registry and its formulas, the national standards,
the audit rules that recompute every printed figure, and year-over-year changes. Imports only the data core.

The audit's computation lives here (not with the tools) because chapters 8 and 10 show its results."""
