"""Layer 1, the data core: where files live, reading and normalising CSVs, validation, one year's dataset,
the catalogue of tables and facts. Imports nothing from the layers above (indicators, report, tools)."""
